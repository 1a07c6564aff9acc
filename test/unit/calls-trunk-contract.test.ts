// The trunk driver contract (drivers/trunk/types.ts, rules T1-T11) on the simulator: the shared suite
// (test/helpers/trunk-contract.ts, also run on the serial AT and E1 drivers), then what only the simulator
// shows (a crash and its restart, transfer and record outcomes) and the trunk kit's parts.
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { DigitBuffer } from '../../drivers/trunk/digits.js';
import { TrunkEmitter } from '../../drivers/trunk/emitter.js';
import { redactNumber } from '../../common/log.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import { type TrunkRig, outcomeCode as code, trunkContract } from '../helpers/trunk-contract.js';

async function started() {
  const clock = new VirtualClock();
  const sim = new SimulatorTrunk({ clock, promptMs: () => 1000 });
  await sim.start();
  return { clock, sim };
}

t.test('the trunk contract on the simulator', async (t) =>
  trunkContract(t, {
    unstarted: () => new SimulatorTrunk({ clock: new VirtualClock() }),
    async started(): Promise<TrunkRig> {
      const { clock, sim } = await started();
      return {
        trunk: sim,
        async call(caller) {
          const c = sim.placeCall({ caller });
          return { callId: c.callId, press: (d) => c.press(d), hangup: () => c.hangup(), answered: async () => {} };
        },
        until: (p) => clock.until(p),
        pause: (ms) => clock.advance(ms),
        prompt: { id: 'menu' },
        close: () => sim.stop(),
      };
    },
  }),
);

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
