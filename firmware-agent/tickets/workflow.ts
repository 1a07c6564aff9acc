// The 12328 work-order flow (JT/T 1019.1: 统一受理 → 分类转办 → 适时跟踪 → 回复反馈 → 业务办结 → 抽查回访 → 工单归档)
// as a pure transition table: given a ticket's state, an action and who asks, say what may happen.
// The service applies the answer in one transaction; an illegal transition changes nothing.
import { AppError } from '../errors.js';
import type { Actor } from '../accounts/actor.js';
import type { ReviewOutcome, Satisfaction, TicketAction, TicketStatus } from './codes.js';


export interface TicketState {
  status: TicketStatus;
  departmentId: number | null;
  satisfaction: Satisfaction | null;
  answered: boolean; // closed by an immediate answer (即时答复)
  /**
   * 复核: a complaint or report whose current result came from a department of this centre (dispatched here,
   * not transferred out, replied) — the tickets the centre reviews before closing (投诉举报类复核率).
   */
  complaintResult?: boolean;
  /** The latest review of the current result approved it. */
  reviewApproved?: boolean;
  /** Policy (tickets.complaintReviewRequired): such a complaint is visited or closed only after an approved review. */
  reviewRequired?: boolean;
}

const centre: readonly Actor['role'][] = ['admin', 'supervisor', 'agent', 'system'];
const supervisors: readonly Actor['role'][] = ['admin', 'supervisor', 'system'];
const department: readonly Actor['role'][] = ['department', 'system'];

interface Rule {
  from: readonly TicketStatus[];
  roles: readonly Actor['role'][];
  /** Department actions are allowed only to users of the ticket's department. */
  ownDepartment?: boolean;
}

export const rules: Record<TicketAction, Rule> = {
  answer: { from: ['received', 'returned'], roles: centre },
  dispatch: { from: ['received', 'returned', 'dispatched', 'accepted'], roles: centre },
  accept: { from: ['dispatched'], roles: department, ownDepartment: true },
  return: { from: ['dispatched', 'accepted'], roles: department, ownDepartment: true },
  reply: { from: ['accepted'], roles: department, ownDepartment: true },
  visit: { from: ['replied', 'closed'], roles: centre },
  reopen: { from: ['visited', 'closed', 'replied'], roles: supervisors },
  close: { from: ['replied', 'visited'], roles: centre },
  archive: { from: ['closed'], roles: supervisors },
  merge: { from: ['received', 'returned', 'dispatched'], roles: centre },
  // 督办: a supervisor urges the department that holds the ticket; the status stays.
  escalate: { from: ['dispatched', 'accepted'], roles: supervisors },
  // 复核: the centre reviews a complaint's result; approved stays replied (for the visit), returned goes back
  // to the department.
  review: { from: ['replied'], roles: supervisors },
};

/**
 * Checks whether `actor` may apply `action` to a ticket in `state` and returns the status it leads to.
 * Throws AppError('forbidden-role' | 'ticket-not-in-department' | 'illegal-transition').
 */
export function plan(state: TicketState, action: TicketAction, actor: Actor, input: { satisfaction?: Satisfaction; outcome?: ReviewOutcome } = {}): TicketStatus {
  const rule = rules[action];
  if (!rule.roles.includes(actor.role)) {
    throw new AppError('forbidden-role', `role ${actor.role} may not ${action} a ticket`, { action, role: actor.role });
  }
  if (rule.ownDepartment && actor.role === 'department' && actor.departmentId !== state.departmentId) {
    throw new AppError('ticket-not-in-department');
  }
  // Re-dispatching a ticket a department already holds takes it away from that department: supervisors only.
  if (action === 'dispatch' && (state.status === 'dispatched' || state.status === 'accepted') && !supervisors.includes(actor.role)) {
    throw new AppError('forbidden-role', 'only a supervisor may re-dispatch a ticket a department holds', { action, role: actor.role });
  }
  const illegal = () =>
    new AppError('illegal-transition', `cannot ${action} a ticket that is ${state.status}`, { action, status: state.status });
  if (!rule.from.includes(state.status)) throw illegal();
  if ((action === 'visit' || action === 'close') && state.reviewRequired && state.complaintResult && !state.reviewApproved) {
    throw new AppError('ticket-review-required', `the result of this complaint must pass the centre's review before it can be ${action === 'visit' ? 'visited' : 'closed'}`, { action });
  }
  switch (action) {
    case 'answer':
      return 'closed';
    case 'dispatch':
      return 'dispatched';
    case 'accept':
      return 'accepted';
    case 'return':
      return 'returned';
    case 'reply':
      return 'replied';
    case 'visit':
      // A closed ticket takes a visit only when it was answered at once and not yet visited
      // (即时答复满意率 counts those); it stays closed.
      if (state.status === 'closed') {
        if (!state.answered || state.satisfaction !== null) throw illegal();
        return 'closed';
      }
      // A satisfied or neutral visit completes the ticket; an unsatisfied one waits for 差评整改 (reopen).
      return input.satisfaction === 'unsatisfied' ? 'visited' : 'closed';
    case 'reopen':
      // Only an unsatisfied visit, or a supervisor's own review of a finished ticket, reopens it.
      return state.departmentId !== null ? 'dispatched' : 'received';
    case 'close':
      return 'closed';
    case 'archive':
      return 'archived';
    case 'merge':
      return 'merged';
    case 'escalate':
      return state.status;
    case 'review':
      if (!state.complaintResult) throw new AppError('ticket-review-not-applicable');
      // Returned: the department holds the ticket again and replies anew (its due time stands).
      return input.outcome === 'returned' ? 'dispatched' : 'replied';
  }
}

/**
 * Changes another box makes to a ticket this box holds (actor role 'peer'; docs/exchange.md):
 * - 'result': the box that handled a transferred ticket answered or replied (again, after an unsatisfied
 *   visit); the origin's copy becomes replied so its agents can do the return visit (回访) and tell the caller.
 * - 'visit': the origin's return-visit outcome reaches the handling box, with the same outcome rule as a
 *   local visit.
 */
export function planPeer(state: TicketState, event: 'result' | 'visit', input: { satisfaction?: Satisfaction } = {}): TicketStatus {
  const illegal = () => new AppError('illegal-transition', `a peer ${event} cannot apply to a ticket that is ${state.status}`, { event, status: state.status });
  if (event === 'result') {
    // 'visited': the origin's unsatisfied return visit is waiting for rectification (差评整改) at the handling
    // box, whose reworked reply arrives as another result.
    if (!['received', 'returned', 'dispatched', 'accepted', 'replied', 'visited'].includes(state.status)) throw illegal();
    return 'replied';
  }
  if (state.status === 'closed' && state.satisfaction === null) return 'closed';
  if (state.status !== 'replied') throw illegal();
  return input.satisfaction === 'unsatisfied' ? 'visited' : 'closed';
}
