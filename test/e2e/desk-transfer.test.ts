// The agent desk's one-action transfer in a real browser: a simulated caller is talking to the agent on
// demo station 8001, the agent clicks 铁路 12306, the caller reaches 12306, the pop shows the call over and
// the agent is in wrap-up; F4 ends wrap-up and enters it again by hand.
import t from 'tap';
import { callCenterOf } from '../../firmware-agent/calls/install.js';
import { launch, login, newPage, seedUsers, shot, startBox } from './helpers.js';

t.test('an agent transfers the caller to 12306 with one click and is put in wrap-up', async (t) => {
  const tb = await startBox();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  await seedUsers(tb);
  const center = callCenterOf(tb.box)!;
  const agent = await newPage(browser, tb.url);
  await login(agent, 'agent1');
  await agent.goto('/desk');
  await agent.waitForSelector('#live.up');
  await agent.fill('#station', '8001');
  await agent.keyboard.press('F2');
  await agent.waitForSelector('#agent-state[data-state="ready"]');

  const connected = new Promise<string>((resolve) => center.events.subscribe((e) => e.type === 'call.connected' && resolve(e.callId)));
  // A first-time caller from a Lanzhou landline: the home area comes from the area code 0931.
  const call = tb.admin('POST', '/api/simulator/call', { from: '09318123456', digits: '0', timeoutS: 30 });
  await agent.waitForSelector('#pop-caller');
  await agent.waitForSelector('#pop-area >> text=甘肃省兰州市');
  t.pass('a first-time caller’s pop shows the home area of the number (0931 → 兰州)');
  const callId = await connected; // the demo station answers after 3 s
  t.equal(await agent.getAttribute('#call-pop', 'data-call'), callId, 'the pop is the connected call');

  await agent.click('#transfer-12306');
  // The answer to the click and the call's end on the event stream may come in either order: wait for both.
  await agent.waitForSelector('#desk .notice:has-text("转接 12306"), #desk .error');
  t.equal(await agent.locator('#desk .error').count(), 0, `no error (the route exists): ${await agent.locator('#desk .error').allTextContents()}`);
  t.pass('the desk confirms the transfer');
  await agent.waitForSelector('#call-pop.ended');
  await agent.waitForSelector('#agent-state[data-state="wrap-up"]');
  t.equal((await agent.textContent('#agent-state'))?.trim(), '话后整理', 'the agent is in wrap-up');
  t.ok(await agent.isDisabled('#transfer-12395'), 'no second transfer of a call that has left');
  await shot(agent, '09-desk-transferred');
  const result = (await call).body as { transferredTo: string; outcome: string };
  t.equal(result.transferredTo, '12306', 'the caller reached 12306');
  t.equal(result.outcome, 'transferred');

  await agent.keyboard.press('F4');
  await agent.waitForSelector('#agent-state[data-state="ready"]');
  t.pass('F4 ends wrap-up');
  await agent.keyboard.press('F4');
  await agent.waitForSelector('#agent-state[data-state="wrap-up"]');
  t.pass('F4 enters wrap-up by hand');
});
