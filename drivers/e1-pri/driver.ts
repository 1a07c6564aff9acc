/**
 * The E1 ISDN PRI trunk driver: the facade the call domain sees (drivers/trunk/types.ts, rules
 * T1–T11). libpri and the B-channel media run in a span worker process (./host.ts,
 * ./child/worker-main.ts); this object keeps only per-call bookkeeping: the DTMF type-ahead buffer,
 * the one-media-operation rule, agent and transfer legs, and the mapping of worker events to
 * trunk events. A worker crash or a lost D-channel becomes `failed` (T9), never a box crash.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '../../common/clock.js';
import { DigitBuffer } from '../trunk/digits.js';
import { TrunkEmitter } from '../trunk/emitter.js';
import { liveCall, mediaCall, requireRunning } from '../trunk/guards.js';
import { TrunkError, type CallAudio, type CallId, type CallOffered, type CollectOptions, type CollectResult, type ConnectOptions, type ConnectResult, type HangupCause, type HangupParty, type PlayOptions, type PlayResult, type Prompt, type RecordOptions, type RecordResult, type TransferOptions, type TransferResult, type TrunkCapabilities, type TrunkDriver, type TrunkEventName, type TrunkListener } from '../trunk/types.js';
import { redactNumber } from '../../common/log.js';
import { validateConfig, type E1SpanConfig, type E1SpanConfigInput } from './config.js';
import { SpanHost } from './host.js';
import { isE1Error } from './errors.js';
import { CAUSE } from './binding/constants.js';
import { causeFromQ850, normaliseNumber, presentationOf, q850FromCause } from './causes.js';
import { guard, silentLogger, type E1Logger, type FCall, type Leg } from './call-state.js';
import { playOnCall, recordOnCall, type MediaContext, type PlayOutcome, type RecordDone } from './call-media.js';

export type { E1Logger } from './call-state.js';
import type { ProbeInfo, WorkerEvent } from './child/protocol.js';

export interface E1PriDriverOptions {
  config: E1SpanConfigInput;
  clock?: Clock;
  logger?: E1Logger;
  onListenerError?: (err: unknown, event: TrunkEventName) => void;
  /** The span worker's entry point (default child/worker-main.ts); tests of the restart policy pass a crashing one. */
  workerPath?: string;
  /**
   * Variables added to the span worker's environment. The DAHDI tests preload their device stand-in
   * (LD_PRELOAD) into the worker only, where the FFI calls run.
   */
  workerEnv?: Readonly<Record<string, string>>;
}

export class E1PriDriver implements TrunkDriver {
  readonly kind = 'e1-pri';
  readonly capabilities: TrunkCapabilities = {
    answer: true,
    play: 'audio',
    promptFormats: ['alaw', 'wav'],
    digits: 'box', // the Goertzel detector on each B-channel (media/dtmf.ts)
    record: 'box',
    transfer: 'bridge', // a second call on the span, bridged (dialLeg)
    stations: 'call',
    // A call's B-channel frames pass to the box and back (openAudio): browser stations (issue 17).
    audioPort: true,
  };
  readonly config: Readonly<E1SpanConfig>;
  private readonly clock: Clock;
  private readonly log: E1Logger;
  private readonly emitter: TrunkEmitter;
  private readonly host: SpanHost;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private readonly calls = new Map<CallId, FCall>();
  private readonly legs = new Map<string, Leg>();
  private readonly playWaiters = new Map<string, (o: PlayOutcome) => void>();
  /** Open audio ports (C6) by call: listeners of the call's received frames. */
  private readonly audioPorts = new Map<CallId, Set<(alaw: Buffer) => void>>();
  /** Frames for tapped calls' B-channels, sent to the span worker once per event-loop turn. */
  private audioDown: [string, Uint8Array][] = [];
  private readonly recordWaiters = new Map<string, (r: RecordDone) => void>();
  private readonly media: MediaContext;
  /**
   * Events for an outgoing leg can arrive before the `dial` reply's continuation has registered the
   * leg (both come over IPC in one read); they wait here, by call id, and are replayed.
   */
  private readonly early = new Map<string, WorkerEvent[]>();
  /** True after `failed` for a lost link or worker, until `ready` is emitted again. */
  private down = false;
  #dchannel: 'up' | 'down' | 'waiting' = 'waiting';
  private readonly dchanListeners = new Set<(s: 'up' | 'down' | 'waiting') => void>();

