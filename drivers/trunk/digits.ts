// The per-call DTMF type-ahead buffer of rule T7, with digit collection and timeouts (T8). Every driver can
// use it: feed it each digit the line reports, call `end()` at hang-up.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { CollectOptions, CollectResult } from './types.js';
import { TrunkError } from './types.js';

const MAX_BUFFER = 32;
const DTMF = /^[0-9*#A-D]+$/;

type Waiter = (ev: { kind: 'digit' } | { kind: 'end' }) => void;

export class DigitBuffer {
  #buf = '';
  #waiter: Waiter | undefined;
  #ended = false;

  constructor(private readonly clock: Clock) {}

  get ended(): boolean {
    return this.#ended;
  }

  /** Add digits pressed by the caller. Non-DTMF symbols are dropped. */
  push(digits: string): void {
    if (this.#ended || !DTMF.test(digits)) return;
    this.#buf = (this.#buf + digits).slice(-MAX_BUFFER);
    this.#waiter?.({ kind: 'digit' });
  }

  /** The caller hung up (or the call failed): pending waits settle as `caller-gone`. */
  end(): void {
    this.#ended = true;
    this.#waiter?.({ kind: 'end' });
  }

  /** Take the next buffered digit without waiting, or undefined. */
  shift(): string | undefined {
    const d = this.#buf[0];
    if (d !== undefined) this.#buf = this.#buf.slice(1);
    return d;
  }

  peek(): string | undefined {
    return this.#buf[0];
  }

  /**
   * Resolve with the first digit in the buffer (leaving it there) or when one arrives; null when the signal
   * aborts or the call ends. Used by interruptible prompts.
   */
  firstDigit(signal?: AbortSignal): Promise<string | null> {
    if (this.#buf) return Promise.resolve(this.#buf[0]!);
    if (this.#ended || signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onAbort = () => finish(null);
      const finish = (v: string | null) => {
        this.#waiter = undefined;
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = (ev) => finish(ev.kind === 'digit' ? (this.#buf[0] ?? null) : null);
    });
  }

  collect(options: CollectOptions): Promise<CollectResult> {
    const { max, firstDigitTimeoutMs, terminators = '', flush = false, signal } = options;
    const interMs = options.interDigitTimeoutMs ?? firstDigitTimeoutMs;
    if (!Number.isInteger(max) || max < 1 || max > 32) {
      return Promise.reject(new TrunkError('invalid-argument', `collectDigits: max must be 1..32, got ${max}`));
    }
    if (!(firstDigitTimeoutMs > 0) || !(interMs > 0)) {
      return Promise.reject(new TrunkError('invalid-argument', 'collectDigits: timeouts must be > 0 ms'));
    }
    if (flush) this.#buf = '';
    let digits = '';
    // Consume buffered digits; returns a final outcome if collection is complete.
    const consume = (): CollectResult | undefined => {
      for (;;) {
        const d = this.shift();
        if (d === undefined) return undefined;
        if (terminators.includes(d)) return { outcome: 'terminator', digits };
        digits += d;
        if (digits.length >= max) return { outcome: 'max', digits };
      }
    };
    const immediate = consume();
    if (immediate) return Promise.resolve(immediate);
    if (this.#ended) return Promise.resolve({ outcome: 'caller-gone', digits });
    if (signal?.aborted) return Promise.resolve({ outcome: 'cancelled', digits });

    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const onAbort = () => finish({ outcome: 'cancelled', digits });
      const finish = (r: CollectResult) => {
        this.clock.clearTimeout(timer);
        this.#waiter = undefined;
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const arm = () => {
        this.clock.clearTimeout(timer);
        timer = this.clock.setTimeout(
          () => finish({ outcome: 'timeout', digits }),
          digits.length === 0 ? firstDigitTimeoutMs : interMs,
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = (ev) => {
        if (ev.kind === 'end') return finish({ outcome: 'caller-gone', digits });
        const r = consume();
        if (r) finish(r);
        else arm();
      };
      arm();
    });
  }
}
