import t from 'tap';
import { complaint, staff, startTestBox } from '../helpers/box.js';

t.test('a complaint goes through the whole 12328 flow over the HTTP API alone', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);

  const created = await s.agent.post('/api/tickets', complaint);
  t.equal(created.statusCode, 201, 'agent receives a complaint');
  const ticket = created.json();
  t.match(ticket.number, /^623000\d{8}\d{5}$/, '19-digit number starting with the box region');
  t.equal(ticket.number.length, 19);
  t.equal(ticket.status, 'received');
  t.equal(ticket.regionName, '甘肃省甘南藏族自治州合作市');
  t.ok(ticket.dueAt, 'has a due date from the complaint limit');
  t.equal(ticket.deadline.state, 'on-time');

  const n = ticket.number;
  const act = (c: typeof s.agent, body: Record<string, unknown>) => c.post(`/api/tickets/${n}/actions`, body);

  let r = await act(s.agent, { action: 'dispatch', department: s.dept.id });
  t.equal(r.statusCode, 200, 'agent dispatches to the taxi office');
  t.equal(r.json().status, 'dispatched');
  t.equal(r.json().department.name, '市出租汽车管理处');

  const inbox = await s.taxi.get('/api/tickets?status=dispatched');
  t.equal(inbox.statusCode, 200);
  t.same(inbox.json().items.map((i: { number: string }) => i.number), [n], 'the department sees it in its inbox');
  t.equal(inbox.json().items[0].caller.phone, '13800138000', 'a non-confidential caller is visible to the department');

  r = await act(s.taxi, { action: 'accept' });
  t.equal(r.json().status, 'accepted', 'department accepts (签收)');
  r = await act(s.taxi, { action: 'reply', text: '经查属实，已对司机处以罚款并教育。' });
  t.equal(r.json().status, 'replied', 'department replies');
  t.equal(r.json().deadline.state, 'met');

  r = await act(s.supervisor, { action: 'visit', satisfaction: 'satisfied', note: '市民表示满意' });
  t.equal(r.statusCode, 200, 'supervisor records the return visit');
  t.equal(r.json().status, 'closed', 'a satisfied visit closes the ticket');
  t.equal(r.json().satisfaction, 'satisfied');

  r = await act(s.supervisor, { action: 'archive' });
  t.equal(r.json().status, 'archived');

  const audit = (await s.supervisor.get(`/api/tickets/${n}/audit`)).json().items as {
    action: string;
    actor: { name: string };
    fromStatus: string | null;
    toStatus: string;
  }[];
  t.same(
    audit.map((a) => [a.action, a.actor.name, a.fromStatus, a.toStatus]),
    [
      ['create', 'agent1', null, 'received'],
      ['dispatch', 'agent1', 'received', 'dispatched'],
      ['accept', 'taxi1', 'dispatched', 'accepted'],
      ['reply', 'taxi1', 'accepted', 'replied'],
      ['visit', 'super1', 'replied', 'closed'],
      ['archive', 'super1', 'closed', 'archived'],
    ],
    'the audit trail shows every step with who did it',
  );
});

t.test('an inquiry answered at once closes, and its satisfaction can still be recorded', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const r = await s.agent.post('/api/tickets', {
    ...complaint,
    type: 'inquiry',
    subtype: undefined,
    subject: '网约车合规查询',
    description: '如何查询网约车是否有运输证？',
  });
  const n = r.json().number;
  let a = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'answer', text: '可通过“交通运输部网约车监管信息交互平台”查询。' });
  t.equal(a.json().status, 'closed');
  t.equal(a.json().answer, '可通过“交通运输部网约车监管信息交互平台”查询。');
  a = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'visit', satisfaction: 'neutral' });
  t.equal(a.statusCode, 200);
  t.equal(a.json().status, 'closed');
  t.equal(a.json().satisfaction, 'neutral');
  a = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'visit', satisfaction: 'satisfied' });
  t.equal(a.statusCode, 409, 'a second visit is refused');
});

t.test('an unsatisfied visit is reopened for rectification (差评整改) and goes back to the department', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const n = (await s.agent.post('/api/tickets', complaint)).json().number;
  const act = (c: typeof s.agent, body: Record<string, unknown>) => c.post(`/api/tickets/${n}/actions`, body);
  await act(s.agent, { action: 'dispatch', department: s.dept.id });
  await act(s.taxi, { action: 'accept' });
  await act(s.taxi, { action: 'reply', text: '已处理' });
  let r = await act(s.agent, { action: 'visit', satisfaction: 'unsatisfied', note: '未见处理结果' });
  t.equal(r.json().status, 'visited');
  r = await act(s.agent, { action: 'reopen' });
  t.equal(r.statusCode, 403, 'an agent may not reopen');
  t.equal(r.json().error.code, 'forbidden-role');
  r = await act(s.supervisor, { action: 'reopen', note: '差评整改' });
  t.equal(r.json().status, 'dispatched');
  t.equal(r.json().reopenCount, 1);
  t.equal(r.json().reply, null);
  r = await act(s.taxi, { action: 'accept' });
  t.equal(r.json().status, 'accepted', 'the department handles it again');
});

