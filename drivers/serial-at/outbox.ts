// Outgoing messages: one message at a time (its parts go out back to back), each part retried until
// the network accepts it. The port going away is not a failure of the message: the part waits for
// the modem to be ready again. A refusal that a retry cannot fix, too many transient refusals, a part
// the module leaves unanswered `maxTimeouts` times (each time the modem is recovered, perhaps reset),
// or stop(), ends a send — so one message the module chokes on cannot hold up every one behind it.
//
// Known limit: if the module dies after the network accepted a part but before +CMGS reached us,
// that part is sent again after recovery (at-least-once; the recipient may see it twice).
import type { Clock, TimerHandle } from '../../common/clock.js';
import { SerialAtError, SerialAtErrorCodes } from './errors.js';
import { describeFailure, type AtResult, type ExchangeSpec } from './exchange.js';
import { redactNumber, type Logger } from '../../common/log.js';
import { encodeSubmit, type Alphabet, type SubmitPart } from './pdu/index.js';
import { isTransientCms, parseCmgs } from './responses.js';

export interface SendOptions {
  /** Ask for a status report (TP-SRR). */
  statusReport?: boolean;
  smsc?: string;
  validityMinutes?: number;
  alphabet?: Alphabet;
}

export interface SendResult {
  /** TP-MR per part as reported by +CMGS (status reports quote it). -1 if the modem gave none. */
  references: number[];
  parts: number;
  /** Failed attempts before success (transient errors and modem outages). */
  retries: number;
}

interface Job {
  to: string;
  parts: SubmitPart[];
  references: number[];
  retries: number;
  resolve: (r: SendResult) => void;
  reject: (e: Error) => void;
}

export interface OutboxDeps {
  clock: Clock;
  logger: Logger;
  exec: (spec: ExchangeSpec) => Promise<AtResult>;
  whenReady: () => Promise<void>;
  isStopped: () => boolean;
  sendTimeoutMs: number;
  maxAttempts: number;
  /** AT+CMGS timeouts on one part before the send is given up as transient (SendTimedOut). */
  maxTimeouts: number;
  backoffMs: number;
  maxBackoffMs: number;
  onDepth: () => void;
}

export class Outbox {
  #queue: Job[] = [];
  #busy = false;
  #stopErr: Error | undefined;
  #wakers = new Set<() => void>();
  // Concatenation references rotate per message (TS 23.040 §9.2.3.24.1: "modulo 256").
  #ref = Math.floor(Math.random() * 256);

  constructor(private readonly d: OutboxDeps) {}

  get depth(): number {
    return this.#queue.length + (this.#busy ? 1 : 0);
  }

  send(to: string, text: string, opts: SendOptions): Promise<SendResult> {
    if (this.#stopErr) return Promise.reject(this.#stopErr);
    let parts: SubmitPart[];
    try {
      this.#ref = (this.#ref + 1) % 256;
      parts = encodeSubmit(to, text, {
        reference: this.#ref,
        ...(opts.statusReport !== undefined ? { statusReport: opts.statusReport } : {}),
        ...(opts.smsc ? { smsc: opts.smsc } : {}),
        ...(opts.validityMinutes ? { validityMinutes: opts.validityMinutes } : {}),
        ...(opts.alphabet ? { alphabet: opts.alphabet } : {}),
      });
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ to, parts, references: [], retries: 0, resolve, reject });
      this.d.onDepth();
      void this.#pump().catch((err: unknown) => this.d.logger.error({ err: String(err) }, 'outbox worker failed'));
    });
  }

  /** Accepts sends again after `stop` (the modem was started again). */
  resume(): void {
    this.#stopErr = undefined;
  }

  stop(err: Error): void {
    this.#stopErr = err;
    for (const w of [...this.#wakers]) w();
    for (const j of this.#queue.splice(0)) j.reject(err);
    this.d.onDepth();
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
        try {
          job.resolve(await this.#sendJob(job));
        } catch (err) {
          job.reject(err as Error);
        }
        this.d.onDepth();
      }
    } finally {
      this.#busy = false;
      this.d.onDepth();
    }
  }

  async #sendJob(job: Job): Promise<SendResult> {
    let attempts = 0;
    let timeouts = 0;
    while (job.references.length < job.parts.length) {
      if (this.#stopErr) throw this.#stopErr;
      const part = job.parts[job.references.length]!;
      try {
        await this.d.whenReady();
      } catch (err) {
        throw this.#stopErr ?? err;
      }
      const r = await this.d.exec({ command: `AT+CMGS=${part.tpduLength}`, body: part.hex, timeoutMs: this.d.sendTimeoutMs });
      if (r.ok) {
        job.references.push(parseCmgs(r.lines) ?? -1);
        attempts = 0;
        timeouts = 0;
        continue;
      }
      job.retries += 1;
      const f = r.failure;
      this.d.logger.warn({ to: redactNumber(job.to), part: part.sequence, of: part.total, failure: describeFailure(f) }, 'send attempt failed');
      if (f.kind === 'closed') continue; // the port is being reopened; wait for ready
      if (f.kind === 'timeout') {
        // The modem is being recovered (the timeout marks it unresponsive); try again once it is
        // ready, but not forever: a part the module hangs on every time would otherwise cost a
        // reset (and any live call) per minute and block the queue for good.
        if (++timeouts < this.d.maxTimeouts) continue;
        throw new SerialAtError(SerialAtErrorCodes.SendTimedOut, `no answer to AT+CMGS ${timeouts} times`, {
          failure: f,
          part: part.sequence,
          parts: part.total,
          sentParts: job.references.length,
          permanent: false,
        });
      }
      attempts += 1;
      const permanent = f.kind === 'cms' && !isTransientCms(f.code);
      if (permanent || attempts >= this.d.maxAttempts) {
        throw new SerialAtError(SerialAtErrorCodes.SendRejected, `send refused: ${describeFailure(f)}`, {
          failure: f,
          part: part.sequence,
          parts: part.total,
          sentParts: job.references.length,
          permanent,
        });
      }
      await this.#sleep(Math.min(this.d.maxBackoffMs, this.d.backoffMs * 2 ** (attempts - 1)));
    }
    this.d.logger.info({ to: redactNumber(job.to), parts: job.parts.length }, 'message sent');
    return { references: job.references, parts: job.parts.length, retries: job.retries };
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let h: TimerHandle | undefined = undefined;
      const wake = () => {
        this.d.clock.clearTimeout(h);
        this.#wakers.delete(wake);
        resolve();
      };
      h = this.d.clock.setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }
}
