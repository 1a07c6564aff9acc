// The caller's side of the real-time scenario rigs (e1-rig.ts, gsm-rig.ts, voice-modem-rig.ts): one caller's
// call as the scenarios see it, and a
// pass-through TrunkDriver between the CallCenter and E1PriDriver that notes what the centre commands for
// each call (prompts, digit collections, stations rung, transfers) — the log the simulator keeps itself.
import { EventEmitter } from 'node:events';
import type { SimCallEvents, SimCallLog } from '../../drivers/simulator/trunk.js';
import type {
  CallId, CollectOptions, CollectResult, ConnectOptions, ConnectResult, HangupCause, PlayOptions, PlayResult, Prompt,
  RecordOptions, RecordResult, TransferOptions, TransferResult, TrunkDriver, TrunkEventName, TrunkListener,
} from '../../drivers/trunk/types.js';

/**
 * One caller's call as the scenarios see it on a real-time rig (E1, GSM, voice modem): the counterpart of the
 * simulator's SimCall. `onHangup` is how the caller hangs up on that rig; once the call is over it does nothing.
 */
export class RigCall extends EventEmitter<SimCallEvents> {
  callId = '';
  readonly log: SimCallLog;
  readonly ended: Promise<SimCallLog>;
  #resolve!: (l: SimCallLog) => void;
  #over = false;

  constructor(
    caller: string | null,
    called: string,
    private readonly onHangup: () => void,
  ) {
    super();
    this.log = { callId: '', caller, called, prompts: [], collects: 0, stationsRung: [], recordings: [] };
    this.ended = new Promise((r) => (this.#resolve = r));
  }

  bind(callId: string): void {
    this.callId = callId;
    this.log.callId = callId;
  }

  hangup(): void {
    if (!this.#over) this.onHangup();
  }

  finish(): void {
    if (this.#over) return;
    this.#over = true;
    this.emit('ended', this.log);
    this.#resolve(this.log);
  }
}

/**
 * A pass-through TrunkDriver that notes what the call centre commands for each caller's call (prompt ids
 * and texts, digit collections, stations rung, transfers) — the caller-side log the simulator keeps.
 */
export class ObservedTrunk implements TrunkDriver {
  readonly kind: string;
  readonly capabilities: TrunkDriver['capabilities'];

  readonly #ready = new Set<TrunkListener<'ready'>>();

  /** `channels`: the inner driver was started before the centre, whose start must still see `ready`. */
  constructor(
    private readonly inner: TrunkDriver,
    private readonly callOf: (id: CallId) => RigCall | undefined,
    private readonly now: () => number,
    private readonly channels: number,
  ) {
    this.kind = inner.kind;
    this.capabilities = inner.capabilities;
  }

  async start(): Promise<void> {
    await this.inner.start(); // a no-op for a running driver, which emits no second `ready`
    for (const l of [...this.#ready]) l({ channels: this.channels, at: this.now() });
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  on<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    if (event === 'ready') this.#ready.add(listener as TrunkListener<'ready'>);
    this.inner.on(event, listener);
  }
  off<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    if (event === 'ready') this.#ready.delete(listener as TrunkListener<'ready'>);
    this.inner.off(event, listener);
  }

  async answer(callId: CallId): Promise<void> {
    await this.inner.answer(callId);
    const c = this.callOf(callId);
    if (c && c.log.answeredAt === undefined) {
      c.log.answeredAt = this.now();
      c.emit('answered');
    }
  }

  play(callId: CallId, prompt: Prompt, options?: PlayOptions): Promise<PlayResult> {
    const c = this.callOf(callId);
    if (c) {
      c.log.prompts.push(prompt.id);
      c.emit('prompt', prompt);
    }
    return this.inner.play(callId, prompt, options);
  }

  collectDigits(callId: CallId, options: CollectOptions): Promise<CollectResult> {
    const c = this.callOf(callId);
    if (c) {
      c.log.collects += 1;
      c.emit('collect', options);
    }
    return this.inner.collectDigits(callId, options);
  }

  record(callId: CallId, options: RecordOptions): Promise<RecordResult> {
    const c = this.callOf(callId);
    if (c) {
      c.log.recordings.push(options.file);
      c.emit('record', options);
    }
    return this.inner.record(callId, options);
  }

  async connectAgent(callId: CallId, station: string, options: ConnectOptions): Promise<ConnectResult> {
    this.callOf(callId)?.log.stationsRung.push(station);
    const r = await this.inner.connectAgent(callId, station, options);
    const c = this.callOf(callId);
    if (c && r.outcome === 'answered') {
      c.log.connected = { station, at: r.at };
      c.emit('connected', station);
    }
    return r;
  }

  async transfer(callId: CallId, number: string, options?: TransferOptions): Promise<TransferResult> {
    const r = await this.inner.transfer(callId, number, options);
    const c = this.callOf(callId);
    if (c && r.outcome === 'connected') {
      c.log.transferredTo = number;
      c.emit('transferred', number);
    }
    return r;
  }

  hangup(callId: CallId, cause?: HangupCause): Promise<void> {
    return this.inner.hangup(callId, cause);
  }
}
