// The 12345 exchange against the 12345 simulator over real HTTP (issue 16 §4): a ticket sent to 12345 and its
// result coming back, closing the loop with the return visit; a work order received from 12345, handled by a
// department and answered, then visited by 12345; an outage of the 12345 side in between, with nothing lost
// and nothing doubled.
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { gov12345Of } from '../../firmware-agent/gov12345/install.js';
import { complaint, staff, startTestBox, tempDir } from '../helpers/box.js';
import { Gov12345Sim, boxSectionFor } from '../sim/gov12345-sim.js';
import { waitFor } from '../helpers/wait.js';

const secret = 'k'.repeat(16) + 'shared-secret-of-the-test-platform';

async function setup(t: Test) {
  const sim = new Gov12345Sim({ account: '12328-623000', platformId: 'gansu-12345', secret });
  await sim.start();
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ gov12345: boxSectionFor(sim) }));
  const tb = await startTestBox({ dataDir: dir });
  sim.boxUrl = await tb.box.listen();
  t.teardown(async () => {
    await sim.stop();
    await tb.close();
  });
  const s = await staff(tb);
  const { gov, sender } = gov12345Of.get(tb.box)!;
  const count = (sql: string) => (tb.box.db.prepare(sql).get() as { n: number }).n;
  return { sim, tb, s, gov, sender, count };
}

t.test('a ticket sent to 12345 comes back with its result and the return visit goes to 12345', async (t) => {
  const { sim, s } = await setup(t);
  const number = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  const stateOf = async (who = s.agent) => (await who.get(`/api/gov12345/tickets/${number}`)).json();
  const before = await stateOf();
  t.same([before.state, before.canTransfer, before.link, before.platforms], ['none', true, null, [{ id: 'gansu-12345', name: before.platforms[0].name }]], 'not sent yet, and may be');
  t.equal((await stateOf(s.supervisor)).canTransfer, true);
  const sent = await s.agent.post(`/api/gov12345/tickets/${number}/transfer`, { note: '属市场监管事项' });
  t.equal(sent.statusCode, 200, sent.body);
  t.equal(sent.json().status, 'dispatched');
  await sim.waitFor(() => sim.received.length === 1);
  const order = sim.received[0]!;
  t.equal(order.kind, 'order.transfer');
  t.equal(order.order.gdbh, number, 'the platform’s field names (configured mapping)');
  t.equal(order.order.sqlx, '03', 'complaint in the platform’s code table');
  t.equal(order.order.lxdh, complaint.caller.phone);
  t.match(order.order.sqnr, /属市场监管事项/);

  await waitFor('the transfer marked delivered', async () => (await stateOf()).state === 'transfer-delivered');
  const delivered = await stateOf();
  t.same([delivered.canTransfer, delivered.link.direction, delivered.link.remoteRef, delivered.sent.length, delivered.sent[0].kind], [false, 'out', number, 1, 'order.transfer'], 'the link and the message sent');
  t.ok(delivered.sent[0].deliveredAt, 'with its delivery time');
  const r = await sim.send(sim.message('order.result', { gdbh: number, bljg: '已责令涉事企业整改并退还多收费用。', cbdw: '市市场监管局' }));
  t.same([r.status, r.body.status, r.signed], [200, 'applied', true], 'the box acknowledges, signed');
  const replied = (await s.agent.get(`/api/tickets/${number}`)).json();
  t.equal(replied.status, 'replied');
  t.equal(replied.reply, '已责令涉事企业整改并退还多收费用。', 'the platform’s result is the ticket’s reply');

  const resulted = await stateOf();
  t.same([resulted.state, resulted.received.map((m: { kind: string }) => m.kind)], ['result-received', ['order.result']], 'the result received');
  t.equal((await s.agent.post(`/api/tickets/${number}/actions`, { action: 'visit', satisfaction: 'satisfied', note: '来电人满意' })).json().status, 'closed');
  await sim.waitFor(() => sim.received.length === 2);
  await waitFor('the visit marked delivered', async () => (await stateOf()).state === 'visit-delivered');
  t.same([sim.received[1]!.kind, sim.received[1]!.order.gdbh, sim.received[1]!.order.myd], ['order.visit', number, '1']);

  const trail = (await s.agent.get(`/api/tickets/${number}/audit`)).json() as { action: string; actor?: { name: string } }[] | { items: { action: string }[] };
  const actions = (Array.isArray(trail) ? trail : trail.items).map((a) => a.action);
  t.ok(actions.includes('transfer12345') && actions.includes('reply') && actions.includes('visit'), `audited: ${actions.join(', ')}`);
  // A report of wrongdoing (举报) is confidential: the reporter's phone and name do not leave the box.
  const report = (await s.agent.post('/api/tickets', { ...complaint, subtype: 'report', subject: '举报非法营运' })).json().number as string;
  await s.agent.post(`/api/gov12345/tickets/${report}/transfer`, {});
  await sim.waitFor(() => sim.received.length === 3);
  t.same([sim.received[2]!.order.gdbh, sim.received[2]!.order.lxdh, sim.received[2]!.order.lxr], [report, undefined, undefined], 'no reporter identity sent');
  const again = await sim.send(sim.message('order.result', { gdbh: '999999', bljg: 'x' }));
  t.same([again.status, (again.body.error as { code: string }).code], [404, 'gov12345-order-unknown']);
});

