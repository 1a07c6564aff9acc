// Time for every domain and driver, injected so tests and `edgebox simulate` control it (style.md #12).
//
// `systemClock` is wall time. `VirtualClock` only moves when told to: `advance(ms)` and `until(promise)` run
// due timers in time order and let promise chains settle between them, so a scenario that spans ten minutes
// of queueing runs in milliseconds and always the same way.

export interface TimerHandle {
  readonly __timer: true;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)) as unknown as TimerHandle,
  clearTimeout: (h) => {
    if (h) clearTimeout(h as unknown as NodeJS.Timeout);
  },
};

/**
 * `p`'s outcome, or `late()`'s once `ms` of `clock` have passed without `p` settling (`late` may throw, to fail
 * with an error of its own). The timer is cleared either way; `p` is left to settle on its own.
 */
export async function within<T, L>(clock: Clock, p: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<L>((resolve, reject) => {
    timer = clock.setTimeout(() => {
      try {
        resolve(late());
      } catch (err) {
        reject(err);
      }
    }, ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clock.clearTimeout(timer);
  }
}

interface VTimer extends TimerHandle {
  at: number;
  seq: number;
  fn: () => void;
}

/** Let every queued promise continuation run (they drain before the next macrotask). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: VTimer[] = [];

  constructor(start = Date.UTC(2026, 10, 30, 2, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = { __timer: true as const, at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(t);
    return t;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const i = this.#timers.indexOf(handle as VTimer);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  get pending(): number {
    return this.#timers.length;
  }

  #next(limit: number): VTimer | undefined {
    let best: VTimer | undefined;
    for (const t of this.#timers) {
      if (t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  async #runOne(limit: number, stop: () => boolean = () => false): Promise<boolean> {
    await settle();
    if (stop()) return false;
    const t = this.#next(limit);
    if (!t) return false;
    this.#timers.splice(this.#timers.indexOf(t), 1);
    this.#now = Math.max(this.#now, t.at);
    t.fn();
    return true;
  }

  /** Move time forward by `ms`, running every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    while (await this.#runOne(target)) {
      /* keep going */
    }
    this.#now = target;
    await settle();
  }

  /**
   * Run timers in order until `p` settles, then return its value. Fails if `p` is still pending when no timer
   * is left or when `limitMs` of virtual time has passed, so a stuck scenario fails instead of hanging.
   */
  async until<T>(p: Promise<T>, limitMs = 24 * 3600_000): Promise<T> {
    let done = false;
    const watched = p.finally(() => {
      done = true;
    });
    watched.catch(() => {});
    const limit = this.#now + limitMs;
    await settle();
    while (!done) {
      if (!(await this.#runOne(limit, () => done))) {
        await settle();
        if (!done) throw new Error(`VirtualClock.until: nothing left to run at +${this.#now} and the promise is pending`);
      }
    }
    return watched;
  }
}
