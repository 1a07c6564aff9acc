// The simulated trunk: a gateway with scripted callers and agent stations, implementing the TrunkDriver
// contract (drivers/trunk/types.ts) and enforcing the same rules a real gateway must (T1-T11), so domain code
// tested against it behaves the same on the serial and E1 drivers.
//
// The "line side" (what a caller or a station does) is driven through `placeCall()`, `SimCall.press()`,
// `SimCall.hangup()`, `addStation()`/`removeStation()`, `setOutside()` and `crash()`. Scripted caller
// behaviours built on these live in ./callers.ts.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '../../common/clock.js';
import { DigitBuffer } from '../trunk/digits.js';
import { TrunkEmitter } from '../trunk/emitter.js';
import { type DriverState, liveCall, mediaCall } from '../trunk/guards.js';
import {
  TrunkError,
  type CallAudio,
  type CallId,
  type CallOffered,
  type CollectOptions,
  type CollectResult,
  type ConnectOptions,
  type ConnectResult,
  type HangupCause,
  type HangupEvent,
  type HangupParty,
  type PlayOptions,
  type PlayResult,
  type Presentation,
  type Prompt,
  type RecordOptions,
  type RecordResult,
  type TransferOptions,
  type TransferResult,
  type TrunkCapabilities,
  type TrunkDriver,
  type TrunkEventName,
  type TrunkListener,
} from '../trunk/types.js';
import { wavDurationMs, wavHeader } from '../media/wav.js';
import { SimCall, type OutsideBehaviour, type StationBehaviour } from './sim-call.js';

export { SimCall, type OutsideBehaviour, type SimCallEvents, type SimCallLog, type StationBehaviour } from './sim-call.js';

/**
 * How long a prompt plays on the simulated line: the length of the recorded file the box plays (its prompts
 * directory), or, for a prompt without one, 1 s + 120 ms per character of its text, at most 8 s.
 */
export function promptLength(p: Prompt): number {
  return (p.file ? wavDurationMs(p.file) : undefined) ?? Math.min(8000, 1000 + 120 * (p.text?.length ?? 10));
}

export interface SimulatorOptions {
  clock?: Clock;
  /** Concurrent calls the simulated trunk carries (4 E1 spans = 120). Default 120. */
  channels?: number;
  /** How long a prompt plays, ms. Default `promptLength`: its recorded file's length, else estimated from its text. */
  promptMs?: (prompt: Prompt) => number;
  /** Back-off before the simulated driver comes back after `crash()`, ms. Default 1000. */
  restartBackoffMs?: number;
  newId?: () => string;
  onListenerError?: (err: unknown, event: TrunkEventName) => void;
  /**
   * Behave like a driver with fewer capabilities (the scenario suite runs on each driver's profile):
   * `transfer`/`record` false reject with `unsupported`, `play` 'none' plays a silent pause, `digits` 'none'
   * never delivers a caller's digit, `stations` 'none' makes every station unreachable. Default: all of them.
   */
  capabilities?: Partial<TrunkCapabilities>;
}

/** Everything the simulator can do (the E1 card's profile). */
export const fullCapabilities: Readonly<TrunkCapabilities> = Object.freeze({
  answer: true,
  play: 'audio',
  promptFormats: ['wav', 'alaw'],
  digits: 'box',
  record: 'box',
  transfer: 'network',
  stations: 'call',
  audioPort: true,
});

interface CallState {
  offered: CallOffered;
  answered: boolean;
  ended: boolean;
  digits: DigitBuffer;
  mediaBusy: boolean;
  /** Settles pending commands when the call ends (caller gone) or the driver fails. */
  enders: Set<(how: 'gone' | 'failed') => void>;
  station?: string;
  /** The simulated agent hangs up when this fires; cleared whenever the station leaves the call. */
  talkTimer?: TimerHandle;
  /** Listeners of an open audio port (C6): what the caller says. */
  audio?: Set<(alaw: Buffer) => void>;
  handle: SimCall;
}

interface Station {
  name: string;
  behaviour: Required<Omit<StationBehaviour, 'silent'>> & { silent: boolean };
  busyWith?: CallId;
  /** Ends the current ring with `unreachable` when the station is removed mid-ring. */
  onRemoved?: () => void;
}

export class SimulatorTrunk implements TrunkDriver {
  readonly kind = 'simulator';
  readonly capabilities: TrunkCapabilities;

