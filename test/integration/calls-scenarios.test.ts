// Scenario tests of issue 3 on the simulated trunk, on a virtual clock.
import t from 'tap';
import { runCaller } from '../../drivers/simulator/callers.js';
import { harness, mondayNight } from './calls-harness.js';

t.test('a distress caller reaches 12395 while every agent is busy and after hours', async (t) => {
  t.test('while every agent is busy', async (t) => {
    const h = await harness();
    t.teardown(() => h.close());
    h.agent(1, 'ready', '801', { talkMs: Infinity, answerAfterMs: 1000 });
    const busy = runCaller(h.sim, { caller: '13800000001', presses: ['0'] });
    await h.clock.until(new Promise((r) => busy.call.once('connected', r)));
    t.equal(h.center.acd.agents.get(1)?.state, 'on-call', 'the only agent is on a call');

    const distress = runCaller(h.sim, { caller: '13900000002', presses: ['1'] });
    const log = await h.clock.until(distress.done);
    t.equal(log.transferredTo, '12395');
    const rec = h.center.records.get(log.callId)!;
    t.equal(rec.call.route, 'distress');
    t.equal(rec.call.outcome, 'transferred');
    t.equal(rec.call.queued_at, null, 'never queued behind the busy agent');
    const afterChoice = log.prompts.slice(log.prompts.indexOf('menu.1') + 1);
    t.notOk(afterChoice.includes('queue.enter'), 'no queue prompt before the transfer');
    t.ok(rec.legs.some((l) => l.kind === 'transfer' && l.target === '12395' && l.outcome === 'connected'));
  });

  t.test('after hours', async (t) => {
    const h = await harness({ start: mondayNight });
    t.teardown(() => h.close());
    const { done } = runCaller(h.sim, { caller: '13900000003', presses: ['1'] });
    const log = await h.clock.until(done);
    t.equal(log.transferredTo, '12395');
    const rec = h.center.records.get(log.callId)!;
    t.equal(rec.call.after_hours, 1);
    t.equal(rec.call.route, 'distress');
    t.notOk(log.prompts.includes('closed'), 'the closed announcement is not played to a distress caller');
    t.equal(h.tickets.length, 0, 'no voicemail');
  });
});

t.test('a railway caller hears 12306', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const heard: string[] = [];
  const { call, done } = runCaller(h.sim, { caller: '13700000004', presses: ['5', '1'] });
  call.on('prompt', (p) => heard.push(p.text ?? ''));
  const log = await h.clock.until(done);
  t.ok(log.prompts.includes('route.railway'));
  t.ok(heard.some((x) => x.includes('1 2 3 0 6')), 'the prompt says 1 2 3 0 6');
  t.equal(log.transferredTo, undefined, 'announced, not transferred (transfer not configured)');
  const rec = h.center.records.get(log.callId)!;
  t.equal(rec.call.route, 'railway');
  t.equal(rec.call.outcome, 'announced');

  t.test('and is transferred to 12306 when transfer is configured', async (t) => {
    const h2 = await harness({ config: { ivr: { redirects: { railway: { number: '12306', transfer: true } } } } });
    t.teardown(() => h2.close());
    const r = runCaller(h2.sim, { caller: '13700000005', presses: ['5', '1'] });
    const log2 = await h2.clock.until(r.done);
    t.equal(log2.transferredTo, '12306');
    t.equal(h2.center.records.get(log2.callId)!.call.outcome, 'transferred');
  });
});