  /** D-channel state as the span worker last reported it (health page, probe, tests). */
  get dchannel(): 'up' | 'down' | 'waiting' {
    return this.#dchannel;
  }
  private setDchannel(s: 'up' | 'down' | 'waiting'): void {
    if (s === this.#dchannel) return;
    this.#dchannel = s;
    for (const l of [...this.dchanListeners]) {
      try {
        l(s);
      } catch (e) {
        this.log.error(`e1-pri: D-channel listener threw: ${String(e)}`);
      }
    }
  }
  /** Listen for D-channel state changes; returns the unsubscribe function. */
  onDchannel(l: (s: 'up' | 'down' | 'waiting') => void): () => void {
    this.dchanListeners.add(l);
    return () => this.dchanListeners.delete(l);
  }

  constructor(opts: E1PriDriverOptions) {
    this.config = validateConfig(opts.config);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.emitter = new TrunkEmitter(opts.onListenerError ?? ((err, ev) => this.log.error(`e1-pri: listener for ${ev} threw: ${String(err)}`)));
    this.host = new SpanHost(this.config, opts.workerPath, opts.workerEnv);
    this.media = {
      host: this.host, clock: this.clock, log: this.log, config: this.config,
      playWaiters: this.playWaiters, recordWaiters: this.recordWaiters, rethrow: (e) => this.rethrow(e),
    };
    this.host.on('event', (e) => {
      try {
        this.onWorker(e);
      } catch (err) {
        this.log.error(`e1-pri: handling worker event ${e.ev}: ${(err as Error).stack ?? err}`);
      }
    });
    this.host.on('exit', (x) => {
      this.log.error(`e1-pri: ${x.reason}${x.willRestart ? ', restarting' : ', giving up'}`);
      this.setDchannel('waiting');
      this.failAll(x.reason, !x.willRestart);
    });
    this.host.on('restarted', ({ attempt }) => {
      this.log.warn(`e1-pri: span worker restarted (attempt ${attempt})`);
      this.becomeReady();
    });
    this.host.on('error', (e) => this.log.error(`e1-pri: worker: ${e.message}`));
  }

  /** PID of the span worker (tests kill it to simulate a crash). */
  get workerPid(): number | undefined {
    return this.host.pid;
  }
  /** Simulate a crash of the span worker (tests, fault injection). */
  killWorker(): void {
    this.host.kill('SIGKILL');
  }

  on<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    this.emitter.on(event, listener);
  }
  off<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    this.emitter.off(event, listener);
  }

  async start(): Promise<void> {
    if (this.state === 'running') return;
    if (this.state === 'stopped') throw new TrunkError('driver-down', 'e1-pri: stopped drivers do not restart');
    await this.host.start();
    this.state = 'running';
    this.emitter.emit('ready', { channels: this.config.channels.length, at: this.clock.now() });
  }

  async stop(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    for (const c of [...this.calls.values()]) {
      this.host.request({ op: 'hangup', callId: c.id, cause: CAUSE.NORMAL_CLEARING }).catch(() => {});
      this.endCall(c, 'driver-stopped', 'box', CAUSE.NORMAL_CLEARING);
    }
    await this.host.stop();
  }

  async probe(): Promise<ProbeInfo> {
    this.alive();
    return this.host.request<ProbeInfo>({ op: 'probe' }).catch((e: unknown) => this.rethrow(e));
  }

  /** RESTART a B-channel (Q.931 §5.5), or the whole interface with 0. */
  async restartChannel(channel = 0): Promise<void> {
    this.alive();
    await this.host.request({ op: 'restart', channel }).catch((e: unknown) => this.rethrow(e));
  }

  // ---- worker events -------------------------------------------------------------------------

  private onWorker(e: WorkerEvent): void {
    switch (e.ev) {
      case 'listening':
        return;
      case 'log':
        this.log[e.level](`e1-pri: ${e.msg}`);
        return;
      case 'dchannel':
        if (e.state === 'up') {
          this.log.info('e1-pri: D-channel up');
          this.becomeReady();
          this.setDchannel('up');
        } else {
          if (!this.down && this.state === 'running') {
            this.log.warn(`e1-pri: D-channel down: ${e.reason ?? ''}`);
            this.failAll(`D-channel down: ${e.reason ?? 'link lost'}`, false);
          }
          this.setDchannel('down');
        }
        return;
      case 'offered':
        this.onOffered(e);
        return;
      case 'progress': {
        const leg = this.legs.get(e.callId);
        if (leg) leg.onProgress?.(e.stage);
        else this.keepEarly(e.callId, e);
        return;
      }
      case 'hangup': {
        const leg = this.legs.get(e.callId);
        if (leg) {
          this.legs.delete(e.callId);
          leg.onEnd?.(e.cause);
          return;
        }
        const c = this.calls.get(e.callId);
        if (!c) this.keepEarly(e.callId, e);
        if (c && e.by === 'remote') this.endCall(c, causeFromQ850(e.cause, c.answered, 'remote'), 'caller', e.cause);
        return;
      }
      case 'lost': {
        if (e.scope === 'link') {
          this.failIds(e.callIds, e.reason, false);
          return;
        }
        for (const id of e.callIds) {
          const leg = this.legs.get(id);
          if (leg) {
            this.legs.delete(id);
            leg.onEnd?.(CAUSE.NORMAL_TEMPORARY_FAILURE);
          }
          const c = this.calls.get(id);
          if (c) this.endCall(c, 'network-failure', 'network', CAUSE.NORMAL_TEMPORARY_FAILURE);
        }
        return;
      }
      case 'audio': {
        for (const [id, f] of e.frames) {
          const port = this.audioPorts.get(id);
          if (!port) continue;
          const frame = Buffer.from(f.buffer, f.byteOffset, f.byteLength);
          for (const l of port) l(frame);
        }
        return;
      }
      case 'digit': {
        const c = this.calls.get(e.callId);
        if (!c || c.ended) return;
        c.digits.push(e.digit);
        for (const l of [...c.digitListeners]) l(e.digit);
        this.emitter.emit('digits', { callId: c.id, digits: e.digit, at: this.clock.now() });
        return;
      }
      case 'playDone': {
        const w = this.playWaiters.get(e.playId);
        this.playWaiters.delete(e.playId);
        w?.(e.outcome);
        return;
      }
      case 'recordDone': {
        const w = this.recordWaiters.get(e.recId);
        this.recordWaiters.delete(e.recId);
        w?.({ durationMs: e.durationMs, outcome: e.outcome });
        return;
      }
    }
  }

  private keepEarly(callId: string, e: WorkerEvent): void {
    const list = this.early.get(callId);
    if (list) list.push(e);
    else this.early.set(callId, [e]);
    // Bounded: events for ids nobody will ever claim (a leg already dropped) age out.
    while (this.early.size > 64) this.early.delete(this.early.keys().next().value!);
  }

  private replayEarly(legId: string): void {
    const list = this.early.get(legId);
    if (!list) return;
    this.early.delete(legId);
    for (const e of list) this.onWorker(e);
  }

  private onOffered(e: Extract<WorkerEvent, { ev: 'offered' }>): void {
    if (this.state !== 'running') {
      this.host.request({ op: 'hangup', callId: e.callId, cause: CAUSE.NORMAL_TEMPORARY_FAILURE }).catch(() => {});
      return;
    }
    const presentation = presentationOf(e.presentation);
    const offered: CallOffered = {
      callId: e.callId,
      channel: `span1/ch${e.channel}`,
      caller: normaliseNumber(e.caller, presentation),
      called: e.called.replace(/[^\d+]/g, ''),
      presentation: e.caller ? presentation : 'unavailable',
      at: this.clock.now(),
    };
    const call: FCall = {
      id: e.callId, channel: e.channel, offered, answered: false, ended: false, digits: new DigitBuffer(this.clock),
      mediaBusy: false, enders: new Set(), digitListeners: new Set(),
    };
    this.calls.set(call.id, call);
    this.log.info(`e1-pri: call ${call.id} from ${redactNumber(offered.caller)} to ${offered.called} on ${offered.channel}`);
    this.emitter.emit('offered', offered);
    // ALERTING right away (Q.931 §5.2.5.1): the caller hears ringing until the IVR answers.
    if (!call.ended) this.host.request({ op: 'ring', callId: call.id }).catch((err: unknown) => this.log.debug(`e1-pri: ring ${call.id}: ${String(err)}`));
  }

  private becomeReady(): void {
    if (!this.down || this.state !== 'running') return;
    if (!this.host.running) return;
    this.down = false;
    this.emitter.emit('ready', { channels: this.config.channels.length, at: this.clock.now() });
  }

  /** T9: the calls are over without `hangup`; their pending commands reject with `driver-failed`. */
  private failAll(reason: string, permanent: boolean): void {
    this.failIds([...this.calls.keys()], reason, permanent, true);
  }

  private failIds(ids: string[], reason: string, permanent: boolean, always = false): void {
    const failed: CallId[] = [];
    for (const id of ids) {
      const leg = this.legs.get(id);
      if (leg) {
        this.legs.delete(id);
        leg.onEnd?.(CAUSE.NETWORK_OUT_OF_ORDER);
      }
      const c = this.calls.get(id);
      if (!c || c.ended) continue;
      c.ended = true;
      this.calls.delete(id);
      for (const end of [...c.enders]) end('failed');
      c.digits.end();
      failed.push(id);
    }
    // Agent legs of failed calls are gone with them.
    for (const [id, leg] of this.legs) {
      if (!this.calls.has(leg.parent)) {
        this.legs.delete(id);
        leg.onEnd?.(CAUSE.NETWORK_OUT_OF_ORDER);
      }
    }
    if (!failed.length && !always && this.down) return;
    if (this.state !== 'running') return;
    this.down = true;
    this.emitter.emit('failed', { reason, permanent, callIds: failed, at: this.clock.now() });
  }

  private endCall(c: FCall, cause: HangupCause, party: HangupParty, q850?: number): void {
    this.audioPorts.delete(c.id);
    if (c.ended) return;
    c.ended = true;
    this.calls.delete(c.id);
    for (const end of [...c.enders]) end('gone');
    c.digits.end();
    for (const legId of [c.leg, c.pendingLeg]) {
      if (legId && this.legs.has(legId)) this.host.request({ op: 'hangup', callId: legId, cause: CAUSE.NORMAL_CLEARING }).catch(() => {});
    }
    this.emitter.emit('hangup', { callId: c.id, cause, party, ...(q850 !== undefined ? { q850 } : {}), at: this.clock.now() });
  }

  // ---- helpers --------------------------------------------------------------------------------

  private alive(): void {
    requireRunning('e1-pri', this.state === 'running' ? 'running' : 'down');
  }

  private need(callId: CallId): FCall {
    return liveCall('e1-pri', this.state === 'running' ? 'running' : 'down', this.calls.get(callId), callId);
  }

  private needMedia(callId: CallId, command: string): FCall {
    return mediaCall('e1-pri', this.state === 'running' ? 'running' : 'down', this.calls.get(callId), callId, command);
  }

  private rethrow(e: unknown): never {
    if (e instanceof TrunkError) throw e;
    if (isE1Error(e)) {
      if (e.code === 'E1_UNKNOWN_CALL') throw new TrunkError('unknown-call', e.message, { cause: e });
      if (e.code === 'E1_CLOSED') throw new TrunkError('driver-down', e.message, { cause: e });
      throw new TrunkError('driver-failed', e.message, { cause: e });
    }
    throw new TrunkError('driver-failed', String(e), { cause: e });
  }

  // ---- commands ---------------------------------------------------------------------------------

  async answer(callId: CallId): Promise<void> {
    const c = this.need(callId);
    if (c.answered) return;
    await guard(c, this.host.request({ op: 'answer', callId }), () => undefined).catch((e: unknown) => this.rethrow(e));
    if (c.ended) throw new TrunkError('unknown-call', `e1-pri: call ${callId} ended while answering`);
    c.answered = true;
  }

  async play(callId: CallId, prompt: Prompt, options: PlayOptions = {}): Promise<PlayResult> {
    const c = this.needMedia(callId, 'play');
    c.mediaBusy = true;
    const ac = new AbortController();
    const playId = randomUUID();
    try {
      return await guard(c, playOnCall(this.media, c, prompt, options, playId, ac.signal), () => ({ outcome: 'caller-gone' }));
    } finally {
      ac.abort();
      c.mediaBusy = false;
      this.playWaiters.delete(playId);
    }
  }

  async collectDigits(callId: CallId, options: CollectOptions): Promise<CollectResult> {
    const c = this.needMedia(callId, 'collectDigits');
    c.mediaBusy = true;
    try {
      return await guard(c, c.digits.collect(options), () => ({ outcome: 'caller-gone', digits: '' }));
    } finally {
      c.mediaBusy = false;
    }
  }

  async record(callId: CallId, options: RecordOptions): Promise<RecordResult> {
    const background = !!options.background;
    const c = background ? this.need(callId) : this.needMedia(callId, 'record');
    if (!c.answered) throw new TrunkError('not-answered', `e1-pri: record on unanswered call ${callId}`);
    if (!path.isAbsolute(options.file)) throw new TrunkError('invalid-argument', 'record: file must be an absolute path');
    const recId = randomUUID();
    const started = this.clock.now();
    if (!background) c.mediaBusy = true;
    const { run, cleanup } = recordOnCall(this.media, c, options, recId);
    try {
      // For a background recording the caller hanging up is the normal end (`ended`).
      const gone = (): RecordResult => ({ outcome: background ? 'ended' : 'caller-gone', file: options.file, durationMs: this.clock.now() - started });
      return await guard(c, run(), gone, cleanup);
    } finally {
      cleanup();
      if (!background) c.mediaBusy = false;
    }
  }

  async connectAgent(callId: CallId, station: string, options: ConnectOptions): Promise<ConnectResult> {
    const c = this.need(callId);
    if (c.leg || c.pendingLeg) throw new TrunkError('busy', `e1-pri: call ${callId} is already connected to a station`);
    if (!c.answered) await this.answer(callId);
    const number = this.config.stations[station] ?? station;
    if (!/^\+?\d+$/.test(number)) return { outcome: 'unreachable' };
    const r = await this.dialLeg(c, number, 'agent', options.ringTimeoutMs, options.signal);
    if (r.outcome !== 'answered') return r.outcome === 'failed' ? { outcome: 'unreachable' } : { outcome: r.outcome };
    const leg = r.leg;
    c.leg = leg.id;
    leg.connected = true;
    // The agent hung up: the conversation is over; release the caller (party `station`).
    leg.onEnd = (q850) => {
      if (c.ended) return;
      this.host.request({ op: 'hangup', callId: c.id, cause: CAUSE.NORMAL_CLEARING }).catch(() => {});
      this.endCall(c, causeFromQ850(q850, true, 'local'), 'station', q850);
    };
    return { outcome: 'answered', at: this.clock.now() };
  }

  async transfer(callId: CallId, number: string, options: TransferOptions = {}): Promise<TransferResult> {
    const c = this.need(callId);
    if (c.pendingLeg) throw new TrunkError('busy', `e1-pri: call ${callId} is ringing a station`);
    if (!/^\+?\d+$/.test(number)) throw new TrunkError('invalid-argument', `transfer: not a phone number: ${number}`);
    // An agent's transfer (contract T5): the station's leg is released first; its release must not end the caller.
    if (c.leg) await this.releaseStation(c);
    if (!c.answered) await this.answer(callId);
    const r = await this.dialLeg(c, number, 'transfer', options.ringTimeoutMs ?? this.config.defaultRingTimeoutMs, options.signal);
    if (r.outcome !== 'answered') return { outcome: r.outcome === 'unreachable' ? 'failed' : r.outcome };
    // Hairpin: the span worker relays both B-channels and releases each when the other ends.
    try {
      await this.host.request({ op: 'link', a: c.id, b: r.leg.id });
    } catch (e) {
      this.legs.delete(r.leg.id);
      this.host.request({ op: 'hangup', callId: r.leg.id, cause: CAUSE.NORMAL_CLEARING }).catch(() => {});
      if (c.ended) return { outcome: 'caller-gone' };
      return { outcome: 'failed' };
    }
    this.legs.delete(r.leg.id);
    this.log.info(`e1-pri: call ${c.id} transferred to ${redactNumber(number)}`);
    // The box no longer controls the call (the contract's `transferred`): forget it here, and emit
    // its `hangup` after the caller has seen `connected` (a timer, like the simulator), so the call
    // record closes the transfer leg as connected before it closes the call.
    c.ended = true;
    this.calls.delete(c.id);
    for (const end of [...c.enders]) end('gone');
    c.digits.end();
    const at = this.clock.now();
    this.clock.setTimeout(() => {
      try {
        this.emitter.emit('hangup', { callId: c.id, cause: 'transferred', party: 'box', at: this.clock.now() });
      } catch (e) {
        this.log.error(`e1-pri: emitting transferred hangup: ${String(e)}`);
      }
    }, 0);
    return { outcome: 'connected', at };
  }

  /** Release the agent leg bridged to `c` (the span worker undoes the bridge); the caller stays. */
  private async releaseStation(c: FCall): Promise<void> {
    const id = c.leg!;
    c.leg = undefined;
    const leg = this.legs.get(id);
    this.legs.delete(id);
    if (leg) leg.onEnd = undefined;
    await this.host.request({ op: 'hangup', callId: id, cause: CAUSE.NORMAL_CLEARING }).catch((e: unknown) => {
      this.log.debug(`e1-pri: releasing station leg ${id}: ${String(e)}`);
    });
  }

  /**
   * Place an outgoing call for `c` and wait for CONNECT, a release, the ring timeout, an abort or
   * the caller hanging up. On answer the two B-channels are bridged.
   */
  private async dialLeg(
    c: FCall, number: string, purpose: 'agent' | 'transfer', ringTimeoutMs: number, signal?: AbortSignal,
  ): Promise<{ outcome: 'answered'; leg: Leg } | { outcome: 'busy' | 'no-answer' | 'unreachable' | 'failed' | 'cancelled' | 'caller-gone' }> {
    if (signal?.aborted) return { outcome: 'cancelled' };
    let legId: string;
    try {
      const r = await this.host.request<{ callId: string }>({ op: 'dial', number, caller: this.config.outgoingCaller });
      legId = r.callId;
    } catch (e) {
      if (isE1Error(e) && (e.code === 'E1_NO_CHANNEL' || e.code === 'E1_DCHAN_DOWN' || e.code === 'E1_PRI_CALL_FAILED')) {
        this.log.warn(`e1-pri: outgoing call to ${redactNumber(number)} not placed: ${e.message}`);
        return { outcome: 'unreachable' };
      }
      this.rethrow(e);
    }
    const leg: Leg = { id: legId, parent: c.id, purpose, connected: false };
    if (c.ended) {
      this.host.request({ op: 'hangup', callId: legId, cause: CAUSE.NORMAL_CLEARING }).catch(() => {});
      return { outcome: 'caller-gone' };
    }
    this.legs.set(legId, leg);
    c.pendingLeg = legId;
    type R = { outcome: 'answered'; leg: Leg } | { outcome: 'busy' | 'no-answer' | 'unreachable' | 'cancelled' };
    let timer: TimerHandle | undefined;
    const dropLeg = () => {
      this.legs.delete(legId);
      this.host.request({ op: 'hangup', callId: legId, cause: CAUSE.NORMAL_CLEARING }).catch(() => {});
    };
    let onAbort: (() => void) | undefined;
    const outcome = new Promise<R>((resolve) => {
      leg.onProgress = (stage) => {
        if (stage !== 'answered') return;
        this.host.request({ op: 'bridge', a: c.id, b: legId }).then(
          () => resolve({ outcome: 'answered', leg }),
          () => {
            dropLeg();
            resolve({ outcome: 'unreachable' });
          },
        ).catch(() => {});
      };
      leg.onEnd = (q850) => {
        resolve({ outcome: q850 === CAUSE.USER_BUSY ? 'busy' : q850 === CAUSE.NO_ANSWER || q850 === CAUSE.NO_USER_RESPONSE ? 'no-answer' : 'unreachable' });
      };
      timer = this.clock.setTimeout(() => {
        dropLeg();
        resolve({ outcome: 'no-answer' });
      }, ringTimeoutMs);
      if (signal) {
        onAbort = () => {
          dropLeg();
          resolve({ outcome: 'cancelled' });
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
      this.replayEarly(legId);
    });
    try {
      return await guard<R | { outcome: 'caller-gone' }>(c, outcome, () => ({ outcome: 'caller-gone' }), dropLeg);
    } finally {
      this.clock.clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      if (c.pendingLeg === legId) c.pendingLeg = undefined;
      leg.onProgress = undefined;
      leg.onEnd = undefined;
    }
  }

  /** C6: the answered call's B-channel, both ways, for a browser station. */
  openAudio(callId: CallId): CallAudio {
    const c = this.need(callId);
    if (!c.answered) throw new TrunkError('not-answered', `e1-pri: openAudio on unanswered call ${callId}`);
    const listeners = new Set<(alaw: Buffer) => void>();
    this.audioPorts.set(callId, listeners);
    this.host.request({ op: 'tap', callId, on: true }).catch((e: unknown) => this.log.warn(`e1-pri: audio port of ${callId} not opened: ${(e as Error).message}`));
    let open = true;
    return {
      onFrame: (l) => void listeners.add(l),
      write: (frame) => {
        if (!open || c.ended) return;
        if (this.audioDown.length === 0) {
          setImmediate(() => {
            const frames = this.audioDown;
            this.audioDown = [];
            this.host.sendAudio(frames);
          });
        }
        this.audioDown.push([callId, frame]);
      },
      close: () => {
        if (!open) return;
        open = false;
        listeners.clear();
        if (this.audioPorts.get(callId) === listeners) this.audioPorts.delete(callId);
        if (!c.ended) this.host.request({ op: 'tap', callId, on: false }).catch(() => undefined);
      },
    };
  }

  async hangup(callId: CallId, cause: HangupCause = 'normal'): Promise<void> {
    this.alive();
    const c = this.calls.get(callId);
    if (!c || c.ended) return;
    const q850 = q850FromCause(cause);
    this.endCall(c, cause, 'box', q850);
    await this.host.request({ op: 'hangup', callId, cause: q850 }).catch((e: unknown) => {
      this.log.debug(`e1-pri: hangup ${callId}: ${String(e)}`);
    });
  }
}