  readonly clock: Clock;
  readonly channels: number;
  #emitter: TrunkEmitter;
  #calls = new Map<CallId, CallState>();
  #stations = new Map<string, Station>();
  #outside = new Map<string, OutsideBehaviour>();
  #up = false;
  #stopped = false;
  #started = false;
  #restartTimer: TimerHandle | undefined;
  #promptMs: (p: Prompt) => number;
  #restartBackoffMs: number;
  #newId: () => string;
  #channelSeq = 0;

  constructor(options: SimulatorOptions = {}) {
    const channels = options.channels ?? 120;
    if (!Number.isInteger(channels) || channels < 1) {
      throw new TrunkError('invalid-argument', `SimulatorOptions.channels must be a positive integer, got ${channels}`);
    }
    this.clock = options.clock ?? systemClock;
    this.channels = channels;
    this.#emitter = new TrunkEmitter(options.onListenerError);
    this.#promptMs = options.promptMs ?? promptLength;
    this.#restartBackoffMs = options.restartBackoffMs ?? 1000;
    this.#newId = options.newId ?? (() => `sim-${randomUUID()}`);
    this.capabilities = { ...fullCapabilities, ...options.capabilities };
    if (this.capabilities.play !== 'audio') this.capabilities.promptFormats = [];
  }

  // ---- TrunkDriver -------------------------------------------------------------------------------------

