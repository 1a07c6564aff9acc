// Pairs a request with the reply that will satisfy it (zigbee-herdsman's "waitress"). The timeout
// error is created when the wait *starts*, so its stack points at the code that asked, not at a
// timer callback deep in the driver.
import type { Clock, TimerHandle } from '../../common/clock.js';
import { SerialAtError, SerialAtErrorCodes } from './errors.js';

interface Waiter<P, R> {
  matcher: (payload: P) => R | undefined;
  resolve: (r: R) => void;
  reject: (e: Error) => void;
  timer: TimerHandle | undefined;
}

export class Waitress<P> {
  #waiters = new Set<Waiter<P, unknown>>();
  constructor(private readonly clock: Clock) {}

  /** Waits for the first payload the matcher maps to a value. */
  waitFor<R>(matcher: (payload: P) => R | undefined, timeoutMs: number, what: string): { promise: Promise<R>; cancel(): void } {
    const timeoutError = new SerialAtError(SerialAtErrorCodes.CommandFailed, `timed out after ${timeoutMs} ms waiting for ${what}`, {
      failure: { kind: 'timeout', phase: 'final' },
      waitingFor: what,
    });
    let waiter!: Waiter<P, R>;
    const promise = new Promise<R>((resolve, reject) => {
      waiter = { matcher, resolve, reject, timer: undefined };
    });
    waiter.timer = this.clock.setTimeout(() => {
      this.#waiters.delete(waiter as Waiter<P, unknown>);
      waiter.reject(timeoutError);
    }, timeoutMs);
    this.#waiters.add(waiter as Waiter<P, unknown>);
    return {
      promise,
      cancel: () => {
        this.clock.clearTimeout(waiter.timer);
        this.#waiters.delete(waiter as Waiter<P, unknown>);
      },
    };
  }

  /** Offers a payload to the waiters; returns true if one took it. */
  resolve(payload: P): boolean {
    for (const w of this.#waiters) {
      const r = w.matcher(payload);
      if (r !== undefined) {
        this.clock.clearTimeout(w.timer);
        this.#waiters.delete(w);
        w.resolve(r);
        return true;
      }
    }
    return false;
  }

  rejectAll(err: Error): void {
    for (const w of this.#waiters) {
      this.clock.clearTimeout(w.timer);
      w.reject(err);
    }
    this.#waiters.clear();
  }
}
