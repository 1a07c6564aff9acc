// A small fixed-window rate limiter with a bounded map (no @fastify/rate-limit in the tree). Each key
// (an address, a phone, a ticket number) may take `limit` hits per `windowMs`. The map never holds more
// than `maxKeys` keys: expired windows are dropped first, and when it is still full a new key is refused
// (fail closed) — a flood of fresh addresses cannot push out the counters of the ones being limited.

export interface LimitRule {
  limit: number;
  windowMs: number;
}

export class RateLimiter {
  readonly #hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly rule: LimitRule,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Counts a hit for `key`; false when the key is over its limit (the hit is not counted then). */
  take(key: string): boolean {
    const t = this.now();
    let e = this.#hits.get(key);
    if (e && e.resetAt <= t) {
      this.#hits.delete(key);
      e = undefined;
    }
    if (!e) {
      if (this.#hits.size >= this.maxKeys) this.#sweep(t);
      if (this.#hits.size >= this.maxKeys) return false;
      e = { count: 0, resetAt: t + this.rule.windowMs };
      this.#hits.set(key, e);
    }
    if (e.count >= this.rule.limit) return false;
    e.count++;
    return true;
  }

  /** Seconds until `key` may try again (for Retry-After). */
  retryAfter(key: string): number {
    const e = this.#hits.get(key);
    return e ? Math.max(1, Math.ceil((e.resetAt - this.now()) / 1000)) : 1;
  }

  get size(): number {
    return this.#hits.size;
  }

  #sweep(t: number): void {
    for (const [k, e] of this.#hits) if (e.resetAt <= t) this.#hits.delete(k);
  }
}
