// The GsmModem facade against the simulated modem over an in-memory link, on a virtual clock:
// scenarios read as sentences, and no test sleeps.
import t from 'tap';
import { GsmModem, type IncomingSms } from '../../drivers/serial-at/modem.js';
import { moduleInit } from '../../drivers/serial-at/init.js';
import { extraInitOf } from '../../drivers/serial-at/index.js';
import { serialAtOptions } from '../../firmware-agent/config/trunk-options.js';
import { VirtualClock } from '../../common/clock.js';
import { memoryLink } from '../../drivers/serial-at/transport.js';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { recordingLogger } from '../../common/log.js';
import { isSerialAtError, SerialAtErrorCodes } from '../../drivers/serial-at/errors.js';
import type { CallEvent } from '../../drivers/serial-at/voice.js';

function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = new VirtualClock();
  const link = memoryLink();
  const sim = new SimulatedModem({ clock, restartMs: 100 });
  let attaching = true;
  const attachLoop = async () => {
    while (attaching) sim.attach(await link.nextDevice());
  };
  void attachLoop();
  const log = recordingLogger();
  const modem = new GsmModem({ transport: link.factory, clock, logger: log, healthIntervalMs: 30_000, sendTimeoutMs: 20_000, extraInit: moduleInit.simcom });
  t.teardown(async () => {
    attaching = false;
    await modem.stop();
  });
  return { clock, link, sim, modem, log };
}

t.test('start runs the init sequence and fills the status', async (t) => {
  const { clock, sim, modem } = setup(t);
  await clock.until(modem.start());
  // The extra initialisation (here the SIMCom DTMF detector) comes after the standard settings.
  t.same(sim.commands.slice(0, 10), ['AT', 'ATE0', 'AT+CMEE=1', 'AT+CPIN?', 'AT+CMGF=0', 'AT+CNMI=2,1,0,1,0', 'AT+CLIP=1', 'AT+DDET=1', 'AT+CSQ', 'AT+CREG?']);
  const s = modem.status;
  t.equal(s.state, 'ready');
  t.equal(s.sim, 'READY');
  t.same(s.signal, { rssi: 21, dbm: -71, ber: null });
  t.equal(s.registration?.state, 'home');
});

t.test('a Chinese SMS announced by +CMTI is read and decoded; delete only with proof it is stored', async (t) => {
  const { clock, sim, modem } = setup(t);
  await clock.until(modem.start());
  const got = modem.once('sms');
  const [index] = sim.deliverSms({ from: '+8613800138000', text: '公交车司机开车打电话，车牌粤B12345' });
  const m = await clock.until(got);
  t.equal(m.message.text, '公交车司机开车打电话，车牌粤B12345');
  t.equal(m.message.originator.value, '+8613800138000');
  t.equal(m.index, index);
  t.equal(m.source, 'notification');
  await t.rejects(modem.delete(index!, {} as { stored: true }), { code: SerialAtErrorCodes.BadOption });
  t.ok(sim.storage.has(index!));
  await clock.until(modem.delete(index!, { stored: true }));
  t.notOk(sim.storage.has(index!));
});

t.test('messages stored while the box was down are handed over at start', async (t) => {
  const { clock, sim, modem } = setup(t);
  sim.deliverSms({ from: '13900001111', text: 'first', silent: true });
  sim.deliverSms({ from: '13900002222', text: '第二条', silent: true });
  const seen: IncomingSms[] = [];
  modem.on('sms', (m) => seen.push(m));
  const two = new Promise<void>((resolve) => modem.on('sms', () => seen.length === 2 && resolve()));
  await clock.until(modem.start());
  await clock.until(two);
  t.same(seen.map((m) => [m.index, m.source, m.message.text]), [
    [1, 'listing', 'first'],
    [2, 'listing', '第二条'],
  ]);
});

t.test('a long Chinese text goes out as UCS2 parts that decode back exactly, with status reports', async (t) => {
  const { clock, sim, modem } = setup(t);
  sim.statusReports = true;
  await clock.until(modem.start());
  const text = '您反映的出租车拒载问题已转交市交通运输综合执法支队处理。'.repeat(4);
  const reports: number[] = [];
  modem.on('statusReport', (r) => reports.push(r.messageReference));
  const r = await clock.until(modem.sendSms('+8613800138000', text));
  t.equal(r.parts, 2);
  t.same(r.references, [1, 2]);
  t.equal(sim.sent.map((s) => s.text).join(''), text);
  t.ok(sim.sent.every((s) => s.dcs.alphabet === 'ucs2' && s.statusReportRequest));
  await clock.until(new Promise<void>((resolve) => (reports.length === 2 ? resolve() : modem.on('statusReport', () => reports.length === 2 && resolve()))));
  t.same(reports, [1, 2]);
});