t.test('a department sends a ticket back and the centre re-dispatches it', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const n = (await s.agent.post('/api/tickets', complaint)).json().number;
  await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch', department: s.other.id });
  let r = await s.bus.post(`/api/tickets/${n}/actions`, { action: 'return', reason: '不属于公交集团职责，应转出租汽车管理处' });
  t.equal(r.json().status, 'returned');
  r = await s.bus.get(`/api/tickets/${n}`);
  t.equal(r.statusCode, 404, 'the department no longer sees it (to it, the ticket is not there)');
  r = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch', department: s.dept.id, dueAt: new Date(Date.now() + 3 * 86400_000).toISOString() });
  t.equal(r.json().status, 'dispatched');
  t.equal(r.json().department.id, s.dept.id);
  const audit = (await s.agent.get(`/api/tickets/${n}/audit`)).json().items;
  t.equal(audit[2].note, '不属于公交集团职责，应转出租汽车管理处', 'the reason is in the audit trail');
});

t.test('a duplicate is merged into the original', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const a = (await s.agent.post('/api/tickets', complaint)).json().number;
  const b = (await s.agent.post('/api/tickets', complaint)).json().number;
  t.not(a, b);
  let r = await s.agent.post(`/api/tickets/${b}/actions`, { action: 'merge', into: b });
  t.equal(r.statusCode, 409, 'not into itself');
  t.equal(r.json().error.code, 'merge-target-invalid');
  r = await s.agent.post(`/api/tickets/${b}/actions`, { action: 'merge', into: a });
  t.equal(r.json().status, 'merged');
  t.equal(r.json().mergedInto, a);
  const trail = (await s.agent.get(`/api/tickets/${a}/audit`)).json().items;
  t.equal(trail.at(-1).action, 'merge-in', 'the original records the merge');
  r = await s.agent.post(`/api/tickets/${a}/actions`, { action: 'merge', into: b });
  t.equal(r.statusCode, 409, 'nothing merges into a merged ticket');
});

t.test('a confidential report hides the reporter from the department but not from the centre', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const r = await s.agent.post('/api/tickets', { ...complaint, subtype: 'report', subject: '举报黑车', description: '汽车站附近有黑车长期非法营运。' });
  t.equal(r.json().confidential, true, 'a report (举报) is confidential by default');
  const n = r.json().number;
  await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch', department: s.dept.id });
  const seen = (await s.taxi.get(`/api/tickets/${n}`)).json();
  t.equal(seen.caller.phone, null);
  t.equal(seen.caller.name, null);
  t.equal(seen.caller.hidden, true);
  const list = (await s.taxi.get('/api/tickets')).json();
  t.equal(list.items[0].caller.phone, null, 'hidden in lists too');
  const accepted = (await s.taxi.post(`/api/tickets/${n}/actions`, { action: 'accept' })).json();
  t.equal(accepted.caller.phone, null, 'and in action answers');
  t.equal((await s.supervisor.get(`/api/tickets/${n}`)).json().caller.phone, '13800138000', 'the centre sees the reporter');
});

t.test('lists filter by status, type, overdue and search Chinese words', async (t) => {
  let now = new Date('2026-11-30T02:00:00Z'); // Monday 10:00 China time
  const tb = await startTestBox({ now: () => now });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const mk = (subject: string, description: string, type = 'complaint') =>
    s.agent.post('/api/tickets', { ...complaint, type, subtype: type === 'complaint' ? 'complaint' : undefined, subject, description });
  const a = (await mk('出租车拒载', '司机拒载乘客')).json().number;
  const b = (await mk('公交车晚点', '12路公交车经常晚点半小时', 'suggestion')).json().number;
  const c = (await mk('网约车绕路', '网约车司机故意绕路多收费')).json().number;
  await s.agent.post(`/api/tickets/${c}/actions`, { action: 'dispatch', department: s.dept.id, dueAt: '2026-11-30T06:00:00Z' });

  const q = async (query: string) => ((await s.agent.get(`/api/tickets?${query}`)).json().items as { number: string }[]).map((i) => i.number);
  t.same(await q('q=拒载'), [a], 'a two-character word finds its ticket');
  t.same(await q(`q=${encodeURIComponent('出租')}`), [a], 'a word prefix finds 出租车');
  t.same(await q('q=绕路 多收费'), [c], 'several words are all required');
  t.same(await q('q=地铁'), [], 'no match, no result');
  t.same(await q('type=suggestion'), [b]);
  t.same(await q('status=dispatched'), [c]);
  t.same(await q('status=received&status=dispatched'), [c, b, a], 'newest first');
  t.same(await q('overdue=true'), []);
  now = new Date('2026-11-30T07:00:00Z');
  t.same(await q('overdue=true'), [c], 'past its due date the dispatched ticket is overdue');
  t.equal((await s.agent.get(`/api/tickets/${c}`)).json().deadline.state, 'overdue');
  const page = (await s.agent.get('/api/tickets?pageSize=2&page=2')).json();
  t.equal(page.total, 3);
  t.equal(page.items.length, 1, 'pages');
});
