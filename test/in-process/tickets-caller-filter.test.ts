import t from 'tap';
import { complaint, staff, startTestBox } from '../helpers/box.js';

t.test('a department cannot confirm a confidential reporter by searching on the phone number', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const phone = '13912345678';
  const report = (
    await s.agent.post('/api/tickets', { ...complaint, subtype: 'report', caller: { phone }, subject: '举报黑车', description: '汽车站附近有黑车长期非法营运。' })
  ).json();
  t.equal(report.confidential, true, 'a report (举报) is confidential');
  const plain = (await s.agent.post('/api/tickets', { ...complaint, caller: { phone } })).json();
  t.equal(plain.confidential, false, 'an ordinary complaint from the same phone is not');
  for (const n of [report.number, plain.number]) {
    const r = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch', department: s.dept.id });
    t.equal(r.statusCode, 200);
  }

  const numbers = (body: { items: { number: string }[] }) => body.items.map((i) => i.number).sort();
  const all = (await s.taxi.get('/api/tickets')).json();
  t.same(numbers(all), [report.number, plain.number].sort(), 'the department handles both tickets');

  const byPhone = await s.taxi.get(`/api/tickets?caller=${phone}`);
  t.equal(byPhone.statusCode, 200);
  t.same(numbers(byPhone.json()), [plain.number], 'the caller filter matches only the ticket whose phone the department may see');
  t.equal(byPhone.json().total, 1, 'and the count does not give the confidential one away');

  const other = (await s.taxi.get('/api/tickets?caller=13000000000')).json();
  t.same(numbers(other), [], 'another phone matches nothing');

  const centre = (await s.supervisor.get(`/api/tickets?caller=${phone}`)).json();
  t.same(numbers(centre), [report.number, plain.number].sort(), 'the centre still finds both by the phone');
  const agent = (await s.agent.get(`/api/tickets?caller=${phone}`)).json();
  t.equal(agent.total, 2, 'so does an agent (a repeat caller is recognised)');
});
