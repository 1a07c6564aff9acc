// The SMS channel end to end on a real serial device: tickets from SMS, replies, notices, 查询,
// faults. Simulated modem ⇄ socat pty ⇄ GsmModem ⇄ SmsChannel ⇄ TicketService (SQLite in memory).
import t from 'tap';
import { systemClock } from '../../common/clock.js';
import { bytesToHex, decodeSubmitBytes, encodeDeliver, encodeStatusReport, hexToBytes } from '../../drivers/serial-at/pdu/index.js';
import type { GsmModemOptions } from '../../drivers/serial-at/modem.js';
import type { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { SmsChannel } from '../../firmware-agent/sms/channel.js';
import { smsConfig, type SmsConfig } from '../../firmware-agent/sms/config.js';
import { gsmModemPort } from '../../firmware-agent/sms/modem-port.js';
import type { TicketChange } from '../../firmware-agent/tickets/service.js';
import type { Actor } from '../../firmware-agent/accounts/actor.js';
import { ptyRig } from '../rigs/serial-at-rig.js';
import { memoryTickets } from '../helpers/tickets.js';

// Each test builds its own rig and mostly waits on the wall clock: three at once.
t.jobs = 3;

const agent: Actor = { id: null, name: 'agent', role: 'agent' };
const supervisor: Actor = { id: null, name: 'lead', role: 'supervisor' };

async function setup(t: { teardown(fn: () => unknown): void }, modemOptions: Partial<GsmModemOptions> = {}, smsOptions: Partial<SmsConfig> = {}) {
  const rig = await ptyRig(t);
  const { db, tickets } = memoryTickets();
  const config = smsConfig({ minSendIntervalMs: 20, concatTimeoutMs: 400, retryBaseMs: 100, dutyPhones: { taxi: '13900000000' }, ...smsOptions });
  let current: { channel: SmsChannel; modem: ReturnType<typeof rig.newModem> } | undefined;
  /** Starts a "box": a fresh modem and channel on the same database (call again after `down()`). */
  const up = async () => {
    const modem = rig.newModem(modemOptions);
    const channel = new SmsChannel({ db, tickets, port: gsmModemPort(modem), config: () => config, clock: systemClock, log: rig.log, boxRegion: () => '623000', timezone: 'Asia/Shanghai' });
    channel.start();
    current = { channel, modem };
    await modem.start();
    return current;
  };
  const down = async () => {
    await current?.modem.stop();
    await current?.channel.stop();
    current = undefined;
  };
  t.teardown(async () => {
    await down();
    db.close();
  });
  const created = () =>
    new Promise<TicketChange>((resolve) => {
      const off = tickets.onCommitted((c) => {
        if (c.action === 'create') {
          off();
          resolve(c);
        }
      });
    });
  const ticketCount = () => (db.prepare('SELECT COUNT(*) AS n FROM tickets').get() as { n: number }).n;
  return { ...rig, db, tickets, up, down, created, ticketCount, channel: () => current!.channel };
}

/** The next complete outgoing message to `to` (its parts joined), as the simulated network got it. */
function nextMessageTo(sim: SimulatedModem, to: string): Promise<string> {
  return new Promise((resolve) => {
    const parts = new Map<number, string>();
    const on = (s: SimulatedModem['sent'][number]) => {
      if (s.destination.value !== to) return;
      const total = s.concat?.total ?? 1;
      parts.set(s.concat?.sequence ?? 1, s.text);
      if (parts.size === total) {
        sim.off('sent', on);
        resolve([...parts.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]).join(''));
      }
    };
    sim.on('sent', on);
  });
}

t.test('a Chinese SMS in becomes a ticket and the sender gets the ticket number', async (t) => {
  const h = await setup(t);
  await h.up();
  const created = h.created();
  const reply = nextMessageTo(h.sim, '13800138000');
  h.sim.deliverSms({ from: '+8613800138000', text: '出租车司机绕路多收费，车牌甘A·T1234，请处理。' });
  const c = await created;
  t.equal(c.ticket.channel, 'sms');
  t.equal(c.ticket.caller_phone, '13800138000');
  t.equal(c.ticket.description, '出租车司机绕路多收费，车牌甘A·T1234，请处理。');
  t.match(c.ticket.number, /^623000\d{13}$/);
  t.equal(await reply, `【12328】已受理，工单号${c.ticket.number}。回复“查询 ${c.ticket.number}”查进度。`);
  t.equal(h.sim.sent.filter((s) => s.destination.value === '13800138000').length, 1, 'the acknowledgement fits one SMS');
  if (h.sim.storage.size > 0) await new Promise<void>((resolve) => h.sim.once('deleted', () => resolve()));
  t.equal(h.sim.storage.size, 0, 'deleted from the SIM once stored');
});

