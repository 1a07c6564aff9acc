// The facade: a GSM (or analog/GSM gateway) modem over AT commands. Domain code and the trunk
// adapter see only this class and its typed events; everything below it (transport, parsers,
// exchanges, queue) is hidden.
//
// Supervision loop (one per modem):
//   open port ─▶ initialise ─▶ ready ─▶ (trouble) ─┬─ unresponsive ─▶ re-initialise ─▶ reset (AT+CFUN=1,1) ─▶ backoff
//      ▲   │ fails: backoff                        └─ port closed  ─▶ reopen with backoff
//      └───┘
// Operations asked for while the modem is not ready wait for it (sends are never dropped because
// the modem is away); only `stop()` ends them.
import { AtChannel } from './channel.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { SafeEmitter } from './events.js';
import { SerialAtError, SerialAtErrorCodes, type SerialAtErrorCode } from './errors.js';
import type { AtResult, ExchangeSpec } from './exchange.js';
import { childLogger, redactNumber, silentLogger, type Logger } from './log.js';
import { Outbox, type SendOptions, type SendResult } from './outbox.js';
import type { Urc } from './parsers/urc.js';
import { tryDecodeIncoming, type SmsDeliver, type SmsStatusReport } from './pdu/index.js';
import { parseCmgl, parseCmgr, parseCpin, parseCreg, parseCsq, registrationOf, type Registration, type SignalQuality, type StoredPdu } from './responses.js';
import type { TransportFactory } from './transport.js';
import { CallTracker, type CallEvent } from './voice.js';

export type LinkState = 'stopped' | 'opening' | 'initialising' | 'ready' | 'recovering' | 'resetting' | 'disconnected' | 'sim-not-ready';

export interface ModemStatus {
  state: LinkState;
  port: string;
  signal: SignalQuality | null;
  registration: Registration | null;
  /** +CPIN answer (READY, SIM PIN, …) or the error text when there is no SIM. */
  sim: string | null;
  /** Driver clock when the modem last answered anything. */
  lastAnswerAt: number | null;
  recoveries: number;
  resets: number;
  reopens: number;
  /** Sends waiting or in progress. */
  outboxDepth: number;
  lastProblem: string | null;
}

export interface IncomingSms {
  /** Index in the modem's message storage: pass it to `delete()` once the message is stored. */
  index: number;
  storage: string;
  /** `notification` for +CMTI, `listing` for what was already stored at start or after recovery. */
  source: 'notification' | 'listing';
  message: SmsDeliver;
  /** The PDU exactly as read, for an audit copy. */
  pdu: string;
  at: number;
}

export interface UndecodableSms {
  index: number;
  storage: string;
  code: SerialAtErrorCode;
  field: unknown;
  at: number;
}

export interface ModemEvents {
  sms: IncomingSms;
  undecodable: UndecodableSms;
  statusReport: SmsStatusReport & { at: number };
  call: CallEvent;
  status: ModemStatus;
  ready: { at: number };
  /** The port went away or the modem stopped answering; calls in flight are over. */
  lost: { reason: string; at: number };
}

export interface GsmModemOptions {
  transport: TransportFactory;
  clock?: Clock;
  logger?: Logger;
  /** Ordinary command timeout, ms (default 5000). */
  commandTimeoutMs?: number;
  /** AT+CMGS: the module waits for the network (TS 27.005 allows long delays); default 60000. */
  sendTimeoutMs?: number;
  /** Health poll period, ms (default 30000). */
  healthIntervalMs?: number;
  /** First reopen/re-initialise backoff, doubling up to `maxBackoffMs` (defaults 1000 / 60000). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** After AT+CFUN=1,1, wait this long for the module to restart (or for RDY), ms (default 15000). */
  resetSettleMs?: number;
  /** AT+CNMI parameters (TS 27.005 §3.4.1). Default 2,1,0,1,0: +CMTI for messages, +CDS for reports. */
  cnmi?: string;
  /** Request status reports on sends (default true). */
  statusReports?: boolean;
  /** Service-centre number; by default the SIM's. */
  smsc?: string;
  /** Attempts for a send that fails with a transient +CMS ERROR (default 5). */
  maxSendAttempts?: number;
  /** Calls: wait for +CLIP after RING (default 1500 ms); silence meaning the caller gave up (default 8000 ms). */
  clipWaitMs?: number;
  ringGapMs?: number;
  /** Call ids: unique across restarts (T2); default a boot-unique prefix plus a counter. */
  newCallId?: () => string;
}