  on<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    this.#emitter.on(event, listener);
  }

  off<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    this.#emitter.off(event, listener);
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#started = true;
    this.#up = true;
    this.#emitter.emit('ready', { channels: this.channels, at: this.clock.now() });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.clock.clearTimeout(this.#restartTimer);
    for (const id of [...this.#calls.keys()]) this.#end(id, 'box', 'driver-stopped');
    this.#up = false;
  }

  async answer(callId: CallId): Promise<void> {
    const c = this.#call(callId);
    if (c.answered) return;
    c.answered = true;
    c.handle.log.answeredAt = this.clock.now();
    c.handle.emit('answered');
  }

  async play(callId: CallId, prompt: Prompt, options: PlayOptions = {}): Promise<PlayResult> {
    const c = this.#media(callId);
    c.handle.log.prompts.push(prompt.id);
    // A driver that cannot play still pauses for the prompt (the Prompt contract); the caller hears nothing.
    if (this.capabilities.play === 'none') c.handle.log.silentPrompts = (c.handle.log.silentPrompts ?? 0) + 1;
    else c.handle.emit('prompt', prompt);
    const gone: PlayResult = { outcome: 'caller-gone' };
    return this.#run<PlayResult>(c, options.signal, { outcome: 'cancelled' }, gone, (finish) => {
      const t = this.clock.setTimeout(() => finish({ outcome: 'completed' }), this.#promptMs(prompt));
      const ac = new AbortController();
      if (options.interruptible) {
        c.digits
          .firstDigit(ac.signal)
          .then((d) => {
            if (d !== null) finish({ outcome: 'interrupted', digit: d });
          })
          .catch(() => {});
      }
      return () => {
        this.clock.clearTimeout(t);
        ac.abort();
      };
    }, true);
  }

  async collectDigits(callId: CallId, options: CollectOptions): Promise<CollectResult> {
    const c = this.#media(callId);
    c.handle.log.collects += 1;
    const gone: CollectResult = { outcome: 'caller-gone', digits: '' };
    const result = this.#run<CollectResult>(c, undefined, { outcome: 'cancelled', digits: '' }, gone, (finish, fail) => {
      c.digits.collect(options).then(finish, fail);
      return () => {};
    }, true);
    c.handle.emit('collect', options);
    return result;
  }

  async connectAgent(callId: CallId, station: string, options: ConnectOptions): Promise<ConnectResult> {
    const c = this.#call(callId);
    if (c.station) throw new TrunkError('busy', `call ${callId} is already connected to a station`);
    const s = this.capabilities.stations === 'none' ? undefined : this.#stations.get(station);
    c.handle.log.stationsRung.push(station);
    if (!s) return { outcome: 'unreachable' };
    if (s.busyWith) return { outcome: 'busy' };
    s.busyWith = callId;
    const gone: ConnectResult = { outcome: 'caller-gone' };
    const result = await this.#run<ConnectResult>(c, options.signal, { outcome: 'cancelled' }, gone, (finish) => {
      const timers: TimerHandle[] = [];
      timers.push(this.clock.setTimeout(() => finish({ outcome: 'no-answer' }), options.ringTimeoutMs));
      if (!s.behaviour.silent) {
        timers.push(
          this.clock.setTimeout(() => finish({ outcome: 'answered', at: this.clock.now() }), s.behaviour.answerAfterMs),
        );
      }
      s.onRemoved = () => finish({ outcome: 'unreachable' });
      return () => {
        for (const t of timers) this.clock.clearTimeout(t);
        s.onRemoved = undefined;
      };
    });
    if (result.outcome !== 'answered') {
      if (s.busyWith === callId) s.busyWith = undefined;
      return result;
    }
    c.answered = true;
    c.station = station;
    c.handle.log.connected = { station, at: result.at };
    c.handle.emit('connected', station);
    if (Number.isFinite(s.behaviour.talkMs)) {
      c.talkTimer = this.clock.setTimeout(() => this.lineHangup(callId, 'station', 'normal'), s.behaviour.talkMs);
    }
    return result;
  }

  async transfer(callId: CallId, number: string, options: TransferOptions = {}): Promise<TransferResult> {
    const c = this.#call(callId);
    if (!this.capabilities.transfer) throw new TrunkError('unsupported', 'transfer: this trunk cannot transfer');
    if (!/^\+?\d{3,20}$/.test(number)) throw new TrunkError('invalid-argument', 'transfer: not a phone number');
    const behaviour = this.#outside.get(number) ?? 'connected';
    // A call bridged to an agent's station: the station's leg is released first, whatever the outcome.
    if (c.station) this.#releaseStation(c);
    const gone: TransferResult = { outcome: 'caller-gone' };
    const result = await this.#run<TransferResult>(c, options.signal, { outcome: 'cancelled' }, gone, (finish) => {
      const t = this.clock.setTimeout(
        () => finish(behaviour === 'connected' ? { outcome: 'connected', at: this.clock.now() } : { outcome: behaviour }),
        behaviour === 'no-answer' ? (options.ringTimeoutMs ?? 30_000) : 500,
      );
      return () => this.clock.clearTimeout(t);
    });
    if (result.outcome === 'connected') {
      c.handle.log.transferredTo = number;
      c.handle.emit('transferred', number);
      // A blind transfer: the box releases its side at once (TransferResult contract).
      this.clock.setTimeout(() => this.#end(callId, 'box', 'transferred'), 0);
    }
    return result;
  }

  async record(callId: CallId, options: RecordOptions): Promise<RecordResult> {
    const c = options.background ? this.#call(callId) : this.#media(callId);
    if (!this.capabilities.record) throw new TrunkError('unsupported', 'record: this trunk cannot record');
    if (!c.answered) throw new TrunkError('not-answered', `record on unanswered call ${callId}`);
    c.handle.log.recordings.push(options.file);
    c.handle.emit('record', options);
    const started = this.clock.now();
    const done = (outcome: RecordResult['outcome']): RecordResult => {
      writeSilentWav(options.file, this.clock.now() - started);
      return { outcome, file: options.file, durationMs: this.clock.now() - started };
    };
    const marker = { outcome: 'caller-gone', file: options.file, durationMs: 0 } as RecordResult;
    const cancelled = { outcome: 'cancelled', file: options.file, durationMs: 0 } as RecordResult;
    if (options.background) {
      return this.#run<RecordResult>(c, options.signal, cancelled, marker, (finish) => {
        const timer = options.maxMs ? this.clock.setTimeout(() => finish(done('max')), options.maxMs) : undefined;
        return () => this.clock.clearTimeout(timer);
      }).then((r) => (r === marker ? done('ended') : r === cancelled ? done('cancelled') : r));
    }
    return this.#run<RecordResult>(c, options.signal, cancelled, marker, (finish) => {
      const timer = options.maxMs ? this.clock.setTimeout(() => finish(done('max')), options.maxMs) : undefined;
      const ac = new AbortController();
      const stops = options.stopDigits ?? '';
      const watch = (): void => {
        c.digits
          .firstDigit(ac.signal)
          .then((d) => {
            if (d === null) return;
            c.digits.shift();
            if (stops.includes(d)) finish(done('digit'));
            else watch();
          })
          .catch(() => {});
      };
      if (stops) watch();
      return () => {
        this.clock.clearTimeout(timer);
        ac.abort();
      };
    }, true).then((r) => (r === marker ? done('caller-gone') : r === cancelled ? done('cancelled') : r));
  }

  async hangup(callId: CallId, cause: HangupCause = 'normal'): Promise<void> {
    if (!this.#up) return;
    if (this.#calls.has(callId)) this.#end(callId, 'box', cause);
  }

  // ---- line side (tests, behaviours, `edgebox simulate`) -------------------------------------------------

  get up(): boolean {
    return this.#up;
  }

  get activeCalls(): number {
    return this.#calls.size;
  }

  /** A call arrives on the trunk. Throws when the driver is down or every channel is busy. */
  placeCall(input: { caller: string | null; called?: string; presentation?: Presentation; channel?: string }): SimCall {
    if (!this.#up) throw new TrunkError('driver-down', 'simulated trunk is not running');
    if (this.#calls.size >= this.channels) throw new TrunkError('busy', 'every simulated channel is busy');
    const id = this.#newId();
    const called = input.called ?? '12328';
    const handle = new SimCall(this, id, input.caller, called);
    const offered: CallOffered = {
      callId: id,
      channel: input.channel ?? `sim/${(this.#channelSeq++ % this.channels) + 1}`,
      caller: input.caller,
      called,
      presentation: input.presentation ?? (input.caller ? 'allowed' : 'restricted'),
      at: this.clock.now(),
    };
    this.#calls.set(id, {
      offered,
      answered: false,
      ended: false,
      digits: new DigitBuffer(this.clock),
      mediaBusy: false,
      enders: new Set(),
      handle,
    });
    this.#emitter.emit('offered', offered);
    return handle;
  }

  addStation(name: string, behaviour: StationBehaviour = {}): void {
    this.#stations.set(name, {
      name,
      behaviour: {
        answerAfterMs: behaviour.answerAfterMs ?? 3000,
        talkMs: behaviour.talkMs ?? 90_000,
        silent: behaviour.silent ?? false,
      },
    });
  }

  /** The station disappears (unplugged): a ring in progress ends `unreachable`. */
  removeStation(name: string): void {
    const s = this.#stations.get(name);
    this.#stations.delete(name);
    s?.onRemoved?.();
  }

  hasStation(name: string): boolean {
    return this.#stations.has(name);
  }

  setOutside(number: string, behaviour: OutsideBehaviour): void {
    this.#outside.set(number, behaviour);
  }

  /** @internal Digits from the line. Dropped for unknown or ended calls (T3). */
  lineDigits(callId: CallId, digits: string): void {
    const c = this.#calls.get(callId);
    if (!c || c.ended || !/^[0-9*#A-D]+$/.test(digits)) return;
    if (this.capabilities.digits === 'none') return; // the line carries them, nothing detects them
    c.digits.push(digits);
    this.#emitter.emit('digits', { callId, digits, at: this.clock.now() });
  }

  /** @internal A release from the line. A second release for the same call is dropped (T3). */
  /** @internal A frame from the caller to the open audio port. */
  lineAudio(callId: CallId, alaw: Buffer): void {
    const c = this.#calls.get(callId);
    if (!c || c.ended || !c.audio) return;
    for (const l of c.audio) l(alaw);
  }

  openAudio(callId: CallId): CallAudio {
    if (!this.capabilities.audioPort) throw new TrunkError('unsupported', 'openAudio: this trunk has no audio port');
    const c = this.#call(callId);
    if (!c.answered) throw new TrunkError('not-answered', `openAudio on unanswered call ${callId}`);
    const listeners = new Set<(alaw: Buffer) => void>();
    c.audio = listeners;
    let open = true;
    return {
      onFrame: (l) => void listeners.add(l),
      write: (alaw) => {
        if (open && !c.ended) c.handle.emit('heard', alaw);
      },
      close: () => {
        open = false;
        listeners.clear();
        if (c.audio === listeners) c.audio = undefined;
      },
    };
  }

  lineHangup(callId: CallId, party: HangupParty, cause: HangupCause): void {
    const c = this.#calls.get(callId);
    if (!c || c.ended) return;
    this.#end(callId, party, !c.answered && party === 'caller' ? 'caller-abandoned' : cause);
  }

  /**
   * The simulated gateway crashes (T9): every call in flight is reported in one `failed` event and gets no
   * `hangup`; pending commands reject with `driver-failed`. Unless `permanent`, the driver comes back after
   * the restart back-off and emits `ready`.
   */
  crash(reason = 'simulated crash', permanent = false): void {
    if (!this.#up) return;
    this.#up = false;
    const ids = [...this.#calls.keys()];
    for (const id of ids) {
      const c = this.#calls.get(id)!;
      c.ended = true;
      this.#calls.delete(id);
      for (const e of [...c.enders]) e('failed');
      c.digits.end();
      this.clock.clearTimeout(c.talkTimer);
      if (c.station) this.#freeStation(c.station, id);
      c.handle.log.failed = true;
      c.handle.finish();
    }
    this.#emitter.emit('failed', { reason, permanent, callIds: ids, at: this.clock.now() });
    if (!permanent && !this.#stopped) {
      this.#restartTimer = this.clock.setTimeout(() => {
        if (this.#stopped) return;
        this.#up = true;
        this.#emitter.emit('ready', { channels: this.channels, at: this.clock.now() });
      }, this.#restartBackoffMs);
    }
  }

  /**
   * Emit a raw event as a misbehaving gateway would (an unknown call id, a second hang-up, digits after a
   * hang-up), bypassing the checks above. For fault tests of the domain only.
   */
  injectRaw<K extends TrunkEventName>(event: K, payload: Parameters<TrunkListener<K>>[0]): void {
    this.#emitter.emit(event, payload);
  }

  // ---- internals -----------------------------------------------------------------------------------------

  /** Running, or down between a crash and its restart (T9), or not started / stopped. */
  #state(): DriverState {
    return this.#up ? 'running' : this.#started && !this.#stopped ? 'failed' : 'down';
  }

  #call(callId: CallId): CallState {
    return liveCall('simulator', this.#state(), this.#calls.get(callId), callId);
  }

  #media(callId: CallId): CallState {
    return mediaCall('simulator', this.#state(), this.#calls.get(callId), callId, 'media');
  }

  /**
   * Run one long command: `body` arms whatever settles it and returns its cleanup. The command settles once,
   * with `cancelled` on abort, `caller-gone` when the call ends, or rejects `driver-failed` (T8, T9).
   */
  #run<R>(
    c: CallState,
    signal: AbortSignal | undefined,
    cancelled: R,
    gone: R,
    body: (finish: (r: R) => void, fail: (err: unknown) => void) => () => void,
    media = false,
  ): Promise<R> {
    if (media) c.mediaBusy = true;
    return new Promise<R>((resolve, reject) => {
      if (signal?.aborted) return resolve(cancelled);
      let settled = false;
      let cleanup: () => void = () => {};
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        cleanup();
        c.enders.delete(ender);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const finish = (r: R) => settle(() => resolve(r));
      const onAbort = () => finish(cancelled);
      const ender = (how: 'gone' | 'failed') =>
        settle(() =>
          how === 'failed'
            ? reject(new TrunkError('driver-failed', 'simulated driver failed'))
            : resolve(gone),
        );
      c.enders.add(ender);
      signal?.addEventListener('abort', onAbort, { once: true });
      cleanup = body(finish, (err) => settle(() => reject(err)));
    }).finally(() => {
      if (media) c.mediaBusy = false;
    });
  }

  #releaseStation(c: CallState): void {
    this.clock.clearTimeout(c.talkTimer);
    c.talkTimer = undefined;
    if (c.station) this.#freeStation(c.station, c.offered.callId);
    c.station = undefined;
    c.handle.log.stationReleasedAt = this.clock.now();
  }

  #freeStation(name: string, callId: CallId): void {
    const s = this.#stations.get(name);
    if (s?.busyWith === callId) s.busyWith = undefined;
  }

  #end(callId: CallId, party: HangupParty, cause: HangupCause): void {
    const c = this.#calls.get(callId);
    if (!c || c.ended) return;
    c.ended = true;
    this.#calls.delete(callId);
    c.digits.end();
    c.audio?.clear();
    for (const e of [...c.enders]) e('gone');
    // The simulated agent's hang-up timer must not outlive the call (it kept test processes alive).
    this.clock.clearTimeout(c.talkTimer);
    if (c.station) this.#freeStation(c.station, callId);
    for (const s of this.#stations.values()) if (s.busyWith === callId) s.busyWith = undefined;
    const ev: HangupEvent = { callId, cause, party, at: this.clock.now() };
    c.handle.log.hangup = ev;
    this.#emitter.emit('hangup', ev);
    c.handle.finish();
  }
}

/**
 * A valid 8 kHz mono 16-bit WAV of silence as long as the recording ran (at most 60 s, so a test clock that
 * jumps hours writes no large file), so a recording path in a call record names a real, playable file.
 */
function writeSilentWav(file: string, durationMs: number): void {
  try {
    if (!fs.existsSync(path.dirname(file)) || fs.existsSync(file)) return;
    const dataBytes = Math.round(Math.min(Math.max(durationMs, 0), 60_000) * 8) * 2;
    fs.writeFileSync(file, Buffer.concat([wavHeader(dataBytes), Buffer.alloc(dataBytes)]));
  } catch {
    /* a simulated recording is best-effort */
  }
}
