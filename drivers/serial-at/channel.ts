// The command queue: one opened transport, exchanges run strictly one at a time (V.250 §5.2.1: a
// new command line must not be sent before the final result of the previous one), replies paired
// with the running exchange, and URCs that arrive in between routed to listeners, never swallowed.
import type { Clock, TimerHandle } from '../../common/clock.js';
import { SerialAtError, SerialAtErrorCodes } from './errors.js';
import { describeFailure, owns, step, type AtResult, type ExchangeInput, type ExchangeSpec, type ExchangeState } from './exchange.js';
import { type Logger } from '../../common/log.js';
import { redactLine } from './redact.js';
import type { TransferResult, TransferSession } from './files.js';
import { AtFramer } from './parsers/framer.js';
import { UrcParser, type Urc } from './parsers/urc.js';
import type { ByteTransport } from './transport.js';

interface Job {
  spec: ExchangeSpec;
  resolve: (r: AtResult) => void;
}

interface Running extends Job {
  state: ExchangeState;
  timer: TimerHandle | undefined;
}

/** A file transfer (files.ts): the session gets the raw bytes while it runs, nothing is framed as lines. */
interface TransferJob {
  session: TransferSession;
  idleMs: number;
  resolve: (r: TransferResult) => void;
}

export interface AtChannelOptions {
  transport: ByteTransport;
  clock: Clock;
  logger: Logger;
}

type Listener<T> = (v: T) => void;

export class AtChannel {
  readonly #transport: ByteTransport;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #framer = new AtFramer();
  readonly #urcs = new UrcParser();
  readonly #queue: Array<Job | TransferJob> = [];
  #running: Running | undefined;
  #transfer: (TransferJob & { timer: TimerHandle | undefined }) | undefined;
  #closed = false;
  #urcListeners = new Set<Listener<Urc>>();
  #closeListeners = new Set<Listener<Error | undefined>>();
  #unrecognised = new Set<Listener<string>>();

  constructor(opts: AtChannelOptions) {
    this.#transport = opts.transport;
    this.#clock = opts.clock;
    this.#log = opts.logger;
    this.#transport.on('data', (chunk) => this.#onData(chunk));
    this.#transport.on('close', (err) => this.#onClose(err));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Number of exchanges waiting or running. */
  get depth(): number {
    return this.#queue.length + (this.#running || this.#transfer ? 1 : 0);
  }

  /**
   * Runs a file transfer after the exchanges queued before it: writes the session's command, hands it every
   * byte the port delivers until it is done (what it leaves over goes back to the line framer), writes what it
   * asks to. `idleMs`: the longest silence allowed between bytes. Resolves, never rejects.
   */
  runTransfer(session: TransferSession, idleMs: number): Promise<TransferResult> {
    if (this.#closed) return Promise.resolve({ ok: false, failure: { kind: 'closed' }, rest: Buffer.alloc(0) });
    return new Promise((resolve) => {
      this.#queue.push({ session, idleMs, resolve });
      this.#pump();
    });
  }

  onUrc(l: Listener<Urc>): () => void {
    this.#urcListeners.add(l);
    return () => this.#urcListeners.delete(l);
  }
  onClose(l: Listener<Error | undefined>): () => void {
    this.#closeListeners.add(l);
    return () => this.#closeListeners.delete(l);
  }
  onUnrecognised(l: Listener<string>): () => void {
    this.#unrecognised.add(l);
    return () => this.#unrecognised.delete(l);
  }

  /** Runs one exchange after those queued before it. Resolves with the outcome; never rejects. */
  run(spec: ExchangeSpec): Promise<AtResult> {
    if (this.#closed) return Promise.resolve({ ok: false, lines: [], failure: { kind: 'closed' } });
    return new Promise((resolve) => {
      this.#queue.push({ spec, resolve });
      this.#pump();
    });
  }

  /**
   * Like `run`, but rejects on failure with a SerialAtError created here, at the call, so the stack
   * names the caller (the waitress rule) and `detail.failure` holds the discriminated reason.
   */
  async runOk(spec: ExchangeSpec): Promise<string[]> {
    const err = new SerialAtError(SerialAtErrorCodes.CommandFailed, `${spec.command} failed`, { command: spec.command });
    const r = await this.run(spec);
    if (r.ok) return r.lines;
    err.message = `${spec.command}: ${describeFailure(r.failure)}`;
    Object.assign(err.detail, { failure: r.failure, lines: r.lines });
    if (r.failure.kind === 'closed') {
      throw new SerialAtError(SerialAtErrorCodes.PortClosed, err.message, err.detail);
    }
    throw err;
  }

  async close(): Promise<void> {
    await this.#transport.close();
    this.#onClose(undefined);
  }

  #pump(): void {
    if (this.#running || this.#transfer || this.#closed) return;
    const job = this.#queue.shift();
    if (!job) return;
    if ('session' in job) {
      this.#transfer = { ...job, timer: undefined };
      this.#log.debug({ tx: job.session.command }, 'at tx (file transfer)');
      this.#write(`${job.session.command}\r`);
      this.#armTransfer();
      return;
    }
    this.#running = { ...job, state: { phase: 'idle' }, timer: undefined };
    this.#feed({ type: 'start' });
  }

  #write(data: string): void {
    this.#transport.write(data).catch((err: unknown) => this.#log.warn({ err: String(err) }, 'write failed'));
  }

  #armTransfer(): void {
    const t = this.#transfer;
    if (!t) return;
    this.#clock.clearTimeout(t.timer);
    t.timer = this.#clock.setTimeout(() => {
      if (this.#transfer !== t) return;
      const { got, expected } = t.session.progress;
      this.#endTransfer({ ok: false, failure: { kind: 'timeout', got, expected }, rest: Buffer.alloc(0) });
    }, t.idleMs);
  }