type Trouble = 'closed' | 'unresponsive' | 'stopped';

function positive(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isFinite(x) || x <= 0) {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, `GsmModem: \`${name}\` must be a positive number of ms`, { param: name });
  }
  return x;
}

export class GsmModem {
  readonly #events: SafeEmitter<ModemEvents>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #factory: TransportFactory;
  readonly #o: Readonly<{
    commandTimeoutMs: number;
    sendTimeoutMs: number;
    healthIntervalMs: number;
    backoffMs: number;
    maxBackoffMs: number;
    resetSettleMs: number;
    cnmi: string;
    statusReports: boolean;
    smsc: string | undefined;
    maxSendAttempts: number;
  }>;
  readonly #outbox: Outbox;
  readonly #calls: CallTracker;
  #channel: AtChannel | undefined;
  #stopped = true;
  #loop: Promise<void> | undefined;
  #troubleResolve: ((t: Trouble) => void) | undefined;
  #readyWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  #healthTimer: TimerHandle | undefined;
  #sleepers = new Set<() => void>();
  /** index → PDU of messages already handed to listeners and not yet deleted (no duplicates on re-list). */
  #emitted = new Map<number, string>();
  #status: ModemStatus;

  constructor(options: GsmModemOptions) {
    if (!options || typeof options.transport?.open !== 'function') {
      throw new SerialAtError(SerialAtErrorCodes.BadOption, 'GsmModem: `transport` must be a TransportFactory', { param: 'transport' });
    }
    this.#factory = options.transport;
    this.#clock = options.clock ?? systemClock;
    this.#log = childLogger(options.logger ?? silentLogger, 'serial-at');
    this.#events = new SafeEmitter<ModemEvents>(this.#log);
    this.#o = Object.freeze({
      commandTimeoutMs: positive('commandTimeoutMs', options.commandTimeoutMs, 5000),
      sendTimeoutMs: positive('sendTimeoutMs', options.sendTimeoutMs, 60_000),
      healthIntervalMs: positive('healthIntervalMs', options.healthIntervalMs, 30_000),
      backoffMs: positive('backoffMs', options.backoffMs, 1000),
      maxBackoffMs: positive('maxBackoffMs', options.maxBackoffMs, 60_000),
      resetSettleMs: positive('resetSettleMs', options.resetSettleMs, 15_000),
      cnmi: options.cnmi ?? '2,1,0,1,0',
      statusReports: options.statusReports ?? true,
      smsc: options.smsc,
      maxSendAttempts: positive('maxSendAttempts', options.maxSendAttempts, 5),
    });
    const boot = Math.floor(this.#clock.now()).toString(36) + Math.random().toString(36).slice(2, 6);
    let seq = 0;
    const newCallId = options.newCallId ?? (() => `gsm-${boot}-${++seq}`);
    this.#calls = new CallTracker(
      this.#clock,
      (e) => this.#events.emit('call', e),
      { clipWaitMs: positive('clipWaitMs', options.clipWaitMs, 1500), ringGapMs: positive('ringGapMs', options.ringGapMs, 8000) },
      newCallId,
    );
    this.#outbox = new Outbox({
      clock: this.#clock,
      logger: this.#log,
      exec: (spec) => this.#exec(spec),
      whenReady: () => this.whenReady(),
      isStopped: () => this.#stopped,
      sendTimeoutMs: this.#o.sendTimeoutMs,
      maxAttempts: this.#o.maxSendAttempts,
      backoffMs: this.#o.backoffMs,
      maxBackoffMs: this.#o.maxBackoffMs,
      onDepth: () => this.#patch({ outboxDepth: this.#outbox.depth }),
    });
    this.#status = {
      state: 'stopped',
      port: this.#factory.describe,
      signal: null,
      registration: null,
      sim: null,
      lastAnswerAt: null,
      recoveries: 0,
      resets: 0,
      reopens: 0,
      outboxDepth: 0,
      lastProblem: null,
    };
  }

  on<K extends keyof ModemEvents>(event: K, listener: (v: ModemEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }
  off<K extends keyof ModemEvents>(event: K, listener: (v: ModemEvents[K]) => void): void {
    this.#events.off(event, listener);
  }
  /** The next event of a kind (tests and the trunk adapter wait on these, never on sleeps). */
  once<K extends keyof ModemEvents>(event: K, filter?: (v: ModemEvents[K]) => boolean): Promise<ModemEvents[K]> {
    return this.#events.once(event, filter);
  }

  get status(): ModemStatus {
    return { ...this.#status };
  }

  get activeCall(): { callId: string; state: 'ringing' | 'active'; offered: boolean } | undefined {
    return this.#calls.current;
  }

  /** Starts supervision; resolves once the modem is ready the first time. */
  async start(): Promise<void> {
    if (!this.#stopped) return this.whenReady();
    this.#stopped = false;
    const ready = this.whenReady();
    this.#loop = this.#supervise().catch((err: unknown) => {
      this.#log.error({ err: String(err) }, 'supervision loop failed');
    });
    return ready;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clock.clearTimeout(this.#healthTimer);
    for (const wake of [...this.#sleepers]) wake();
    const err = new SerialAtError(SerialAtErrorCodes.Stopped, 'modem driver stopped');
    for (const w of this.#readyWaiters.splice(0)) w.reject(err);
    this.#outbox.stop(err);
    this.#calls.endAll('port-lost');
    this.#troubleResolve?.('stopped');
    const ch = this.#channel;
    this.#channel = undefined;
    await ch?.close();
    await this.#loop;
    this.#patch({ state: 'stopped' });
  }

  whenReady(): Promise<void> {
    if (this.#stopped) return Promise.reject(new SerialAtError(SerialAtErrorCodes.Stopped, 'modem driver stopped'));
    if (this.#status.state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  // ---------------------------------------------------------------- SMS

  /**
   * Sends a text (UCS2 for Chinese, GSM 7-bit for plain text, split into concatenated parts).
   * Resolves with the TP-MR of each part once every part is accepted by the network. Survives the
   * modem going away: parts not yet accepted wait for it. Rejects only with SendRejected (the
   * network refused) or Stopped.
   */
  sendSms(to: string, text: string, options: SendOptions = {}): Promise<SendResult> {
    return this.#outbox.send(to, text, {
      statusReport: this.#o.statusReports,
      ...(this.#o.smsc ? { smsc: this.#o.smsc } : {}),
      ...options,
    });
  }

  /**
   * Deletes a received message from the modem. The caller must have stored it durably first (the
   * SIM copy is what survives a crash between receiving and storing), hence the required flag.
   */
  async delete(index: number, proof: { stored: true }): Promise<void> {
    if (proof?.stored !== true) {
      throw new SerialAtError(SerialAtErrorCodes.BadOption, 'delete: only after the message is stored', { param: 'stored' });
    }
    if (!Number.isInteger(index) || index < 0) {
      throw new SerialAtError(SerialAtErrorCodes.BadOption, 'delete: `index` must be a non-negative integer', { param: 'index' });
    }
    await this.#execOk({ command: `AT+CMGD=${index}`, timeoutMs: this.#o.commandTimeoutMs });
    this.#emitted.delete(index);
  }

  /** Reads every stored message (AT+CMGL=4, all, PDU mode — TS 27.005 §3.4.2). */
  async listStored(): Promise<StoredPdu[]> {
    const lines = await this.#execOk({ command: 'AT+CMGL=4', timeoutMs: this.#o.sendTimeoutMs, rawLines: true });
    const { messages, broken } = parseCmgl(lines);
    if (broken) this.#log.warn({ broken }, 'AT+CMGL: entries without a PDU skipped');
    return messages;
  }

  // ---------------------------------------------------------------- voice

  async answer(callId: string): Promise<void> {
    const c = this.#calls.current;
    if (!c || c.callId !== callId || c.state !== 'ringing') {
      throw new SerialAtError(SerialAtErrorCodes.CallState, 'answer: no such ringing call', { callId });
    }
    await this.#execOk({ command: 'ATA', timeoutMs: 20_000, dial: true });
    if (!this.#calls.answered(callId)) {
      throw new SerialAtError(SerialAtErrorCodes.CallState, 'answer: the call ended meanwhile', { callId });
    }
  }

  /** Idempotent: hanging up a call that is gone resolves. */
  async hangup(callId: string): Promise<void> {
    const c = this.#calls.current;
    if (!c || c.callId !== callId) return;
    this.#calls.end(callId, 'local-hangup');
    // ATH ends the call; if the modem is away the call is over anyway.
    await this.#exec({ command: 'ATH', timeoutMs: this.#o.commandTimeoutMs });
  }

  /** Sends DTMF on the active call with AT+VTS (TS 27.007 §C.2.11), one digit per command. */
  async sendDtmf(digits: string): Promise<void> {
    for (const d of digits) {
      if (!/^[0-9*#A-D]$/.test(d)) throw new SerialAtError(SerialAtErrorCodes.BadOption, 'sendDtmf: not a DTMF digit', { param: 'digits' });
      await this.#execOk({ command: `AT+VTS=${d}`, timeoutMs: this.#o.commandTimeoutMs });
    }
  }

  // ---------------------------------------------------------------- health

  /** Polls AT+CPIN?, AT+CSQ and AT+CREG? once and returns the status. */
  async pollHealth(): Promise<ModemStatus> {
    const cpin = await this.#exec({ command: 'AT+CPIN?', timeoutMs: this.#o.commandTimeoutMs });
    const csq = await this.#exec({ command: 'AT+CSQ', timeoutMs: this.#o.commandTimeoutMs });
    const creg = await this.#exec({ command: 'AT+CREG?', timeoutMs: this.#o.commandTimeoutMs, expect: ['+CREG:'] });
    this.#patch({
      sim: cpin.ok ? (parseCpin(cpin.lines) ?? this.#status.sim) : cpin.failure.kind === 'cme' ? `ERROR ${cpin.failure.text}` : this.#status.sim,
      signal: csq.ok ? (parseCsq(csq.lines) ?? null) : this.#status.signal,
      registration: creg.ok ? (parseCreg(creg.lines) ?? null) : this.#status.registration,
    });
    return this.status;
  }

  // ---------------------------------------------------------------- internals

  #patch(p: Partial<ModemStatus>): void {
    const before = JSON.stringify(this.#status);
    this.#status = { ...this.#status, ...p };
    if (JSON.stringify(this.#status) !== before) this.#events.emit('status', this.status);
  }

  #backoff(attempt: number): number {
    return Math.min(this.#o.maxBackoffMs, this.#o.backoffMs * 2 ** Math.min(attempt, 20));
  }

  /** Waits `ms` on the injected clock; returns early on stop. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#clock.clearTimeout(h);
        this.#sleepers.delete(wake);
        resolve();
      };
      const h = this.#clock.setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }

  /** Runs an exchange for a caller: waits until ready; a timeout marks the modem unresponsive. */
  async #exec(spec: ExchangeSpec): Promise<AtResult> {
    await this.whenReady();
    const ch = this.#channel;
    if (!ch) return { ok: false, lines: [], failure: { kind: 'closed' } };
    const r = await ch.run(spec);
    this.#noteAnswer(r);
    if (!r.ok && r.failure.kind === 'timeout' && this.#channel === ch && this.#status.state === 'ready') {
      this.#log.warn({ command: spec.command.replace(/\d{5,}/g, (m) => redactNumber(m)) }, 'modem stopped answering');
      this.#patch({ lastProblem: `no answer to ${spec.command.split('=')[0]}` });
      this.#goUnready('recovering');
      this.#troubleResolve?.('unresponsive');
    }
    return r;
  }

  async #execOk(spec: ExchangeSpec): Promise<string[]> {
    const err = new SerialAtError(SerialAtErrorCodes.CommandFailed, `${spec.command.split('=')[0]} failed`, { command: spec.command.split('=')[0] });
    const r = await this.#exec(spec);
    if (r.ok) return r.lines;
    Object.assign(err.detail, { failure: r.failure });
    if (r.failure.kind === 'closed') throw new SerialAtError(SerialAtErrorCodes.PortClosed, err.message, err.detail);
    throw err;
  }

  #noteAnswer(r: AtResult): void {
    if (r.ok || (r.failure.kind !== 'timeout' && r.failure.kind !== 'closed')) this.#status.lastAnswerAt = this.#clock.now();
  }

  /** Runs an exchange during bring-up (not gated on ready). */
  async #raw(spec: ExchangeSpec): Promise<AtResult> {
    const ch = this.#channel;
    if (!ch) return { ok: false, lines: [], failure: { kind: 'closed' } };
    const r = await ch.run(spec);
    this.#noteAnswer(r);
    return r;
  }

  /** Leaves `ready` at once, so no further command is sent until the supervision loop recovers. */
  #goUnready(next: 'recovering' | 'disconnected'): void {
    const wasReady = this.#status.state === 'ready';
    this.#clock.clearTimeout(this.#healthTimer);
    if (this.#stopped) return;
    this.#patch(next === 'recovering' && wasReady ? { state: next, recoveries: this.#status.recoveries + 1 } : { state: next });
    if (wasReady) {
      this.#calls.endAll('port-lost');
      this.#events.emit('lost', { reason: this.#status.lastProblem ?? 'modem unavailable', at: this.#clock.now() });
    }
  }

  async #supervise(): Promise<void> {
    let openFailures = 0;
    let initFailures = 0;
    let opened = false;
    while (!this.#stopped) {
      if (!this.#channel || this.#channel.closed) {
        this.#patch({ state: opened ? 'disconnected' : 'opening' });
        try {
          const transport = await this.#factory.open();
          if (this.#stopped) {
            await transport.close();
            break;
          }
          const ch = new AtChannel({ transport, clock: this.#clock, logger: this.#log });
          ch.onUrc((u) => this.#onUrc(u));
          ch.onClose((err) => {
            if (this.#channel !== ch) return;
            this.#patch({ lastProblem: err ? `port lost: ${err.message}` : 'port closed' });
            this.#goUnready('disconnected');
            this.#troubleResolve?.('closed');
          });
          this.#channel = ch;
          if (opened) this.#patch({ reopens: this.#status.reopens + 1 });
          opened = true;
          openFailures = 0;
        } catch (err) {
          this.#patch({ lastProblem: `cannot open: ${(err as Error).message}` });
          await this.#sleep(this.#backoff(openFailures++));
          continue;
        }
      }
      const trouble = new Promise<Trouble>((resolve) => (this.#troubleResolve = resolve));
      if (this.#channel.closed) continue;
      const outcome = await this.#bringUp(initFailures);
      if (this.#stopped) break;
      if (outcome !== 'ready') {
        initFailures += 1;
        if (!this.#channel?.closed) await this.#sleep(this.#backoff(initFailures - 1));
        continue;
      }
      initFailures = 0;
      this.#patch({ state: 'ready' });
      for (const w of this.#readyWaiters.splice(0)) w.resolve();
      this.#events.emit('ready', { at: this.#clock.now() });
      this.#scheduleHealth();
      void this.#collectStored().catch((err: unknown) => this.#log.warn({ err: String(err) }, 'listing stored messages failed'));
      const t = await trouble;
      this.#troubleResolve = undefined;
      if (t === 'stopped') break;
    }
  }

  /** Initialise; if the modem does not answer, reset it and try once more. */
  async #bringUp(previousFailures: number): Promise<'ready' | 'failed' | 'sim'> {
    if (this.#status.state !== 'recovering') this.#patch({ state: 'initialising' });
    if (this.#status.state === 'recovering') this.#log.warn({}, 'modem unresponsive: re-initialising');
    let r = await this.#initialise();
    if (r !== 'no-answer' || this.#channel?.closed || this.#stopped) return r === 'ok' ? 'ready' : r === 'sim' ? 'sim' : 'failed';
    // Re-initialising did not help: restart the module (TS 27.007 §8.2, <fun>=1, <rst>=1). A USB
    // module re-enumerates and its port disappears; the supervision loop then reopens it.
    this.#patch({ state: 'resetting', resets: this.#status.resets + 1 });
    this.#log.warn({ previousFailures }, 'modem unresponsive: resetting with AT+CFUN=1,1');
    // Listen for the restart notice before asking: a module may send RDY before OK, or no OK at all.
    const restarted = new Promise<void>((resolve) => (this.#restartWaiter = resolve));
    await this.#raw({ command: 'AT+CFUN=1,1', timeoutMs: this.#o.commandTimeoutMs });
    await Promise.race([restarted, this.#sleep(this.#o.resetSettleMs)]);
    this.#restartWaiter = undefined;
    if (this.#channel?.closed || this.#stopped) return 'failed';
    this.#patch({ state: 'recovering' });
    r = await this.#initialise();
    return r === 'ok' ? 'ready' : r === 'sim' ? 'sim' : 'failed';
  }

  #restartWaiter: (() => void) | undefined;

  async #initialise(): Promise<'ok' | 'no-answer' | 'sim' | 'failed'> {
    const t = this.#o.commandTimeoutMs;
    // Probe: up to three plain ATs; a module still booting may miss the first.
    let alive = false;
    for (let i = 0; i < 3 && !alive; i++) {
      const r = await this.#raw({ command: 'AT', timeoutMs: Math.min(t, 2000) });
      alive = r.ok;
      if (!r.ok && r.failure.kind === 'closed') return 'failed';
    }
    if (!alive) return 'no-answer';
    const steps: Array<{ spec: ExchangeSpec; required: boolean }> = [
      { spec: { command: 'ATE0', timeoutMs: t }, required: true }, // no echo (V.250 §6.2.4)
      { spec: { command: 'AT+CMEE=1', timeoutMs: t }, required: false }, // numeric +CME ERROR (27.007 §9.1)
    ];
    for (const s of steps) {
      const r = await this.#raw(s.spec);
      if (!r.ok && (s.required || r.failure.kind === 'timeout' || r.failure.kind === 'closed')) {
        return r.failure.kind === 'timeout' ? 'no-answer' : 'failed';
      }
    }
    const cpin = await this.#raw({ command: 'AT+CPIN?', timeoutMs: t });
    const sim = cpin.ok ? (parseCpin(cpin.lines) ?? null) : !cpin.ok && cpin.failure.kind === 'cme' ? `ERROR ${cpin.failure.text}` : null;
    this.#patch({ sim });
    if (!cpin.ok && cpin.failure.kind === 'timeout') return 'no-answer';
    if (sim !== 'READY') {
      // A missing SIM or a PIN is a technician's job; resetting the module would not help.
      this.#patch({ state: 'sim-not-ready', lastProblem: `SIM: ${sim ?? 'unknown'}` });
      return 'sim';
    }
    const more: Array<{ spec: ExchangeSpec; required: boolean }> = [
      { spec: { command: 'AT+CMGF=0', timeoutMs: t }, required: true }, // PDU mode (27.005 §3.2.3)
      { spec: { command: `AT+CNMI=${this.#o.cnmi}`, timeoutMs: t }, required: true }, // new-message indications (27.005 §3.4.1)
      { spec: { command: 'AT+CLIP=1', timeoutMs: t }, required: false }, // caller id (27.007 §7.6)
    ];
    if (this.#o.smsc) more.push({ spec: { command: `AT+CSCA="${this.#o.smsc}"`, timeoutMs: t }, required: false });
    for (const s of more) {
      const r = await this.#raw(s.spec);
      if (!r.ok) {
        if (r.failure.kind === 'timeout') return 'no-answer';
        if (s.required) {
          this.#patch({ lastProblem: `${s.spec.command} refused` });
          return 'failed';
        }
      }
    }
    const csq = await this.#raw({ command: 'AT+CSQ', timeoutMs: t });
    const creg = await this.#raw({ command: 'AT+CREG?', timeoutMs: t, expect: ['+CREG:'] });
    this.#patch({
      signal: csq.ok ? (parseCsq(csq.lines) ?? null) : null,
      registration: creg.ok ? (parseCreg(creg.lines) ?? null) : null,
    });
    return 'ok';
  }

  #scheduleHealth(): void {
    this.#clock.clearTimeout(this.#healthTimer);
    this.#healthTimer = this.#clock.setTimeout(() => {
      if (this.#stopped || this.#status.state !== 'ready') return;
      this.pollHealth()
        .catch((err: unknown) => this.#log.warn({ err: String(err) }, 'health poll failed'))
        .finally(() => {
          if (!this.#stopped && this.#status.state === 'ready') this.#scheduleHealth();
        });
    }, this.#o.healthIntervalMs);
  }

  /** Hands over every stored message not already handed over (start-up, and after recovery). */
  async #collectStored(): Promise<void> {
    const stored = await this.listStored();
    for (const s of stored) this.#handOver(s, 'SM', 'listing');
  }

  #handOver(s: StoredPdu, storage: string, source: IncomingSms['source']): void {
    if (this.#emitted.get(s.index) === s.pdu) return;
    const at = this.#clock.now();
    const d = tryDecodeIncoming(s.pdu, s.length);
    if (!d.ok) {
      this.#log.warn({ index: s.index, code: d.error.code, field: d.error.detail.field }, 'undecodable message skipped');
      this.#emitted.set(s.index, s.pdu);
      this.#events.emit('undecodable', { index: s.index, storage, code: d.error.code, field: d.error.detail.field, at });
      return;
    }
    if (d.pdu.type === 'status-report') {
      this.#events.emit('statusReport', { ...d.pdu, at });
      return;
    }
    this.#emitted.set(s.index, s.pdu);
    this.#log.info({ index: s.index, from: redactNumber(d.pdu.originator.value), parts: d.pdu.concat?.total ?? 1 }, 'message received');
    this.#events.emit('sms', { index: s.index, storage, source, message: d.pdu, pdu: s.pdu, at });
  }

  async #readStored(storage: string, index: number): Promise<void> {
    const r = await this.#exec({ command: `AT+CMGR=${index}`, timeoutMs: this.#o.commandTimeoutMs, rawLines: true });
    if (!r.ok) {
      // The notification is not lost: the message stays stored and the next listing picks it up.
      this.#log.warn({ index, failure: r.failure }, 'AT+CMGR failed');
      return;
    }
    const s = parseCmgr(index, r.lines);
    if (!s) {
      this.#log.warn({ index }, 'AT+CMGR: no PDU in the answer');
      return;
    }
    this.#handOver(s, storage, 'notification');
  }

  #onUrc(u: Urc): void {
    switch (u.type) {
      case 'cmti':
        void this.#readStored(u.storage, u.index).catch((err: unknown) => this.#log.warn({ err: String(err) }, 'reading a new message failed'));
        return;
      case 'cdsi':
        void this.#exec({ command: `AT+CMGR=${u.index}`, timeoutMs: this.#o.commandTimeoutMs, rawLines: true })
          .then((r) => {
            const s = r.ok ? parseCmgr(u.index, r.lines) : undefined;
            if (!s) return;
            const d = tryDecodeIncoming(s.pdu);
            if (d.ok && d.pdu.type === 'status-report') this.#events.emit('statusReport', { ...d.pdu, at: this.#clock.now() });
            // Status reports are not tickets; the SIM copy has no further use.
            return this.#exec({ command: `AT+CMGD=${u.index}`, timeoutMs: this.#o.commandTimeoutMs });
          })
          .catch((err: unknown) => this.#log.warn({ err: String(err) }, 'reading a status report failed'));
        return;
      case 'cds':
      case 'cmt': {
        const d = tryDecodeIncoming(u.pdu, u.length);
        const at = this.#clock.now();
        if (!d.ok) {
          this.#log.warn({ urc: u.type, code: d.error.code, field: d.error.detail.field }, 'undecodable PDU in URC skipped');
          return;
        }
        if (d.pdu.type === 'status-report') this.#events.emit('statusReport', { ...d.pdu, at });
        // +CMT (direct delivery) is not used with the default CNMI; such a message is not stored on
        // the SIM, so it cannot be deleted later: index -1.
        else this.#events.emit('sms', { index: -1, storage: '', source: 'notification', message: d.pdu, pdu: u.pdu, at });
        return;
      }
      case 'creg':
        this.#patch({ registration: registrationOf(u.stat) });
        return;
      case 'modem-restarted':
        this.#restartWaiter?.();
        if (this.#status.state === 'ready') {
          // The module restarted on its own: its settings (CNMI, CMGF, …) are gone.
          this.#patch({ lastProblem: `module restarted (${u.text})` });
          this.#goUnready('recovering');
          this.#troubleResolve?.('unresponsive');
        }
        return;
      default:
        this.#calls.onUrc(u);
    }
  }
}
