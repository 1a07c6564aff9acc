// The simulated trunk leaves no timer behind once a call is over: a simulated agent's talk timer used to
// outlive the call (and the driver's stop), keeping a test process alive for the rest of the talk time.
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';

async function talking(talkMs = 48_000) {
  const clock = new VirtualClock();
  const sim = new SimulatorTrunk({ clock });
  sim.addStation('8001', { answerAfterMs: 100, talkMs });
  await sim.start();
  const call = sim.placeCall({ caller: '13800138000' });
  await sim.answer(call.callId);
  const r = await clock.until(sim.connectAgent(call.callId, '8001', { ringTimeoutMs: 5000 }));
  return { clock, sim, call, r };
}

t.test('stopping the driver during a conversation leaves no simulated agent timer pending', async (t) => {
  const { clock, sim, call, r } = await talking();
  t.equal(r.outcome, 'answered');
  t.equal(clock.pending, 1, 'the simulated agent will hang up after the talk time');
  await sim.stop();
  t.equal(call.log.hangup?.cause, 'driver-stopped');
  t.equal(clock.pending, 0, 'nothing is left to keep the process alive');
});

t.test('a caller hanging up first cancels the simulated agent timer', async (t) => {
  const { clock, sim, call } = await talking();
  call.hangup();
  t.equal(clock.pending, 0);
  await sim.stop();
});

t.test('an agent transfer releases the station and cancels its talk timer', async (t) => {
  const { clock, sim, call } = await talking();
  const r = await clock.until(sim.transfer(call.callId, '12306'));
  t.equal(r.outcome, 'connected');
  await clock.advance(0); // the box releases its side of a blind transfer at once
  t.equal(call.log.hangup?.cause, 'transferred');
  t.ok(call.log.stationReleasedAt !== undefined, 'the station was released');
  t.equal(clock.pending, 0);
  const again = sim.placeCall({ caller: '13900139000' });
  await sim.answer(again.callId);
  t.equal((await clock.until(sim.connectAgent(again.callId, '8001', { ringTimeoutMs: 5000 }))).outcome, 'answered', 'the station takes the next call');
  await sim.stop();
  t.equal(clock.pending, 0);
});
