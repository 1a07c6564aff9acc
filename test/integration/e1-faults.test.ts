// Failures of the E1 span: the link lost mid-call, the span worker killed mid-call, RESTART, glare.
import t from 'tap';
import { e1Harness, dchannelUp, dchannelState } from '../rigs/e1-harness.js';
import type { SimLine } from '../../drivers/e1-pri/telco-sim/telco.js';
import { e1Rig } from '../rigs/e1-rig.js';
import { nextEvent } from '../rigs/scenarios.js';

// Each test builds its own rig and mostly waits on the wall clock: three at once.
t.jobs = 3;

t.test('when the link is lost mid-call the call is reported failed, and the link comes back', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000011' });
  const o = await offered;
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  const collecting = h.driver.collectDigits(o.callId, { max: 4, firstDigitTimeoutMs: 30_000 });
  const failed = h.next('failed');
  h.telco.dropLink();
  const f = await failed;
  t.same(f.callIds, [o.callId], 'the call in progress is in the failed event');
  t.equal(f.permanent, false);
  await t.rejects(collecting, { code: 'driver-failed' }, 'its pending command rejects');
  await t.rejects(h.driver.answer(o.callId), { code: 'unknown-call' }, 'and the call is over');
  t.equal(h.hangups.length, 0, 'no hangup event follows a failed call (T9)');

  const ready = h.next('ready');
  const up = dchannelUp(h.driver);
  await h.telco.connect();
  await up;
  await ready;
  t.pass('the D-channel is re-established and the driver is ready again');
  const again = h.next('offered');
  const line2 = h.telco.placeCall({ caller: '13800000012' });
  const o2 = await again;
  t.not(o2.callId, o.callId, 'a new call id');
  await h.driver.answer(o2.callId);
  await line2.waitFor('answered');
  await h.driver.hangup(o2.callId);
  await line2.released;
});

t.test('when the exchange stops answering, Q.921 declares the link down, the call fails, and the link is re-established', async (t) => {
  // The box polls an idle link every second (T203) and gives up after 3 × 500 ms (T200, N200); the
  // exchange's own idle timer is long, so only the box notices while the exchange is frozen.
  const h = await e1Harness({ config: { timers: { T203: 1000, T200: 500 } }, telcoTimers: { T203: 120_000 } });
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000018' });
  const o = await offered;
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  const failed = h.next('failed');
  h.telco.freeze();
  const f = await failed;
  t.same(f.callIds, [o.callId], 'the call is reported failed when the data link is released');
  await dchannelState(h.driver, 'down');
  const ready = h.next('ready');
  const up = dchannelUp(h.driver);
  h.telco.thaw();
  await up;
  await ready;
  t.pass('Q.921 re-established the link and the driver is ready again');
  const rel = await line.released;
  t.equal(rel.cause, 41, 'the box cleared the stale call with cause 41 (temporary failure) once the link was back');
  const again = h.next('offered');
  const line2 = h.telco.placeCall({ caller: '13800000019' });
  const o2 = await again;
  await h.driver.answer(o2.callId);
  await line2.waitFor('answered');
  await h.driver.hangup(o2.callId);
});

t.test('when the span worker is killed mid-call it is restarted and its calls are reported failed', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const lines = [h.telco.placeCall({ caller: '13800000013' }), h.telco.placeCall({ caller: '13800000014' })];
  const o1 = await offered;
  const o2 = h.offered.length > 1 ? h.offered[1]! : await h.next('offered');
  await Promise.all([h.driver.answer(o1.callId), h.driver.answer(o2.callId)]);
  await Promise.all(lines.map((l) => l.waitFor('answered')));
  const pid = h.driver.workerPid;
  const failed = h.next('failed');
  const ready = h.next('ready');
  const telcoDown = new Promise<void>((r) => h.telco.once('down', () => r()));
  h.driver.killWorker();
  const f = await failed;
  t.same(new Set(f.callIds), new Set([o1.callId, o2.callId]), 'both calls failed');
  t.equal(f.permanent, false, 'a restart will be tried');
  await ready;
  t.not(h.driver.workerPid, pid, 'a new worker process');
  await telcoDown;
  for (const l of lines) t.equal(l.state, 'released', 'the exchange saw the link drop');
  const up = dchannelUp(h.driver);
  await h.telco.connect();
  await up;
  const again = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000015' });
  const o3 = await again;
  await h.driver.answer(o3.callId);
  await line.waitFor('answered');
  t.pass('a new call is answered after the restart');
  const hangup = h.next('hangup');
  line.hangup();
  t.equal((await hangup).callId, o3.callId);
});

