// Bad input from a gateway and a gateway that crashes (issue 3, "Bad input").
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCaller } from '../../drivers/simulator/callers.js';
import { VirtualClock } from '../../common/clock.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import { CallCenter } from '../../firmware-agent/calls/center.js';
import { callsConfig, defaultCallsConfig } from '../../firmware-agent/calls/config.js';
import { openDb } from '../../firmware-agent/store/db.js';
import { harness } from '../rigs/calls-harness.js';

t.test('events for unknown calls are counted and dropped', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const at = h.clock.now();
  h.sim.injectRaw('digits', { callId: 'no-such-call', digits: '1', at });
  h.sim.injectRaw('hangup', { callId: 'no-such-call', cause: 'normal', party: 'caller', at });
  t.equal(h.center.stats.ignoredEvents, 2);
  t.equal(h.center.records.get('no-such-call'), undefined, 'no record is invented');
  // The box still takes calls.
  const { done } = runCaller(h.sim, { caller: '13100000001', presses: ['5', '2'] });
  const log = await h.clock.until(done);
  t.ok(log.prompts.includes('route.aviation'));
});

t.test('a duplicate hang-up does not rewrite the call record', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { call, done } = runCaller(h.sim, { caller: '13100000002', presses: ['5', '1'] });
  const log = await h.clock.until(done);
  const before = h.center.records.get(log.callId)!.call;
  h.sim.injectRaw('hangup', { callId: call.callId, cause: 'network-failure', party: 'network', at: h.clock.now() + 5000 });
  call.hangup(); // a second release from the line side is dropped by the driver (T3)
  const after = h.center.records.get(log.callId)!.call;
  t.same(after, before);
  t.equal(h.center.stats.ignoredEvents, 1);
});

t.test('digits after a hang-up are dropped', async (t) => {
  const h = await harness();
  t.teardown(() => h.close());
  const { call, done } = runCaller(h.sim, { caller: '13100000003', hangUpAfterMs: 3000 });
  await h.clock.until(done);
  call.press('1'); // the driver drops it (T3)
  h.sim.injectRaw('digits', { callId: call.callId, digits: '1', at: h.clock.now() }); // a gateway that does not
  t.equal(h.center.stats.ignoredEvents, 1);
  t.equal(h.center.records.get(call.callId)!.call.outcome, 'ivr-hangup');
});

