// The trunk driver contract (drivers/trunk/types.ts, T1–T11) on the E1 driver, with the telco
// simulator as the line side.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { e1Harness } from './e1-harness.js';
import { E1PriDriver } from '../../drivers/e1-pri/driver.js';
import { TrunkError } from '../../drivers/trunk/types.js';

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof TrunkError ? e.code : String(e)),
  );

t.test('T1: commands before start or after stop reject with driver-down; stop ends calls in flight', async (t) => {
  const before = new E1PriDriver({ config: { dchannel: '/tmp/e1-never' } });
  t.equal(await code(before.answer('x')), 'driver-down');
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000031' });
  const o = await offered;
  const hangup = h.next('hangup');
  await h.driver.stop();
  const e = await hangup;
  t.equal(e.cause, 'driver-stopped');
  t.equal(e.callId, o.callId);
  t.equal(await code(h.driver.answer(o.callId)), 'driver-down');
  await line.released.catch(() => {});
});

t.test('T3/T4: one hang-up per call and nothing after it; commands on ended or unknown calls reject', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const events: string[] = [];
  h.driver.on('offered', () => events.push('offered'));
  h.driver.on('digits', () => events.push('digits'));
  h.driver.on('hangup', () => events.push('hangup'));
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000032' });
  const o = await offered;
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  const digit = h.next('digits');
  line.pressDigits('1');
  await digit;
  const gone = h.next('hangup');
  line.hangup();
  await gone;
  line.hangup();
  t.same(events, ['offered', 'digits', 'hangup']);
  t.equal(await code(h.driver.answer(o.callId)), 'unknown-call');
  t.equal(await code(h.driver.play('nope', { id: 'x' })), 'unknown-call');
  t.equal(await code(h.driver.collectDigits('nope', { max: 1, firstDigitTimeoutMs: 10 })), 'unknown-call');
  t.equal(await code(h.driver.hangup(o.callId)), 'resolved');
  t.equal(await code(h.driver.hangup('nope')), 'resolved');
});

t.test('T5/T6: media needs an answered call and runs one operation at a time', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const prompt = path.join(h.dir, 'p.al');
  fs.writeFileSync(prompt, Buffer.alloc(8000, 0xd5));
  const offered = h.next('offered');
  h.telco.placeCall({ caller: '' });
  const o = await offered;
  t.equal(await code(h.driver.collectDigits(o.callId, { max: 1, firstDigitTimeoutMs: 10 })), 'not-answered');
  t.equal(await code(h.driver.record(o.callId, { file: path.join(h.dir, 'r.wav') })), 'not-answered');
  await h.driver.answer(o.callId);
  const playing = h.driver.play(o.callId, { id: 'p', file: prompt });
  t.equal(await code(h.driver.collectDigits(o.callId, { max: 1, firstDigitTimeoutMs: 1000 })), 'busy');
  const bg = h.driver.record(o.callId, { file: path.join(h.dir, 'conv.wav'), background: true });
  t.same(await playing, { outcome: 'completed' }, 'a background recording runs alongside');
  t.equal(await code(h.driver.collectDigits(o.callId, { max: 0, firstDigitTimeoutMs: 1000 })), 'invalid-argument');
  await h.driver.hangup(o.callId);
  const r = await bg;
  t.equal(r.outcome, 'ended');
  t.ok(r.durationMs >= 900, `the conversation recording lasted ${r.durationMs} ms`);
});

t.test('T8: abort settles with cancelled; T10: a throwing listener does not stop the others', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  h.driver.on('offered', () => {
    throw new Error('faulty listener');
  });
  const offered = h.next('offered');
  h.telco.placeCall({ caller: '13800000033' });
  const o = await offered;
  t.pass('the second listener still got the call');
  await h.driver.answer(o.callId);
  const ac = new AbortController();
  const c = h.driver.collectDigits(o.callId, { max: 4, firstDigitTimeoutMs: 30_000, signal: ac.signal });
  ac.abort();
  t.same(await c, { outcome: 'cancelled', digits: '' });
  const ac2 = new AbortController();
  const p = h.driver.play(o.callId, { id: 'silence' }, { signal: ac2.signal });
  ac2.abort();
  t.same(await p, { outcome: 'cancelled' });
  // One signal for a whole call (as the call flow uses) must not collect a listener per command.
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  const callSignal = new AbortController().signal;
  for (let i = 0; i < 15; i++) t.same(await h.driver.play(o.callId, { id: 'silence' }, { signal: callSignal, interruptible: true }), { outcome: 'completed' });
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarning);
  t.same(warnings.filter((w) => /listener/i.test(w)), [], 'no listener-leak warning after 15 prompts on one signal');
  await h.driver.hangup(o.callId);
});
