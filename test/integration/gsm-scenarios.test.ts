// The scenario suite of the calls issue (test/integration/scenarios.ts), unchanged, on the serial-AT GSM driver:
// simulated GSM modules on real socat ptys (gsm-rig.ts), in real time with the scenario timings scaled down.
// Two profiles of the same driver:
//  - a SIMCom module with a voice port (AT+CPCMREG, PCM on a second pty): the box plays its prompts, hears the
//    caller's keys as tones and records voicemail itself — play 'audio', digits 'box', record 'box';
//  - a Quectel module without one: the prompts are uploaded to the module (AT+QFUPL) and played there
//    (AT+QPSND), keys come from the module's detector, voicemail is the module's own recording (AT+QAUDRD)
//    fetched with AT+QFDWL — play 'module-file', digits 'module', record 'module'.
// Neither can transfer (the flow's fallback C1) and agents sit at the gateway's local audio ports.
import fs from 'node:fs';
import t from 'tap';
import { gsmRig } from './gsm-rig.js';
import { mondayNight, scenarioSuite } from './scenarios.js';

t.test('SIMCom module with a voice port', async (t) => scenarioSuite(t, gsmRig({ scale: 10, family: 'simcom', profile: 'voice-port' })));
t.test('Quectel module with prompts and recordings stored on the module', async (t) =>
  scenarioSuite(t, gsmRig({ scale: 10, family: 'quectel', profile: 'module-files' })),
);

t.test('over the voice port, a distress caller hears the 12395 announcement as audio and reaches the agent', async (t) => {
  const h = await gsmRig({ scale: 10 })();
  t.teardown(() => h.close());
  h.agent(1, 'ready', '801', { talkMs: 5000 });
  const { done } = h.caller({ caller: '13900000002', presses: ['1'] });
  const log = await h.time.until(done);
  t.equal(log.prompts.filter((p) => p === 'distress.announce').length, 2);
  t.equal(log.connected?.station, '801');
  let peak = 0;
  for (const line of h.lines) for (const s of line.voice.heard) peak = Math.max(peak, Math.abs(s));
  t.ok(peak > 2000, `the caller heard the prompts as audio, not silence (peak ${peak})`);
});

t.test("stored on the module: the prompts are uploaded once, played there, and the voicemail is the module's recording", async (t) => {
  const rig = gsmRig({ scale: 10, family: 'quectel', profile: 'module-files' });
  const h = await rig({ start: mondayNight });
  t.teardown(() => h.close());
  const line = h.lines[0]!;
  const { done } = h.caller({ caller: '13300000001', presses: ['2'], voicemailMs: 20_000 });
  const log = await h.time.until(done);
  t.ok(line.sim.played.length >= 2, `the module played ${line.sim.played.length} prompts from its storage`);
  t.ok(line.sim.played.every((n) => n.startsWith('UFS:p') && line.sim.files.has(n)), 'each from a file uploaded to its UFS');
  const names = [...line.sim.files.keys()];
  t.equal(new Set(names).size, names.length);
  const file = h.center.records.get(log.callId)!.call.voicemail_file!;
  const wav = fs.readFileSync(file);
  let peak = 0;
  for (let i = 44; i + 1 < wav.length; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
  t.ok(wav.length - 44 >= 2 * 8000 * 1.5, `about the 2 s the caller spoke (${((wav.length - 44) / 16000).toFixed(1)} s)`);
  t.ok(peak > 2000, `speech, not silence (peak ${peak})`);
  t.notOk([...line.sim.files.keys()].some((n) => n.startsWith('UFS:r')), 'the recording was deleted on the module once fetched');
  t.equal(h.tickets.length, 1, 'the voicemail is a ticket');
});
