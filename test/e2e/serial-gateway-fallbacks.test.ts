// A box on the serial GSM gateway (`--driver serial-at`, the simulated module on a real pty) whose module can
// neither transfer nor play (no TTS, no audio path; its DTMF detector on), with one handset wired to the
// gateway as agent station 801. The fallbacks of issue 10 on the real driver, through the agent's browser:
// - a water-distress caller reaches the agent, and the desk shows 水上遇险 with the 12395 key, which tells
//   the agent to dial out since this line cannot transfer; an urgent ticket was filed for the call;
// - an after-hours caller on this gateway (it cannot record) leaves a ticket, a callback task due at the
//   next working day's opening, and an SMS with the ticket number that the module actually sends.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openPtyPair } from '../../drivers/serial-at/simulator/pty.js';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { serialPortTransport } from '../../drivers/serial-at/transport.js';
import { startTestBox } from '../helpers/box.js';
import { callCenterOf } from '../../firmware-agent/calls/install.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import { nextOpening } from '../../firmware-agent/calls/hours.js';
import { client } from '../helpers/box.js';
import { waitFor } from '../helpers/wait.js';
import { launch, login, newPage, password, shot } from './helpers.js';

// The box's clock: the next 22:00 China time still ahead of the wall clock (after hours whatever the day;
// ahead, so the browser's session cookie is not already expired), running on in real time.
const night = (() => {
  const now = Date.now();
  const today22 = Date.parse(`${new Date(now + 8 * 3_600_000).toISOString().slice(0, 10)}T22:00:00+08:00`);
  return today22 > now ? today22 : today22 + 86_400_000;
})();

