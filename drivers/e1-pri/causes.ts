/** Q.850 cause values ↔ the trunk interface's HangupCause (Q.850 Table 1, ETS 300 102-1 §…). */
import type { HangupCause, Presentation } from '../trunk/types.js';
import { CAUSE, PRI_PRES_RESTRICTION, PRI_PRES_RESTRICTED, PRI_PRES_UNAVAILABLE } from './binding/constants.js';

export function causeFromQ850(q850: number, answered: boolean, by: 'remote' | 'local'): HangupCause {
  switch (q850) {
    case CAUSE.NORMAL_CLEARING:
    case CAUSE.NORMAL_UNSPECIFIED:
    case 0:
      return !answered && by === 'remote' ? 'caller-abandoned' : 'normal';
    case CAUSE.USER_BUSY:
      return 'busy';
    case CAUSE.NO_USER_RESPONSE:
    case CAUSE.NO_ANSWER:
      return 'no-answer';
    case CAUSE.CALL_REJECTED:
      return 'rejected';
    case CAUSE.DESTINATION_OUT_OF_ORDER:
    case CAUSE.NORMAL_CIRCUIT_CONGESTION:
    case CAUSE.NETWORK_OUT_OF_ORDER:
    case CAUSE.NORMAL_TEMPORARY_FAILURE:
    case CAUSE.SWITCH_CONGESTION:
    case CAUSE.REQUESTED_CHAN_UNAVAIL:
    case CAUSE.RESOURCE_UNAVAIL_UNSPECIFIED:
    case CAUSE.RECOVERY_ON_TIMER_EXPIRE:
      return 'network-failure';
    default:
      return 'other';
  }
}

export function q850FromCause(cause: HangupCause): number {
  switch (cause) {
    case 'busy':
      return CAUSE.USER_BUSY;
    case 'no-answer':
      return CAUSE.NO_ANSWER;
    case 'rejected':
      return CAUSE.CALL_REJECTED;
    case 'network-failure':
      return CAUSE.NORMAL_TEMPORARY_FAILURE;
    case 'other':
      return CAUSE.NORMAL_UNSPECIFIED;
    default:
      return CAUSE.NORMAL_CLEARING;
  }
}

/** Q.931 §4.5.10 presentation indicator (bits 6-7 of octet 3a) → the interface's presentation. */
export function presentationOf(pres: number): Presentation {
  const r = pres & PRI_PRES_RESTRICTION;
  if (r === PRI_PRES_RESTRICTED) return 'restricted';
  if (r === PRI_PRES_UNAVAILABLE) return 'unavailable';
  return 'allowed';
}

/** T11: digits only with an optional leading '+'; null when withheld or empty. */
export function normaliseNumber(raw: string, presentation: Presentation): string | null {
  if (presentation !== 'allowed') return null;
  const plus = raw.trim().startsWith('+');
  const digits = raw.replace(/\D/g, '');
  if (!digits) return null;
  return plus ? `+${digits}` : digits;
}
