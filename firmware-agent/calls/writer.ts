// Write-behind for call progress. better-sqlite3 is synchronous and the store runs synchronous=FULL, so
// every commit waits for an fsync on the event loop — measured 1-15 ms on the target disk under load. A
// call makes a dozen progress writes (arrival, prompts, legs, route, queue, answer, end); written one by
// one at 120 calls in flight they stall the loop for hundreds of ms, and with it the 20 ms audio frames and
// every routing decision.
//
// So progress writes are queued and committed together, in order, in one transaction every `intervalMs`
// (or at once when `maxPending` pile up). Invariants:
// - order is kept: statements run in the order they were queued, in one transaction per flush;
// - every read of call data flushes first, so readers never see a stale record (read-your-writes);
// - what must be durable before the caller is told (a callback request, a ticket link, a voicemail
//   ticket) flushes and writes synchronously, not through this queue;
// - a crash loses at most the last interval of progress of calls that were in flight, which the next start
//   records as failed anyway (CallRecords.recoverUnfinished).
import type { Db } from '../store/db.js';

export class WriteBehind {
  #queue: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #flushes = 0;
  #errors = 0;
  #maxFlushMs = 0;
  #totalFlushMs = 0;

  constructor(
    private readonly db: Db,
    private readonly opts: { intervalMs?: number; maxPending?: number; onError?: (err: unknown) => void } = {},
  ) {}

  /** Queue a write; it runs inside the next flush's transaction. */
  enqueue(fn: () => void): void {
    if (this.#closed) {
      fn(); // after close (shutdown), write through
      return;
    }
    this.#queue.push(fn);
    if (this.#queue.length >= (this.opts.maxPending ?? 500)) this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, this.opts.intervalMs ?? 50);
      this.#timer.unref();
    }
  }

  /** Commit everything queued, in order, in one transaction. */
  flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#queue.length === 0 || !this.db.open) return;
    const batch = this.#queue;
    this.#queue = [];
    const started = performance.now();
    try {
      this.db.transaction(() => {
        for (const fn of batch) fn();
      })();
      this.#flushes += 1;
      const ms = performance.now() - started;
      this.#totalFlushMs += ms;
      if (ms > this.#maxFlushMs) this.#maxFlushMs = ms;
    } catch (err) {
      // One bad statement must not lose the others: retry them one by one outside a shared transaction.
      this.#errors += 1;
      for (const fn of batch) {
        try {
          fn();
        } catch (e) {
          this.opts.onError?.(e);
        }
      }
      this.opts.onError?.(err);
    }
  }

  /** Flush and write through from now on. */
  close(): void {
    this.flush();
    this.#closed = true;
  }

  /** Flush count and time spent committing (on the event loop), for /healthz and the bench. */
  get stats(): { pending: number; flushes: number; errors: number; maxFlushMs: number; meanFlushMs: number } {
    return {
      pending: this.#queue.length,
      flushes: this.#flushes,
      errors: this.#errors,
      maxFlushMs: Math.round(this.#maxFlushMs * 100) / 100,
      meanFlushMs: this.#flushes ? Math.round((this.#totalFlushMs / this.#flushes) * 100) / 100 : 0,
    };
  }
}
