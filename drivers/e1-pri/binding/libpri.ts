/**
 * koffi 3 binding of libpri 1.6 (Debian libpri1.4, soname libpri.so.1.4).
 *
 * Pointers (struct pri *, q931_call *, pri_event *) are BigInts with no type checking: passing the
 * wrong one crashes the process. That is why this module is only loaded inside the span worker
 * process (drivers/e1-pri/child) and by the telco simulator, never by the box's main process.
 * libpri is not thread-safe: every call here must come from the JS main thread.
 *
 * Struct layouts are transcribed from /usr/include/libpri.h; test/unit/e1-binding.test.ts checks
 * the offsets koffi computes against the ones gcc computed for x86-64 (see OFFSETS_X86_64).
 */
import koffi, { type TypeObject } from 'koffi';
import { E1Error } from '../errors.js';

export type PriPtr = bigint;
export type CallPtr = bigint;

let lib: ReturnType<typeof koffi.load>;
try {
  lib = koffi.load('libpri.so.1.4');
} catch (e) {
  throw new E1Error('E1_LIB_LOAD', String(e), { cause: e, transient: false });
}

const charArr = (n: number) => koffi.array('char', n, 'String');

export const PartyName = koffi.struct('e1_pri_party_name', { valid: 'int', presentation: 'int', char_set: 'int', str: charArr(64) });
export const PartyNumber = koffi.struct('e1_pri_party_number', { valid: 'int', presentation: 'int', plan: 'int', str: charArr(64) });
export const PartySubaddress = koffi.struct('e1_pri_party_subaddress', {
  valid: 'int', type: 'int', odd_even_indicator: 'int', length: 'int', data: koffi.array('uint8', 32, 'Array'),
});
export const PartyId = koffi.struct('e1_pri_party_id', { name: PartyName, number: PartyNumber, subaddress: PartySubaddress });

/** pri_event_ring (Q.931 SETUP received). */
export const EventRing = koffi.struct('e1_pri_event_ring', {
  e: 'int', channel: 'int', callingpres: 'int', callingplanani: 'int', callingplan: 'int',
  callingani: charArr(256), callingnum: charArr(256), callingname: charArr(256),
  calledplan: 'int', ani2: 'int', callednum: charArr(256),
  redirectingnum: charArr(256), redirectingname: charArr(256), redirectingreason: 'int', callingplanrdnis: 'int',
  useruserinfo: charArr(260), flexible: 'int', cref: 'int', ctype: 'int', layer1: 'int', complete: 'int',
  call: 'void *', callingsubaddr: charArr(256), progress: 'int', progressmask: 'int',
  origcalledname: charArr(256), origcallednum: charArr(256), callingplanorigcalled: 'int',
  origredirectingreason: 'int', reversecharge: 'int', subcmds: 'void *',
  calling: PartyId, called_subaddress: PartySubaddress, keypad_digits: charArr(64),
});
/** pri_event_hangup (DISCONNECT → HANGUP_REQ, RELEASE/RELEASE COMPLETE → HANGUP). */
export const EventHangup = koffi.struct('e1_pri_event_hangup', {
  e: 'int', channel: 'int', cause: 'int', cref: 'int', call: 'void *', aoc_units: 'long',
  useruserinfo: charArr(260), subcmds: 'void *', call_held: 'void *', call_active: 'void *',
});
/** pri_event_answer and pri_event_ringing share this layout. */
export const EventAnswer = koffi.struct('e1_pri_event_answer', {
  e: 'int', channel: 'int', cref: 'int', progress: 'int', progressmask: 'int', call: 'void *',
  useruserinfo: charArr(260), subcmds: 'void *',
});
/** pri_event_proceeding, also used for PROGRESS. */
export const EventProceeding = koffi.struct('e1_pri_event_proceeding', {
  e: 'int', channel: 'int', cref: 'int', progress: 'int', progressmask: 'int', cause: 'int', call: 'void *', subcmds: 'void *',
});
export const EventSetupAck = koffi.struct('e1_pri_event_setup_ack', {
  e: 'int', channel: 'int', call: 'void *', subcmds: 'void *', progressmask: 'int',
});
export const EventKeypad = koffi.struct('e1_pri_event_keypad_digit', {
  e: 'int', channel: 'int', call: 'void *', digits: charArr(64), subcmds: 'void *',
});
export const EventRestart = koffi.struct('e1_pri_event_restart', { e: 'int', channel: 'int' });
export const EventError = koffi.struct('e1_pri_event_error', { e: 'int', err: charArr(256) });
export const EventConnectAck = koffi.struct('e1_pri_event_connect_ack', { e: 'int', channel: 'int', call: 'void *', subcmds: 'void *' });
export const Timeval = koffi.struct('e1_timeval', { tv_sec: 'long', tv_usec: 'long' });

/** Offsets gcc reported for x86-64 (offsetof on libpri.h 1.6.0); the binding test compares koffi's. */
export const OFFSETS_X86_64 = {
  ring: { channel: 4, callingpres: 8, callingnum: 276, callednum: 796, flexible: 1832, cref: 1836, complete: 1848, call: 1856, progress: 2120, reversecharge: 2648, subcmds: 2656, calling: 2664, called_subaddress: 2864, keypad_digits: 2912, size: 2976 },
  hangup: { cause: 8, call: 16, aoc_units: 24, useruserinfo: 32, subcmds: 296, call_held: 304, call_active: 312, size: 320 },
  answer: { call: 24, subcmds: 296, size: 304 },
  proceeding: { cause: 20, call: 24, subcmds: 32, size: 40 },
  setupAck: { call: 8, progressmask: 24 },
  keypad: { call: 8, digits: 16 },
  connectAck: { call: 8 },
  partyId: { size: 200 },
  eventUnion: { size: 2976 },
} as const;