t.test('when the modem stops answering mid-send it is re-initialised, reset, and the send completes', async (t) => {
  const { clock, sim, modem } = setup(t);
  await clock.until(modem.start());
  sim.freezeOnNextSend();
  const states: string[] = [modem.status.state];
  modem.on('status', (s) => states.at(-1) !== s.state && states.push(s.state));
  const r = await clock.until(modem.sendSms('12328', 'Your ticket 6230002026112800042 is closed.'));
  t.equal(r.parts, 1);
  t.ok(r.retries >= 1);
  t.equal(sim.resets, 1, 'AT+CFUN=1,1 was needed');
  t.equal(sim.sent.length, 1);
  t.equal(sim.sent[0]!.text, 'Your ticket 6230002026112800042 is closed.');
  t.same(states, ['ready', 'recovering', 'resetting', 'recovering', 'ready']);
  t.equal(modem.status.recoveries, 1);
});

t.test('the port disappears and comes back: queued sends are not lost', async (t) => {
  const { clock, sim, modem, link } = setup(t);
  await clock.until(modem.start());
  const lost = modem.once('lost');
  link.unplug();
  await clock.until(lost);
  t.equal(modem.status.state, 'disconnected');
  const send = modem.sendSms('13800138000', 'queued while unplugged');
  await clock.advance(5_000); // several reopen attempts fail meanwhile
  t.equal(sim.sent.length, 0);
  link.replug();
  const r = await clock.until(send);
  t.same(r.references.length, 1);
  t.equal(sim.sent[0]!.text, 'queued while unplugged');
  t.equal(modem.status.reopens, 1);
});

t.test('garbage bytes and a truncated PDU are logged and skipped; good messages still arrive', async (t) => {
  const { clock, sim, modem, log } = setup(t);
  await clock.until(modem.start());
  const bad = modem.once('undecodable');
  const good = modem.once('sms');
  sim.garble(Buffer.from([0x00, 0xff, 0x13, 0x0d, 0x0a, 0x7e, 0x7e, 0x0d, 0x0a]));
  sim.storeRaw('0791683108200005F0040D91683118');
  sim.deliverSms({ from: '+8613800138000', text: 'still fine' });
  const u = await clock.until(bad);
  t.equal(u.code, SerialAtErrorCodes.PduTruncated);
  t.equal((await clock.until(good)).message.text, 'still fine');
  t.ok(log.entries.some((e) => e.msg === 'unrecognised line skipped'));
  t.ok(log.entries.some((e) => e.msg === 'undecodable message skipped'));
});

t.test('a permanent +CMS ERROR rejects the send with SendRejected; a transient one is retried', async (t) => {
  const { clock, sim, modem } = setup(t);
  await clock.until(modem.start());
  sim.nextSendError = 42; // congestion: transient
  const ok = await clock.until(modem.sendSms('13800138000', 'retry me'));
  t.equal(ok.retries, 1);
  sim.nextSendError = 1; // unassigned number (TS 24.011 cause 1): permanent
  const err = await clock.until(modem.sendSms('13800138000', 'no such number').catch((e: unknown) => e));
  t.ok(isSerialAtError(err, SerialAtErrorCodes.SendRejected));
});

t.test('a ring with caller id becomes a call; answer, DTMF, far-end hang-up', async (t) => {
  const { clock, sim, modem } = setup(t);
  await clock.until(modem.start());
  const events: CallEvent[] = [];
  modem.on('call', (e) => events.push(e));
  const incoming = modem.once('call', (e) => e.type === 'incoming');
  sim.ring('+8613800138000');
  const inc = await clock.until(incoming);
  t.match(inc, { type: 'incoming', number: '+8613800138000', presentation: 'allowed' });
  await clock.until(modem.answer(inc.callId));
  t.equal(sim.call?.state, 'active');
  const second = modem.once('call', (e) => e.type === 'dtmf' && e.digit === '2');
  sim.callerPresses('12');
  await clock.until(second);
  const ended = modem.once('call', (e) => e.type === 'ended');
  sim.callerHangsUp();
  t.match(await clock.until(ended), { type: 'ended', reason: 'remote-hangup', callId: inc.callId });
  t.same(events.map((e) => e.type), ['incoming', 'answered', 'dtmf', 'dtmf', 'ended']);
});

t.test('a withheld number is offered as null; a caller who gives up while ringing is abandoned', async (t) => {
  const { clock, sim, modem } = setup(t);
  await clock.until(modem.start());
  const incoming = modem.once('call', (e) => e.type === 'incoming');
  sim.ring(null);
  t.match(await clock.until(incoming), { number: null, presentation: 'restricted' });
  const ended = modem.once('call', (e) => e.type === 'ended');
  sim.callerHangsUp();
  t.match(await clock.until(ended), { reason: 'caller-abandoned' });
});

t.test('health is polled on the clock and a SIM problem is reported, not reset', async (t) => {
  const { clock, sim, modem } = setup(t);
  await clock.until(modem.start());
  sim.rssi = 5;
  const changed = modem.once('status', (s) => s.signal?.rssi === 5);
  await clock.advance(30_000);
  await clock.until(changed);
  t.equal(modem.status.signal?.dbm, -103);
  t.equal(sim.resets, 0);
});

