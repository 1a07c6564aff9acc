// Wakes whoever waits for new outbox rows of a hop (the push loop for 'up', long-polls for a peer).
// Notifications are coalesced and delivered on the next turn of the event loop, i.e. after the
// synchronous SQLite transaction that wrote the rows has committed. Waits end on the injected clock
// (drivers/trunk/clock.ts, like the call code's), so tests run the exchange's retries and long-polls on
// simulated time.
import { type Clock, type TimerHandle, systemClock } from '../../common/clock.js';

export class Notifier {
  constructor(private readonly clock: Clock = systemClock) {}

  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #dirty = new Set<string>();
  #scheduled = false;
  #closed = false;

  notify(hop: string): void {
    this.#dirty.add(hop);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const hops = [...this.#dirty];
      this.#dirty.clear();
      for (const h of hops) this.#wake(h);
    });
  }

  #wake(hop: string): void {
    const set = this.#waiters.get(hop);
    if (!set) return;
    this.#waiters.delete(hop);
    for (const fn of set) fn();
  }

  /** Resolves on a notification for `hop`, after `ms`, on abort, or when the notifier closes. */
  wait(hop: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.#waiters.get(hop);
      if (!set) this.#waiters.set(hop, (set = new Set()));
      let timer: TimerHandle | undefined;
      const done = () => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#waiters.get(hop)?.delete(done);
        resolve();
      };
      timer = this.clock.setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  /** Wakes every waiter (server shutdown) and makes later waits return at once. */
  close(): void {
    this.#closed = true;
    for (const hop of [...this.#waiters.keys()]) this.#wake(hop);
  }
}