t.test('on a serial gateway that can neither transfer nor play, distress reaches the agent and a night caller leaves a ticket', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-fallback-'));
  const link = path.join(dir, 'gsm0');
  const pair = await openPtyPair({ hostLink: link });
  const simPort = await serialPortTransport({ path: pair.device }).open();
  const modem = new SimulatedModem();
  modem.attach(simPort);
  const realStart = Date.now();
  const { box, url } = await startTestBox({
    login: false,
    listen: true,
    dataDir: dir,
    now: () => new Date(night + (Date.now() - realStart)),
    flags: { driver: 'serial-at', serial: link, stations: '801', module: 'simcom' },
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
  const events: LiveEvent[] = [];
  center.events.subscribe((e) => events.push(e));
  t.match(center.capabilities, { play: 'none', transfer: false, record: false, stations: 'local', digits: 'module' }, 'the profile of this gateway');

  const adminPassword = fs.readFileSync(path.join(dir, 'initial-admin-password'), 'utf8').trim();
  const login1 = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: adminPassword } });
  const admin = client(box, String(login1.headers['set-cookie']).split(';')[0]!);
  t.equal((await admin.post('/api/users', { username: 'agent1', role: 'agent', displayName: '话务员小王', password })).statusCode, 201);
  if (!center.trunkUp) await new Promise<void>((r) => center.events.subscribe((e) => e.type === 'trunk.state' && e.up && r()));

  const page = await newPage(browser, url);
  await login(page, 'agent1');
  await page.goto('/desk');
  await page.waitForSelector('#live.up');
  await page.waitForSelector('#browser-unavailable');
  t.notOk(await page.$('#use-browser'), 'the gateway has no audio path to the box: the desk offers telephone stations only, and says so');
  await page.fill('#station', '801');
  await page.keyboard.press('F2');
  await waitFor('the agent is ready', () => [...center.acd.agents.values()].some((a) => a.state === 'ready' && a.station === '801'));

  await t.test('a distress caller', async (t) => {
    const offered = waitEvent(events, center, (e) => e.type === 'call.offered');
    const answered = new Promise<void>((r) => modem.on('command', (line: string) => /^ATA/i.test(line) && r()));
    modem.ring('13900000002');
    await answered;
    await waitFor('the module answered', () => modem.call?.state === 'active');
    modem.callerPresses('1');
    const pop = (await offered) as Extract<LiveEvent, { type: 'call.offered' }>;
    t.equal(pop.distress, true, 'offered to the agent as distress');
    t.equal(pop.canTransfer, false);
    await page.waitForSelector('#pop-distress');
    t.match(await page.textContent('#pop-distress'), /水上遇险/, 'the desk shows 水上遇险');
    t.match(await page.getAttribute('#transfer-12395', 'class'), /danger/, 'with the 12395 key marked');
    await page.click('#transfer-12395');
    await page.waitForSelector('text=外线电话拨打 12395');
    t.pass('the 12395 key tells the agent to dial 12395 on an outside line');
    await shot(page, 'desk-distress-serial-gateway');
    const list = (await admin.get('/api/tickets?q=' + encodeURIComponent('水上遇险'))).json() as { items: { number: string; urgent: boolean | number; subject: string }[] };
    const urgent = list.items.find((x) => /水上遇险/.test(x.subject));
    t.ok(urgent, 'an urgent ticket was filed for the call');
    t.ok(urgent?.urgent, 'marked urgent');
    t.equal(pop.ticketNumber, urgent?.number, 'the pop names it');
    const ended = waitEvent(events, center, (e) => e.type === 'call.ended');
    modem.callerHangsUp();
    await ended;
  });

  await t.test('an after-hours caller on a gateway that cannot record', async (t) => {
    const parts: { to: string; text: string }[] = [];
    modem.on('sent', (s) => parts.push({ to: s.destination.value, text: s.text }));
    const ended = waitEvent(events, center, (e) => e.type === 'call.ended');
    const answered = new Promise<void>((r) => modem.on('command', (line: string) => /^ATA/i.test(line) && r()));
    modem.ring('13300000001');
    await answered;
    await waitFor('the module answered', () => modem.call?.state === 'active');
    modem.callerPresses('2');
    const end = (await ended) as Extract<LiveEvent, { type: 'call.ended' }>;
    t.equal(end.outcome, 'callback', 'the box hung up after registering the call');
    const rec = (await admin.get(`/api/calls/${encodeURIComponent(end.callId)}`)).json() as {
      call: { after_hours: number; route: string };
      tickets: { ticket_number: string }[];
    };
    t.equal(rec.call.after_hours, 1);
    t.equal(rec.call.route, 'missed-call');
    t.equal(rec.tickets.length, 1, 'the missed call is a ticket linked to the call');
    const number = rec.tickets[0]!.ticket_number;
    const ticket = (await admin.get(`/api/tickets/${number}`)).json() as { type: string; subject: string; description: string };
    t.equal(ticket.type, 'complaint', 'menu 2: a complaint');
    t.match(ticket.description, /13300000001/);
    // The agent on duty is ready, so the task may already be offered to them (assigned) rather than pending.
    type Task = { call_id: string; reason: string; due_at: number; ticket_number: string };
    const tasks = [
      ...((await admin.get('/api/callbacks?status=pending')).json() as Task[]),
      ...((await admin.get('/api/callbacks?status=assigned')).json() as Task[]),
    ];
    const task = tasks.find((x) => x.call_id === end.callId);
    t.equal(task?.reason, 'missed-call', 'a callback task');
    t.equal(task?.ticket_number, number);
    // The opening after the box's own time (its night); the call record's arrived_at is the driver's clock,
    // the wall clock, which only the box's clock is moved away from here.
    const arrived = box.now().getTime();
    const hours = center.config.ivr.hours;
    t.equal(task?.due_at, nextOpening(arrived, hours, box.calendar), 'due when the centre next opens');
    t.ok(task!.due_at > arrived && new Date(task!.due_at + 8 * 3_600_000).toISOString().endsWith('T08:00:00.000Z'), 'at 08:00 on a later day');
    await waitFor('the SMS went out', () => parts.some((p) => p.text.includes(number)));
    const sent = parts.find((p) => p.text.includes(number))!;
    t.match(sent.to, /13300000001$/, 'an SMS to the caller, sent by the module, with the ticket number');
  });
});

function waitEvent(seen: LiveEvent[], center: NonNullable<ReturnType<typeof callCenterOf>>, match: (e: LiveEvent) => boolean): Promise<LiveEvent> {
  const from = seen.length;
  return new Promise((resolve) => {
    const found = seen.slice(from).find(match);
    if (found) return resolve(found);
    const off = center.events.subscribe((e) => {
      if (!match(e)) return;
      off();
      resolve(e);
    });
  });
}
