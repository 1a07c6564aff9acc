import t from 'tap';
import { AppError } from '../../firmware-agent/errors.js';
import { actions, statuses, type TicketStatus } from '../../firmware-agent/tickets/codes.js';
import { plan, rules } from '../../firmware-agent/tickets/workflow.js';
import { type Actor } from '../../firmware-agent/accounts/actor.js';

const agent: Actor = { id: 1, name: 'a', role: 'agent' };
const supervisor: Actor = { id: 2, name: 's', role: 'supervisor' };
const dept: Actor = { id: 3, name: 'd', role: 'department', departmentId: 7 };
const otherDept: Actor = { id: 4, name: 'o', role: 'department', departmentId: 8 };
const tech: Actor = { id: 5, name: 't', role: 'technician' };
const state = (status: TicketStatus, extra: Partial<{ departmentId: number | null; answered: boolean; complaintResult: boolean; reviewApproved: boolean; reviewRequired: boolean }> = {}) => ({
  status,
  departmentId: extra.departmentId === undefined ? 7 : extra.departmentId,
  satisfaction: null,
  answered: extra.answered ?? false,
  complaintResult: extra.complaintResult ?? false,
  reviewApproved: extra.reviewApproved ?? false,
  reviewRequired: extra.reviewRequired ?? false,
});
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as AppError).code;
  }
};

t.test('every action is allowed exactly from its listed statuses', async (t) => {
  for (const action of actions) {
    const who = rules[action].roles.includes('department') ? dept : supervisor;
    for (const { code: status } of statuses) {
      const got = code(() => plan(state(status, { answered: true, complaintResult: true }), action, who, { satisfaction: 'satisfied' }));
      t.equal(got === 'ok', rules[action].from.includes(status), `${action} from ${status}: ${got}`);
    }
  }
});

t.test('the main path leads where JT/T 1019.1 says', async (t) => {
  t.equal(plan(state('received'), 'answer', agent), 'closed');
  t.equal(plan(state('received'), 'dispatch', agent), 'dispatched');
  t.equal(plan(state('dispatched'), 'accept', dept), 'accepted');
  t.equal(plan(state('accepted'), 'reply', dept), 'replied');
  t.equal(plan(state('replied'), 'visit', agent, { satisfaction: 'satisfied' }), 'closed');
  t.equal(plan(state('replied'), 'visit', agent, { satisfaction: 'unsatisfied' }), 'visited');
  t.equal(plan(state('visited'), 'reopen', supervisor), 'dispatched');
  t.equal(plan(state('closed', { departmentId: null }), 'reopen', supervisor), 'received');
  t.equal(plan(state('closed'), 'archive', supervisor), 'archived');
});

t.test('roles and departments are checked before the status', async (t) => {
  t.equal(code(() => plan(state('dispatched'), 'accept', otherDept)), 'ticket-not-in-department');
  t.equal(code(() => plan(state('dispatched'), 'accept', agent)), 'forbidden-role');
  t.equal(code(() => plan(state('received'), 'dispatch', dept)), 'forbidden-role');
  t.equal(code(() => plan(state('received'), 'dispatch', tech)), 'forbidden-role');
  t.equal(code(() => plan(state('accepted'), 'dispatch', agent)), 'forbidden-role', 'only supervisors take a ticket from a department');
  t.equal(plan(state('accepted'), 'dispatch', supervisor), 'dispatched');
  t.equal(code(() => plan(state('closed'), 'archive', agent)), 'forbidden-role');
});

t.test('a closed ticket takes a visit only when it was answered at once and not yet visited', async (t) => {
  t.equal(plan(state('closed', { answered: true }), 'visit', agent, { satisfaction: 'satisfied' }), 'closed');
  t.equal(code(() => plan(state('closed'), 'visit', agent, { satisfaction: 'satisfied' })), 'illegal-transition');
  t.equal(
    code(() => plan({ ...state('closed', { answered: true }), satisfaction: 'neutral' }, 'visit', agent, { satisfaction: 'satisfied' })),
    'illegal-transition',
  );
});

t.test('复核: supervisors review a complaint’s department result; the policy holds visit and close until approved', async (t) => {
  const result = state('replied', { complaintResult: true });
  t.equal(plan(result, 'review', supervisor, { outcome: 'approved' }), 'replied');
  t.equal(plan(result, 'review', supervisor, { outcome: 'returned' }), 'dispatched', 'returned: back to the department');
  t.equal(code(() => plan(result, 'review', agent, { outcome: 'approved' })), 'forbidden-role');
  t.equal(code(() => plan(result, 'review', dept, { outcome: 'approved' })), 'forbidden-role');
  t.equal(code(() => plan(state('replied'), 'review', supervisor, { outcome: 'approved' })), 'ticket-review-not-applicable', 'not a complaint a department here replied to');
  const held = state('replied', { complaintResult: true, reviewRequired: true });
  t.equal(code(() => plan(held, 'visit', agent, { satisfaction: 'satisfied' })), 'ticket-review-required');
  t.equal(code(() => plan(held, 'close', agent)), 'ticket-review-required');
  t.equal(plan({ ...held, reviewApproved: true }, 'visit', agent, { satisfaction: 'satisfied' }), 'closed');
  t.equal(plan(state('replied', { reviewRequired: true }), 'close', agent), 'closed', 'the policy is about complaints with a department result only');
  t.equal(plan(result, 'close', agent), 'closed', 'without the policy a complaint closes unreviewed');
});