t.test('a RESTART of the channel from the exchange ends the call on it as a network failure', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000016', channel: 7 });
  const o = await offered;
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  const hangup = h.next('hangup');
  h.telco.restart(7);
  const e = await hangup;
  t.equal(e.callId, o.callId);
  t.equal(e.cause, 'network-failure');
  t.equal(e.party, 'network');
  t.same((await h.driver.probe()).channelsInUse, [], 'channel 7 is free again');
});

t.test('on glare the box yields the channel to the exchange and re-dials its transfer on another', async (t) => {
  let glared = false;
  const h = await e1Harness({
    behaviour: () => {
      if (glared) return { kind: 'answer' };
      glared = true;
      return { kind: 'glare', caller: '13700000000' };
    },
  });
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const caller = h.telco.placeCall({ caller: '13800000017' });
  const o = await offered;
  await h.driver.answer(o.callId);
  await caller.waitFor('answered');
  const crossing = h.next('offered', (e) => e.caller === '13700000000');
  const incoming = new Promise<SimLine>((r) => h.telco.once('incoming', r));
  const r = await h.driver.transfer(o.callId, '12395');
  t.equal(r.outcome, 'connected', 'the transfer still connects');
  const x = await crossing;
  t.equal(x.channel, 'span1/ch31', 'the exchange kept channel 31 for its own call');
  const rescue = await incoming;
  t.equal(rescue.channel, 30, 'the box re-dialled on channel 30');
  await h.driver.hangup(x.callId);
});

t.test('a span worker that cannot open its D-channel fails start() with a stable code and exits', async (t) => {
  const { E1PriDriver } = await import('../../drivers/e1-pri/driver.js');
  const driver = new E1PriDriver({ config: { dchannel: '/nonexistent-dir/e1/d.sock' } });
  await t.rejects(driver.start(), { code: /^E1_(SYSCALL|MEDIA)$/ });
  t.equal(driver.workerPid, undefined, 'no worker process is left behind');
  await t.rejects(driver.answer('x'), { code: 'driver-down' });
  await driver.stop();
});

// Through the call centre (the scenario rig of e1-rig.ts): what the call record says after a span fault.
const centre = e1Rig({ scale: 10 });

t.test('when the link is lost mid-call the call record says failed, the agent is freed, and calls are taken again once the link is back', async (t) => {
  const h = await centre();
  t.teardown(() => h.close());
  h.agent(1, 'ready', '801', { talkMs: Infinity, answerAfterMs: 1000 });
  const c = h.caller({ caller: '13800000021', presses: ['0'] });
  await h.time.until(new Promise((r) => c.call.once('connected', r)));
  const trunkDown = nextEvent(h, 'trunk.state', (e) => !e.up);
  h.telco.dropLink();
  const log = await h.time.until(c.done);
  t.equal(log.failed, true, 'the driver reported the call failed');
  const rec = h.center.records.get(log.callId)!;
  t.equal(rec.call.outcome, 'failed', 'the call record says failed');
  t.match(rec.call.hangup_cause ?? '', /driver-failed/, 'with the driver failure as the reason');
  t.ok(rec.legs.every((l) => l.ended_at !== null), 'no leg of the call is left open');
  t.match((await trunkDown).reason ?? '', /D-channel|link/i);
  t.not(h.center.acd.agents.get(1)?.state, 'on-call', 'the agent is no longer on the call');

  const trunkUp = nextEvent(h, 'trunk.state', (e) => e.up);
  await h.telco.connect();
  await h.time.until(trunkUp);
  const again = h.caller({ caller: '13800000022', presses: ['5', '1'] });
  const log2 = await h.time.until(again.done);
  t.equal(h.center.records.get(log2.callId)!.call.outcome, 'announced', 'a new call runs its course');
});

t.test('when the span worker dies mid-call the call record says failed and the trunk comes back', async (t) => {
  const h = await centre();
  t.teardown(() => h.close());
  const c = h.caller({ caller: '13200000009', presses: [] });
  await h.time.until(new Promise((r) => c.call.once('collect', r)));
  const trunkUp = nextEvent(h, 'trunk.state', (e) => e.up);
  h.driver.killWorker();
  const log = await h.time.until(c.done);
  t.equal(h.center.records.get(log.callId)!.call.outcome, 'failed');
  await h.time.until(trunkUp);
  t.pass('the call centre sees the trunk up again');
});
