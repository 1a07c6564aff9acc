// The trunk driver contract (drivers/trunk/types.ts, rules T1-T11) checked on the simulator. The checks take
// a driver plus the line-side hooks a test needs, so the serial and E1 drivers can reuse them with their own
// simulated line.
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { DigitBuffer } from '../../drivers/trunk/digits.js';
import { TrunkEmitter } from '../../drivers/trunk/emitter.js';
import { TrunkError } from '../../drivers/trunk/types.js';
import { redactNumber } from '../../common/log.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';

async function started() {
  const clock = new VirtualClock();
  const sim = new SimulatorTrunk({ clock, promptMs: () => 1000 });
  await sim.start();
  return { clock, sim };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof TrunkError ? e.code : String(e)),
  );

t.test('T1: commands before start or after stop reject with driver-down; stop ends calls in flight', async (t) => {
  const clock = new VirtualClock();
  const sim = new SimulatorTrunk({ clock });
  t.equal(await code(sim.answer('x')), 'driver-down');
  await sim.start();
  const call = sim.placeCall({ caller: '13800000000' });
  const hangups: string[] = [];
  sim.on('hangup', (h) => hangups.push(h.cause));
  await sim.stop();
  t.same(hangups, ['driver-stopped']);
  t.equal(await code(sim.answer(call.callId)), 'driver-down');
});

t.test('T3: one hang-up per call, nothing after it; T4: commands on ended or unknown calls reject, hangup is idempotent', async (t) => {
  const { sim } = await started();
  const events: string[] = [];
  sim.on('offered', () => events.push('offered'));
  sim.on('digits', () => events.push('digits'));
  sim.on('hangup', () => events.push('hangup'));
  const call = sim.placeCall({ caller: '13800000000' });
  call.press('1');
  call.hangup();
  call.hangup();
  call.press('2');
  t.same(events, ['offered', 'digits', 'hangup']);
  t.equal(await code(sim.answer(call.callId)), 'unknown-call');
  t.equal(await code(sim.play('nope', { id: 'x' })), 'unknown-call');
  t.equal(await code(sim.hangup(call.callId)), 'resolved');
  t.equal(await code(sim.hangup('nope')), 'resolved');
});

t.test('T5: media commands need an answered call; T6: one media operation at a time', async (t) => {
  const { sim, clock } = await started();
  const call = sim.placeCall({ caller: null });
  t.equal(await code(sim.play(call.callId, { id: 'welcome' })), 'not-answered');
  await sim.answer(call.callId);
  const playing = sim.play(call.callId, { id: 'welcome' });
  t.equal(await code(sim.collectDigits(call.callId, { max: 1, firstDigitTimeoutMs: 1000 })), 'busy');
  t.same(await clock.until(playing), { outcome: 'completed' });
  t.equal(await code(sim.collectDigits(call.callId, { max: 0, firstDigitTimeoutMs: 1000 })), 'invalid-argument');
});

t.test('T7: digits are buffered ahead, an interruptible prompt stops at the first digit and leaves it for collection', async (t) => {
  const { sim, clock } = await started();
  const call = sim.placeCall({ caller: '13800000000' });
  await sim.answer(call.callId);
  const p = sim.play(call.callId, { id: 'menu' }, { interruptible: true });
  call.press('3');
  t.same(await clock.until(p), { outcome: 'interrupted', digit: '3' });
  call.press('4#');
  const c = await clock.until(sim.collectDigits(call.callId, { max: 5, firstDigitTimeoutMs: 1000, terminators: '#' }));
  t.same(c, { outcome: 'terminator', digits: '34' });
  const timeout = await clock.until(sim.collectDigits(call.callId, { max: 2, firstDigitTimeoutMs: 3000 }));
  t.same(timeout, { outcome: 'timeout', digits: '' });
});

t.test('T8: abort settles with cancelled; a hang-up settles with caller-gone and still emits hangup', async (t) => {
  const { sim, clock } = await started();
  const call = sim.placeCall({ caller: '13800000000' });
  await sim.answer(call.callId);
  const ac = new AbortController();
  const p = sim.play(call.callId, { id: 'long' }, { signal: ac.signal });
  ac.abort();
  t.same(await p, { outcome: 'cancelled' });
  sim.addStation('801', { silent: true });
  const ring = sim.connectAgent(call.callId, '801', { ringTimeoutMs: 30_000 });
  let hung = false;
  sim.on('hangup', () => (hung = true));
  call.hangup();
  t.same(await clock.until(ring), { outcome: 'caller-gone' });
  t.ok(hung);
});

t.test('T9: a crash reports the calls in flight once, rejects their commands, and the driver comes back', async (t) => {
  const { sim, clock } = await started();
  const a = sim.placeCall({ caller: '13800000001' });
  const b = sim.placeCall({ caller: '13800000002' });
  await sim.answer(a.callId);
  const pending = sim.collectDigits(a.callId, { max: 1, firstDigitTimeoutMs: 60_000 });
  const failures: string[][] = [];
  let hangups = 0;
  sim.on('failed', (f) => failures.push(f.callIds));
  sim.on('hangup', () => hangups++);
  const ready = new Promise((r) => sim.on('ready', r));
  sim.crash('unplugged');
  t.same(failures, [[a.callId, b.callId]]);
  t.equal(await code(pending), 'driver-failed');
  t.equal(hangups, 0, 'no hang-up follows a failure');
  await clock.until(ready);
  t.ok(sim.up);
  const c = sim.placeCall({ caller: '13800000003' });
  t.not(c.callId, a.callId, 'new ids after the restart');
});

t.test('T10: a listener that throws does not stop delivery to the others', async (t) => {
  const errors: unknown[] = [];
  const e = new TrunkEmitter((err) => errors.push(err));
  const got: string[] = [];
  e.on('ready', () => {
    throw new Error('bad listener');
  });
  e.on('ready', () => got.push('second'));
  e.emit('ready', { channels: 1, at: 0 });
  t.same(got, ['second']);
  t.equal(errors.length, 1);
});

t.test('T11: numbers are redacted to their last four digits', async (t) => {
  t.equal(redactNumber('13812345678'), '*******5678');
  t.equal(redactNumber(null), '(none)');
  t.equal(redactNumber('110'), '***');
});

t.test('transfer and record behave as documented', async (t) => {
  const { sim, clock } = await started();
  sim.setOutside('12306', 'busy');
  const call = sim.placeCall({ caller: '13800000000' });
  await sim.answer(call.callId);
  t.same(await clock.until(sim.transfer(call.callId, '12306')), { outcome: 'busy' });
  t.equal(await code(sim.transfer(call.callId, 'abc')), 'invalid-argument');
  const rec = sim.record(call.callId, { file: '/nonexistent/dir/vm.wav', maxMs: 5000, stopDigits: '#' });
  call.press('#');
  const r = await clock.until(rec);
  t.equal(r.outcome, 'digit');
  const ended: string[] = [];
  sim.on('hangup', (h) => ended.push(`${h.cause}/${h.party}`));
  t.same(await clock.until(sim.transfer(call.callId, '12395')), { outcome: 'connected', at: clock.now() });
  await clock.advance(1);
  t.same(ended, ['transferred/box'], 'the box releases its side after a transfer');
});

t.test('DigitBuffer drops non-DTMF input and keeps at most 32 digits', async (t) => {
  const clock = new VirtualClock();
  const b = new DigitBuffer(clock);
  b.push('1x');
  t.equal(b.peek(), undefined);
  b.push('1'.repeat(40));
  const r = await b.collect({ max: 32, firstDigitTimeoutMs: 100 });
  t.equal(r.digits.length, 32);
});