t.test('a three-part Chinese SMS arriving out of order becomes one ticket', async (t) => {
  const h = await setup(t);
  await h.up();
  const text = '我要投诉：十一月二十八日上午在汽车站乘坐开往合作市的班车，车上严重超员，司机还一边开车一边打电话。'.repeat(3);
  const created = h.created();
  const reply = nextMessageTo(h.sim, '13800138001');
  h.sim.deliverSms({ from: '+8613800138001', text, order: [2, 3, 1] });
  const c = await created;
  t.equal(c.ticket.description, text);
  await reply;
  t.equal(h.ticketCount(), 1);
});

t.test('a part that never comes: the message is kept after the timeout, marked incomplete', async (t) => {
  const h = await setup(t);
  await h.up();
  const text = '投诉内容：'.repeat(40); // 200 characters: three parts
  const created = h.created();
  h.sim.deliverSms({ from: '13800138002', text, drop: [2] });
  const c = await created;
  t.match(c.ticket.description, /（短信不完整：共3段，缺第2段）$/);
  const m = h.db.prepare('SELECT complete, missing FROM sms_messages').get() as { complete: number; missing: string };
  t.same(m, { complete: 0, missing: '[2]' });
});

t.test('a late part after the message was kept as incomplete joins it: no second ticket, no second reply', async (t) => {
  const h = await setup(t);
  await h.up();
  // Three UCS2 parts of 67 characters; only the second names the matter.
  const text = '我'.repeat(67) + '出租车司机绕路宰客' + '的'.repeat(58) + '。'.repeat(66);
  const created = h.created();
  const ack = nextMessageTo(h.sim, '13800138012');
  h.sim.deliverSms({ from: '13800138012', text, drop: [2], reference: 77 });
  const { ticket } = await created;
  await ack;
  t.match(ticket.description, /缺第2段/);
  t.equal(h.tickets.list({ q: '宰客' }, supervisor).total, 0);
  const changes: string[] = [];
  h.tickets.onCommitted((c) => c.ticket.number === ticket.number && changes.push(c.action));
  const versionBefore = (h.db.prepare('SELECT version FROM tickets WHERE number = ?').get(ticket.number) as { version: number }).version;
  const [index] = h.sim.deliverSms({ from: '13800138012', text, order: [2], reference: 77 });
  await new Promise<void>((resolve) => h.sim.on('deleted', (i) => i === index && resolve()));
  t.equal(h.ticketCount(), 1);
  t.same(changes, ['amend'], 'the amendment is a ticket change (reported upward, live in the UI), published after its commit');
  const versionAfter = (h.db.prepare('SELECT version FROM tickets WHERE number = ?').get(ticket.number) as { version: number }).version;
  t.equal(versionAfter, versionBefore + 1);
  const row = h.db.prepare('SELECT description FROM tickets WHERE number = ?').get(ticket.number) as { description: string };
  t.equal(row.description, text, 'the description is now the whole text, without the incomplete note');
  t.same(h.db.prepare('SELECT complete, missing, text FROM sms_messages').all(), [{ complete: 1, missing: '[]', text }]);
  const open = h.db.prepare('SELECT COUNT(*) AS n FROM sms_parts WHERE message_id IS NULL').get() as { n: number };
  t.equal(open.n, 0, 'no open group left to time out into a second ticket');
  const replies = h.db.prepare('SELECT kind FROM sms_outbox WHERE recipient = ?').all('13800138012');
  t.same(replies, [{ kind: 'auto-reply' }], 'one acknowledgement only');
  const notes = h.tickets.audit.forEntity('ticket', ticket.number).filter((a) => a.action === 'sms-late-part');
  t.equal(notes.length, 1);
  t.equal(notes[0]!.note, '补收短信第2段（共3段），短信已完整');
  t.equal(h.tickets.list({ q: '宰客' }, supervisor).total, 1, 'the search index follows the new description');
});

