// The scenario suite of the calls issue (test/rigs/scenarios.ts), unchanged, on the V.253 voice-modem
// driver: the same CallCenter takes calls on one simulated analog line over a real pty, in real time with the
// scenario timings scaled down 20 times (voice-modem-rig.ts; 10 where a test measures the length of real
// audio). The profile is an analog voice modem: prompts as audio, digits from the modem (and the box's
// detector), voicemail recorded by the box, no transfer, no station.
// Twice: a Conexant-style modem in full duplex (+VTR, A-law), and a USRobotics 5637-style modem in half
// duplex (+VRX/+VTX around every prompt, µ-law).
import fs from 'node:fs';
import t from 'tap';
import { mondayNight, scenarioSuite } from '../rigs/scenarios.js';
import { voiceModemRig } from '../rigs/voice-modem-rig.js';

// Each test has its own line, pty and call centre, and mostly waits on the wall clock: two at once, and two
// scenarios at once within each modem.
t.jobs = 2;

t.test('full duplex, A-law (Conexant AT+VSM=? list)', async (t) => scenarioSuite(t, voiceModemRig({ scale: 20 }), { jobs: 2 }));
t.test('half duplex, µ-law (USRobotics 5637 AT+VSM=? list)', async (t) =>
  scenarioSuite(t, voiceModemRig({ scale: 20, sim: { family: 'usr5637', duplex: false } }), { jobs: 2 }),
);

t.test('over the analog line, a distress caller hears the 12395 announcement as audio and is promised a first callback', async (t) => {
  const rig = voiceModemRig({ scale: 20 });
  const h = await rig();
  t.teardown(() => h.close());
  const { done } = h.caller({ caller: '13900000002', presses: ['1'] });
  const log = await h.time.until(done);
  t.equal(log.prompts.filter((p) => p === 'distress.announce').length, 2);
  let peak = 0;
  for (const s of h.line.sim.heard) peak = Math.max(peak, Math.abs(s));
  t.ok(peak > 2000, `the caller heard the prompts as audio, not silence (peak ${peak})`);
  t.equal(h.center.callbacks.list('pending').find((x) => x.call_id === log.callId)?.reason, 'distress');
  t.equal(log.hangup?.party, 'box', 'the box hung up after the announcement');
});

t.test("over the analog line, the after-hours voicemail holds the caller's speech", async (t) => {
  const rig = voiceModemRig({ scale: 10 });
  const h = await rig({ start: mondayNight });
  t.teardown(() => h.close());
  const { done } = h.caller({ caller: '13300000001', presses: ['2'], voicemailMs: 20_000 });
  const log = await h.time.until(done);
  const file = h.center.records.get(log.callId)!.call.voicemail_file!;
  const wav = fs.readFileSync(file);
  let peak = 0;
  for (let i = 44; i + 1 < wav.length; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
  t.ok(wav.length - 44 >= 2 * 8000 * 1.5, `about the 2 s the caller spoke (${((wav.length - 44) / 16000).toFixed(1)} s)`);
  t.ok(peak > 2000, `speech, not silence (peak ${peak})`);
});
