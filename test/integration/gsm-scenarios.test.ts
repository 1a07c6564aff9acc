// The scenario suite of the calls issue (test/rigs/scenarios.ts), unchanged, on the serial-AT GSM driver:
// simulated GSM modules on real socat ptys (gsm-rig.ts), in real time with the scenario timings scaled down
// 20 times (10 where a test measures the length of real audio).
// Two profiles of the same driver:
//  - a SIMCom module with a voice port (AT+CPCMREG, PCM on a second pty): the box plays its prompts, hears the
//    caller's keys as tones and records voicemail itself — play 'audio', digits 'box', record 'box';
//  - a Quectel module without one: the prompts are uploaded to the module (AT+QFUPL) and played there
//    (AT+QPSND), keys come from the module's detector, voicemail is the module's own recording (AT+QAUDRD)
//    fetched with AT+QFDWL — play 'module-file', digits 'module', record 'module'.
//  - a SIMCom module with neither (no voice port, no TTS, no files): silent prompts, the module's detector, no
//    recording — the gateway the issue found hanging up on distress callers.
// None can transfer (the flow's fallback C1) and agents sit at the gateway's local audio ports.
import fs from 'node:fs';
import t from 'tap';
import { nextOpening, weekdayCalendar } from '../../firmware-agent/calls/hours.js';
import { gsmRig } from '../rigs/gsm-rig.js';
import { mondayNight, nextEvent, scenarioSuite } from '../rigs/scenarios.js';

// Each test has its own modules, ptys and call centre, and waits on real time far more than it computes (about
// 7 s of CPU in 100 s): three at once, and two scenarios at once within each profile.
t.jobs = 3;

t.test('SIMCom module with a voice port', async (t) => scenarioSuite(t, gsmRig({ scale: 20, family: 'simcom', profile: 'voice-port' }), { jobs: 2 }));
t.test('Quectel module with prompts and recordings stored on the module', async (t) =>
  scenarioSuite(t, gsmRig({ scale: 20, family: 'quectel', profile: 'module-files' }), { jobs: 2 }),
);

t.test('SIMCom module that can neither play nor record', async (t) => scenarioSuite(t, gsmRig({ scale: 20, family: 'simcom', profile: 'plain' }), { jobs: 2 }));

t.test('on a gateway that can neither transfer nor play, a distress caller reaches an agent ahead of five queued callers', async (t) => {
  const h = await gsmRig({ scale: 20, profile: 'plain', modules: 6 })({ config: { queue: { maxWaitMs: 3_600_000 } } });
  t.teardown(() => h.close());
  t.match(h.center.capabilities, { play: 'none', transfer: false, record: false, digits: 'module' });
  h.agent(1, 'break', '801', { talkMs: 3000 });
  const queued = [1, 2, 3, 4, 5].map((i) => h.caller({ caller: `1380000000${i}`, presses: ['3'] }));
  // The five ring at once, each on its own module: listen for all of them before any is routed.
  await h.time.until(Promise.all(queued.map((q) => nextEvent(h, 'call.routed', (e) => e.callId === q.call.callId && e.route === 'queue'))));
  t.equal(h.center.acd.queueSnapshot().waiting.length, 5, 'five callers wait, each on a module of the gateway');
  const distress = h.caller({ caller: '13900000009', presses: ['1'] });
  await h.time.until(nextEvent(h, 'call.routed', (e) => e.callId === distress.call.callId && e.route === 'queue'));
  const offered = nextEvent(h, 'call.offered');
  h.center.acd.setState({ agentId: 1, name: 'agent1', state: 'ready' });
  const pop = await h.time.until(offered);
  t.equal(pop.callId, distress.call.callId, 'the first free agent gets the distress caller, not the five who waited longer');
  t.equal(pop.distress, true, 'and the desk shows it as water distress');
  t.ok(h.tickets.some((x) => x.callId === distress.call.callId && x.urgent), 'an urgent ticket was filed at once');
  for (const q of queued) q.call.hangup();
  await h.time.until(Promise.all([distress.done, ...queued.map((q) => q.done)]));
});

t.test('on a gateway that cannot record, an after-hours call is a ticket, a callback for the next working day and an SMS the module sends', async (t) => {
  const h = await gsmRig({ scale: 20, profile: 'plain' })({ start: mondayNight });
  t.teardown(() => h.close());
  const sent = new Promise<{ destination: { value: string }; text: string }>((r) => h.lines[0]!.sim.once('sent', r));
  const { done } = h.caller({ caller: '13300000001', presses: ['2'] });
  const log = await h.time.until(done);
  const ticket = h.tickets.find((x) => x.callId === log.callId)!;
  t.ok(ticket, 'a ticket from the missed call');
  const task = h.center.callbacks.list('pending').find((x) => x.call_id === log.callId);
  t.equal(task?.due_at, nextOpening(mondayNight, h.center.config.ivr.hours, weekdayCalendar), 'called back at the next opening');
  const sms = await h.time.until(sent);
  t.equal(sms.destination.value, '13300000001');
  t.match(sms.text, ticket.number, 'the SMS the module sent carries the ticket number');
});

t.test('over the voice port, a distress caller hears the 12395 announcement as audio and reaches the agent', async (t) => {
  const h = await gsmRig({ scale: 20 })();
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

t.test('a voicemail the module recorded but could not hand over (transfer cut) becomes the missed-call ticket with its callback', async (t) => {
  const h = await gsmRig({ scale: 20, family: 'quectel', profile: 'module-files' })({ start: mondayNight });
  t.teardown(() => h.close());
  for (const l of h.lines) l.sim.truncateNextDownload = 100;
  const { done } = h.caller({ caller: '13300000002', presses: ['2'], voicemailMs: 10_000 });
  const log = await h.time.until(done);
  const rec = h.center.records.get(log.callId)!;
  t.equal(rec.call.voicemail_file, null, 'no voicemail file is claimed');
  const ticket = h.tickets.find((x) => x.callId === log.callId);
  t.ok(ticket, 'the missed call is the ticket');
  t.equal(h.center.callbacks.list('pending').find((x) => x.call_id === log.callId)?.reason, 'missed-call', 'with a callback task');
  t.equal(h.sms?.filter((m) => m.to === '13300000002').length, 1, 'and the SMS with its number');
  t.match(h.lines.map((l) => l.modem.status.lastProblem ?? '').join(' '), /stopped short/, 'the cut transfer is on the modem status');
});
