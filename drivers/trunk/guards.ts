// The contract's command guards (types.ts T1, T4, T5, T6), written once for every driver: a command names a
// call of a running driver that has not ended; a media command also needs it answered and free of another
// media operation. Each driver keeps its calls as it likes; the fields these read are named alike.
import { type CallId, TrunkError } from './types.js';

/** The state of a call the guards read. */
export interface GuardedCall {
  answered: boolean;
  /** The call has had its one `hangup` (or its driver failed, T9): nothing more may be asked of it. */
  ended: boolean;
  /** A media operation runs (T6; a background recording does not count). */
  mediaBusy: boolean;
}

/** `running`, `down` (before start, after stop: driver-down) or `failed` (lost, restarting: driver-failed). */
export type DriverState = 'running' | 'down' | 'failed';

/** T1: commands need a running driver. */
export function requireRunning(driver: string, state: DriverState): void {
  if (state === 'failed') throw new TrunkError('driver-failed', `${driver}: the driver lost its hardware and is restarting`);
  if (state !== 'running') throw new TrunkError('driver-down', `${driver}: the driver is not running`);
}

/** T1, T4: the call a command names, live. */
export function liveCall<C extends GuardedCall>(driver: string, state: DriverState, call: C | undefined, callId: CallId): C {
  requireRunning(driver, state);
  if (!call || call.ended) throw new TrunkError('unknown-call', `${driver}: no call ${callId}`);
  return call;
}

/** T5, T6: the call a media command names: live, answered, no other media operation running. */
export function mediaCall<C extends GuardedCall>(driver: string, state: DriverState, call: C | undefined, callId: CallId, command: string): C {
  const c = liveCall(driver, state, call, callId);
  if (!c.answered) throw new TrunkError('not-answered', `${driver}: ${command} on unanswered call ${callId}`);
  if (c.mediaBusy) throw new TrunkError('busy', `${driver}: a media operation already runs on call ${callId}`);
  return c;
}
