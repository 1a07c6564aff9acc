// 复核 (issue 15): the centre reviews a complaint's result before it is closed — over the HTTP API. Who may
// review (supervisors, admins), what approved and returned do, the policy that a complaint cannot be visited
// or closed without an approved review (tickets.complaintReviewRequired), the audit trail, the report sent
// upward (ticket.report with the review in its snapshot, valid for the exchange), and fast-check over the
// review body: every answer is 200 or a documented code, never a 500, and the ticket's state stays coherent.
import fc from 'fast-check';
import t from 'tap';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { checkEnvelope, type Envelope, type ReportBody } from '../../firmware-agent/network/messages.js';
import { complaint, staff, startTestBox } from '../helpers/box.js';

t.test('a replied complaint is reviewed: returned goes back to the department, approved lets it be visited and closed', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const n = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  const act = (c: typeof s.agent, body: Record<string, unknown>) => c.post(`/api/tickets/${n}/actions`, body);
  const policy = (value: boolean) => tb.admin.put('/api/admin/config/tickets.complaintReviewRequired', { value });

  t.equal((await policy(true)).statusCode, 200, 'the policy is a setting');
  t.equal((await act(s.agent, { action: 'dispatch', department: s.dept.id })).statusCode, 200);
  let r = await act(s.supervisor, { action: 'review', outcome: 'approved' });
  t.equal(r.statusCode, 409, 'nothing to review before the department replied');
  t.equal(r.json().error.code, 'illegal-transition');
  t.equal((await act(s.taxi, { action: 'accept' })).statusCode, 200);
  t.equal((await act(s.taxi, { action: 'reply', text: '已约谈司机' })).statusCode, 200);

  const worklist = async (q: string) => ((await s.supervisor.get(`/api/tickets?${q}=true`)).json().items as { number: string }[]).some((i) => i.number === n);
  t.same([await worklist('awaitingReview'), await worklist('awaitingVisit')], [true, false], 'policy: in the review worklist, not yet in the visit worklist');
  r = await act(s.agent, { action: 'visit', satisfaction: 'satisfied' });
  t.equal(r.statusCode, 409, 'policy: no visit before an approved review');
  t.equal(r.json().error.code, 'ticket-review-required');
  r = await act(s.agent, { action: 'close' });
  t.equal(r.json().error.code, 'ticket-review-required', 'nor closing');

  for (const c of [s.agent, s.taxi]) t.equal((await act(c, { action: 'review', outcome: 'approved' })).json().error.code, 'forbidden-role', 'agents and departments do not review');
  t.equal((await act(s.supervisor, { action: 'review' })).statusCode, 400, 'an outcome is required');
  t.equal((await act(s.supervisor, { action: 'review', outcome: 'maybe' })).statusCode, 400, 'approved or returned only');
  t.equal((await act(s.supervisor, { action: 'review', outcome: 'approved', text: 'x' })).statusCode, 400, 'fields of other actions are not taken');
  t.equal((await act(s.supervisor, { action: 'close', outcome: 'approved' })).statusCode, 400, 'no other action takes an outcome');

  r = await act(s.supervisor, { action: 'review', outcome: 'returned', note: '答复未说明处理结果' });
  t.equal(r.statusCode, 200, r.body);
  t.same([r.json().status, r.json().department.id, r.json().reply, r.json().repliedAt, r.json().review.outcome, r.json().review.note], ['dispatched', s.dept.id, null, null, 'returned', '答复未说明处理结果'], 'returned: back to the department, its reply no longer stands');
  const inbox = (await s.taxi.get('/api/tickets?status=dispatched')).json().items as { number: string; review: { note: string } | null }[];
  t.equal(inbox.find((i) => i.number === n)?.review?.note, '答复未说明处理结果', 'the department sees why');

  t.equal((await act(s.taxi, { action: 'accept' })).statusCode, 200);
  r = await act(s.taxi, { action: 'reply', text: '已处罚并退还车费' });
  t.equal(r.json().review, null, 'a new result waits for its own review');
  t.equal((await act(s.agent, { action: 'visit', satisfaction: 'satisfied' })).json().error.code, 'ticket-review-required');
  r = await tb.admin.post(`/api/tickets/${n}/actions`, { action: 'review', outcome: 'approved', note: '处理到位' });
  t.equal(r.statusCode, 200, 'an admin reviews too');
  t.same([r.json().status, r.json().review.outcome], ['replied', 'approved']);
  t.same([await worklist('awaitingReview'), await worklist('awaitingVisit')], [false, true], 'approved: off the review worklist, on the visit worklist');
  r = await act(s.agent, { action: 'visit', satisfaction: 'satisfied' });
  t.equal(r.statusCode, 200, r.body);
  t.equal(r.json().status, 'closed');

  const audit = (await s.supervisor.get(`/api/tickets/${n}/audit`)).json().items as { action: string; actor: { name: string }; note: string | null; data: Record<string, unknown> | null; fromStatus: string; toStatus: string }[];
  t.same(
    audit.filter((a) => a.action === 'review').map((a) => [a.actor.name, a.fromStatus, a.toStatus, a.data?.outcome, a.note]),
    [
      ['super1', 'replied', 'dispatched', 'returned', '答复未说明处理结果'],
      ['admin', 'replied', 'replied', 'approved', '处理到位'],
    ],
    'each review is audited with who, the outcome and the comment',
  );

  // 上报: the review travels upward as a ticket.report whose snapshot carries it, and the exchange accepts it.
  const reports = (tb.box.db.prepare("SELECT envelope FROM net_outbox WHERE kind = 'ticket.report' AND ticket_id = (SELECT id FROM tickets WHERE number = ?) ORDER BY seq").all(n) as { envelope: string }[]).map(
    (row) => JSON.parse(row.envelope) as Envelope<ReportBody>,
  );
  const reviewed = reports.filter((e) => e.body.action === 'review');
  t.same(reviewed.map((e) => [e.body.ticket.status, e.body.ticket.review?.outcome]), [['dispatched', 'returned'], ['replied', 'approved']]);
  for (const e of reviewed) t.doesNotThrow(() => checkEnvelope(e), 'a valid ticket.report for the levels above');
  const forged = structuredClone(reviewed[0]!);
  (forged.body.ticket as unknown as { review: unknown }).review = { outcome: 'waved-through', at: forged.at };
  t.throws(() => checkEnvelope(forged), { code: 'exchange-body-invalid' }, 'an unknown review outcome is refused at the door');

  // Without the policy a complaint may be closed unreviewed; other types and unreplied tickets are not reviewed.
  t.equal((await policy(false)).statusCode, 200);
  const m = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  await s.agent.post(`/api/tickets/${m}/actions`, { action: 'dispatch', department: s.dept.id });
  await s.taxi.post(`/api/tickets/${m}/actions`, { action: 'accept' });
  await s.taxi.post(`/api/tickets/${m}/actions`, { action: 'reply', text: '已处理' });
  t.equal((await s.agent.post(`/api/tickets/${m}/actions`, { action: 'close' })).json().status, 'closed', 'policy off: closed without review');
  const q = (await s.agent.post('/api/tickets', { ...complaint, type: 'inquiry', subtype: undefined })).json().number as string;
  await s.agent.post(`/api/tickets/${q}/actions`, { action: 'dispatch', department: s.dept.id });
  await s.taxi.post(`/api/tickets/${q}/actions`, { action: 'accept' });
  await s.taxi.post(`/api/tickets/${q}/actions`, { action: 'reply', text: '已答复' });
  r = await s.supervisor.post(`/api/tickets/${q}/actions`, { action: 'review', outcome: 'approved' });
  t.equal(r.statusCode, 409);
  t.equal(r.json().error.code, 'ticket-review-not-applicable', 'only complaints and reports are reviewed');
});

