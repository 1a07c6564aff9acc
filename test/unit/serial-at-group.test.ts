// SerialAtGroup (drivers/serial-at/group.ts): several modules as one trunk. The members here are simulated trunks
// (the layer below, as the unit-test rule allows); the group's own rules: commands reach the module that offered the
// call, events of every module are passed on, one module's failure fails only its calls, a mixed group is refused.
import t from 'tap';
import { SerialAtGroup } from '../../drivers/serial-at/group.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import { VirtualClock } from '../../common/clock.js';
import { TrunkError, type TrunkEvents } from '../../drivers/trunk/types.js';

const profile = { play: 'none', digits: 'module', record: false, transfer: false, stations: 'local' } as const;

t.test('commands go to the module that offered the call; events of all modules are passed on', async (t) => {
  const clock = new VirtualClock();
  const a = new SimulatorTrunk({ clock, channels: 1, capabilities: profile, newId: (() => { let n = 0; return () => `a${++n}`; })() });
  const b = new SimulatorTrunk({ clock, channels: 1, capabilities: profile, newId: (() => { let n = 0; return () => `b${++n}`; })() });
  const g = new SerialAtGroup([a, b], { clock });
  const ready: TrunkEvents['ready'][] = [];
  g.on('ready', (e) => ready.push(e));
  await g.start();
  t.equal(ready.at(-1)?.channels, 2, 'ready counts the modules');
  const offered: string[] = [];
  g.on('offered', (e) => offered.push(e.callId));
  const ca = a.placeCall({ caller: '13800000001' });
  const cb = b.placeCall({ caller: '13800000002' });
  await clock.advance(10);
  t.same(offered.sort(), ['a1', 'b1']);
  await g.answer('b1');
  t.ok(cb.log.answeredAt !== undefined, 'answered on module b');
  t.equal(ca.log.answeredAt, undefined, 'not on module a');
  t.equal(g.memberOf('a1'), a);
  await t.rejects(g.answer('nobody'), { code: 'unknown-call' });
  await g.hangup('nobody'); // idempotent (T4)
  const hung: string[] = [];
  g.on('hangup', (e) => hung.push(e.callId));
  await g.hangup('a1');
  t.same(hung, ['a1']);
  t.equal(g.memberOf('a1'), undefined, 'forgotten after its hang-up');

  // Module b fails: only its call is over, and the failure is not permanent for the group.
  const failed: TrunkEvents['failed'][] = [];
  g.on('failed', (e) => failed.push(e));
  b.crash('usb unplugged', true);
  t.same(failed.map((f) => [f.callIds, f.permanent]), [[['b1'], false]]);
  const c2 = a.placeCall({ caller: '13800000003' });
  await clock.advance(10);
  await g.answer(c2.callId);
  t.ok(c2.log.answeredAt !== undefined, 'module a still takes calls');
  await g.stop();
});

t.test('modules of different kinds are refused as one group', async (t) => {
  const clock = new VirtualClock();
  const a = new SimulatorTrunk({ clock, channels: 1, capabilities: profile });
  const b = new SimulatorTrunk({ clock, channels: 1, capabilities: { ...profile, play: 'audio' } });
  const g = new SerialAtGroup([a, b], { clock });
  const err = await g.start().catch((e: unknown) => e);
  t.ok(err instanceof TrunkError && err.code === 'invalid-argument' && /module 1/.test(err.message), String(err));
  t.throws(() => new SerialAtGroup([]), { code: 'invalid-argument' });
});
