// Login throttling: after `maxFailures` failed logins for one user name or one client address, further
// attempts are refused (even with the right password) for a lock that doubles with each further failure,
// up to 24 hours. Kept in memory: a restart clears it, which an attacker cannot trigger remotely.

export interface ThrottleOptions {
  maxFailures: number;
  lockMs: number;
  now: () => number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  last: number;
}

export class LoginThrottle {
  readonly #entries = new Map<string, Entry>();
  constructor(private readonly opts: () => ThrottleOptions) {}

  /** Milliseconds until these keys may try again, or 0. */
  retryAfter(keys: string[]): number {
    const now = this.opts().now();
    let wait = 0;
    for (const k of keys) {
      const e = this.#entries.get(k);
      if (e && e.lockedUntil > now) wait = Math.max(wait, e.lockedUntil - now);
    }
    return wait;
  }

  fail(keys: string[]): void {
    const { maxFailures, lockMs, now } = this.opts();
    const t = now();
    for (const k of keys) {
      const e = this.#entries.get(k) ?? { failures: 0, lockedUntil: 0, last: t };
      // Failures older than a day are forgotten.
      if (t - e.last > 86_400_000) e.failures = 0;
      e.failures += 1;
      e.last = t;
      if (e.failures >= maxFailures) {
        const factor = 2 ** Math.min(e.failures - maxFailures, 10);
        e.lockedUntil = t + Math.min(lockMs * factor, 86_400_000);
      }
      this.#entries.set(k, e);
    }
    if (this.#entries.size > 10_000) this.#prune(t);
  }

  succeed(keys: string[]): void {
    for (const k of keys) this.#entries.delete(k);
  }

  #prune(t: number): void {
    for (const [k, e] of this.#entries) if (e.lockedUntil < t && t - e.last > 3_600_000) this.#entries.delete(k);
  }
}
