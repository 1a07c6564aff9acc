// The facade of a V.253 voice modem on one analog line: the port, the AT command queue, the voice data
// stream and the line's reports, behind typed events. The trunk adapter (trunk.ts) sees only this class.
//
//   open port ─▶ initialise ─▶ ready ─▶ (port closed, or a command/stream unanswered) ─▶ lost ─▶ backoff ─▶ open
//
// States of the line's data stream (V.253 §4.1.1 voice states): `command` (AT commands; RING and caller ID lines),
// `rx` (+VRX: voice from the line, DLE-shielded), `tx` (+VTX: voice to the line; the modem still reports
// DLE events), `duplex` (+VTR, both). No AT command may be sent outside `command` (the modem would take it
// as voice data), so `exec` refuses then.
import { systemClock, type Clock, type TimerHandle } from '../../common/clock.js';
import { describeFailure, type AtResult, type ExchangeSpec } from '../serial-at/exchange.js';
import { CommandQueue } from './commands.js';
import { childLogger, silentLogger, type Logger } from '../../common/log.js';
import { redactLine } from '../serial-at/redact.js';
import { SafeEmitter } from '../serial-at/events.js';
import type { ByteTransport, TransportFactory } from '../serial-at/transport.js';
import { chooseCompression, parseVsmList, VoiceCodec, type CompressionKind } from './codec.js';
import { classifyEvent, DleFramer, DTE, shield, type DleToken } from './dle.js';
import { VoiceModemError, VoiceModemErrorCodes } from './errors.js';
import { classifyLine } from './lines.js';
import { RingTracker } from './ringing.js';
import { positive, type StreamState, type VoiceModemEvents, type VoiceModemOptions, type VoiceModemStatus } from './modem-types.js';

export type { LinkState, StreamState, VoiceModemEvents, VoiceModemOptions, VoiceModemStatus } from './modem-types.js';

