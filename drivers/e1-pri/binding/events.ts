/**
 * Turns a `pri_event *` into a plain TS value. The pointer is only valid until the next libpri
 * call on the same `struct pri`, so the event is decoded at once and nothing keeps the pointer
 * except the opaque q931_call handles, which stay valid until pri_destroycall/RELEASE COMPLETE.
 */
import {
  EventAnswer, EventConnectAck, EventError, EventHangup, EventKeypad, EventProceeding, EventRestart, EventRing,
  EventSetupAck, decodeInt, decodeStruct, type CallPtr,
} from './libpri.js';
import { EV } from './constants.js';

export type PriEvent =
  | { kind: 'dchan_up' }
  | { kind: 'dchan_down' }
  | { kind: 'restart'; channel: number }
  | { kind: 'restart_ack'; channel: number }
  | { kind: 'config_err'; message: string }
  | {
      kind: 'ring'; call: CallPtr; channel: number; flexible: boolean; cref: number;
      callingNumber: string; callingName: string; callingPres: number; callingPlan: number;
      calledNumber: string; calledPlan: number; complete: boolean; layer1: number; ctype: number;
      redirectingNumber: string;
    }
  | { kind: 'proceeding'; call: CallPtr; channel: number; progressMask: number }
  | { kind: 'progress'; call: CallPtr; channel: number; progressMask: number; cause: number }
  | { kind: 'ringing'; call: CallPtr; channel: number; progressMask: number }
  | { kind: 'answer'; call: CallPtr; channel: number }
  | { kind: 'connect_ack'; call: CallPtr; channel: number }
  | { kind: 'setup_ack'; call: CallPtr; channel: number }
  | { kind: 'hangup_req'; call: CallPtr; channel: number; cause: number }
  | { kind: 'hangup'; call: CallPtr; channel: number; cause: number }
  | { kind: 'hangup_ack'; call: CallPtr; channel: number; cause: number }
  | { kind: 'keypad'; call: CallPtr; channel: number; digits: string }
  | { kind: 'info'; call: CallPtr; channel: number; digits: string }
  | { kind: 'other'; e: number };

interface RawRing {
  channel: number; flexible: number; cref: number; callingnum: string; callingname: string; callingpres: number;
  callingplan: number; callednum: string; calledplan: number; complete: number; layer1: number; ctype: number;
  call: bigint; redirectingnum: string;
}
interface RawHangup { channel: number; cause: number; call: bigint }
interface RawAnswer { channel: number; progressmask: number; call: bigint }
interface RawProceeding { channel: number; progressmask: number; cause: number; call: bigint }
interface RawCallChannel { channel: number; call: bigint }
interface RawKeypad { channel: number; call: bigint; digits: string }

export function parseEvent(ptr: bigint): PriEvent {
  const e = decodeInt(ptr);
  switch (e) {
    case EV.DCHAN_UP: return { kind: 'dchan_up' };
    case EV.DCHAN_DOWN: return { kind: 'dchan_down' };
    case EV.RESTART: return { kind: 'restart', channel: decodeStruct<{ channel: number }>(ptr, EventRestart).channel };
    case EV.RESTART_ACK: return { kind: 'restart_ack', channel: decodeStruct<{ channel: number }>(ptr, EventRestart).channel };
    case EV.CONFIG_ERR: return { kind: 'config_err', message: decodeStruct<{ err: string }>(ptr, EventError).err };
    case EV.RING: {
      const r = decodeStruct<RawRing>(ptr, EventRing);
      return {
        kind: 'ring', call: r.call, channel: r.channel, flexible: !!r.flexible, cref: r.cref,
        callingNumber: r.callingnum, callingName: r.callingname, callingPres: r.callingpres, callingPlan: r.callingplan,
        calledNumber: r.callednum, calledPlan: r.calledplan, complete: !!r.complete, layer1: r.layer1, ctype: r.ctype,
        redirectingNumber: r.redirectingnum,
      };
    }
    case EV.PROCEEDING: {
      const r = decodeStruct<RawProceeding>(ptr, EventProceeding);
      return { kind: 'proceeding', call: r.call, channel: r.channel, progressMask: r.progressmask };
    }
    case EV.PROGRESS: {
      const r = decodeStruct<RawProceeding>(ptr, EventProceeding);
      return { kind: 'progress', call: r.call, channel: r.channel, progressMask: r.progressmask, cause: r.cause };
    }
    case EV.RINGING: {
      const r = decodeStruct<RawAnswer>(ptr, EventAnswer);
      return { kind: 'ringing', call: r.call, channel: r.channel, progressMask: r.progressmask };
    }
    case EV.ANSWER: {
      const r = decodeStruct<RawAnswer>(ptr, EventAnswer);
      return { kind: 'answer', call: r.call, channel: r.channel };
    }
    case EV.CONNECT_ACK: {
      const r = decodeStruct<RawCallChannel>(ptr, EventConnectAck);
      return { kind: 'connect_ack', call: r.call, channel: r.channel };
    }
    case EV.SETUP_ACK: {
      const r = decodeStruct<RawCallChannel>(ptr, EventSetupAck);
      return { kind: 'setup_ack', call: r.call, channel: r.channel };
    }
    case EV.HANGUP_REQ:
    case EV.HANGUP:
    case EV.HANGUP_ACK: {
      const r = decodeStruct<RawHangup>(ptr, EventHangup);
      const kind = e === EV.HANGUP_REQ ? 'hangup_req' : e === EV.HANGUP ? 'hangup' : 'hangup_ack';
      return { kind, call: r.call, channel: r.channel, cause: r.cause };
    }
    case EV.KEYPAD_DIGIT: {
      const r = decodeStruct<RawKeypad>(ptr, EventKeypad);
      return { kind: 'keypad', call: r.call, channel: r.channel, digits: r.digits };
    }
    case EV.INFO_RECEIVED: {
      // INFORMATION during overlap receiving reuses the ring layout (callednum holds the new digits).
      const r = decodeStruct<RawRing>(ptr, EventRing);
      return { kind: 'info', call: r.call, channel: r.channel, digits: r.callednum };
    }
    default:
      return { kind: 'other', e };
  }
}

