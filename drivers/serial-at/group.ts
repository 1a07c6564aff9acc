// Several GSM modules as one trunk (a multi-port GSM gateway: one module and SIM per line, channels
// "gsm0", "gsm1", …). Each member is a SerialAtTrunk on its own AT port (and voice port); the group routes
// every command to the member that offered the call and passes every member's events on. It adds no
// behaviour of its own: capabilities are the members' (they must agree — mixed modules would give calls of
// one trunk different profiles, which the call flow does not expect), call ids are the members' (each
// member's GsmModem gets its own `newCallId` prefix, so they never collide, T2).
//
// Failure of one member (T9) fails only its calls: `failed` carries that member's call ids and
// `permanent: false`, the other lines go on taking calls.
import { systemClock, type Clock } from '../../common/clock.js';
import { TrunkEmitter } from '../trunk/emitter.js';
import {
  TrunkError,
  type CallId,
  type CollectOptions,
  type ConnectOptions,
  type HangupCause,
  type PlayOptions,
  type Prompt,
  type RecordOptions,
  type TransferOptions,
  type TrunkCapabilities,
  type TrunkDriver,
  type TrunkEventName,
  type TrunkListener,
} from '../trunk/types.js';

export class SerialAtGroup implements TrunkDriver {
  readonly kind = 'serial-at';
  readonly #members: readonly TrunkDriver[];
  readonly #owner = new Map<CallId, TrunkDriver>();
  readonly #emitter: TrunkEmitter;
  readonly #clock: Clock;
  #readyOnce = false;

  constructor(members: readonly TrunkDriver[], o: { clock?: Clock; onListenerError?: (err: unknown, event: TrunkEventName) => void } = {}) {
    if (members.length === 0) throw new TrunkError('invalid-argument', 'a GSM group needs at least one module');
    this.#members = [...members];
    this.#clock = o.clock ?? systemClock;
    this.#emitter = new TrunkEmitter(o.onListenerError);
    for (const m of this.#members) {
      m.on('offered', (e) => {
        this.#owner.set(e.callId, m);
        this.#emitter.emit('offered', e);
      });
      m.on('digits', (e) => this.#emitter.emit('digits', e));
      m.on('hangup', (e) => {
        this.#owner.delete(e.callId);
        this.#emitter.emit('hangup', e);
      });
      m.on('failed', (e) => {
        for (const id of e.callIds) this.#owner.delete(id);
        this.#emitter.emit('failed', { ...e, permanent: false });
      });
      m.on('ready', (e) => {
        // The group's size, not one member's: the centre sizes its view of the trunk from it.
        if (this.#readyOnce) this.#emitter.emit('ready', { ...e, channels: this.#members.length });
      });
    }
  }

  /** The first member's profile; `start()` checks the others agree. */
  get capabilities(): TrunkCapabilities {
    return this.#members[0]!.capabilities;
  }

  /** The member that carries a call (tests and logs). */
  memberOf(callId: CallId): TrunkDriver | undefined {
    return this.#owner.get(callId);
  }

  on<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    this.#emitter.on(event, listener);
  }
  off<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    this.#emitter.off(event, listener);
  }

  async start(): Promise<void> {
    await Promise.all(this.#members.map((m) => m.start()));
    const first = JSON.stringify(this.#members[0]!.capabilities);
    const odd = this.#members.findIndex((m) => JSON.stringify(m.capabilities) !== first);
    if (odd > 0) {
      await this.stop();
      throw new TrunkError('invalid-argument', `GSM module ${odd} has capabilities ${JSON.stringify(this.#members[odd]!.capabilities)}, module 0 ${first}: one group needs one kind of module`);
    }
    this.#readyOnce = true;
    this.#emitter.emit('ready', { channels: this.#members.length, at: this.#clock.now() });
  }

  async stop(): Promise<void> {
    this.#readyOnce = false;
    await Promise.all(this.#members.map((m) => m.stop()));
  }

  #of(callId: CallId): TrunkDriver {
    const m = this.#owner.get(callId);
    if (!m) throw new TrunkError('unknown-call', `no call ${callId}`);
    return m;
  }

  async answer(callId: CallId): Promise<void> {
    return this.#of(callId).answer(callId);
  }
  async play(callId: CallId, prompt: Prompt, options?: PlayOptions) {
    return this.#of(callId).play(callId, prompt, options);
  }
  async collectDigits(callId: CallId, options: CollectOptions) {
    return this.#of(callId).collectDigits(callId, options);
  }
  async connectAgent(callId: CallId, station: string, options: ConnectOptions) {
    return this.#of(callId).connectAgent(callId, station, options);
  }
  async transfer(callId: CallId, number: string, options?: TransferOptions) {
    return this.#of(callId).transfer(callId, number, options);
  }
  async record(callId: CallId, options: RecordOptions) {
    return this.#of(callId).record(callId, options);
  }
  async hangup(callId: CallId, cause?: HangupCause): Promise<void> {
    const m = this.#owner.get(callId);
    if (!m) return; // idempotent (T4)
    return m.hangup(callId, cause);
  }
}
