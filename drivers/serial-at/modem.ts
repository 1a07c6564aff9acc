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
import { systemClock, type Clock, type TimerHandle } from '../../common/clock.js';
import { SafeEmitter } from './events.js';
import { SerialAtError, SerialAtErrorCodes } from './errors.js';
import type { AtResult, ExchangeSpec } from './exchange.js';
import { childLogger, redactNumber, silentLogger, type Logger } from '../../common/log.js';
import { Outbox, type SendOptions, type SendResult } from './outbox.js';
import { Inbox } from './inbox.js';
import { initialiseModem, isInitCommand, type InitOutcome } from './init.js';
import type { Urc } from './parsers/urc.js';
import { parseCmgl, parseCops, parseCpin, parseCreg, parseCsq, registrationOf, type StoredPdu } from './responses.js';
import { Waitress } from './waitress.js';
import type { TransferResult, TransferSession } from './files.js';
import { ModuleFileCommands } from './modem-files.js';
import type { TransportFactory } from './transport.js';
import { CallTracker } from './voice.js';
import { positive, type GsmModemOptions, type ModemEvents, type ModemStatus, type PcmFamily, type TtsEngine } from './modem-types.js';

export type { IncomingSms, UndecodableSms } from './inbox.js';
export type { GsmModemOptions, LinkState, ModemEvents, ModemStatus, PcmFamily, TtsEngine } from './modem-types.js';

/** Module TTS command sets: SIMCom AT+CTTS, Quectel AT+QTTS; mode 1 takes the text as UCS2 hex. */
const ttsCommand: Record<TtsEngine, string> = { simcom: 'AT+CTTS', quectel: 'AT+QTTS' };