t.test('a work order from 12345 is handled by a department, answered, and visited by 12345', async (t) => {
  const { sim, s, count } = await setup(t);
  const m = sim.message('order.transfer', {
    gdbh: 'GS12345-20261204-0001',
    sqlx: '03',
    bt: '出租车绕路',
    sqnr: '从火车站到市政府，司机绕路多收费。',
    lxdh: '13900139000',
    lxr: '李女士',
    xzqh: '623001',
  });
  const r = await sim.send(m);
  t.same([r.status, r.body.status, r.signed], [200, 'applied', true], r.body as object);
  const number = r.body.ticket as string;
  const ticket = (await s.agent.get(`/api/tickets/${number}`)).json();
  t.same([ticket.channel, ticket.type, ticket.subject, ticket.caller.phone], ['12345', 'complaint', '出租车绕路', '13900139000']);

  const dup = await sim.send(m);
  t.same([dup.status, dup.body.status], [200, 'duplicate'], 'the same message id again changes nothing');
  const sameOrder = await sim.send({ ...m, id: 'another-id' });
  t.same([sameOrder.status, (sameOrder.body.error as { code: string }).code], [409, 'gov12345-order-exists']);
  t.equal(count("SELECT count(*) AS n FROM tickets WHERE channel = '12345'"), 1);

  await s.agent.post(`/api/tickets/${number}/actions`, { action: 'dispatch', department: s.dept.id });
  await s.taxi.post(`/api/tickets/${number}/actions`, { action: 'accept' });
  t.equal((await s.taxi.post(`/api/tickets/${number}/actions`, { action: 'reply', text: '经查属实，已对驾驶员处罚并退还多收车费。' })).statusCode, 200);
  await sim.waitFor(() => sim.received.length === 1);
  await waitFor('the result marked delivered', async () => (await s.taxi.get(`/api/gov12345/tickets/${number}`)).json().state === 'result-delivered');
  const own = (await s.taxi.get(`/api/gov12345/tickets/${number}`)).json();
  t.same([own.link.direction, own.link.remoteRef, own.canTransfer, own.received[0].kind], ['in', 'GS12345-20261204-0001', false, 'order.transfer'], 'the handling department sees its ticket’s exchange');
  const foreign = await s.bus.get(`/api/gov12345/tickets/${number}`);
  t.same([foreign.statusCode, foreign.json().error.code], [404, 'ticket-not-found'], 'another department does not');
  t.equal((await s.tech.get(`/api/gov12345/tickets/${number}`)).statusCode, 403, 'nor a technician');
  const result = sim.received[0]!;
  t.same([result.kind, result.order.gdbh, result.order.bljg, result.order.cbdw], ['order.result', 'GS12345-20261204-0001', '经查属实，已对驾驶员处罚并退还多收车费。', '市出租汽车管理处']);

  const v = await sim.send(sim.message('order.visit', { gdbh: 'GS12345-20261204-0001', myd: '3', hfsm: '市民认为处罚过轻' }));
  t.same([v.status, v.body.status], [200, 'applied']);
  const visited = (await s.agent.get(`/api/tickets/${number}`)).json();
  t.same([visited.status, visited.satisfaction], ['visited', 'unsatisfied'], '12345’s unsatisfied visit waits for rectification here');
  const bad = await sim.send(sim.message('order.visit', { gdbh: 'GS12345-20261204-0001', myd: '9' }));
  t.same([bad.status, (bad.body.error as { code: string }).code], [422, 'gov12345-code-unknown']);
});

t.test('an outage of 12345 in between: nothing lost, nothing doubled', async (t) => {
  const { sim, s, sender, count } = await setup(t);
  const first = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  await s.agent.post(`/api/gov12345/tickets/${first}/transfer`, {});
  await sim.waitFor(() => sim.received.length === 1);

  await sim.stop();
  const during: string[] = [];
  for (let i = 0; i < 3; i++) {
    const n = (await s.agent.post('/api/tickets', { ...complaint, subject: `停运期间 ${i}` })).json().number as string;
    t.equal((await s.agent.post(`/api/gov12345/tickets/${n}/transfer`, {})).statusCode, 200, 'the agent is not held up by the outage');
    during.push(n);
  }
  // The result of the first one arrives from 12345 while it cannot be reached back: the visit waits too.
  t.equal(count('SELECT count(*) AS n FROM gov12345_outbox WHERE delivered_at IS NULL'), 3, 'three waiting in the outbox');
  const waiting = (await s.agent.get(`/api/gov12345/tickets/${during[0]}`)).json();
  t.equal(waiting.state, 'transfer-queued', 'a ticket waiting in the outbox shows as queued');

  await sim.start();
  sender.retryNow();
  await sim.waitFor(() => sim.received.length === 4);
  const got = sim.received.map((m) => m.order.gdbh);
  t.same(got, [first, ...during], 'every order once, in the order they were sent');
  t.equal(new Set(sim.deliveries.filter((d) => d.status === 'applied').map((d) => d.id)).size, 4);
  await waitFor('the outbox marked delivered', () => count('SELECT count(*) AS n FROM gov12345_outbox WHERE delivered_at IS NULL') === 0);
  const status = (await s.supervisor.get('/api/gov12345/status')).json();
  t.same([status.platforms[0].id, status.outbox.waiting, status.outbox.rejected], ['gansu-12345', 0, 0], 'GET /api/gov12345/status');
  t.equal((await s.taxi.get('/api/gov12345/status')).statusCode, 403, 'not for a department');
  const byDept = await s.taxi.post(`/api/gov12345/tickets/${first}/transfer`, {});
  t.equal(byDept.json().error.code, 'forbidden-role', 'a department cannot send tickets to 12345');
  const resent = await sim.send(sim.message('order.result', { gdbh: during[0]!, bljg: '已办结' }, 'result-1'));
  t.equal(resent.body.status, 'applied');
  t.equal((await sim.send(sim.message('order.result', { gdbh: during[0]!, bljg: '已办结' }, 'result-1'))).body.status, 'duplicate');
  t.equal(count("SELECT count(*) AS n FROM audit WHERE entity = 'gov12345'"), 1, 'the repeat is not applied or audited twice');
});