  #endTransfer(r: TransferResult): void {
    const t = this.#transfer;
    if (!t) return;
    this.#clock.clearTimeout(t.timer);
    this.#transfer = undefined;
    if (!r.ok) this.#log.debug({ command: t.session.command, failure: r.failure }, 'file transfer failed');
    t.resolve(r);
    if (r.rest.length) this.#onData(r.rest);
    queueMicrotask(() => this.#pump());
  }

  #feed(input: ExchangeInput): void {
    const r = this.#running;
    if (!r) return;
    const { state, actions } = step(r.spec, r.state, input);
    r.state = state;
    for (const a of actions) {
      switch (a.type) {
        case 'write':
          this.#log.debug({ tx: redactLine(a.data.replace(/[\r\x1a]$/, '')) }, 'at tx');
          this.#transport.write(a.data).catch((err: unknown) => {
            // The close event follows a failed write and settles the exchange; only log here.
            this.#log.warn({ err: String(err) }, 'write failed');
          });
          break;
        case 'arm-timer':
          this.#clock.clearTimeout(r.timer);
          r.timer = this.#clock.setTimeout(() => {
            if (this.#running === r) this.#feed({ type: 'timeout' });
          }, a.ms);
          break;
        case 'settle':
          this.#clock.clearTimeout(r.timer);
          this.#running = undefined;
          if (!a.result.ok) this.#log.debug({ command: r.spec.command, failure: a.result.failure }, 'at exchange failed');
          r.resolve(a.result);
          queueMicrotask(() => this.#pump());
          break;
      }
    }
  }

  #onData(chunk: Buffer): void {
    const t = this.#transfer;
    if (t) {
      const step = t.session.push(chunk);
      if (step.write !== undefined) this.#write(step.write);
      for (const line of step.lines ?? []) this.#onLine(line);
      if (step.done) this.#endTransfer(step.done);
      else this.#armTransfer();
      return;
    }
    for (const tok of this.#framer.push(chunk)) {
      if (tok.type === 'prompt') {
        this.#feed({ type: 'prompt' });
        continue;
      }
      if (tok.type === 'overflow') {
        this.#log.warn({ length: tok.length }, 'garbage: over-long line dropped');
        continue;
      }
      this.#onLine(tok.text);
    }
  }

  #onLine(line: string): void {
    this.#log.debug({ rx: redactLine(line) }, 'at rx');
    // The PDU line of a two-line URC (+CMT/+CDS) belongs to the URC even mid-exchange.
    if (!this.#urcs.expectsPdu && this.#running && owns(this.#running.spec, this.#running.state, line)) {
      this.#feed({ type: 'line', text: line });
      return;
    }
    const urc = this.#urcs.parse(line);
    if (urc === 'partial') return;
    if (urc) {
      for (const l of [...this.#urcListeners]) {
        try {
          l(urc);
        } catch (err) {
          this.#log.error({ err: String(err), urc: urc.type }, 'URC listener threw');
        }
      }
      return;
    }
    if (this.#running) {
      this.#feed({ type: 'line', text: line });
      return;
    }
    this.#log.warn({ line: redactLine(line).slice(0, 80) }, 'unrecognised line skipped');
    for (const l of [...this.#unrecognised]) {
      try {
        l(line);
      } catch {
        /* listeners must not throw; nothing to do */
      }
    }
  }

  #onClose(err: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    if (err) this.#log.warn({ err: err.message }, 'port closed');
    this.#feed({ type: 'closed' });
    if (this.#transfer) this.#endTransfer({ ok: false, failure: { kind: 'closed' }, rest: Buffer.alloc(0) });
    for (const job of this.#queue.splice(0)) {
      if ('session' in job) job.resolve({ ok: false, failure: { kind: 'closed' }, rest: Buffer.alloc(0) });
      else job.resolve({ ok: false, lines: [], failure: { kind: 'closed' } });
    }
    for (const l of [...this.#closeListeners]) {
      try {
        l(err);
      } catch {
        /* listeners must not throw */
      }
    }
  }
}