type Trouble = 'closed' | 'unresponsive' | 'stopped';

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
    maxSendTimeouts: number;
    extraInit: readonly string[];
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
  readonly #inbox: Inbox;
  /** The read storage <mem1> as last set or reported (AT+CPMS); undefined after a restart until known. */
  #mem1: string | undefined;
  /** <mem1> as the module reported it at initialisation: where messages go by default. */
  #defaultStorage: string | undefined;
  /** Serialises storage users: selecting <mem1> and the read/delete that relies on it are two exchanges. */
  #storageLock: Promise<unknown> = Promise.resolve();
  readonly #urcWaitress: Waitress<Urc>;
  #status: ModemStatus;
  /** Files on the module: upload, download, delete, play into the call, record the call (modem-files.ts). */
  readonly files = new ModuleFileCommands({
    commandTimeoutMs: () => this.#o.commandTimeoutMs,
    exec: (spec) => this.#exec(spec),
    transfer: (session, idleMs) => this.#transfer(session, idleMs),
    callActive: () => this.#calls.current?.state === 'active',
    ready: () => this.#status.state === 'ready',
  });

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
      maxSendTimeouts: positive('maxSendTimeouts', options.maxSendTimeouts, 3),
      extraInit: Object.freeze([...(options.extraInit ?? [])]),
    });
    for (const c of this.#o.extraInit) {
      if (typeof c !== 'string' || !isInitCommand(c)) {
        throw new SerialAtError(SerialAtErrorCodes.BadOption, `GsmModem: \`extraInit\` holds a command that is not one AT command line: ${JSON.stringify(c)}`, { param: 'extraInit' });
      }
    }
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
      maxTimeouts: this.#o.maxSendTimeouts,
      backoffMs: this.#o.backoffMs,
      maxBackoffMs: this.#o.maxBackoffMs,
      onDepth: () => this.#patch({ outboxDepth: this.#outbox.depth }),
    });
    this.#urcWaitress = new Waitress<Urc>(this.#clock);
    this.#inbox = new Inbox({
      clock: this.#clock,
      log: this.#log,
      exec: (spec) => this.#exec(spec),
      list: () => this.listStored(),
      inStorage: (storage, fn) => this.#inStorage(storage, fn),
      defaultStorage: () => this.#defaultStorage,
      commandTimeoutMs: this.#o.commandTimeoutMs,
      emitSms: (m) => this.#events.emit('sms', m),
      emitUndecodable: (m) => this.#events.emit('undecodable', m),
      emitStatusReport: (r) => this.#events.emit('statusReport', r),
    });
    this.#status = {
      state: 'stopped',
      port: this.#factory.describe,
      signal: null,
      registration: null,
      sim: null,
      model: null,
      imei: null,
      operator: null,
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
    this.#outbox.resume();
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
    this.#urcWaitress.rejectAll(err);
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
   * modem going away: parts not yet accepted wait for it. Rejects with SendRejected (the network
   * refused), SendTimedOut (the module left one part unanswered `maxSendTimeouts` times) or Stopped.
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
  async delete(index: number, proof: { stored: true; storage?: string }): Promise<void> {
    if (proof?.stored !== true) {
      throw new SerialAtError(SerialAtErrorCodes.BadOption, 'delete: only after the message is stored', { param: 'stored' });
    }
    if (!Number.isInteger(index) || index < 0) {
      throw new SerialAtError(SerialAtErrorCodes.BadOption, 'delete: `index` must be a non-negative integer', { param: 'index' });
    }
    // The index is only meaningful in the storage the message was read from (IncomingSms.storage).
    await this.#inStorage(proof.storage || undefined, () => this.#execOk({ command: `AT+CMGD=${index}`, timeoutMs: this.#o.commandTimeoutMs }));
    this.#inbox.forget(proof.storage, index);
  }

  /** Runs `fn` with the read/delete storage <mem1> set to `storage` (AT+CPMS, TS 27.005 §3.2.2). */
  #inStorage<T>(storage: string | undefined, fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (storage && storage !== this.#mem1) {
        if (!/^[A-Z]{2}$/.test(storage)) {
          throw new SerialAtError(SerialAtErrorCodes.BadOption, `not a message storage: ${storage}`, { param: 'storage' });
        }
        await this.#execOk({ command: `AT+CPMS="${storage}"`, timeoutMs: this.#o.commandTimeoutMs, expect: ['+CPMS:'] });
        this.#mem1 = storage;
      }
      return fn();
    };
    const p = this.#storageLock.then(run, run);
    this.#storageLock = p.catch(() => undefined);
    return p;
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

  /**
   * Starts the module's text-to-speech on the active call (SIMCom AT+CTTS=1 / Quectel AT+QTTS=1, the
   * text as UCS2 hex so Chinese needs no GBK). Resolves once the module accepted it; the end comes as
   * a `tts` event with status 0. Throws CommandFailed when the module refuses (no TTS in its firmware).
   */
  async speak(engine: TtsEngine, text: string): Promise<void> {
    if (!this.#calls.current || this.#calls.current.state !== 'active') {
      throw new SerialAtError(SerialAtErrorCodes.CallState, 'speak: no active call');
    }
    let hex = '';
    for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
    await this.#execOk({ command: `${ttsCommand[engine]}=1,"${hex}"`, timeoutMs: this.#o.commandTimeoutMs });
  }

  /** Stops speech in progress (mode 0). Never throws: the call may be gone already. */
  async stopSpeaking(engine: TtsEngine): Promise<void> {
    if (this.#status.state !== 'ready') return; // recovery resets the module, which stops it anyway
    await this.#exec({ command: `${ttsCommand[engine]}=0`, timeoutMs: this.#o.commandTimeoutMs }).catch(() => undefined);
  }

  /**
   * Starts voice on the module's voice port for the active call. Quectel: AT+QPCMV=1,0 — voice over the USB
   * serial port (<port> 0; 2 would be USB audio class) (Quectel EC2x&EG9x&EG25-G Voice Over USB and UAC
   * Application Note, AT+QPCMV; also accepted before a call). SIMCom: AT+CPCMREG=1 once the call is up
   * (SIMCom SIM7500_SIM7600 Series USB AUDIO Application Note, AT+CPCMREG). Throws CommandFailed when the
   * module refuses (firmware without it).
   */
  async startPcm(family: PcmFamily): Promise<void> {
    if (!this.#calls.current || this.#calls.current.state !== 'active') {
      throw new SerialAtError(SerialAtErrorCodes.CallState, 'startPcm: no active call');
    }
    await this.#execOk({ command: family === 'quectel' ? 'AT+QPCMV=1,0' : 'AT+CPCMREG=1', timeoutMs: this.#o.commandTimeoutMs });
  }

  /**
   * Stops voice on the voice port after the call (SIMCom needs AT+CPCMREG=0 after hang-up, else the next
   * call's AT+CPCMREG=1 may fail — USB AUDIO Application Note; Quectel AT+QPCMV=0). Never throws.
   */
  async stopPcm(family: PcmFamily): Promise<void> {
    if (this.#status.state !== 'ready') return; // a recovering module is reset, which stops it anyway
    await this.#exec({ command: family === 'quectel' ? 'AT+QPCMV=0' : 'AT+CPCMREG=0', timeoutMs: this.#o.commandTimeoutMs }).catch(() => undefined);
  }

  /** A data-mode transfer for the file commands (ModuleFileCommands); null when the port is closed. */
  async #transfer(session: TransferSession, idleMs: number): Promise<TransferResult | null> {
    await this.whenReady();
    const ch = this.#channel;
    if (!ch) return null;
    const r = await ch.runTransfer(session, idleMs);
    if (r.ok || (r.failure.kind !== 'timeout' && r.failure.kind !== 'closed')) this.#status.lastAnswerAt = this.#clock.now();
    return r;
  }

  /** Puts a problem found outside the AT exchanges (the voice port) on the status for /healthz. */
  noteProblem(text: string): void {
    this.#patch({ lastProblem: text });
  }

  // ---------------------------------------------------------------- health

  /** Polls AT+CPIN?, AT+CSQ, AT+CREG? and the operator (AT+COPS?) once and returns the status. */
  async pollHealth(): Promise<ModemStatus> {
    const cpin = await this.#exec({ command: 'AT+CPIN?', timeoutMs: this.#o.commandTimeoutMs });
    const csq = await this.#exec({ command: 'AT+CSQ', timeoutMs: this.#o.commandTimeoutMs });
    const creg = await this.#exec({ command: 'AT+CREG?', timeoutMs: this.#o.commandTimeoutMs, expect: ['+CREG:'] });
    const registration = creg.ok ? (parseCreg(creg.lines) ?? null) : this.#status.registration;
    // The operator goes with the registration: asked again while registered, gone when not.
    const cops = registration?.registered ? await this.#exec({ command: 'AT+COPS?', timeoutMs: this.#o.commandTimeoutMs, expect: ['+COPS:'] }) : null;
    this.#patch({
      sim: cpin.ok ? (parseCpin(cpin.lines) ?? this.#status.sim) : cpin.failure.kind === 'cme' ? `ERROR ${cpin.failure.text}` : this.#status.sim,
      signal: csq.ok ? (parseCsq(csq.lines) ?? null) : this.#status.signal,
      registration,
      operator: !registration?.registered ? null : cops?.ok ? parseCops(cops.lines) : this.#status.operator,
    });
    if (this.#status.state === 'ready' && (cpin.ok || cpin.failure.kind === 'cme') && this.#status.sim !== 'READY') {
      // The SIM was pulled or locked: nothing works without it. Go back through initialisation,
      // which waits in `sim-not-ready` (no reset) until the SIM is back.
      this.#patch({ lastProblem: `SIM: ${this.#status.sim ?? 'unknown'}` });
      this.#goUnready('recovering');
      this.#troubleResolve?.('unresponsive');
    }
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
      void this.#inbox.collectStored().catch((err: unknown) => this.#log.warn({ err: String(err) }, 'listing stored messages failed'));
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
    // Listen for the restart notice (RDY, +CFUN: 1, …) before asking: a module may send it before
    // OK, or send no OK at all. Without one, carry on after resetSettleMs.
    const restarted = this.#urcWaitress.waitFor((u) => (u.type === 'modem-restarted' ? u : undefined), this.#o.resetSettleMs, 'the restart notice');
    await this.#raw({ command: 'AT+CFUN=1,1', timeoutMs: this.#o.commandTimeoutMs });
    await restarted.promise.catch(() => undefined);
    if (this.#channel?.closed || this.#stopped) return 'failed';
    this.#patch({ state: 'recovering' });
    r = await this.#initialise();
    return r === 'ok' ? 'ready' : r === 'sim' ? 'sim' : 'failed';
  }

  async #initialise(): Promise<InitOutcome> {
    this.#mem1 = undefined; // a restarted module is back on its own default storage
    const r = await initialiseModem((spec) => this.#raw(spec), this.#o, (p) => this.#patch(p));
    if (r === 'ok') {
      // Where the module reads from by default (+CPMS: "<mem1>",used,total,…); optional.
      const cpms = await this.#raw({ command: 'AT+CPMS?', timeoutMs: this.#o.commandTimeoutMs, expect: ['+CPMS:'] });
      // <mem3> is where received messages are stored (27.005 §3.2.2): listed at every start too.
      const line = cpms.ok ? (cpms.lines.find((l) => l.startsWith('+CPMS:')) ?? '') : '';
      const m = /^\+CPMS:\s*"([A-Z]{2})"(?:,\d+,\d+,"[A-Z]{2}",\d+,\d+,"([A-Z]{2})")?/.exec(line);
      if (m) this.#mem1 = this.#defaultStorage = m[1]!;
      if (m?.[2]) this.#inbox.noteStorage(m[2]);
    }
    return r;
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

  #onUrc(u: Urc): void {
    if (this.#inbox.onUrc(u)) return;
    this.#urcWaitress.resolve(u);
    switch (u.type) {
      case 'creg':
        this.#patch({ registration: registrationOf(u.stat) });
        return;
      case 'tts':
        this.#events.emit('tts', { status: u.status, at: this.#clock.now() });
        return;
      case 'module-play-ended':
        this.#events.emit('modulePlayEnded', { at: this.#clock.now() });
        return;
      case 'module-record-ended':
        this.#events.emit('moduleRecordEnded', { error: u.error, at: this.#clock.now() });
        return;
      case 'modem-restarted':
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