/** void (*)(struct pri *, char *) — libpri's message and error hooks. */
const LogProto = koffi.proto('void e1_pri_log_cb(void *pri, const char *msg)');

export const pri = {
  new: lib.func('void *pri_new(int fd, int nodetype, int switchtype)') as (fd: number, node: number, sw: number) => PriPtr | null,
  setDebug: lib.func('void pri_set_debug(void *pri, int debug)') as (p: PriPtr, d: number) => void,
  fd: lib.func('int pri_fd(void *pri)') as (p: PriPtr) => number,
  checkEvent: lib.func('void *pri_check_event(void *pri)') as (p: PriPtr) => bigint | null,
  scheduleNext: lib.func('void *pri_schedule_next(void *pri)') as (p: PriPtr) => bigint | null,
  scheduleRun: lib.func('void *pri_schedule_run(void *pri)') as (p: PriPtr) => bigint | null,
  answer: lib.func('int pri_answer(void *pri, void *call, int channel, int nonisdn)') as (p: PriPtr, c: CallPtr, ch: number, nonisdn: number) => number,
  proceeding: lib.func('int pri_proceeding(void *pri, void *call, int channel, int info)') as (p: PriPtr, c: CallPtr, ch: number, info: number) => number,
  progress: lib.func('int pri_progress(void *pri, void *call, int channel, int info)') as (p: PriPtr, c: CallPtr, ch: number, info: number) => number,
  acknowledge: lib.func('int pri_acknowledge(void *pri, void *call, int channel, int info)') as (p: PriPtr, c: CallPtr, ch: number, info: number) => number,
  needMoreInfo: lib.func('int pri_need_more_info(void *pri, void *call, int channel, int nonisdn)') as (p: PriPtr, c: CallPtr, ch: number, nonisdn: number) => number,
  hangup: lib.func('int pri_hangup(void *pri, void *call, int cause)') as (p: PriPtr, c: CallPtr, cause: number) => number,
  destroyCall: lib.func('void pri_destroycall(void *pri, void *call)') as (p: PriPtr, c: CallPtr) => void,
  newCall: lib.func('void *pri_new_call(void *pri)') as (p: PriPtr) => CallPtr | null,
  srNew: lib.func('void *pri_sr_new()') as () => bigint | null,
  srFree: lib.func('void pri_sr_free(void *sr)') as (sr: bigint) => void,
  srSetChannel: lib.func('int pri_sr_set_channel(void *sr, int channel, int exclusive, int nonisdn)') as (sr: bigint, ch: number, excl: number, nonisdn: number) => number,
  srSetBearer: lib.func('int pri_sr_set_bearer(void *sr, int transmode, int userl1)') as (sr: bigint, mode: number, l1: number) => number,
  srSetCalled: lib.func('int pri_sr_set_called(void *sr, const char *called, int calledplan, int complete)') as (sr: bigint, called: string, plan: number, complete: number) => number,
  srSetCaller: lib.func('int pri_sr_set_caller(void *sr, const char *caller, const char *callername, int callerplan, int callerpres)') as (sr: bigint, caller: string, name: string | null, plan: number, pres: number) => number,
  setup: lib.func('int pri_setup(void *pri, void *call, void *sr)') as (p: PriPtr, c: CallPtr, sr: bigint) => number,
  restart: lib.func('int pri_restart(void *pri)') as (p: PriPtr) => number,
  reset: lib.func('int pri_reset(void *pri, int channel)') as (p: PriPtr, ch: number) => number,
  timer2idx: lib.func('int pri_timer2idx(const char *name)') as (name: string) => number,
  setTimer: lib.func('int pri_set_timer(void *pri, int timer, int value)') as (p: PriPtr, idx: number, value: number) => number,
  causeToStr: lib.func('const char *pri_cause2str(int cause)') as (c: number) => string,
  eventToStr: lib.func('const char *pri_event2str(int id)') as (id: number) => string,
  getVersion: lib.func('const char *pri_get_version()') as () => string,
  setMessage: lib.func('void pri_set_message(e1_pri_log_cb *cb)') as (cb: bigint) => void,
  setError: lib.func('void pri_set_error(e1_pri_log_cb *cb)') as (cb: bigint) => void,
};

export function decodeStruct<T>(ptr: bigint, type: TypeObject): T {
  return koffi.decode(ptr, type) as T;
}
export function decodeInt(ptr: bigint): number {
  return koffi.decode.int(ptr);
}

/**
 * libpri's log hooks are process-global. They are registered once and kept for the life of the
 * process: libpri may call them late (from a timer), and a call into an unregistered koffi
 * callback throws. Messages are forwarded to whichever sink is current.
 */
export type LogSink = (level: 'info' | 'error', msg: string) => void;
let logSink: LogSink = () => {};
let logRegistered = false;
export function setPriLogSink(sink: LogSink): void {
  logSink = sink;
  if (logRegistered) return;
  logRegistered = true;
  const msgCb = koffi.register((_p: unknown, msg: string) => { try { logSink('info', msg); } catch { /* a log sink must never throw into C */ } }, koffi.pointer(LogProto));
  const errCb = koffi.register((_p: unknown, msg: string) => { try { logSink('error', msg); } catch { /* idem */ } }, koffi.pointer(LogProto));
  pri.setMessage(msgCb);
  pri.setError(errCb);
}

export function libpriVersion(): string {
  return pri.getVersion();
}
