// kill -9 of a box process that exchanges with the 12345 simulator (issue 16 §4: the same exactly-once
// guarantees as the three-level network). What the box acknowledged survives; what it owed 12345 when it
// died (a department's reply to a 12345 order, queued while 12345 was down) is delivered after the restart,
// once; messages 12345 sends again are answered `duplicate`.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { strongPassword } from '../helpers/box.js';
import { Gov12345Sim, boxSectionFor } from '../sim/gov12345-sim.js';
import { type BoxProc, api, login, restartBox, startBox, stopBox, tempDir } from '../fixtures/network-fixture.js';
import { waitFor } from '../helpers/wait.js';

const secret = 'crash-test-shared-secret-0123456789abcdef';

async function as(b: BoxProc, cookie: string, method: string, p: string, body?: unknown) {
  const res = await fetch(b.url + p, { method, headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, json: (await res.json()) as any };
}

t.test('kill -9 between the acknowledgement and the forward loses nothing and doubles nothing', async (t) => {
  const sim = new Gov12345Sim({ account: '12328-623000', platformId: 'gannan-12345', secret });
  await sim.start();
  const dir = tempDir('gov12345-crash');
  // The key is kept in a file of the data directory, not in config.json (docs/12345.md §6).
  const section = boxSectionFor(sim);
  section.platforms[0]!.secret = 'file:gannan.key';
  fs.mkdirSync(path.join(dir, 'gov12345'));
  fs.writeFileSync(path.join(dir, 'gov12345', 'gannan.key'), `${secret}\n`);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ gov12345: section }));
  let box = await startBox({ role: 'city', region: '623000', dir });
  t.teardown(async () => {
    await sim.stop();
    await stopBox(box, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  sim.boxUrl = box.url;
  const dept = (await api(box, 'POST', '/api/departments', { name: '市出租汽车管理处' })).json as { id: number };
  t.equal((await api(box, 'POST', '/api/users', { username: 'taxi1', password: strongPassword, role: 'department', department: dept.id })).status, 201);

  // 1. 12345 sends an order; the box acknowledges it and is killed at once.
  const order = sim.message('order.transfer', { gdbh: 'GN-0001', sqlx: '03', bt: '出租车拒载', sqnr: '夜间在客运站拒载。', lxdh: '13900139001', xzqh: '623001' });
  const ack = await sim.send(order);
  t.same([ack.status, ack.body.status, ack.signed], [200, 'applied', true]);
  const number = ack.body.ticket as string;
  await stopBox(box, 'SIGKILL');
  box = await restartBox(box);
  const held = await api(box, 'GET', `/api/tickets/${number}`);
  t.same([held.status, held.json.channel, held.json.subject], [200, '12345', '出租车拒载'], 'the acknowledged order survived kill -9');
  const again = await sim.send(order);
  t.same([again.status, again.body.status], [200, 'duplicate'], 'sent again after the crash: not a second ticket');
  t.equal((await api(box, 'GET', '/api/tickets')).json.total, 1);

  // 2. 12345 goes down; the department replies (the result is queued, not forwarded); the box is killed.
  await sim.stop();
  await api(box, 'POST', `/api/tickets/${number}/actions`, { action: 'dispatch', department: dept.id });
  const taxi = await login(box, 'taxi1', strongPassword);
  t.equal((await as(box, taxi, 'POST', `/api/tickets/${number}/actions`, { action: 'accept' })).status, 200);
  t.equal((await as(box, taxi, 'POST', `/api/tickets/${number}/actions`, { action: 'reply', text: '已约谈驾驶员并处罚。' })).status, 200);
  const waiting = await api(box, 'GET', '/api/gov12345/status');
  t.equal(waiting.json.outbox.waiting, 1, 'the result waits in the outbox while 12345 is down');
  await stopBox(box, 'SIGKILL');

  // 3. 12345 comes back, then the box: the result is delivered once, from the restarted box's outbox.
  await sim.start();
  box = await restartBox(box);
  await sim.waitFor(() => sim.received.length === 1);
  const result = sim.received[0]!;
  t.same([result.kind, result.order.gdbh, result.order.bljg], ['order.result', 'GN-0001', '已约谈驾驶员并处罚。']);
  const status = async () => (await api(box, 'GET', '/api/gov12345/status')).json.outbox.waiting as number;
  await waitFor('the result marked delivered', async () => (await status()) === 0);
  t.equal(sim.received.length, 1, 'delivered once');
});