t.test('a queued caller hears position announcements and is answered by the longest-idle agent', async (t) => {
  const h = await harness({ config: { queue: { announceEveryMs: 30_000, maxWaitMs: 600_000, wrapUpMs: 10_000 } } });
  t.teardown(() => h.close());
  h.agent(1, 'break', '801', { talkMs: 60_000, answerAfterMs: 1000 });
  h.agent(2, 'break', '802', { talkMs: 30_000, answerAfterMs: 1000 });
  const texts: string[] = [];
  const x = runCaller(h.sim, { caller: '13600000001', presses: ['3'] });
  x.call.on('prompt', (p) => p.id === 'queue.position' && texts.push(p.text ?? ''));
  await h.clock.advance(40_000);
  const y = runCaller(h.sim, { caller: '13600000002', presses: ['3'] });
  await h.clock.advance(60_000);
  const xPositions = x.call.log.prompts.filter((p) => p === 'queue.position').length;
  t.ok(xPositions >= 3, `the first caller heard ${xPositions} position announcements`);
  t.ok(texts.every((s) => s.startsWith('您前面还有 1 位')), 'and was told position 1');
  t.ok(y.call.log.prompts.includes('queue.position'));

  h.center.acd.setState({ agentId: 1, name: 'agent1', state: 'ready' });
  h.center.acd.setState({ agentId: 2, name: 'agent2', state: 'ready' });
  await h.clock.until(new Promise((r) => y.call.once('connected', r)));
  t.equal(x.call.log.connected?.station, '801', 'the first in the queue got the first agent free');
  t.equal(y.call.log.connected?.station, '802');

  // Agent 2 talks 30 s, agent 1 60 s: agent 2 is idle longer once both are through wrap-up.
  await h.clock.until(Promise.all([x.done, y.done]));
  await h.clock.advance(60_000);
  t.equal(h.center.acd.agents.get(1)?.state, 'ready');
  t.equal(h.center.acd.agents.get(2)?.state, 'ready');
  const z = runCaller(h.sim, { caller: '13600000003', presses: ['3'] });
  await h.clock.until(new Promise((r) => z.call.once('connected', r)));
  t.equal(z.call.log.connected?.station, '802', 'the longest-idle agent (2) gets the next call');
  const rec = h.center.records.get(x.call.callId)!;
  t.equal(rec.call.outcome, 'answered');
  t.ok(rec.call.queued_at! < rec.call.agent_answered_at!);
  t.equal(rec.call.agent_id, 1);
  t.ok(rec.call.recording_file?.endsWith('.wav'), 'the conversation was recorded');
  const offered = h.events.find((e) => e.type === 'call.offered' && e.callId === z.call.callId);
  t.ok(offered, 'the agent was offered the call with a screen pop');
});

t.test('a caller past the maximum wait leaves a callback request', async (t) => {
  const h = await harness({ config: { queue: { maxWaitMs: 60_000, announceEveryMs: 20_000 } } });
  t.teardown(() => h.close());
  h.agent(1, 'break', '801', { talkMs: 30_000 });
  const a = runCaller(h.sim, { caller: '13500000001', presses: ['2', '1'] });
  await h.clock.advance(5_000);
  const later = runCaller(h.sim, { caller: '13500000002', presses: ['3'] });
  const log = await h.clock.until(a.done);
  t.ok(log.prompts.includes('queue.overflow'));
  t.ok(log.prompts.includes('callback.confirmed'));
  const rec = h.center.records.get(log.callId)!;
  t.equal(rec.call.outcome, 'callback');
  const tasks = h.center.callbacks.list('pending');
  t.equal(tasks.length, 1);
  t.equal(tasks[0]!.caller, '13500000001');
  t.equal(tasks[0]!.queued_at, rec.call.queued_at, 'the task keeps the place the call had');

  // The agent comes back: the callback (queued earlier) is offered before the later caller.
  h.center.acd.setState({ agentId: 1, name: 'agent1', state: 'ready' });
  await h.clock.advance(0);
  const offered = h.events.find((e) => e.type === 'callback.offered');
  t.ok(offered, 'the callback was offered to the agent');
  t.equal(h.center.acd.agents.get(1)?.callbackId, tasks[0]!.id);
  t.equal(later.call.log.connected, undefined, 'the later caller still waits');
  h.center.callbacks.complete(tasks[0]!.id, 1, null, 'agent1');
  t.equal(h.center.callbacks.list('done').length, 1);
  later.call.hangup();
  await h.clock.until(later.done);
});

