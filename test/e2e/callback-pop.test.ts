// A callback task (回拨) pops on the agent desk like a call, with the home area of the number to call back.
import t from 'tap';
import { callCenterOf } from '../../firmware-agent/calls/install.js';
import { launch, login, newPage, seedUsers, startBox } from './helpers.js';

t.test('a callback pop shows the caller’s home area from the number', async (t) => {
  const tb = await startBox();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  await seedUsers(tb);
  const center = callCenterOf(tb.box)!;
  // The call the request came from: a Lanzhou landline that hung up in the menu.
  const call = await tb.admin('POST', '/api/simulator/call', { from: '09318765432', digits: '', timeoutS: 1 });
  t.equal(call.status, 200);
  // Test setup: the request the caller would have left after waiting past the maximum (see the calls
  // scenario tests for that path), placed directly in the callback queue.
  const now = Date.now();
  center.callbacks.create({ id: 'cb-e2e-1', callId: call.body.callId, caller: '09318765432', skill: null, ticketType: null, queuedAt: now, requestedAt: now });

  const agent = await newPage(browser, tb.url);
  await login(agent, 'agent1');
  await agent.goto('/desk');
  await agent.waitForSelector('#live.up');
  await agent.fill('#station', '8001');
  await agent.keyboard.press('F2');
  await agent.waitForSelector('#callback-done');
  t.equal((await agent.textContent('#pop-caller'))?.trim(), '09318765432', 'the callback task pops with the number');
  await agent.waitForSelector('#pop-area >> text=甘肃省兰州市');
  t.pass('the callback pop shows the home area of the number (0931 → 兰州)');
});