t.test('the handling result goes out as PDUs that decode back to the exact text; closing sends a notice', async (t) => {
  const h = await setup(t);
  await h.up();
  const created = h.created();
  h.sim.deliverSms({ from: '13800138003', text: '公交12路末班车提前发车' });
  const { ticket } = await created;
  await nextMessageTo(h.sim, '13800138003'); // the auto-reply
  const dept = Number(h.db.prepare("INSERT INTO departments (name, created_at) VALUES ('市公交集团', '2026-11-28T00:00:00Z')").run().lastInsertRowid);
  const deptActor: Actor = { id: null, name: 'bus', role: 'department', departmentId: dept };
  const answer = '经核查，12路末班车于11月28日21:40提前5分钟发车属实，已对当班驾驶员批评教育并扣减绩效，公交集团已要求各线路严格按时刻表发车，感谢您的监督。';
  h.tickets.act(ticket.number, 'dispatch', { department: dept }, supervisor);
  h.tickets.act(ticket.number, 'accept', {}, deptActor);
  const result = nextMessageTo(h.sim, '13800138003');
  const before = h.sim.sent.length;
  h.tickets.act(ticket.number, 'reply', { text: answer }, deptActor);
  t.equal(await result, `【12328】您反映的问题（工单${ticket.number}）办理结果：${answer}`);
  const parts = h.sim.sent.slice(before);
  t.equal(parts.length, 2, 'a long result goes out in concatenated parts');
  for (const p of parts) t.equal(decodeSubmitBytes(hexToBytes(p.hex)).dcs.alphabet, 'ucs2');
  const closed = nextMessageTo(h.sim, '13800138003');
  h.tickets.act(ticket.number, 'visit', { satisfaction: 'satisfied' }, agent);
  t.equal(await closed, `【12328】您的工单${ticket.number}已办结，感谢您对交通运输工作的监督。`);
});

t.test('查询 answers the filing phone only, and never makes a ticket', async (t) => {
  const h = await setup(t);
  await h.up();
  const created = h.created();
  h.sim.deliverSms({ from: '+8613800138004', text: '网约车平台乱收费' });
  const { ticket } = await created;
  await nextMessageTo(h.sim, '13800138004');
  const own = nextMessageTo(h.sim, '13800138004');
  h.sim.deliverSms({ from: '+8613800138004', text: `查询 ${ticket.number}` });
  t.match(await own, new RegExp(`工单${ticket.number}当前状态：已受理`));
  const other = nextMessageTo(h.sim, '13900009999');
  h.sim.deliverSms({ from: '13900009999', text: `查询${ticket.number}` });
  t.equal(await other, `【12328】未查到您提交的工单${ticket.number}，请核对工单号。`);
  t.equal(h.ticketCount(), 1);
});

t.test('an urgent ticket alerts the duty phone of its domain at once', async (t) => {
  const h = await setup(t);
  await h.up();
  const alert = nextMessageTo(h.sim, '13900000000');
  const v = h.tickets.create(
    { type: 'complaint', domain: 'taxi', channel: 'phone', region: '623000', caller: { phone: '13700000000' }, subject: '出租车载客途中起火', description: '乘客报告', urgent: true },
    agent,
  );
  h.channel().outbox.kick();
  t.equal(await alert, `【12328紧急】工单${v.number}（出租汽车）需立即处置：出租车载客途中起火`);
});

t.test('查询 with something that is not a ticket number gets a clear answer and makes no ticket; 查询一下… is a complaint', async (t) => {
  const h = await setup(t);
  await h.up();
  const bad = nextMessageTo(h.sim, '13800138030');
  h.sim.deliverSms({ from: '+8613800138030', text: '查询 123' });
  t.equal(await bad, '【12328】工单号为19位数字，请发送“查询 工单号”查询进度（受理短信中有工单号）。');
  const bare = nextMessageTo(h.sim, '13800138030');
  h.sim.deliverSms({ from: '+8613800138030', text: '查询：' });
  t.match(await bare, /工单号为19位数字/);
  t.equal(h.ticketCount(), 0);
  t.same(h.db.prepare('SELECT kind FROM sms_messages ORDER BY id').all(), [{ kind: 'query' }, { kind: 'query' }]);
  const created = h.created();
  h.sim.deliverSms({ from: '+8613800138030', text: '查询一下为什么12路公交总是晚点' });
  t.equal((await created).ticket.description, '查询一下为什么12路公交总是晚点');
});

