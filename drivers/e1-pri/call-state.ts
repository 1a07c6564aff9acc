/**
 * Per-call state the facade keeps (the span worker owns the Q.931 side), and the helper that
 * settles a command when its call ends (T8: `caller-gone`) or the span fails (T9: `driver-failed`).
 */
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { DigitBuffer } from '../trunk/digits.js';
import { TrunkError, type CallId, type CallOffered } from '../trunk/types.js';

export interface E1Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}
export const silentLogger: E1Logger = { debug() {}, info() {}, warn() {}, error() {} };

export type Ender = (how: 'gone' | 'failed') => void;

export interface FCall {
  id: CallId;
  channel: number;
  offered: CallOffered;
  answered: boolean;
  ended: boolean;
  digits: DigitBuffer;
  mediaBusy: boolean;
  enders: Set<Ender>;
  digitListeners: Set<(d: string) => void>;
  /** The agent leg bridged to this call. */
  leg?: string;
  /** An agent/transfer leg being set up. */
  pendingLeg?: string;
}

export interface Leg {
  id: string;
  parent: CallId;
  purpose: 'agent' | 'transfer';
  connected: boolean;
  onProgress?: (stage: 'proceeding' | 'ringing' | 'answered') => void;
  onEnd?: (q850: number) => void;
}

/** Settle `p` normally, or with `gone()` if the caller hangs up, or reject if the driver fails. */
export function guard<T>(c: FCall, p: Promise<T>, gone: () => T, cleanup: () => void = () => {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      c.enders.delete(ender);
      f();
    };
    const ender: Ender = (how) =>
      finish(() => {
        cleanup();
        if (how === 'failed') reject(new TrunkError('driver-failed', `e1-pri: call ${c.id} lost with the span`));
        else resolve(gone());
      });
    c.enders.add(ender);
    p.then(
      (v) => finish(() => resolve(v)),
      (e: unknown) => finish(() => reject(e)),
    );
  });
}

/** Resolve after `ms` on the injected clock, or at once when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let t: TimerHandle | undefined;
    const done = () => {
      clock.clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    if (signal?.aborted) return resolve();
    t = clock.setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Resolve with `value` when `signal` aborts; the returned `off` removes the listener (no leak per command). */
export function onAbort<T>(signal: AbortSignal, value: () => T): { promise: Promise<T>; off: () => void } {
  let off = () => {};
  const promise = new Promise<T>((resolve) => {
    if (signal.aborted) return resolve(value());
    const l = () => resolve(value());
    signal.addEventListener('abort', l, { once: true });
    off = () => signal.removeEventListener('abort', l);
  });
  return { promise, off: () => off() };
}
