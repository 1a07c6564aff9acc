// Live updates over the box's event stream survive a box restart: the page shows the stream down, then
// reconnects by itself and follows changes made after the restart, without a reload. Also the language
// switch (Simplified Chinese by default, English on demand). The Live indicator covers the calls stream as
// well, and after the calls stream reconnects the desk and the wallboard re-fetch agent states and the queue.
import type { Route } from 'playwright-core';
import t from 'tap';
import { launch, login, newPage, seedUsers, shot, startBox } from './helpers.js';

t.test('the department inbox reconnects after a box restart and updates live', async (t) => {
  let tb = await startBox();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  const { departmentId } = await seedUsers(tb);
  const page = await newPage(browser, tb.url);
  await login(page, 'dept1');
  t.match(await page.textContent('header nav'), /部门待办/, 'Chinese by default');
  await page.click('#lang');
  await page.waitForSelector('header nav >> text=Department inbox');
  t.pass('English after the switch');
  await page.click('#lang');
  await page.waitForSelector('header nav >> text=部门待办');
  await page.click('a[href="/inbox"]');
  await page.waitForSelector('#live.up');

  // Restart the box on the same port and data directory (the session survives in SQLite).
  const { dir, port } = tb;
  await tb.box.close();
  await page.waitForSelector('#live.down');
  t.pass('the page shows the stream is down');
  tb = await startBox({ dir, port });
  await page.waitForSelector('#live.up', { timeout: 20000 });
  t.pass('the stream reconnected by itself');

  const tk = await tb.admin('POST', '/api/tickets', {
    type: 'complaint', domain: 'bus', channel: 'phone', region: '623001', caller: { phone: '13800001111' },
    subject: '公交车甩站不停靠', description: '3路公交在民族商场站未停靠',
  });
  await tb.admin('POST', `/api/tickets/${tk.body.number}/actions`, { action: 'dispatch', department: departmentId });
  await page.waitForSelector(`#inbox tr[data-number="${tk.body.number}"]`);
  t.pass('a ticket dispatched after the restart appears without a reload');
});

t.test('after the calls stream reconnects, the desk and the wallboard show what changed while it was down', async (t) => {
  let tb = await startBox();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  const { departmentId } = await seedUsers(tb);
  const agent = await newPage(browser, tb.url);
  await login(agent, 'agent1');
  await agent.goto('/desk');
  await agent.waitForSelector('#live.up');
  await agent.fill('#station', '8001');
  await agent.keyboard.press('F2');
  await agent.waitForSelector('#agent-state[data-state="ready"]');
  const sup = await newPage(browser, tb.url);
  await login(sup, 'super1');
  await sup.goto('/wallboard');
  await sup.waitForSelector('#live.up');
  await sup.waitForSelector('#wb-states >> text=就绪: 1');
  t.equal((await sup.textContent('#wb-duesoon'))?.trim(), '0');

  // Hold both pages' calls stream (/api/events) across the restart; the UI stream may reconnect.
  const held: Route[] = [];
  for (const p of [agent, sup]) await p.route('**/api/events', (r) => void held.push(r));
  const { dir, port } = tb;
  await tb.box.close();
  await sup.waitForSelector('#live.down');
  tb = await startBox({ dir, port });

  // While the calls stream is held, the agent is put on break: its agent.state event reaches no page.
  const agentId = (await tb.admin('GET', '/api/users')).body.items.find((u: { username: string }) => u.username === 'agent1').id;
  t.equal((await tb.admin('PUT', `/api/agents/${agentId}/state`, { state: 'break' })).status, 200, 'the agent is put on break while the pages are disconnected');

  // The UI stream is back (a ticket due soon shows on the wallboard), yet Live stays down: calls are not.
  const tk = await tb.admin('POST', '/api/tickets', {
    type: 'complaint', domain: 'bus', channel: 'phone', region: '623001', caller: { phone: '13800001111' },
    subject: '公交车甩站不停靠', description: '3路公交在民族商场站未停靠',
  });
  await tb.admin('POST', `/api/tickets/${tk.body.number}/actions`, { action: 'dispatch', department: departmentId, dueAt: new Date(Date.now() + 3600_000).toISOString() });
  await sup.waitForSelector('#wb-duesoon >> text=1', { timeout: 20000 });
  t.ok(await sup.isVisible('#live.down'), 'Live is down while the calls stream is');
  t.equal(await agent.getAttribute('#agent-state', 'data-state'), 'ready', 'the desk has not heard of the break yet');

  // Let the calls stream through: both pages reconnect and re-fetch.
  for (const p of [agent, sup]) await p.unroute('**/api/events');
  for (const r of held.splice(0)) await r.abort().catch(() => undefined);
  await agent.waitForSelector('#live.up', { timeout: 30000 });
  await agent.waitForSelector('#agent-state[data-state="break"]');
  t.pass('the desk re-fetched the agent state after the reconnect');
  await sup.waitForSelector('#live.up', { timeout: 30000 });
  await sup.waitForSelector('#wb-states >> text=小休: 1');
  t.pass('the wallboard re-fetched agent states after the reconnect');
  t.equal((await sup.textContent('#wb-longest'))?.trim(), '0s', 'no caller waiting');
  await shot(sup, '32-wallboard-after-reconnect');
});
