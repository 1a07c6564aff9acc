// A voicemail recorded on the analog path, played back from the ticket in the browser: a box started with
// `--driver voice-modem` on one end of a real pty, the simulated V.253 modem on the other; after hours, a caller
// rings with caller ID, chooses 2 (complaint), speaks a message (espeak-ng Mandarin) and presses #. The ticket
// page's player plays the recording.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openPtyPair } from '../../drivers/serial-at/simulator/pty.js';
import { serialPortTransport } from '../../drivers/serial-at/transport.js';
import { SimulatedVoiceModem } from '../../drivers/voice-modem/simulator/modem-sim.js';
import { speechPcm } from '../../drivers/voice-modem/simulator/speech.js';
import { startTestBox } from '../helpers/box.js';
import { shortPrompts } from '../helpers/prompts.js';
import { callCenterOf } from '../../firmware-agent/calls/install.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import { client } from '../helpers/box.js';
import { waitFor } from '../helpers/wait.js';
import { launch, login, newPage, password, shot } from './helpers.js';

// The box's clock: the next 22:00 China time ahead of the wall clock (after hours), running on in real time.
const night = (() => {
  const now = Date.now();
  const today22 = Date.parse(`${new Date(now + 8 * 3_600_000).toISOString().slice(0, 10)}T22:00:00+08:00`);
  return today22 > now ? today22 : today22 + 86_400_000;
})();

t.test('an after-hours voicemail left on an analog line plays from its ticket in the browser', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-e2e-'));
  const link = path.join(dir, 'ttyACM0');
  const pair = await openPtyPair({ hostLink: link });
  const simPort = await serialPortTransport({ path: pair.device }).open();
  const sim = new SimulatedVoiceModem({ family: 'conexant', duplex: true, ringIntervalMs: 4000 });
  sim.attach(simPort);
  // The real prompts cut to 0.4 s, as recorded prompts in the box's prompt directory (kept, not regenerated):
  // what is played back here is the caller's message, and the after-hours menu at full length only made the
  // test wait (about 20 s of speech) for nothing it checks.
  await shortPrompts(dir);
  const realStart = Date.now();
  const { box, url } = await startTestBox({
    login: false,
    listen: true,
    dataDir: dir,
    now: () => new Date(night + (Date.now() - realStart)),
    flags: { driver: 'voice-modem', serial: link },
  });
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await box.close();
    await simPort.close();
    await pair.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const center = callCenterOf(box)!;
  t.match(center.capabilities, { play: 'audio', digits: 'module', record: 'box', transfer: false, stations: 'none' }, 'the analog voice-modem profile');
  if (!center.trunkUp) await new Promise<void>((r) => center.events.subscribe((e) => e.type === 'trunk.state' && e.up && r()));
  t.equal(sim.compression, 'alaw', 'the box chose A-law from the modem’s AT+VSM=? list');

  const adminPassword = fs.readFileSync(path.join(dir, 'initial-admin-password'), 'utf8').trim();
  const login1 = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: adminPassword } });
  const admin = client(box, String(login1.headers['set-cookie']).split(';')[0]!);
  t.equal((await admin.post('/api/users', { username: 'agent1', role: 'agent', displayName: '话务员小王', password })).statusCode, 201);

  const arrived = new Promise<string>((r) => center.events.subscribe((e: LiveEvent) => e.type === 'call.arrived' && r(e.callId)));
  const ended = new Promise<Extract<LiveEvent, { type: 'call.ended' }>>((r) =>
    center.events.subscribe((e: LiveEvent) => e.type === 'call.ended' && r(e as Extract<LiveEvent, { type: 'call.ended' }>)),
  );
  const answered = new Promise<void>((r) => sim.once('answered', () => r()));
  const message = speechPcm('chu zu che ju zai.'); // about 2 s of speech, in real time
  sim.ring('13300000001');
  const callId = await arrived;
  await answered;
  sim.press('2'); // types ahead over the welcome: menu 2, a complaint
  await waitFor('the box records the message', () => center.records.get(callId)?.call.voicemail_file, 60_000);
  sim.speak(await message);
  sim.press('#');
  const end = await ended;
  t.equal(end.outcome, 'voicemail');
  t.ok(sim.heard.length > 8000, `the caller heard the box's prompts (${(sim.heard.length / 8000).toFixed(1)} s of audio)`);

  const rec = (await admin.get(`/api/calls/${encodeURIComponent(callId)}`)).json() as {
    call: { voicemail_file: string; after_hours: number };
    tickets: { ticket_number: string }[];
  };
  t.equal(rec.call.after_hours, 1);
  const wav = fs.readFileSync(rec.call.voicemail_file);
  t.ok(wav.length > 44 + 16000, 'a WAV of more than a second');
  let peak = 0;
  for (let i = 44; i + 1 < wav.length; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
  t.ok(peak > 2000, `with the caller's voice in it (peak ${peak})`);
  t.equal(rec.tickets.length, 1, 'the voicemail is a ticket');
  const number = rec.tickets[0]!.ticket_number;
  t.equal(((await admin.get(`/api/tickets/${number}`)).json() as { type: string }).type, 'complaint', 'menu 2, pressed on the analog line');

  const page = await newPage(browser, url);
  await login(page, 'agent1');
  await page.goto(`/tickets/${number}`);
  await page.waitForSelector('#calls');
  await shot(page, 'ticket-voicemail-analog');
  // The call's voicemail has its own player on the ticket page (served by /api/ui/calls/:id/voicemail).
  await page.waitForSelector('#calls audio.voicemail');
  const duration = await page.waitForFunction(() => {
    // Test files are type-checked without the DOM library: the page's document, typed by hand.
    const doc = (globalThis as unknown as { document: { querySelector(s: string): { duration: number } | null } }).document;
    const a = doc.querySelector('#calls audio.voicemail');
    return a && Number.isFinite(a.duration) && a.duration > 0 ? a.duration : null;
  });
  const seconds = (await duration.jsonValue()) as number;
  t.ok(seconds > 0, `the ticket page plays the message recorded on the analog line (${seconds.toFixed(1)} s)`);
  const range = await admin.get(`/api/ui/calls/${encodeURIComponent(callId)}/voicemail`);
  t.equal(range.statusCode, 200, 'the voicemail route serves the WAV');
});
