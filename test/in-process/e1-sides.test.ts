// The box as the NETWORK side of the span (a PBX behind it is the user side), and a second switch type.
// The simulator runs libpri as the opposite side through the same binding.
import t from 'tap';
import { e1Harness } from '../rigs/e1-harness.js';
import type { SimLine } from '../../drivers/e1-pri/telco-sim/telco.js';

t.test('as the network side the box takes a call from a CPE and places one to it', async (t) => {
  const h = await e1Harness({ config: { side: 'network' }, telcoSide: 'cpe' });
  t.teardown(() => h.close());
  const probe = await h.driver.probe();
  t.equal(probe.side, 'network');
  t.equal(probe.dchannel, 'up', 'Q.921 came up with the roles swapped');

  const offered = h.next('offered');
  const caller = h.telco.placeCall({ caller: '13800000041', called: '12328' });
  t.equal(caller.channel, 31, 'the CPE hunts from the top');
  const o = await offered;
  t.equal(o.channel, 'span1/ch31');
  t.equal(o.caller, '13800000041');
  await caller.waitFor('ringing');
  await h.driver.answer(o.callId);
  await caller.waitFor('answered');

  const incoming = new Promise<SimLine>((r) => h.telco.once('incoming', r));
  const r = await h.driver.transfer(o.callId, '12395');
  t.equal(r.outcome, 'connected', 'the CPE answered the box\'s SETUP');
  const rescue = await incoming;
  t.equal(rescue.called, '12395');
  t.equal(rescue.channel, 1, 'the network side hunts from the bottom');
  caller.pressDigits('7');
  await new Promise<void>((res) => rescue.once('heardDigit', () => res()));
  t.same(rescue.heard, ['7'], 'audio flows through the hairpin');
  rescue.hangup();
  t.equal((await caller.released).by, 'box', 'the box released the caller when the far end hung up');
});

t.test('with the QSIG switch type on both ends a call is offered, answered and cleared', async (t) => {
  const h = await e1Harness({ config: { switchType: 'qsig' }, telcoSwitch: 'qsig' });
  t.teardown(() => h.close());
  t.equal((await h.driver.probe()).switchType, 'qsig');
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '6001', called: '12328', channel: 3 });
  const o = await offered;
  t.equal(o.channel, 'span1/ch3');
  t.equal(o.caller, '6001');
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  const hangup = h.next('hangup');
  line.hangup();
  const e = await hangup;
  t.equal(e.party, 'caller');
  t.equal(e.q850, 16);

  const offered2 = h.next('offered');
  const caller = h.telco.placeCall({ caller: '6002', called: '12328' });
  const o2 = await offered2;
  await h.driver.answer(o2.callId);
  await caller.waitFor('answered');
  const incoming = new Promise<SimLine>((r) => h.telco.once('incoming', r));
  t.equal((await h.driver.transfer(o2.callId, '12395')).outcome, 'connected', 'an outgoing QSIG call is answered');
  const rescue = await incoming;
  t.equal(rescue.called, '12395');
  caller.hangup();
  t.equal((await rescue.released).by, 'box', 'the caller hanging up released the QSIG leg');
});
