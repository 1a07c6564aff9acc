// Glare with truly crossing SETUPs (Q.931 §5.2.3.1): the exchange sends its SETUP for channel 31 after
// the box sent its own SETUP for channel 31 and before it read it. The user side (the box) yields:
// the network's call is offered, the network refuses the box's SETUP with cause 44, and the box
// re-dials on another channel or, with none left, ends its outgoing call (cause 34 in the worker; the
// transfer reports failed).
import t from 'tap';
import { e1Harness } from '../rigs/e1-harness.js';
import type { SimLine } from '../../drivers/e1-pri/telco-sim/telco.js';
import { CAUSE } from '../../drivers/e1-pri/binding/constants.js';

t.test('when both sides send SETUP for channel 31 at once, the exchange keeps it and the box re-dials its transfer on 30', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const caller = h.telco.placeCall({ caller: '13800000031', channel: 1 });
  const o = await offered;
  await h.driver.answer(o.callId);
  await caller.waitFor('answered');

  const refused = new Promise<{ channel: number; cause: number }>((r) => h.telco.once('refused', r));
  const crossingOffered = h.next('offered', (e) => e.caller === '13700000031');
  const incoming = new Promise<SimLine>((r) => h.telco.once('incoming', r));
  // Armed before the box dials: the box's SETUP is the next frame on the idle link.
  const crossing = h.telco.placeCallCrossing({ caller: '13700000031', channel: 31 });
  const transfer = h.driver.transfer(o.callId, '12395');
  const x = await crossing;
  t.equal(x.channel, 31, 'the exchange sent its SETUP for 31 before reading the box\'s');
  t.same(await refused, { channel: 31, called: '12395', cause: CAUSE.REQUESTED_CHAN_UNAVAIL }, 'the exchange refused the box\'s SETUP for 31 with cause 44');
  const xo = await crossingOffered;
  t.equal(xo.channel, 'span1/ch31', 'the box yielded channel 31: the network\'s call is offered on it');
  t.equal((await transfer).outcome, 'connected', 'the transfer still connects');
  const rescue = await incoming;
  t.equal(rescue.called, '12395');
  t.equal(rescue.channel, 30, 'the box re-dialled on channel 30');
  t.same((await h.driver.probe()).channelsInUse, [1, 30, 31], 'the caller (1) hairpinned to 12395 (30), and the crossing call (31)');

  // The crossing call is a normal call: it is answered and cleared.
  await h.driver.answer(xo.callId);
  await x.waitFor('answered');
  const gone = h.next('hangup', (e) => e.callId === xo.callId);
  x.hangup();
  t.equal((await gone).party, 'caller');
});

t.test('when glare takes the last free channel, the box\'s outgoing call fails cleanly and the crossing call is offered', async (t) => {
  const h = await e1Harness({ config: { channels: [1, 31] } });
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const caller = h.telco.placeCall({ caller: '13800000032', channel: 1 });
  const o = await offered;
  await h.driver.answer(o.callId);
  await caller.waitFor('answered');

  const crossingOffered = h.next('offered', (e) => e.caller === '13700000032');
  const crossing = h.telco.placeCallCrossing({ caller: '13700000032', channel: 31 });
  const transfer = h.driver.transfer(o.callId, '12395');
  const x = await crossing;
  const xo = await crossingOffered;
  t.equal(xo.channel, 'span1/ch31', 'the network\'s call is offered on 31');
  t.same(await transfer, { outcome: 'failed' }, 'no channel to re-dial on: the transfer fails instead of hanging');
  t.equal(caller.state, 'answered', 'the caller stays with the box');
  t.same((await h.driver.probe()).channelsInUse, [1, 31]);
  const r = await h.driver.collectDigits(o.callId, { max: 1, firstDigitTimeoutMs: 200 }).then(() => 'ok');
  t.equal(r, 'ok', 'the caller\'s call still works');
  await h.driver.hangup(o.callId);
  await caller.released;
  await h.driver.hangup(xo.callId);
  await x.released;
});
