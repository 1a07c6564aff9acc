// Guards of the exchange's unauthenticated surface (issue 13, finding 4): a per-address budget of failed
// authentications and pairing attempts, and a refusal log that writes one row per (address, code, minute)
// with a count instead of one fsync'd row per refused request.
//
// Both hold bounded memory: state is per one-minute window and dropped when the window turns; at most
// `maxKeys` addresses or refusal keys are tracked per window (beyond that, one shared key).
import type { NetStore } from './store.js';

const minuteMs = 60_000;

export class AddressBudget {
  #window = -1;
  readonly #used = new Map<string, number>();
  constructor(
    readonly perMinute: number,
    readonly maxKeys = 10_000,
  ) {}

  #turn(now: Date): void {
    const w = Math.floor(now.getTime() / minuteMs);
    if (w !== this.#window) {
      this.#window = w;
      this.#used.clear();
    }
  }

  #key(address: string): string {
    return this.#used.has(address) || this.#used.size < this.maxKeys ? address : '\u0000overflow';
  }

  /** True when `address` has used its budget in this window. */
  spent(address: string, now: Date): boolean {
    this.#turn(now);
    return (this.#used.get(this.#key(address)) ?? 0) >= this.perMinute;
  }

  /** Counts one failure of `address`. */
  use(address: string, now: Date): void {
    this.#turn(now);
    const k = this.#key(address);
    this.#used.set(k, (this.#used.get(k) ?? 0) + 1);
  }

  /** Seconds until the window turns. */
  retryAfterSeconds(now: Date): number {
    return Math.ceil((minuteMs - (now.getTime() % minuteMs)) / 1000);
  }
}

/**
 * Refusals of requests that did not authenticate, aggregated: the first of a (address, code) in a minute
 * inserts a row; the rest only count, in memory, and the counts are written in one transaction when the
 * window turns, on flush() and on close.
 */
export class RefusalLog {
  #window = -1;
  readonly #pending = new Map<string, { id: number; extra: number }>();
  constructor(
    readonly store: NetStore,
    readonly maxKeys = 200,
  ) {}

  record(at: Date, address: string, peer: string | null, code: string, message: string, path: string): void {
    const w = Math.floor(at.getTime() / minuteMs);
    if (w !== this.#window) {
      this.flush();
      this.#window = w;
    }
    let key = `${address}\n${peer ?? ''}\n${code}`;
    if (!this.#pending.has(key) && this.#pending.size >= this.maxKeys) key = '\u0000overflow';
    const p = this.#pending.get(key);
    if (p) {
      p.extra++;
      return;
    }
    const id = key === '\u0000overflow' ? this.store.refusal(at, null, 'exchange-rate-limited', 'more refusal keys this minute than recorded one by one', '*', '*') : this.store.refusal(at, peer, code, message, path, address);
    this.#pending.set(key, { id, extra: 0 });
  }

  /** Writes the counts held in memory. */
  flush(): void {
    const due = [...this.#pending.values()].filter((p) => p.extra > 0);
    this.#pending.clear();
    if (due.length === 0) return;
    this.store.db.transaction(() => {
      for (const p of due) this.store.addRefusalCount(p.id, p.extra);
    })();
  }
}
