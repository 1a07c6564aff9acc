// Overdue escalation (督办) over the HTTP API: supervisors and admins escalate a ticket a department holds,
// with a note and an optional new due date; the status stays; the department sees the escalation on the
// ticket; every escalation is an audit record; other roles and other statuses are refused.
import t from 'tap';
import { complaint, staff, startTestBox } from '../helpers/box.js';

t.test('a supervisor escalates a dispatched ticket; the department sees it; the audit keeps it', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const n = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  const act = (c: typeof s.agent, body: Record<string, unknown>) => c.post(`/api/tickets/${n}/actions`, body);

  let r = await act(s.supervisor, { action: 'escalate', note: '尽快处理' });
  t.equal(r.statusCode, 409, 'a ticket no department holds cannot be escalated');
  t.equal(r.json().error.code, 'illegal-transition');

  t.equal((await act(s.agent, { action: 'dispatch', department: s.dept.id })).statusCode, 200);
  const before = (await s.supervisor.get(`/api/tickets/${n}`)).json();
  t.equal(before.escalation, null, 'not escalated yet');

  r = await act(s.agent, { action: 'escalate', note: '催办' });
  t.equal(r.statusCode, 403, 'an agent may not escalate');
  t.equal(r.json().error.code, 'forbidden-role');
  r = await act(s.taxi, { action: 'escalate' });
  t.equal(r.json().error.code, 'forbidden-role', 'nor the department itself');

  r = await act(s.supervisor, { action: 'escalate', dueAt: '2000-01-01T00:00:00Z' });
  t.equal(r.statusCode, 422, 'a new due date in the past is refused');
  t.equal(r.json().error.code, 'due-date-invalid');
  r = await act(s.supervisor, { action: 'escalate', into: n });
  t.equal(r.statusCode, 400, 'fields of other actions are not silently taken');

  const newDue = new Date(Date.now() + 3 * 86400_000).toISOString();
  r = await act(s.supervisor, { action: 'escalate', note: '已超期，请今日内回复', dueAt: newDue });
  t.equal(r.statusCode, 200);
  t.equal(r.json().status, 'dispatched', 'the status stays');
  t.equal(r.json().dueAt, newDue, 'the new due date replaces the old');
  t.equal(r.json().escalation.note, '已超期，请今日内回复');

  const inbox = (await s.taxi.get('/api/tickets?status=dispatched')).json().items as { number: string; escalation: { note: string } | null }[];
  t.equal(inbox.find((i) => i.number === n)?.escalation?.note, '已超期，请今日内回复', 'the department’s inbox carries the escalation');

  t.equal((await act(s.taxi, { action: 'accept' })).statusCode, 200);
  r = await tb.admin.post(`/api/tickets/${n}/actions`, { action: 'escalate', note: '再次督办' });
  t.equal(r.statusCode, 200, 'an admin escalates an accepted ticket');
  t.equal(r.json().status, 'accepted');

  const audit = (await s.supervisor.get(`/api/tickets/${n}/audit`)).json().items as { action: string; actor: { name: string }; note: string | null; data: Record<string, unknown> | null; fromStatus: string; toStatus: string }[];
  const escalations = audit.filter((a) => a.action === 'escalate');
  t.same(escalations.map((a) => [a.actor.name, a.note, a.fromStatus, a.toStatus]), [
    ['super1', '已超期，请今日内回复', 'dispatched', 'dispatched'],
    ['admin', '再次督办', 'accepted', 'accepted'],
  ], 'every escalation is audited with who, the note and the status');
  t.equal(escalations[0]!.data?.dueAt, newDue, 'the audit keeps the new due date');
  t.equal(escalations[0]!.data?.previousDueAt, before.dueAt, 'and the one it replaced');

  t.equal((await act(s.supervisor, { action: 'dispatch', department: s.other.id })).statusCode, 200);
  t.equal((await s.supervisor.get(`/api/tickets/${n}`)).json().escalation, null, 'a re-dispatch to another department clears it');
});