t.test('options are validated and name the bad parameter', async (t) => {
  const link = memoryLink();
  t.throws(() => new GsmModem({ transport: link.factory, commandTimeoutMs: -1 }), { code: SerialAtErrorCodes.BadOption, detail: { param: 'commandTimeoutMs' } });
  t.throws(() => new GsmModem({} as never), { code: SerialAtErrorCodes.BadOption, detail: { param: 'transport' } });
  t.throws(() => new GsmModem({ transport: link.factory, extraInit: ['AT+DDET=1\rATH'] }), { code: SerialAtErrorCodes.BadOption, detail: { param: 'extraInit' } });
  t.throws(() => serialAtOptions({ serial: '/dev/gsm0', module: 'nokia' }), { code: SerialAtErrorCodes.BadOption, detail: { param: 'module' } });
  t.throws(() => serialAtOptions({ serial: '/dev/gsm0', 'at-init': 'AT+DDET=1;ATD112' }), { code: SerialAtErrorCodes.BadOption, detail: { param: 'at-init' } });
  t.throws(() => serialAtOptions({ serial: '/dev/gsm0', 'at-init': 'DDET=1' }), { code: SerialAtErrorCodes.BadOption, detail: { param: 'at-init' } });
  t.throws(() => serialAtOptions({ serial: '/dev/gsm0', 'at-init': 'AT+CFUN=1,1' }), { code: SerialAtErrorCodes.BadOption, detail: { param: 'at-init' } });
  // Defaults per module family; an explicit list wins; `none` turns the default off.
  t.same(extraInitOf(serialAtOptions({ serial: '/dev/gsm0' })), []);
  t.same(extraInitOf(serialAtOptions({ serial: '/dev/gsm0', module: 'quectel' })), ['AT+QTONEDET=1']);
  t.same(extraInitOf(serialAtOptions({ serial: '/dev/gsm0', module: 'simcom', 'at-init': 'AT+DDET=1,1000,0,0; AT+CLVL=80' })), ['AT+DDET=1,1000,0,0', 'AT+CLVL=80']);
  t.same(extraInitOf(serialAtOptions({ serial: '/dev/gsm0', module: 'simcom', 'at-init': 'none' })), []);
  t.throws(() => serialAtOptions({ serial: '/dev/gsm0', prompts: 'tts' }), { code: SerialAtErrorCodes.BadOption, detail: { param: 'prompts' } });
  t.throws(() => serialAtOptions({ serial: '/dev/gsm0', module: 'quectel', prompts: 'speak' }), { code: SerialAtErrorCodes.BadOption, detail: { param: 'prompts' } });
  t.same(extraInitOf(serialAtOptions({ serial: '/dev/gsm0', module: 'quectel', prompts: 'tts' })), ['AT+QTONEDET=1']);
});

t.test('a module without a SIM waits in sim-not-ready instead of being reset', async (t) => {
  const { clock, sim, modem } = setup(t);
  sim.sim = '10';
  const stuck = modem.once('status', (s) => s.state === 'sim-not-ready');
  const started = modem.start().catch((e: unknown) => e);
  const s = await clock.until(stuck);
  t.equal(s.sim, 'ERROR 10');
  sim.sim = 'READY';
  await clock.until(started);
  t.equal(modem.status.state, 'ready');
  t.equal(sim.resets, 0);
});

t.test('a stopped modem rejects sends with Stopped, and takes them again once restarted', async (t) => {
  const { clock, sim, modem } = setup(t);
  await clock.until(modem.start());
  await modem.stop();
  await t.rejects(modem.sendSms('13800138000', 'x'), { code: SerialAtErrorCodes.Stopped });
  await clock.until(modem.start());
  const r = await clock.until(modem.sendSms('13800138000', 'after restart'));
  t.equal(r.parts, 1);
  t.equal(sim.sent.at(-1)?.text, 'after restart');
});

t.test('a SIM pulled while ready is noticed by the health poll; the modem waits for it, then carries on', async (t) => {
  const { clock, sim, modem } = setup(t);
  await clock.until(modem.start());
  sim.sim = '10'; // SIM not inserted
  const waiting = modem.once('status', (s) => s.state === 'sim-not-ready');
  await clock.advance(30_000);
  await clock.until(waiting);
  const send = modem.sendSms('13800138000', 'after the SIM is back');
  sim.sim = 'READY';
  t.equal((await clock.until(send)).parts, 1);
  t.equal(modem.status.state, 'ready');
  t.equal(sim.resets, 0, 'no reset for a SIM problem');
});

t.test('a prompt that never comes: ESC, re-initialise (no reset needed), and the send goes through', async (t) => {
  const { clock, sim, modem } = setup(t);
  await clock.until(modem.start());
  sim.stopAnswering(1); // swallows the AT+CMGS line: no prompt
  const r = await clock.until(modem.sendSms('13800138000', 'second try'));
  t.equal(r.retries, 1);
  t.equal(sim.resets, 0);
  t.equal(modem.status.recoveries, 1);
  t.same(sim.sent.map((s) => s.text), ['second try']);
  t.ok(sim.commands.includes('ATE0'), 're-initialised');
});