t.test('an urgent ticket transferred here by another box alerts the duty phone; its caller is not texted', async (t) => {
  const h = await setup(t);
  await h.up();
  const alert = nextMessageTo(h.sim, '13900000000');
  const peer: Actor = { id: null, name: '620000', role: 'peer' };
  const transferred = {
    id: '01938a7e-0000-7000-8000-000000000001',
    number: '6201002026120100001',
    type: 'complaint' as const,
    subtype: null,
    domain: 'taxi',
    channel: 'phone' as const,
    region: '623000',
    callerPhone: '13700000001',
    callerName: null,
    anonymous: false,
    confidential: false,
    urgent: true,
    subject: '出租车拒载并威胁乘客',
    description: '省平台转来',
    location: null,
    involved: null,
    dueAt: null,
    createdAt: '2026-12-01T01:00:00.000Z',
    originRegion: '620100',
  };
  const c = h.tickets.receiveTransferred(transferred, peer);
  t.ok(c);
  h.tickets.publishCommitted([c!]);
  t.equal(await alert, '【12328紧急】工单6201002026120100001（出租汽车）需立即处置：出租车拒载并威胁乘客');
  t.same(h.db.prepare('SELECT recipient, kind FROM sms_outbox').all(), [{ recipient: '13900000000', kind: 'alert' }], 'the origin box texts the caller, not this one');
  // Received again (the network re-delivers): no second alert.
  t.equal(h.tickets.receiveTransferred(transferred, peer), null);
});

t.test('a single-part network duplicate makes no second ticket: same text soon after, or the same SC time stamp later', async (t) => {
  const h = await setup(t, {}, { duplicateWindowMs: 60_000 });
  await h.up();
  const created = h.created();
  const ack = nextMessageTo(h.sim, '13800138040');
  h.sim.deliverSms({ from: '+8613800138040', text: '渣土车撒漏', timestamp: new Date('2026-12-01T02:00:00Z') });
  await created;
  await ack;
  // The network delivers it again with a new time stamp (a lost acknowledgement on the radio path).
  const [again] = h.sim.deliverSms({ from: '+8613800138040', text: '渣土车撒漏', timestamp: new Date('2026-12-01T02:00:07Z') });
  await new Promise<void>((resolve) => h.sim.on('deleted', (i) => i === again && resolve()));
  t.equal(h.ticketCount(), 1);
  t.equal(h.sim.storage.size, 0, 'the duplicate\'s SIM copy is freed too');
});

t.test('with no duplicate window, the same text is a new message unless it has the same SC time stamp', async (t) => {
  const h = await setup(t, {}, { duplicateWindowMs: 0 });
  await h.up();
  const first = h.created();
  h.sim.deliverSms({ from: '+8613800138041', text: '公交车不进站', timestamp: new Date('2026-12-01T02:00:00Z') });
  await first;
  // Same SC time stamp, same text: the same submission delivered twice (here as a different PDU:
  // the network set TP-RP this time), however late.
  const twin = bytesToHex(encodeDeliver({ from: '+8613800138041', text: '公交车不进站', alphabet: 'ucs2', timestamp: new Date('2026-12-01T02:00:00Z'), offsetMinutes: 480 }));
  const fo = 2 + 2 * parseInt(twin.slice(0, 2), 16); // first TPDU octet, after the SMSC address
  const index = h.sim.storeRaw(twin.slice(0, fo) + (parseInt(twin.slice(fo, fo + 2), 16) | 0x80).toString(16).toUpperCase() + twin.slice(fo + 2));
  await new Promise<void>((resolve) => h.sim.on('deleted', (i) => i === index && resolve()));
  t.equal(h.ticketCount(), 1);
  t.equal((h.db.prepare('SELECT COUNT(*) AS n FROM sms_parts').get() as { n: number }).n, 1, 'decoded, recognised, not stored again');
  t.equal((h.db.prepare('SELECT COUNT(*) AS n FROM sms_rejected').get() as { n: number }).n, 0);
  // The citizen sends the same words again later: a new message.
  const second = h.created();
  h.sim.deliverSms({ from: '+8613800138041', text: '公交车不进站', timestamp: new Date('2026-12-01T03:00:00Z') });
  await second;
  t.equal(h.ticketCount(), 2);
});