t.test('a driver that crashes is restarted; calls in flight are recorded as failed and nothing else is lost', async (t) => {
  const h = await harness({ config: { queue: { wrapUpMs: 5000, maxWaitMs: 30_000 } } });
  t.teardown(() => h.close());
  h.agent(1, 'ready', '801', { talkMs: Infinity, answerAfterMs: 1000 });
  // Before the crash: a finished call, and — while the only agent is busy — a caller past the maximum wait
  // who leaves a callback request (pending: no agent is free) and one who leaves a voicemail (a ticket).
  const done1 = runCaller(h.sim, { caller: '13000000001', presses: ['5', '3'] });
  await h.clock.until(done1.done);
  const talking = runCaller(h.sim, { caller: '13000000002', presses: ['0'] });
  await h.clock.until(new Promise((r) => talking.call.once('connected', r)));
  const callback = runCaller(h.sim, { caller: '13000000006', presses: ['3', '1'] });
  await h.clock.until(callback.done);
  const voicemail = runCaller(h.sim, { caller: '13000000007', presses: ['3', '2'] });
  await h.clock.until(voicemail.done);
  const [task] = h.center.callbacks.list('pending');
  t.equal(task?.caller, '13000000006', 'a callback request is pending before the crash');
  t.equal(h.tickets.length, 1, 'a voicemail ticket exists before the crash');
  const ticket = h.tickets[0]!;
  t.equal(ticket.callId, voicemail.call.callId);
  const queued = runCaller(h.sim, { caller: '13000000003', presses: ['3'] });
  const inIvr = runCaller(h.sim, { caller: '13000000004' });
  await h.clock.advance(20_000);
  t.equal(h.center.activeCalls, 3);

  const restarted = new Promise((r) => h.sim.on('ready', r));
  h.sim.crash('USB gateway unplugged');
  for (const c of [talking, queued, inIvr]) {
    const rec = h.center.records.get(c.call.callId)!.call;
    t.equal(rec.status, 'failed', `${c.call.log.caller} is recorded as failed`);
    t.match(rec.hangup_cause, /driver-failed/);
    t.ok(rec.ended_at);
  }
  t.equal(h.center.activeCalls, 0);
  t.equal(h.center.acd.agents.get(1)?.state, 'wrap-up', 'the agent on the lost call goes to wrap-up');
  t.same(
    h.center.acd.queueSnapshot().waiting.map((w) => [w.kind, w.callId]),
    [['callback', task!.id]],
    'the queue holds no ghost call, and the callback request keeps its place',
  );
  t.same(
    h.center.callbacks.list('pending').map((c) => [c.id, c.caller]),
    [[task!.id, '13000000006']],
    'the callback request survived the crash, still pending',
  );
  t.equal(h.center.records.get(done1.call.callId)!.call.outcome, 'announced', 'finished calls are untouched');
  const vm = h.center.records.get(voicemail.call.callId)!;
  t.equal(vm.call.outcome, 'voicemail', 'the voicemail call is untouched');
  t.not(vm.call.status, 'failed');
  t.same(vm.tickets.map((x) => x.ticket_number), [ticket.number], 'and its ticket is still linked to it');
  t.equal(h.tickets.length, 1, 'no ticket was lost or created by the crash');
  t.notOk(h.center.trunkUp);

  await h.clock.until(restarted);
  t.ok(h.center.trunkUp, 'the driver came back');
  // At the end of the wrap-up the callback request, at the head of the queue, goes to the agent first.
  const offered = new Promise<string>((r) => {
    const off = h.center.events.subscribe((e) => {
      if (e.type === 'callback.offered') {
        off();
        r(e.callbackId);
      }
    });
  });
  t.equal(await h.clock.until(offered), task!.id, 'after the crash the callback request is offered to the agent');
  t.equal(h.center.callbacks.complete(task!.id, 1, null, 'agent1').status, 'done');
  await h.clock.advance(5000);
  const after = runCaller(h.sim, { caller: '13000000005', presses: ['0'] });
  await h.clock.until(new Promise((r) => after.call.once('connected', r)));
  t.equal(after.call.log.connected?.station, '801', 'new calls are routed to the agent again');
  t.equal(h.center.stats.failedCalls, 3);
  after.call.hangup();
  await h.clock.until(after.done);
});

t.test('a box that stopped mid-call records those calls as failed at the next start and keeps callbacks', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calls-restart-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'box.sqlite');
  const clock = new VirtualClock();
  const config = callsConfig({ queue: { maxWaitMs: 30_000 } }, defaultCallsConfig(dir, '623000'));
  let db = openDb({ file });
  let sim = new SimulatorTrunk({ clock, promptMs: () => 2000 });
  let center = new CallCenter({ db, driver: sim, config, clock });
  await center.start();
  const cb = runCaller(sim, { caller: '13000000011', presses: ['3', '1'] });
  await clock.until(cb.done);
  const stuck = runCaller(sim, { caller: '13000000012' });
  await clock.advance(3000);
  center.records.flush(); // the write-behind timer (200 ms of real time) has committed the call's progress
  const dead = center;
  t.teardown(() => dead.records.writer.close()); // the dead box's writer thread, which a real crash takes along
  db.close(); // then the box dies: no hang-up is ever recorded for `stuck`

  db = openDb({ file });
  sim = new SimulatorTrunk({ clock, promptMs: () => 2000 });
  center = new CallCenter({ db, driver: sim, config, clock });
  await center.start();
  t.teardown(async () => {
    await center.stop();
    db.close();
  });
  const rec = center.records.get(stuck.call.callId)!.call;
  t.equal(rec.status, 'failed');
  t.equal(rec.hangup_cause, 'box-restarted');
  t.equal(center.callbacks.list('pending').length, 1, 'the callback request survived');
  t.equal(center.acd.queueSnapshot().waiting[0]?.kind, 'callback', 'and is back in the queue in its place');
});
