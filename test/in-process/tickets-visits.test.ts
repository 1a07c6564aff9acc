// The return-visit worklist (回访, GET /api/tickets?awaitingVisit=true): replied tickets and tickets answered
// at once (即时答复) that have not been visited; a visited one leaves the list.
import t from 'tap';
import { complaint, staff, startTestBox } from '../helpers/box.js';

t.test('answered-at-once tickets wait for a visit next to replied ones', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const inquiry = { ...complaint, type: 'inquiry', subtype: undefined, subject: '出租车起步价多少', description: '询问市区出租车起步价' };
  delete (inquiry as { subtype?: string }).subtype;
  const answered = (await s.agent.post('/api/tickets', inquiry)).json().number as string;
  t.equal((await s.agent.post(`/api/tickets/${answered}/actions`, { action: 'answer', text: '起步价8元（3公里）。' })).statusCode, 200);
  const replied = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  await s.agent.post(`/api/tickets/${replied}/actions`, { action: 'dispatch', department: s.dept.id });
  await s.taxi.post(`/api/tickets/${replied}/actions`, { action: 'accept' });
  await s.taxi.post(`/api/tickets/${replied}/actions`, { action: 'reply', text: '已处理。' });
  const open = (await s.agent.post('/api/tickets', complaint)).json().number as string;

  const list = async () => ((await s.agent.get('/api/tickets?awaitingVisit=true')).json().items as { number: string }[]).map((i) => i.number).sort();
  t.same(await list(), [answered, replied].sort(), 'both wait for a visit; an open ticket does not');
  t.notOk((await list()).includes(open));
  t.equal((await s.agent.post(`/api/tickets/${answered}/actions`, { action: 'visit', satisfaction: 'neutral' })).json().status, 'closed');
  t.same(await list(), [replied], 'a visited immediate answer leaves the worklist');
});