t.test('a message the module stored in its own memory (+CMTI: "ME") is read and deleted there (AT+CPMS)', async (t) => {
  const h = await setup(t);
  await h.up();
  const created = h.created();
  const [index] = h.sim.deliverSms({ from: '+8613800138050', text: '网约车司机辱骂乘客', storage: 'ME' });
  const deleted = new Promise<string>((resolve) => h.sim.on('deleted', (i, storage) => i === index && resolve(storage)));
  t.equal((await created).ticket.description, '网约车司机辱骂乘客');
  t.equal(await deleted, 'ME', 'deleted from the storage it was in');
  t.ok(h.sim.commands.includes('AT+CPMS="ME"'));
  t.equal(h.sim.phoneStorage.size, 0);
  // The next one is in the SIM again (same index number, other storage): read and deleted there.
  h.sim.storeRaw(bytesToHex(encodeDeliver({ from: '+8613800138051', text: '另一条', alphabet: 'ucs2', timestamp: new Date(), offsetMinutes: 480 })), false, 'SM');
  const second = h.created();
  const smDeleted = new Promise<string>((resolve) => h.sim.on('deleted', (_i, storage) => resolve(storage)));
  t.equal((await second).ticket.description, '另一条');
  t.equal(await smDeleted, 'SM');
  t.equal(h.sim.storage.size + h.sim.phoneStorage.size, 0);
});

t.test('a status report found by the listing at start is handed over once and deleted', async (t) => {
  const h = await setup(t);
  const report = bytesToHex(
    encodeStatusReport({ messageReference: 42, recipient: '13800138052', scTimestamp: new Date(), dischargeTime: new Date(), offsetMinutes: 480, status: 0 }),
  );
  const index = h.sim.storeRaw(report, true);
  // The message it reports on, sent before the box went down.
  h.db
    .prepare(`INSERT INTO sms_outbox (recipient, text, kind, status, refs, next_attempt_at, created_at) VALUES ('13800138052', 'x', 'result', 'sent', '[42]', ?, ?)`)
    .run(new Date().toISOString(), new Date().toISOString());
  const deleted = new Promise<void>((resolve) => h.sim.on('deleted', (i) => i === index && resolve()));
  await h.up();
  await deleted;
  t.equal((h.db.prepare('SELECT delivery FROM sms_outbox').get() as { delivery: string }).delivery, 'delivered', 'handed over');
  t.equal(h.sim.storage.size, 0, 'the storage does not fill with reports');
  await h.down();
  const again = await h.up();
  const seen: number[] = [];
  again.modem.on('statusReport', (r) => seen.push(r.messageReference));
  // A message stored after it is listed after it: once that is handed over, the listing is done.
  const created = h.created();
  h.sim.storeRaw(bytesToHex(encodeDeliver({ from: '+8613800138052', text: '后来的短信', alphabet: 'ucs2', timestamp: new Date(), offsetMinutes: 480 })));
  await created;
  t.same(seen, [], 'not reported again');
  t.equal(h.ticketCount(), 1, 'a status report is not a complaint');
});

t.test('messages that arrived while the box was down are picked up at start, once', async (t) => {
  const h = await setup(t);
  const pdu = bytesToHex(encodeDeliver({ from: '+8613800138005', text: '昨晚发的短信', alphabet: 'ucs2', timestamp: new Date('2026-11-27T14:00:00Z'), offsetMinutes: 480 }));
  h.sim.storeRaw(pdu, true);
  const created = h.created();
  await h.up();
  t.equal((await created).ticket.description, '昨晚发的短信');
  await nextMessageTo(h.sim, '13800138005');
  await h.down();
  // The SIM copy came back (a crash between storing and deleting it): no second ticket.
  const index = h.sim.storeRaw(pdu, true);
  const deleted = new Promise<void>((resolve) => h.sim.on('deleted', (i) => i === index && resolve()));
  await h.up();
  await deleted;
  t.equal(h.ticketCount(), 1);
});

t.test('the modem stops answering mid-send and the queued notice still goes out after recovery', async (t) => {
  const h = await setup(t);
  await h.up();
  h.sim.freezeOnNextSend();
  const created = h.created();
  const settled = new Promise<{ status: string }>((resolve) => h.channel().outbox.onSettled(resolve));
  h.sim.deliverSms({ from: '13800138006', text: '货车超载' });
  const { ticket } = await created;
  t.equal((await settled).status, 'sent');
  t.equal(h.sim.resets, 1, 'the module had to be reset');
  const got = h.sim.sent.filter((s) => s.destination.value === '13800138006');
  t.equal(got.length, 1, 'the frozen attempt never reached the network; one copy went out');
  t.match(got[0]!.text, ticket.number);
});

