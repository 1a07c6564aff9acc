// The AT command queue of the voice modem: exchanges run strictly one at a time (V.250 §5.2.1: no new command
// line before the final result of the previous one), each driven by the pure exchange state machine shared with
// the serial-AT driver (../serial-at/exchange.ts). Also waits for a final result that no command asked for: the
// OK that ends a voice stream (V.253 §6.3.7, §8.3).
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { step, type AtResult, type ExchangeInput, type ExchangeSpec, type ExchangeState } from '../serial-at/exchange.js';

interface Running {
  spec: ExchangeSpec;
  state: ExchangeState;
  timer: TimerHandle | undefined;
  resolve: (r: AtResult) => void;
}

const CLOSED: AtResult = { ok: false, lines: [], failure: { kind: 'closed' } };

export class CommandQueue {
  #queue: Array<{ spec: ExchangeSpec; resolve: (r: AtResult) => void }> = [];
  #running: Running | undefined;
  #write: ((data: string) => Promise<void>) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** An exchange is running (or waiting). */
  get busy(): boolean {
    return this.#running !== undefined || this.#queue.length > 0;
  }

  /** A port was opened: commands go to it. */
  open(write: (data: string) => Promise<void>): void {
    this.#write = write;
  }

  /** The port closed: every exchange settles as `closed`. */
  close(): void {
    this.#write = undefined;
    const r = this.#running;
    this.#running = undefined;
    if (r) {
      this.clock.clearTimeout(r.timer);
      r.resolve(CLOSED);
    }
    for (const j of this.#queue.splice(0)) j.resolve(CLOSED);
  }

  exec(spec: ExchangeSpec): Promise<AtResult> {
    if (!this.#write) return Promise.resolve(CLOSED);
    return new Promise((resolve) => {
      this.#queue.push({ spec, resolve });
      this.#next();
    });
  }

  /** Waits for a final result without sending a command. */
  awaitFinal(what: string, timeoutMs: number): Promise<AtResult> {
    return new Promise((resolve) => {
      const spec: ExchangeSpec = { command: `(${what})`, timeoutMs };
      const r: Running = { spec, state: { phase: 'awaiting-final', lines: [] }, timer: undefined, resolve };
      if (this.#running) this.clock.clearTimeout(this.#running.timer);
      this.#running = r;
      r.timer = this.clock.setTimeout(() => this.#feed(r, { type: 'timeout' }), timeoutMs);
    });
  }

  /** A response line: true when the running exchange took it. */
  line(text: string): boolean {
    const r = this.#running;
    if (!r) return false;
    this.#feed(r, { type: 'line', text });
    return true;
  }

  #next(): void {
    if (this.#running || !this.#write) return;
    const job = this.#queue.shift();
    if (!job) return;
    const r: Running = { ...job, state: { phase: 'idle' }, timer: undefined };
    this.#running = r;
    this.#feed(r, { type: 'start' });
  }

  #feed(r: Running, input: ExchangeInput): void {
    const s = step(r.spec, r.state, input);
    r.state = s.state;
    for (const a of s.actions) {
      if (a.type === 'write') this.#write?.(a.data).catch(() => undefined);
      else if (a.type === 'arm-timer') {
        this.clock.clearTimeout(r.timer);
        r.timer = this.clock.setTimeout(() => this.#feed(r, { type: 'timeout' }), a.ms);
      } else {
        this.clock.clearTimeout(r.timer);
        if (this.#running === r) this.#running = undefined;
        if (!a.result.ok && a.result.failure.kind === 'timeout') this.log.warn({ command: r.spec.command }, 'no answer from the modem');
        r.resolve(a.result);
        this.#next();
      }
    }
  }
}