t.test('fast-check: any review request answers 200 or a documented code, and the ticket stays coherent', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  await tb.admin.put('/api/admin/config/tickets.complaintReviewRequired', { value: true });
  const clients = { supervisor: s.supervisor, admin: tb.admin, agent: s.agent, taxi: s.taxi, tech: s.tech };
  const replied = async () => {
    const n = (await s.agent.post('/api/tickets', complaint)).json().number as string;
    await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch', department: s.dept.id });
    await s.taxi.post(`/api/tickets/${n}/actions`, { action: 'accept' });
    await s.taxi.post(`/api/tickets/${n}/actions`, { action: 'reply', text: '已处理' });
    return n;
  };
  let n = await replied();
  let applied = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...(Object.keys(clients) as (keyof typeof clients)[])),
      fc.oneof(
        // Mostly well-formed, so reviews are applied as well as refused.
        { weight: 4, arbitrary: fc.record({ outcome: fc.constantFrom('approved', 'returned'), note: fc.string({ maxLength: 40 }) }, { requiredKeys: ['outcome'] }) },
        {
          weight: 2,
          arbitrary: fc.record(
            {
              outcome: fc.oneof(fc.constantFrom('approved', 'returned'), fc.string({ maxLength: 12 }), fc.integer()),
              note: fc.oneof(fc.string({ maxLength: 40 }), fc.string({ minLength: 995, maxLength: 1005 }), fc.constant(null)),
              text: fc.string({ maxLength: 5 }),
              satisfaction: fc.constantFrom('satisfied', 'bad'),
            },
            { requiredKeys: [] },
          ),
        },
      ),
      async (who, extra) => {
        const before = (await s.supervisor.get(`/api/tickets/${n}`)).json();
        const r = await clients[who].post(`/api/tickets/${n}/actions`, { action: 'review', ...extra });
        t.not(r.statusCode, 500);
        const after = (await s.supervisor.get(`/api/tickets/${n}`)).json();
        if (r.statusCode === 200) {
          applied += 1;
          t.ok(who === 'supervisor' || who === 'admin', 'only supervisors and admins review');
          t.equal(after.review.outcome, extra.outcome);
          t.equal(after.status, extra.outcome === 'returned' ? 'dispatched' : 'replied');
          t.equal(after.repliedAt === null, extra.outcome === 'returned');
        } else {
          t.ok(errorCatalogue[r.json().error.code as keyof typeof errorCatalogue], `documented code ${r.json().error.code}`);
          t.same([after.status, after.version], [before.status, before.version], 'a refused review changes nothing');
        }
        const visit = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'visit', satisfaction: 'satisfied' });
        t.equal(visit.statusCode === 200, after.status === 'replied' && after.review?.outcome === 'approved', 'the visit passes exactly after an approved review');
        if (visit.statusCode === 200 || after.status !== 'replied') n = await replied();
      },
    ),
    { numRuns: 40 },
  );
  t.ok(applied > 0, `${applied} of 40 reviews applied`);
});