export class VoiceModem {
  readonly #events: SafeEmitter<VoiceModemEvents>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #factory: TransportFactory;
  readonly #o: {
    commandTimeoutMs: number;
    healthIntervalMs: number;
    backoffMs: number;
    maxBackoffMs: number;
    streamStallMs: number;
    compressions: readonly CompressionKind[];
    duplex: boolean;
    silenceDetection: string;
    extraInit: readonly string[];
  };
  readonly #framer = new DleFramer();
  readonly #ring: RingTracker;
  #port: ByteTransport | undefined;
  readonly #commands: CommandQueue;
  #stream: StreamState = 'command';
  #streamEnd: (() => void) | undefined;
  #codec: VoiceCodec | undefined;
  #stopped = true;
  #status: VoiceModemStatus;
  #wake: (() => void) | undefined;
  #healthTimer: TimerHandle | undefined;
  #stallTimer: TimerHandle | undefined;
  #readyWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  #loop: Promise<void> | undefined;
  #lastByteAt = 0;
  readonly #mono: () => number;
  /** The modem reports ringing as RING lines (then its <DLE>R, if any, is not counted again). */
  #ringLines = false;

  constructor(o: VoiceModemOptions) {
    if (!o || typeof o.transport?.open !== 'function') {
      throw new VoiceModemError(VoiceModemErrorCodes.BadOption, 'VoiceModem: `transport` must be a TransportFactory', { param: 'transport' });
    }
    this.#factory = o.transport;
    this.#clock = o.clock ?? systemClock;
    this.#log = childLogger(o.logger ?? silentLogger, 'voice-modem');
    this.#events = new SafeEmitter<VoiceModemEvents>(this.#log);
    this.#commands = new CommandQueue(this.#clock, this.#log);
    this.#mono = o.monotonic ?? (() => performance.now());
    this.#o = {
      commandTimeoutMs: positive('commandTimeoutMs', o.commandTimeoutMs, 3000),
      healthIntervalMs: positive('healthIntervalMs', o.healthIntervalMs, 30_000),
      backoffMs: positive('backoffMs', o.backoffMs, 1000),
      maxBackoffMs: positive('maxBackoffMs', o.maxBackoffMs, 30_000),
      streamStallMs: positive('streamStallMs', o.streamStallMs, 3000),
      compressions: o.compressions ?? ['alaw', 'ulaw', 'linear16', 'linear8s', 'linear8u'],
      duplex: o.duplex ?? true,
      silenceDetection: o.silenceDetection ?? '128,50',
      extraInit: [...(o.extraInit ?? [])],
    };
    const boot = Math.floor(this.#clock.now()).toString(36) + Math.random().toString(36).slice(2, 6);
    let seq = 0;
    this.#ring = new RingTracker(
      this.#clock,
      (e) => this.#events.emit('ring', e),
      { cidWaitMs: positive('cidWaitMs', o.cidWaitMs, 6000), ringGapMs: positive('ringGapMs', o.ringGapMs, 8000) },
      o.newCallId ?? (() => `vm-${boot}-${++seq}`),
    );
    this.#status = { state: 'stopped', port: this.#factory.describe, compression: null, duplex: false, callerId: false, lastProblem: null, reopens: 0 };
  }

  on<K extends keyof VoiceModemEvents>(event: K, l: (v: VoiceModemEvents[K]) => void): () => void {
    return this.#events.on(event, l);
  }
  once<K extends keyof VoiceModemEvents>(event: K, filter?: (v: VoiceModemEvents[K]) => boolean): Promise<VoiceModemEvents[K]> {
    return this.#events.once(event, filter);
  }

  get status(): VoiceModemStatus {
    return { ...this.#status };
  }
  get stream(): StreamState {
    return this.#stream;
  }
  /** The codec of the chosen compression (after initialisation). */
  get codec(): VoiceCodec {
    if (!this.#codec) throw new VoiceModemError(VoiceModemErrorCodes.Stopped, 'the modem is not initialised');
    return this.#codec;
  }

  async start(): Promise<void> {
    if (!this.#stopped) return this.whenReady();
    this.#stopped = false;
    const ready = this.whenReady();
    this.#loop = this.#supervise().catch((err: unknown) => this.#log.error({ err: String(err) }, 'supervision loop failed'));
    return ready;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clock.clearTimeout(this.#healthTimer);
    this.#clock.clearTimeout(this.#stallTimer);
    const err = new VoiceModemError(VoiceModemErrorCodes.Stopped, 'voice modem driver stopped');
    for (const w of this.#readyWaiters.splice(0)) w.reject(err);
    const port = this.#port;
    if (port?.isOpen && this.#stream !== 'command') {
      // Leave the line on-hook: end the stream, then ATH (best effort, the port closes right after).
      await port.write(this.#stream === 'rx' ? DTE.abortReceive : this.#stream === 'tx' ? DTE.cancelTransmit : DTE.endDuplex).catch(() => undefined);
    }
    if (port?.isOpen) await port.write('ATH\r').catch(() => undefined);
    this.#wake?.();
    await port?.close();
    await this.#loop;
    this.#patch({ state: 'stopped' });
  }

  whenReady(): Promise<void> {
    if (this.#stopped) return Promise.reject(new VoiceModemError(VoiceModemErrorCodes.Stopped, 'voice modem driver stopped'));
    if (this.#status.state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  // ------------------------------------------------------------ line control

  /** Off-hook on the telephone line (V.253 +VLS=1: the DCE connected to the line, off-hook). */
  async offHook(callId: string): Promise<void> {
    this.#ring.taken(callId);
    await this.#execOk('AT+VLS=1');
  }

  /** On-hook (V.250 H0). Ends a running stream first. */
  async onHook(): Promise<void> {
    if (this.#stream !== 'command') await this.endStream(true);
    await this.#execOk('ATH');
  }

  /** Enter +VRX, +VTX or +VTR; resolves at CONNECT. */
  async startStream(kind: 'rx' | 'tx' | 'duplex'): Promise<void> {
    if (this.#stream !== 'command') throw new VoiceModemError(VoiceModemErrorCodes.CommandFailed, `stream already in ${this.#stream}`);
    if (kind !== 'tx') this.#framer.audioAfterConnect();
    const command = kind === 'rx' ? 'AT+VRX' : kind === 'tx' ? 'AT+VTX' : 'AT+VTR';
    const r = await this.#exec({ command, timeoutMs: this.#o.commandTimeoutMs, dial: true });
    if (!r.ok || r.final !== 'CONNECT') {
      this.#framer.disarm();
      throw this.#failed(command, r);
    }
    this.#stream = kind;
    this.#lastByteAt = this.#mono();
    if (kind !== 'tx') this.#armStall();
  }

  /** Voice data to the line (tx, duplex), in the chosen compression; shielded here. */
  async writeAudio(data: Uint8Array): Promise<void> {
    if (this.#stream !== 'tx' && this.#stream !== 'duplex') return;
    await this.#port?.write(shield(data));
  }

  /**
   * Leave the stream: rx <DLE>!, duplex <DLE>^ (both: wait for <DLE><ETX>, then OK), tx <DLE><ETX> (or
   * <DLE><CAN><DLE><ETX> with `cancel`: drop what is buffered) then OK once played out (V.253 §6.3.7, §8.3).
   */
  async endStream(cancel = false): Promise<void> {
    const kind = this.#stream;
    if (kind === 'command') return;
    this.#clock.clearTimeout(this.#stallTimer);
    const final = this.#commands.awaitFinal(`end of ${kind}`, this.#o.commandTimeoutMs);
    const ended = kind === 'tx' ? Promise.resolve() : new Promise<void>((r) => (this.#streamEnd = r));
    await this.#port?.write(kind === 'rx' ? DTE.abortReceive : kind === 'duplex' ? DTE.endDuplex : cancel ? DTE.cancelTransmit : DTE.endTransmit);
    const r = await final;
    this.#streamEnd = undefined;
    this.#stream = 'command';
    if (r.ok) await ended;
    else {
      if (r.failure.kind === 'timeout') this.#trouble?.(`end of ${kind}: no answer`);
      throw this.#failed(`end of ${kind}`, r);
    }
  }

  // ------------------------------------------------------------ internals

  async #supervise(): Promise<void> {
    let backoff = this.#o.backoffMs;
    while (!this.#stopped) {
      this.#patch({ state: 'opening' });
      let port: ByteTransport;
      try {
        port = await this.#factory.open();
      } catch (err) {
        this.#patch({ lastProblem: `cannot open ${this.#factory.describe}: ${String(err)}` });
        await this.#sleep(backoff);
        backoff = Math.min(backoff * 2, this.#o.maxBackoffMs);
        continue;
      }
      if (this.#stopped) {
        await port.close();
        return;
      }
      const closed = new Promise<string>((resolve) => {
        port.on('close', (err) => resolve(err ? `port closed: ${err.message}` : 'port closed'));
      });
      this.#attach(port);
      let reason: string;
      let permanent = false;
      try {
        this.#patch({ state: 'initialising' });
        await this.#initialise();
        backoff = this.#o.backoffMs;
        this.#patch({ state: 'ready', lastProblem: null });
        for (const w of this.#readyWaiters.splice(0)) w.resolve();
        this.#events.emit('ready', { at: this.#clock.now() });
        this.#scheduleHealth();
        reason = await Promise.race([closed, new Promise<string>((r) => (this.#trouble = r))]);
      } catch (err) {
        reason = `initialisation failed: ${String((err as Error).message ?? err)}`;
        permanent = err instanceof VoiceModemError && err.code === VoiceModemErrorCodes.NoVoiceMode;
      }
      this.#clock.clearTimeout(this.#healthTimer);
      this.#clock.clearTimeout(this.#stallTimer);
      this.#detach(reason);
      if (port.isOpen) await port.close();
      if (this.#stopped) return;
      const wasReady = this.#status.state === 'ready';
      this.#patch({ state: 'lost', lastProblem: reason, reopens: this.#status.reopens + 1 });
      this.#log.warn({ reason }, 'voice modem lost');
      // Reported once per loss (and for a permanent refusal), not at every failed attempt to come back.
      if (wasReady || permanent) this.#events.emit('lost', { reason, permanent, at: this.#clock.now() });
      if (permanent) {
        this.#stopped = true;
        for (const w of this.#readyWaiters.splice(0)) w.reject(new VoiceModemError(VoiceModemErrorCodes.NoVoiceMode, reason));
        return;
      }
      await this.#sleep(backoff);
      backoff = Math.min(backoff * 2, this.#o.maxBackoffMs);
    }
  }

  #trouble: ((reason: string) => void) | undefined;

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.#clock.setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        this.#clock.clearTimeout(t);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  async #initialise(): Promise<void> {
    // A modem that was left in a voice stream (the box restarted mid-call, or the modem hung and came back)
    // takes AT lines as voice data: end any stream first (<DLE>^ duplex, <DLE>! receive, <DLE><CAN><DLE><ETX>
    // transmit; each is ignored in the other states, V.253 §6.3.7), then go on-hook.
    await this.#port?.write(Buffer.concat([DTE.endDuplex, DTE.abortReceive, DTE.cancelTransmit])).catch(() => undefined);
    let alive = false;
    for (let i = 0; i < 3 && !alive; i++) alive = (await this.#exec({ command: 'AT', timeoutMs: Math.min(1000, this.#o.commandTimeoutMs) })).ok;
    if (!alive) throw new VoiceModemError(VoiceModemErrorCodes.CommandFailed, 'the modem does not answer AT');
    await this.#execOk('ATE0V1');
    await this.#execOk('ATH');
    const fclass = await this.#exec({ command: 'AT+FCLASS=8', timeoutMs: this.#o.commandTimeoutMs });
    if (!fclass.ok) {
      if (fclass.failure.kind === 'timeout' || fclass.failure.kind === 'closed') throw this.#failed('AT+FCLASS=8', fclass);
      throw new VoiceModemError(VoiceModemErrorCodes.NoVoiceMode, 'AT+FCLASS=8 refused: no voice mode (V.253) on this modem');
    }
    const vsm = await this.#exec({ command: 'AT+VSM=?', timeoutMs: this.#o.commandTimeoutMs, rawLines: true, expect: [''] });
    if (!vsm.ok) throw this.#failed('AT+VSM=?', vsm);
    const chosen = chooseCompression(parseVsmList(vsm.lines), this.#o.compressions);
    if (!chosen) {
      throw new VoiceModemError(VoiceModemErrorCodes.NoCompression, `AT+VSM=? offers no 8 kHz A-law, µ-law or linear PCM: ${vsm.lines.join(' | ')}`, { offered: vsm.lines });
    }
    await this.#execOk(`AT+VSM=${chosen.cml},8000`);
    this.#codec = new VoiceCodec(chosen.kind);
    await this.#execOk('AT+VLS=0');
    const cid = (await this.#exec({ command: 'AT+VCID=1', timeoutMs: this.#o.commandTimeoutMs })).ok;
    if (this.#o.silenceDetection !== 'none') await this.#optional(`AT+VSD=${this.#o.silenceDetection}`);
    const duplex = this.#o.duplex && (await this.#exec({ command: 'AT+VTR=?', timeoutMs: this.#o.commandTimeoutMs, rawLines: true, expect: [''] })).ok;
    for (const c of this.#o.extraInit) await this.#optional(c);
    this.#patch({ compression: chosen, duplex, callerId: cid });
    this.#log.info({ compression: chosen.name, kind: chosen.kind, duplex, callerId: cid }, 'voice modem initialised');
  }

  async #optional(command: string): Promise<void> {
    const r = await this.#exec({ command, timeoutMs: this.#o.commandTimeoutMs });
    if (!r.ok) {
      if (r.failure.kind === 'timeout') throw this.#failed(command, r);
      this.#log.warn({ command, failure: describeFailure(r.failure) }, 'optional command refused');
    }
  }

  #attach(port: ByteTransport): void {
    this.#port = port;
    this.#commands.open((data) => port.write(data));
    this.#framer.reset();
    this.#stream = 'command';
    port.on('data', (chunk) => {
      if (this.#port !== port) return;
      this.#lastByteAt = this.#mono();
      for (const tok of this.#framer.push(chunk)) this.#onToken(tok);
    });
  }

  #detach(reason: string): void {
    this.#port = undefined;
    this.#ring.reset();
    this.#stream = 'command';
    this.#streamEnd?.();
    this.#streamEnd = undefined;
    this.#commands.close();
    void reason;
  }

  #onToken(tok: DleToken): void {
    switch (tok.type) {
      case 'audio':
        if (this.#codec && (this.#stream === 'rx' || this.#stream === 'duplex')) this.#events.emit('audio', { pcm: this.#codec.decode(tok.data), at: this.#clock.now() });
        return;
      case 'event': {
        const event = classifyEvent(tok.code);
        // Some modems report ringing as <DLE>R in the voice command state instead of the RING line (V.253
        // §7.3). A modem that sends both would count each burst twice and offer the call before its caller
        // ID, so <DLE>R counts only on a modem that has never sent a RING line.
        if (event.kind === 'ring' && this.#stream === 'command' && !this.#ringLines) this.#ring.onLine({ kind: 'ring' });
        this.#events.emit('event', { event, at: this.#clock.now() });
        return;
      }
      case 'end': {
        if (this.#stream !== 'rx' && this.#stream !== 'duplex') return;
        const waiter = this.#streamEnd;
        this.#streamEnd = undefined;
        this.#clock.clearTimeout(this.#stallTimer);
        if (waiter) return waiter();
        // The modem ended the stream itself (inactivity timer, line dropped): its OK/VCON line follows.
        this.#stream = 'command';
        this.#events.emit('streamEnded', { at: this.#clock.now() });
        return;
      }
      case 'overflow':
        this.#log.warn({ length: tok.length }, 'line overflow (noise on the port?)');
        return;
      case 'line': {
        const m = classifyLine(tok.text);
        if (m.kind === 'ring') this.#ringLines = true;
        if (m.kind === 'ring' || m.kind === 'cid-number' || m.kind === 'cid-other') {
          this.#ring.onLine(m);
          return;
        }
        if (this.#commands.line(tok.text)) return;
        this.#log.debug({ line: redactLine(tok.text) }, 'unsolicited line');
        return;
      }
    }
  }

  #armStall(): void {
    this.#clock.clearTimeout(this.#stallTimer);
    this.#stallTimer = this.#clock.setTimeout(() => {
      if (this.#stream !== 'rx' && this.#stream !== 'duplex') return;
      if (this.#mono() - this.#lastByteAt >= this.#o.streamStallMs) return this.#trouble?.('the modem stopped sending voice data');
      this.#armStall();
    }, this.#o.streamStallMs / 2);
  }

  #scheduleHealth(): void {
    this.#clock.clearTimeout(this.#healthTimer);
    this.#healthTimer = this.#clock.setTimeout(() => {
      if (this.#stream !== 'command' || this.#commands.busy || this.#ring.current) return this.#scheduleHealth();
      this.#exec({ command: 'AT', timeoutMs: this.#o.commandTimeoutMs })
        .then((r) => {
          if (!r.ok && r.failure.kind === 'timeout') this.#trouble?.('the modem stopped answering AT');
          else this.#scheduleHealth();
        })
        .catch(() => undefined);
    }, this.#o.healthIntervalMs);
  }

  #exec(spec: ExchangeSpec): Promise<AtResult> {
    if (this.#stream !== 'command') {
      return Promise.reject(new VoiceModemError(VoiceModemErrorCodes.CommandFailed, `${spec.command}: not in command state (${this.#stream})`));
    }
    return this.#commands.exec(spec);
  }

  async #execOk(command: string): Promise<AtResult> {
    const r = await this.#exec({ command, timeoutMs: this.#o.commandTimeoutMs });
    if (!r.ok) {
      if (r.failure.kind === 'timeout') this.#trouble?.(`${command}: no answer`);
      throw this.#failed(command, r);
    }
    return r;
  }

  #failed(command: string, r: AtResult): VoiceModemError {
    const failure = r.ok ? { kind: 'error' as const } : r.failure;
    const code = failure.kind === 'closed' ? VoiceModemErrorCodes.PortClosed : VoiceModemErrorCodes.CommandFailed;
    return new VoiceModemError(code, `${command}: ${describeFailure(failure)}`, { command, failure });
  }

  #patch(p: Partial<VoiceModemStatus>): void {
    this.#status = { ...this.#status, ...p };
  }
}
