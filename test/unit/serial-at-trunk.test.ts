// SerialAtTrunk, a GSM module on a simulated serial line: the shared trunk contract
// (test/helpers/trunk-contract.ts), then what is particular to a one-channel gateway (its caller format, the
// transfer it cannot make, its local audio ports as stations, losing and finding the port).
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { TrunkError, type HangupEvent, type TrunkEvents } from '../../drivers/trunk/types.js';
import { GsmModem } from '../../drivers/serial-at/modem.js';
import { moduleInit } from '../../drivers/serial-at/init.js';
import { SerialAtTrunk } from '../../drivers/serial-at/trunk.js';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { memoryLink } from '../../drivers/serial-at/transport.js';
import { type TrunkRig, trunkContract } from '../helpers/trunk-contract.js';

function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = new VirtualClock();
  const link = memoryLink();
  const sim = new SimulatedModem({ clock });
  let attaching = true;
  void (async () => {
    while (attaching) sim.attach(await link.nextDevice());
  })();
  const modem = new GsmModem({ transport: link.factory, clock, healthIntervalMs: 600_000, extraInit: moduleInit.simcom }); // DTMF detector on
  const trunk = new SerialAtTrunk({ modem, clock, stations: ['801'], promptPauseMs: 1000, called: '12328' });
  const seen: Array<[keyof TrunkEvents, unknown]> = [];
  for (const k of ['offered', 'digits', 'hangup', 'failed', 'ready'] as const) trunk.on(k, (e) => seen.push([k, e]));
  t.teardown(async () => {
    attaching = false;
    await trunk.stop();
  });
  const offered = () => new Promise<TrunkEvents['offered']>((resolve) => trunk.on('offered', resolve));
  return { clock, sim, modem, trunk, seen, offered, link };
}

t.test('T1: commands before start reject driver-down; start emits ready with one channel', async (t) => {
  const { clock, trunk, seen } = setup(t);
  await t.rejects(trunk.answer('x'), { code: 'driver-down' });
  await clock.until(trunk.start());
  t.match(seen, [['ready', { channels: 1 }]]);
});

t.test('T3/T11: offered with the caller number, digits, then exactly one hangup', async (t) => {
  const { clock, sim, trunk, seen, offered } = setup(t);
  await clock.until(trunk.start());
  const o = offered();
  sim.ring('+8613800138000');
  const call = await clock.until(o);
  t.match(call, { caller: '+8613800138000', called: '12328', channel: 'gsm0', presentation: 'allowed' });
  await clock.until(trunk.answer(call.callId));
  sim.callerPresses('5');
  const r = await clock.until(trunk.collectDigits(call.callId, { max: 1, firstDigitTimeoutMs: 5000 }));
  t.same(r, { outcome: 'max', digits: '5' });
  const hung = new Promise<HangupEvent>((resolve) => trunk.on('hangup', resolve));
  sim.callerHangsUp();
  t.match(await clock.until(hung), { callId: call.callId, party: 'caller', cause: 'normal' });
  await trunk.hangup(call.callId); // T4: idempotent
  t.same(seen.map(([k]) => k), ['ready', 'offered', 'digits', 'hangup']);
});

t.test('T4/T5/T6: unknown calls, unanswered media, one media operation at a time', async (t) => {
  const { clock, sim, trunk, offered } = setup(t);
  await clock.until(trunk.start());
  await t.rejects(trunk.play('nope', { id: 'x' }), { code: 'unknown-call' });
  const o = offered();
  sim.ring('13800138000');
  const call = await clock.until(o);
  await t.rejects(trunk.play(call.callId, { id: 'menu.main' }), { code: 'not-answered' });
  await clock.until(trunk.answer(call.callId));
  const p = trunk.play(call.callId, { id: 'menu.main' }, { interruptible: true });
  await t.rejects(trunk.collectDigits(call.callId, { max: 1, firstDigitTimeoutMs: 100 }), { code: 'busy' });
  sim.callerPresses('9');
  t.same(await clock.until(p), { outcome: 'interrupted', digit: '9' });
  t.same(await clock.until(trunk.collectDigits(call.callId, { max: 1, firstDigitTimeoutMs: 100 })), { outcome: 'max', digits: '9' }, 'T7: the digit stays buffered');
  t.same(await clock.until(trunk.play(call.callId, { id: 'x' })), { outcome: 'completed' });
  await t.rejects(trunk.transfer(call.callId, '12306'), { code: 'unsupported' });
  t.same(await trunk.connectAgent(call.callId, '999', { ringTimeoutMs: 1000 }), { outcome: 'unreachable' });
  t.match(await trunk.connectAgent(call.callId, '801', { ringTimeoutMs: 1000 }), { outcome: 'answered' });
});

t.test('T9: losing the port fails the calls in flight (no hangup) and ready follows on return', async (t) => {
  const { clock, sim, trunk, seen, offered, link } = setup(t);
  await clock.until(trunk.start());
  const o = offered();
  sim.ring('13800138000');
  const call = await clock.until(o);
  await clock.until(trunk.answer(call.callId));
  const collecting = trunk.collectDigits(call.callId, { max: 4, firstDigitTimeoutMs: 60_000 }).catch((e: unknown) => e);
  const failed = new Promise<TrunkEvents['failed']>((resolve) => trunk.on('failed', resolve));
  link.unplug();
  t.match(await clock.until(failed), { permanent: false, callIds: [call.callId] });
  const err = await clock.until(collecting);
  t.ok(err instanceof TrunkError && err.code === 'driver-failed');
  const ready = new Promise((resolve) => trunk.on('ready', resolve));
  link.replug();
  await clock.until(ready);
  t.notOk(seen.some(([k]) => k === 'hangup'));
  await t.rejects(trunk.answer(call.callId), { code: 'unknown-call' });
});

t.test('a ringing call the caller abandons ends as caller-abandoned', async (t) => {
  const { clock, sim, trunk, offered } = setup(t);
  await clock.until(trunk.start());
  const o = offered();
  sim.ring('13800138000');
  const call = await clock.until(o);
  const hung = new Promise<HangupEvent>((resolve) => trunk.on('hangup', resolve));
  sim.callerHangsUp();
  t.match(await clock.until(hung), { callId: call.callId, cause: 'caller-abandoned', party: 'caller' });
});

t.test('the box boots without its gateway: start resolves with failed, ready follows when it appears', async (t) => {
  const { clock, trunk, seen, link } = setup(t);
  link.unplug();
  await clock.until(trunk.start());
  t.match(seen, [['failed', { permanent: false, callIds: [] }]]);
  const ready = new Promise((resolve) => trunk.on('ready', resolve));
  link.replug();
  await clock.until(ready);
  t.same(seen.map(([k]) => k), ['failed', 'ready']);
});

t.test('the trunk contract on the serial AT gateway', async (t) =>
  trunkContract(t, {
    unstarted: () => setup(t).trunk,
    async started(): Promise<TrunkRig> {
      const closers: (() => unknown)[] = [];
      const { clock, sim, trunk, offered } = setup({ teardown: (fn) => closers.push(fn) });
      await clock.until(trunk.start());
      return {
        trunk,
        async call(caller) {
          const o = offered();
          sim.ring(caller);
          const call = await clock.until(o);
          return { callId: call.callId, press: (d) => sim.callerPresses(d), hangup: () => sim.callerHangsUp(), answered: async () => {} };
        },
        until: (p) => clock.until(p),
        pause: (ms) => clock.advance(ms),
        prompt: { id: 'menu.main' },
        close: async () => {
          for (const close of closers) await close();
        },
      };
    },
  }),
);