t.test('a message the module hangs on every time is given up for now after 3 timeouts; the next one goes out', async (t) => {
  const h = await setup(t, { sendTimeoutMs: 600, commandTimeoutMs: 300 }, { retryBaseMs: 600_000 });
  await h.up();
  h.sim.hangOnSendTo.add('13800138020');
  const stuck = h.tickets.create({ type: 'inquiry', domain: 'bus', channel: 'phone', region: '623000', caller: { phone: '13800138020' }, subject: '问末班车', description: '' }, agent);
  h.tickets.act(stuck.number, 'answer', { text: '末班车22:00' }, agent);
  const after = h.tickets.create({ type: 'inquiry', domain: 'bus', channel: 'phone', region: '623000', caller: { phone: '13800138021' }, subject: '问首班车', description: '' }, agent);
  const notice = nextMessageTo(h.sim, '13800138021');
  h.tickets.act(after.number, 'answer', { text: '首班车6:00' }, agent);
  t.equal(await notice, `【12328】您反映的问题（工单${after.number}）办理结果：首班车6:00`, 'the message behind it is not blocked');
  t.equal(h.sim.resets, 3, 'three timeouts, each recovered by a reset, then no more');
  const row = h.db.prepare('SELECT status, attempts, last_error, next_attempt_at FROM sms_outbox WHERE recipient = ?').get('13800138020') as {
    status: string;
    attempts: number;
    last_error: string;
    next_attempt_at: string;
  };
  t.equal(row.status, 'pending', 'kept in the durable queue');
  t.equal(row.attempts, 1, 'counted as one failed attempt');
  t.match(row.last_error, /no answer to AT\+CMGS 3 times/);
  t.ok(Date.parse(row.next_attempt_at) > Date.now() + 300_000, 'rescheduled with the queue\'s backoff');
});

t.test('the pty disappears and comes back; the notice queued meanwhile goes out', async (t) => {
  const h = await setup(t);
  const { modem } = await h.up();
  const lost = modem.once('lost');
  await h.disappear();
  await lost;
  const v = h.tickets.create({ type: 'inquiry', domain: 'bus', channel: 'phone', region: '623000', caller: { phone: '13800138007' }, subject: '问末班车', description: '' }, agent);
  const notice = nextMessageTo(h.sim, '13800138007');
  h.tickets.act(v.number, 'answer', { text: '末班车22:00' }, agent);
  t.equal(h.channel().outbox.pending, 1);
  await h.comeBack();
  t.equal(await notice, `【12328】您反映的问题（工单${v.number}）办理结果：末班车22:00`);
});

t.test('garbage bytes, truncated and malformed PDUs are logged and skipped: no crash, no partial or duplicate ticket', async (t) => {
  const h = await setup(t);
  await h.up();
  h.sim.garble(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x0d, 0x0a, 0x2b, 0x43, 0x4d, 0x54, 0x49, 0x3a, 0x0d, 0x0a]));
  h.sim.storeRaw('0791683108200005F0240D916831'); // truncated inside TP-OA
  h.sim.storeRaw('07916831082000ZZ'); // not hex
  h.sim.storeRaw('0791683108200005F0040D91683108108300F00008621182210000230461'); // UDL says 4 octets, 1 present
  const created = h.created();
  h.sim.deliverSms({ from: '13800138008', text: '正常投诉' });
  t.equal((await created).ticket.description, '正常投诉');
  await nextMessageTo(h.sim, '13800138008');
  t.equal(h.ticketCount(), 1);
  t.ok(h.log.entries.filter((e) => e.msg === 'undecodable message skipped').length >= 3);
  const rejected = () => (h.db.prepare('SELECT COUNT(*) AS n FROM sms_rejected').get() as { n: number }).n;
  if (rejected() < 3 || h.sim.storage.size > 0) {
    await new Promise<void>((resolve) => h.sim.on('deleted', () => h.sim.storage.size === 0 && rejected() === 3 && resolve()));
  }
  t.equal(rejected(), 3, 'the bad PDUs are kept as evidence');
  t.equal(h.sim.storage.size, 0, 'and their SIM slots freed');
});
