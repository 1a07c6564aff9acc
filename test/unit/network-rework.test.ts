// Rectification across boxes (差评整改): after the origin's unsatisfied return visit, the handling box's
// reworked reply must reach the origin's copy, which waits in 'visited'.
import t from 'tap';
import { AppError } from '../../firmware-agent/errors.js';
import { type TicketState, planPeer } from '../../firmware-agent/tickets/workflow.js';

const state = (status: TicketState['status'], satisfaction: TicketState['satisfaction'] = null): TicketState => ({ status, departmentId: null, satisfaction, answered: false });

t.test('a peer result applies while the origin waits for the first reply and after an unsatisfied visit', async (t) => {
  for (const s of ['received', 'returned', 'dispatched', 'accepted', 'replied'] as const) t.equal(planPeer(state(s), 'result'), 'replied', `from ${s}`);
  t.equal(planPeer(state('visited', 'unsatisfied'), 'result'), 'replied', 'the reworked reply reaches the copy waiting for rectification');
});

t.test('a peer result never reopens a finished ticket', async (t) => {
  for (const s of ['closed', 'archived', 'merged'] as const) {
    t.throws(() => planPeer(state(s, 'satisfied'), 'result'), AppError, `not from ${s}`);
  }
});

t.test('the handling box takes the second visit after its reworked reply', async (t) => {
  t.equal(planPeer(state('replied'), 'visit', { satisfaction: 'unsatisfied' }), 'visited');
  t.equal(planPeer(state('replied', 'unsatisfied'), 'visit', { satisfaction: 'satisfied' }), 'closed', 'after rework a satisfied visit closes it');
});
