// The scenario suite of the calls issue (test/rigs/scenarios.ts), unchanged, on the E1 driver: the
// same CallCenter takes real ISDN calls from the telco simulator through the span worker, in real time
// with the scenario timings scaled down by the rig (e1-rig.ts). Callers press each menu choice as in-band
// DTMF when the box collects it; prompts are real synthesised speech.
import t from 'tap';
import { alawToLinear } from '../../drivers/media/alaw.js';
import type { SimLine } from '../../drivers/e1-pri/telco-sim/telco.js';
import { e1Rig } from '../rigs/e1-rig.js';
import { nextEvent, scenarioSuite } from '../rigs/scenarios.js';

// Each scenario gets its own span; the next one's worker starts while a scenario runs.
const rig = e1Rig({ scale: 20, prewarm: true });
t.teardown(() => rig.dispose());

// Three scenarios at once: each takes its own span (its own worker and simulated network side).
scenarioSuite(t, rig, { jobs: 3 });

t.test('over the E1, a distress transfer is a second call to 12395 bridged to the caller, who hears spoken prompts', async (t) => {
  const h = await rig();
  t.teardown(() => h.close());
  const rescue = new Promise<SimLine>((r) => h.telco.once('incoming', r));
  const { done } = h.caller({ caller: '13900000002', presses: ['1'] });
  const log = await h.time.until(done);
  const rescueLine = await rescue;
  t.equal(rescueLine.called, '12395', 'the box placed the second call to 12395');
  t.equal(rescueLine.caller, '12328', 'presenting the hotline number');
  const line = h.lineOf(log.callId)!;
  const audio = alawToLinear(Buffer.concat(line.received));
  let peak = 0;
  for (const s of audio) peak = Math.max(peak, Math.abs(s));
  t.ok(peak > 2000, `the caller heard the prompts as audio, not silence (peak ${peak})`);
  rescueLine.hangup();
  const rel = await line.released;
  t.equal(rel.by, 'box', 'the caller is released when 12395 hangs up');
});

t.test('over the E1, the call record keeps the Q.850 cause the caller hung up with', async (t) => {
  const h = await rig();
  t.teardown(() => h.close());
  // The caller listens to the menu and hangs up without choosing; the telco clears with 17 (user busy),
  // a cause other than normal clearing so the record cannot hold it by default.
  const collecting = nextEvent(h, 'call.arrived');
  const { call, done } = h.caller({ caller: '13500000017', presses: [] });
  const { callId } = await h.time.until(collecting);
  await h.time.elapse(1_000);
  h.lineOf(callId)!.hangup(17);
  await h.time.until(done);
  await h.time.until(new Promise<void>((resolve) => {
    const check = () => (h.center.records.get(call.callId)?.call.ended_at ? resolve() : setTimeout(check, 20));
    check();
  }));
  const rec = h.center.records.get(call.callId)!;
  t.equal(rec.call.hangup_party, 'caller');
  t.equal(rec.call.hangup_q850, 17, 'the ISDN cause value is kept beside the mapped cause');
  t.equal(rec.call.outcome, 'ivr-hangup', 'left in the menu, before any queue');
});
