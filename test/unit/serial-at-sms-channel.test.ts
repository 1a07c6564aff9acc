// The SMS channel on a virtual clock with a fake modem port: restarts, duplicates, who gets notices.
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { recordingLogger } from '../../common/log.js';
import { SmsChannel, nationalNumber } from '../../firmware-agent/sms/channel.js';
import { smsConfig } from '../../firmware-agent/sms/config.js';
import type { IncomingPart, SmsModemPort } from '../../firmware-agent/sms/port.js';
import type { Actor } from '../../firmware-agent/accounts/actor.js';
import { memoryTickets } from '../helpers/tickets.js';

const agent: Actor = { id: null, name: 'agent', role: 'agent' };

function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = new VirtualClock(Date.UTC(2026, 10, 30, 2));
  const { db, tickets } = memoryTickets(() => new Date(clock.now()));
  const listeners = new Set<(p: IncomingPart) => void>();
  const sent: Array<{ to: string; text: string }> = [];
  const deleted: number[] = [];
  const port: SmsModemPort = {
    onMessage: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onStatusReport: () => () => {},
    sendSms: async (to, text) => {
      sent.push({ to, text });
      return { references: [sent.length] };
    },
    delete: async (i) => {
      deleted.push(i);
    },
  };
  const config = smsConfig({ minSendIntervalMs: 0, concatTimeoutMs: 600_000 });
  const channels: SmsChannel[] = [];
  const newChannel = () => {
    const c = new SmsChannel({ db, tickets, port, config: () => config, clock, log: recordingLogger(), boxRegion: () => '623000', timezone: 'Asia/Shanghai' });
    channels.push(c);
    c.start();
    return c;
  };
  t.teardown(async () => {
    for (const c of channels) await c.stop();
    db.close();
  });
  const deliver = (p: Partial<IncomingPart> & { text: string }) => {
    for (const l of [...listeners]) l({ index: 1, from: '+8613800138000', scTime: '2026-11-30T10:00:00+08:00', pdu: Buffer.from(p.text + (p.concat?.sequence ?? '')).toString('hex'), ...p });
  };
  const count = () => (db.prepare('SELECT COUNT(*) AS n FROM tickets').get() as { n: number }).n;
  const settle = () => clock.advance(0);
  return { clock, db, tickets, sent, deleted, newChannel, deliver, count, settle };
}

const part = (seq: number, text: string) => ({ text, concat: { reference: 9, referenceBits: 8 as const, total: 3, sequence: seq }, index: 10 + seq });

t.test('a group left open by a restart is finished after the rest of its wait', async (t) => {
  const h = setup(t);
  const first = h.newChannel();
  h.deliver(part(1, '第一段'));
  await h.settle();
  t.same(h.deleted, [11], 'the part is stored and its SIM copy deleted');
  await h.clock.advance(300_000);
  await first.stop();
  h.newChannel();
  h.deliver(part(3, '第三段'));
  await h.settle();
  t.equal(h.count(), 0);
  await h.clock.advance(299_999);
  t.equal(h.count(), 0);
  await h.clock.advance(1);
  t.equal(h.count(), 1);
  const d = h.db.prepare('SELECT description FROM tickets').get() as { description: string };
  t.equal(d.description, '第一段第三段\n（短信不完整：共3段，缺第2段）');
});

t.test('a part re-read from the SIM, or a network duplicate after the message was handled, makes no second ticket', async (t) => {
  const h = setup(t);
  h.newChannel();
  h.deliver({ text: '单条投诉', index: 3 });
  await h.settle();
  h.deliver({ text: '单条投诉', index: 3 }); // the same PDU again
  await h.settle();
  t.equal(h.count(), 1);
  for (const s of [1, 2, 3]) h.deliver(part(s, `段${s}`));
  await h.settle();
  t.equal(h.count(), 2);
  h.deliver({ ...part(2, '段2'), pdu: 'ABCDEF' }); // same part, new time stamp (other PDU)
  await h.settle();
  await h.clock.advance(600_000);
  t.equal(h.count(), 2);
  t.equal(h.deleted.filter((i) => i === 12).length, 2, 'both copies left the SIM');
});

t.test('notices go to mobile callers of notified channels only, never to anonymous callers', async (t) => {
  const h = setup(t);
  h.newChannel();
  const mk = (phone: string | null, channel: 'phone' | 'web' | 'walk-in', anonymous = false) =>
    h.tickets.create({ type: 'inquiry', domain: 'bus', channel, region: '623000', caller: { phone, anonymous }, subject: 's', description: 'd' }, agent).number;
  const a = mk('+8613900000001', 'phone');
  const b = mk('0941-8212345', 'phone');
  const c = mk('13900000003', 'walk-in'); // not a notified channel by default
  const d = mk('13900000004', 'phone', true);
  const e = mk('13900000005', 'web'); // the public page confirmed this phone: notified by default
  for (const n of [a, b, c, d, e]) h.tickets.act(n, 'answer', { text: '已答复' }, agent);
  await h.settle();
  t.same(h.sent.map((s) => s.to), ['13900000001', '13900000005']);
  t.equal(nationalNumber('+86 139-0000-0001'), '13900000001');
});

t.test('查询 accepts a colon and spaces, and answers with the status in Chinese', async (t) => {
  const h = setup(t);
  h.newChannel();
  h.deliver({ text: '公交车不停站', index: 1 });
  await h.settle();
  const number = (h.db.prepare('SELECT number FROM tickets').get() as { number: string }).number;
  h.deliver({ text: `  查询：${number} `, index: 2 });
  await h.settle();
  t.match(h.sent.at(-1)?.text, `工单${number}当前状态：已受理（更新于2026-11-30 10:00）`);
  t.equal(h.count(), 1);
});

t.test('operator notices and alphanumeric senders are kept but make no ticket and get no reply', async (t) => {
  const h = setup(t);
  h.newChannel();
  h.deliver({ from: '10086', text: '尊敬的客户，您本月话费余额不足', index: 1 });
  h.deliver({ from: 'CMCC', text: 'promo', index: 2 });
  await h.settle();
  t.equal(h.count(), 0);
  t.same(h.sent, []);
  t.same(h.deleted, [1, 2]);
  t.same((h.db.prepare('SELECT kind FROM sms_messages ORDER BY id').all() as { kind: string }[]).map((r) => r.kind), ['ignored', 'ignored']);
});

t.test('a new long message that reuses a concatenation reference is not mistaken for a duplicate', async (t) => {
  const h = setup(t);
  h.newChannel();
  for (const s of [1, 2, 3]) h.deliver(part(s, `旧${s}`));
  await h.settle();
  for (const s of [1, 2, 3]) h.deliver(part(s, `新${s}`));
  await h.settle();
  t.same((h.db.prepare('SELECT description FROM tickets ORDER BY rowid').all() as { description: string }[]).map((r) => r.description), ['旧1旧2旧3', '新1新2新3']);
});