t.test('an agent who vanishes mid-ring does not lose the call', async (t) => {
  const h = await harness({ config: { queue: { ringTimeoutMs: 20_000 } } });
  t.teardown(() => h.close());
  h.agent(1, 'ready', '801', { silent: true }); // longest idle, never picks up
  await h.clock.advance(1000);
  h.agent(2, 'ready', '802', { answerAfterMs: 2000, talkMs: 10_000 });
  const c = runCaller(h.sim, { caller: '13400000001', presses: ['0'] });
  await h.clock.until(new Promise((r) => h.center.events.subscribe((e) => e.type === 'call.offered' && e.agentId === 1 && r(e))));
  await h.clock.advance(3000);
  h.sim.removeStation('801'); // headset unplugged mid-ring
  const log = await h.clock.until(c.done);
  t.same(log.stationsRung, ['801', '802']);
  t.equal(log.connected?.station, '802');
  t.equal(h.center.acd.agents.get(1)?.state, 'logged-out', 'the vanished agent is logged out');
  const rec = h.center.records.get(log.callId)!;
  t.equal(rec.call.outcome, 'answered');
  t.same(
    rec.legs.filter((l) => l.kind === 'ring').map((l) => [l.target, l.outcome]),
    [
      ['801', 'unreachable'],
      ['802', 'answered'],
    ],
  );

  t.test('nor when the agent logs out while being rung', async (t) => {
    const h2 = await harness();
    t.teardown(() => h2.close());
    h2.agent(1, 'ready', '801', { silent: true });
    await h2.clock.advance(1000);
    h2.agent(2, 'ready', '802', { answerAfterMs: 1000, talkMs: 5000 });
    const c2 = runCaller(h2.sim, { caller: '13400000002', presses: ['0'] });
    await h2.clock.until(new Promise((r) => h2.center.events.subscribe((e) => e.type === 'call.offered' && r(e))));
    h2.center.acd.setState({ agentId: 1, name: 'agent1', state: 'logged-out' });
    const log2 = await h2.clock.until(c2.done);
    t.equal(log2.connected?.station, '802');
  });
});

t.test("an after-hours caller's voicemail becomes a ticket", async (t) => {
  const h = await harness({ start: mondayNight });
  t.teardown(() => h.close());
  h.agent(1, 'ready', '801');
  const { done } = runCaller(h.sim, { caller: '13300000001', presses: ['2'], voicemailMs: 12_000 });
  const log = await h.clock.until(done);
  t.ok(log.prompts.includes('closed'));
  t.equal(log.connected, undefined, 'no agent is rung after hours');
  t.equal(h.tickets.length, 1);
  const ticket = h.tickets[0]!;
  t.equal(ticket.type, 'complaint', 'the menu choice sets the ticket type');
  t.equal(ticket.callerPhone, '13300000001');
  t.equal(ticket.callId, log.callId);
  const rec = h.center.records.get(log.callId)!;
  t.equal(rec.call.outcome, 'voicemail');
  t.ok(rec.call.voicemail_file?.includes('vm-'));
  t.same(rec.tickets.map((x) => x.ticket_number), [ticket.number], 'the ticket is linked to the call');
});

t.test('a legacy number hears the transition prompt', async (t) => {
  const h = await harness({ config: { ivr: { legacyNumbers: ['96196'] } } });
  t.teardown(() => h.close());
  const { done } = runCaller(h.sim, { caller: '13200000001', called: '96196', presses: ['5', '3'] });
  const log = await h.clock.until(done);
  t.equal(log.prompts[0], 'legacy');
  t.equal(log.prompts[1], 'welcome');
  t.ok(log.prompts.includes('route.postal'), 'then the menu works as for 12328');
  t.equal(h.center.records.get(log.callId)!.call.legacy, 1);
});
