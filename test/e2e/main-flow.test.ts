// The main flow in a real browser: an agent logs in, goes ready, a simulated call pops with the
// caller's history, the agent searches the knowledge base, fills and dispatches a complaint; a department
// user (a second browser context) accepts and replies; a supervisor records the return visit and the ticket
// closes. Each step asserts what the page shows; screenshots go to test/artifacts/.
import t from 'tap';
import { callCenterOf } from '../../firmware-agent/calls/install.js';
import { waitFor } from '../helpers/wait.js';
import { launch, login, newPage, seedUsers, shot, startBox } from './helpers.js';

// Browser globals used inside page.evaluate (the root tsconfig has no DOM lib).
declare const window: any, document: any, MutationObserver: any;
type HTMLOptionElement = { value: string };

const caller = '13909411234';
const hostile = '出租车拒载 <script>window.__xss=1</script><img src=x onerror="window.__xss=2">';

t.test('agent → department → supervisor, in the browser', async (t) => {
  const tb = await startBox();
  const browser = await launch();
  // Browser first: its open event streams would hold the server's close.
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  await seedUsers(tb);
  // An earlier ticket from the same number, so the pop has history to show.
  const earlier = await tb.admin('POST', '/api/tickets', {
    type: 'inquiry', domain: 'taxi', channel: 'phone', region: '623001', caller: { phone: caller },
    subject: '上次咨询出租车起步价', description: '询问合作市出租车起步价',
  });
  t.equal(earlier.status, 201);

  let dialogs = 0;

  // 1. The agent logs in and goes ready on station 8001.
  const agent = await newPage(browser, tb.url);
  agent.on('dialog', (d) => (dialogs++, void d.dismiss()));
  await login(agent, 'agent1');
  t.match(await agent.textContent('#home'), /坐席工作台/, 'agent home shows the desk tile');
  await agent.click('a[href="/desk"]');
  await agent.waitForSelector('#desk');
  await agent.waitForSelector('#live.up');
  await agent.fill('#station', '8001');
  await agent.keyboard.press('F2');
  await agent.waitForSelector('#agent-state[data-state="ready"]');
  t.equal((await agent.textContent('#agent-state'))?.trim(), '就绪', 'F2 puts the agent in ready, shown in Chinese');
  await shot(agent, '01-desk-ready');

  // 2. A simulated call arrives (menu 2: complaint queue) and pops with the caller's history.
  const center = callCenterOf(tb.box);
  t.ok(center, 'the calls subsystem is installed');
  let offeredAt = 0;
  center!.events.subscribe((e) => {
    if (e.type === 'call.offered') offeredAt = Date.now();
  });
  await agent.evaluate(() => {
    const w = window as unknown as { __popAt?: number };
    new MutationObserver((_: unknown, obs: { disconnect(): void }) => {
      if (document.querySelector('#pop-caller')) {
        w.__popAt = Date.now();
        obs.disconnect();
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  // The caller stays on the line until the ticket is filed and shows the call, then hangs up (the job is
  // cancelled): the recording is complete once the job has ended.
  const call = await tb.admin('POST', '/api/simulator/call', { from: caller, digits: '2', timeoutS: 60 }, { prefer: 'respond-async' });
  t.equal(call.status, 202, 'the simulated call runs as a job');
  await agent.waitForSelector('#pop-caller');
  const popAt = await agent.evaluate(() => (window as unknown as { __popAt: number }).__popAt);
  const latency = popAt - offeredAt;
  // Reported, not asserted: a timing limit in a functional test flakes on a loaded machine (performance
  // belongs in `npm run bench`; the target is under 300 ms).
  t.ok(offeredAt > 0, 'the box offered the call to the agent');
  t.comment(`call event → pop on screen: ${latency} ms (target < 300)`);
  t.equal((await agent.textContent('#pop-caller'))?.trim(), caller, 'the pop shows the caller number');
  await agent.waitForSelector('#pop-tickets >> text=上次咨询出租车起步价');
  await agent.waitForSelector('#pop-area >> text=甘肃省甘南藏族自治州');
  t.pass('the home area comes from the caller’s mobile number block (139 0941)');
  t.equal(await agent.inputValue('#f-phone'), caller, 'the form is prefilled with the caller');
  await shot(agent, '02-call-pop');

  // 3. Knowledge-base search as the agent types.
  await agent.fill('#kb-search', '拒载');
  await agent.waitForSelector('#kb-hits li');
  t.match(await agent.textContent('#kb-hits li:first-child'), /拒载/, 'the best hit is about 拒载');
  await agent.click('#kb-hits li:first-child .kb-title');
  await agent.waitForSelector('#kb-article');
  await agent.click('#btn-cite');
  await agent.waitForSelector('#cited');

  // 4. Fill and dispatch the complaint (text with HTML and script in it).
  await agent.selectOption('#f-domain', 'taxi');
  await agent.fill('#f-subject', hostile);
  await agent.fill('#f-description', '乘客在火车站排队上车，驾驶员以路程太近为由拒载。<b>粗体</b>');
  await agent.fill('#f-location', '合作市火车站出租车候客区');
  await agent.fill('#f-plate', '甘P·T1234');
  const deptValue = await agent.$eval('#f-department option:nth-child(2)', (o) => (o as HTMLOptionElement).value);
  await agent.selectOption('#f-department', deptValue);
  await shot(agent, '03a-before-dispatch');
  await agent.keyboard.press('Control+Enter');
  await agent.waitForSelector('#last-ticket, #desk .error').catch(async (e) => {
    await shot(agent, '03b-dispatch-failed');
    throw e;
  });
  t.equal(await agent.locator('#desk .error').count(), 0, `no error: ${await agent.locator('#desk .error').allTextContents()}`);
  const number = (await agent.textContent('#last-ticket'))!.trim();
  t.match(number, /^623000\d{13}$/, `ticket ${number} received`);
  t.match(await agent.textContent('.notice'), /工单已受理/);
  await shot(agent, '03-dispatched');
  await agent.goto(`/tickets/${number}`);
  await agent.waitForSelector('#ticket-detail[data-status="dispatched"]');
  t.equal(await agent.textContent('#ticket-subject'), hostile, 'the subject renders as text, tags and all');
  t.match(await agent.textContent('#citations'), /拒载/, 'the cited article is listed');
  t.match(await agent.textContent('#calls'), new RegExp(caller), 'the linked call is listed');
  // The call's route, outcome and legs in words, not the record's codes ("queue · answered").
  const callText = (await agent.textContent('#calls')) ?? '';
  t.match(callText, /坐席通话|排队/, 'the legs are named in Chinese');
  t.notMatch(callText, /\b(queue|answered|ivr|ring|agent)\b/, 'no code of the call record is shown raw');

  // 5. The department (second browser context) accepts and replies.
  const dept = await newPage(browser, tb.url);
  dept.on('dialog', (d) => (dialogs++, void d.dismiss()));
  await login(dept, 'dept1');
  await dept.click('a[href="/inbox"]');
  await dept.waitForSelector(`#inbox tr[data-number="${number}"]`);
  t.match(await dept.textContent(`#inbox tr[data-number="${number}"]`), /<script>/, 'the inbox shows the script as text');
  await shot(dept, '04-department-inbox');
  await dept.click(`[data-open="${number}"]`);
  await dept.click('#act-accept');
  await dept.waitForSelector(`#inbox tr[data-number="${number}"] [data-status="accepted"]`);
  t.pass('accepted (签收) shows in the inbox');
  await dept.click('#act-reply');
  await dept.fill('#reply-text', '经调取车载视频核实，驾驶员拒载属实，已按规定处理并对驾驶员停运培训。');
  await dept.click('#reply-submit');
  await dept.waitForSelector(`#inbox tr[data-number="${number}"]`, { state: 'detached' });
  await dept.goto(`/tickets/${number}`);
  await dept.waitForSelector('#ticket-detail[data-status="replied"]');
  t.match(await dept.textContent('#ticket-reply'), /拒载属实/);
  t.match(await dept.textContent('#ticket-caller'), caller, 'a complaint (not a confidential report) shows the caller to the department');
  await shot(dept, '05-department-replied');

  // The agent's open detail page updated live (ticket.changed over the event stream).
  await agent.waitForSelector('#ticket-detail[data-status="replied"]');
  t.pass('the agent’s page followed the change live');

  // 6. The supervisor records the return visit; the ticket closes.
  const sup = await newPage(browser, tb.url);
  await login(sup, 'super1');
  await sup.goto('/visits');
  await sup.waitForSelector(`#visits tr[data-number="${number}"]`);
  await shot(sup, '06-visits');
  await sup.click(`#visits tr[data-number="${number}"] [data-visit="satisfied"]`);
  await sup.waitForSelector(`#visits tr[data-number="${number}"]`, { state: 'detached' });
  await sup.goto(`/tickets/${number}`);
  await sup.waitForSelector('#ticket-detail[data-status="closed"]');
  t.equal(await sup.textContent('#ticket-satisfaction'), '满意');
  const steps = await sup.$$eval('#timeline li', (lis) => lis.map((li) => li.getAttribute('data-action')));
  t.same(steps, ['create', 'dispatch', 'accept', 'reply', 'visit'], 'the timeline shows every step from the audit trail');
  t.match(await sup.textContent('#timeline'), /签收[\s\S]*回复反馈[\s\S]*回访/);

  // The station answered 3 s after it started ringing, while the department worked; the caller hangs up now.
  await waitFor('the station to answer', async () => {
    const items = (await tb.admin('GET', `/api/ui/tickets/${number}/calls`)).body.items as { call: { agent_answered_at: number | null } }[];
    return items.some((x) => x.call.agent_answered_at !== null);
  });
  t.equal((await tb.admin('DELETE', `/api/simulator/jobs/${call.body.id}`)).status, 200, 'the caller hangs up');
  const ended = await waitFor('the simulated call to end', async () => {
    const job = (await tb.admin('GET', `/api/simulator/jobs/${call.body.id}`)).body as { state: string };
    return job.state !== 'running' && job;
  });
  t.not(ended.state, 'failed', 'the call ended without an error');
  // The ticket page lists its calls as they were when it loaded (it follows the ticket's changes, not its calls'):
  // on a quick run it loaded before the station answered, when the call had no recording yet.
  await sup.reload();
  const audioSrc = await sup.getAttribute('#calls audio', 'src');
  const rec = await sup.evaluate(async (u) => {
    const r = await fetch(u as string);
    return { status: r.status, type: r.headers.get('content-type') };
  }, audioSrc);
  t.same(rec, { status: 200, type: 'audio/wav' }, 'the call recording is playable from the ticket page');
  const ranged = await sup.evaluate(async (u) => {
    const r = await fetch(u as string, { headers: { range: 'bytes=0-43' } });
    return { status: r.status, range: r.headers.get('content-range'), bytes: (await r.arrayBuffer()).byteLength };
  }, audioSrc);
  t.equal(ranged.status, 206, 'the recording answers a byte range (seek)');
  t.match(ranged.range, /^bytes 0-43\/\d+$/);
  t.equal(ranged.bytes, 44, 'just the WAV header');
  // The player reads the recording's length, so it is really playable (not just served).
  await sup.reload();
  await sup.waitForSelector('#calls audio');
  const duration = await sup.waitForFunction(() => {
    // Test files are type-checked without the DOM library: the page's document, typed by hand.
    const doc = (globalThis as unknown as { document: { querySelector(s: string): { duration: number } | null } }).document;
    const a = doc.querySelector('#calls audio');
    return a && Number.isFinite(a.duration) && a.duration > 0 ? a.duration : null;
  });
  const seconds = (await duration.jsonValue()) as number;
  t.ok(seconds > 0, `the browser reads the recording's duration (${seconds} s)`);

  // A second call from the same caller about the same matter, linked to the ticket: the page lists both.
  const second = await tb.admin('POST', '/api/simulator/call', { from: caller, digits: '2', timeoutS: 1 });
  t.equal(second.status, 200);
  const link = await tb.admin('POST', `/api/calls/${encodeURIComponent(second.body.callId)}/tickets`, { ticket: number });
  t.ok(link.status < 300, `the second call is linked (${link.status})`);
  await sup.reload();
  await sup.waitForSelector(`#calls li[data-call="${second.body.callId}"]`);
  t.equal(await sup.locator('#calls li').count(), 2, 'the ticket lists every linked call');
  await shot(sup, '07-closed');
  await sup.goto('/wallboard');
  await sup.waitForSelector('#wb-overdue');
  await shot(sup, '08-wallboard');

  // Nothing in the hostile text ran anywhere.
  for (const p of [agent, dept, sup]) t.equal(await p.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'no injected script ran');
  t.equal(dialogs, 0, 'no dialogs opened');
});
