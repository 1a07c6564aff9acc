// The outbox is written in the transaction of the change that caused it, and a received batch is
// applied once: on a whole box in-process (temp data directory, no network).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { type Box } from '../../firmware-agent/app.js';
import { startTestBox } from '../helpers/box.js';
import { systemActor } from '../../firmware-agent/accounts/service.js';
import { newEnvelope } from '../../firmware-agent/network/messages.js';
import { NetworkService } from '../../firmware-agent/network/service.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-outbox-'));
let box: Box;
t.before(async () => {
  box = (await startTestBox({ login: false, dataDir: dir, role: 'city', region: '623000', flags: { 'net-idle-ms': '60000' } })).box;
});
t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const input = (region: string, subject: string) => ({
  type: 'complaint' as const,
  domain: 'taxi',
  channel: 'phone' as const,
  region,
  caller: { phone: '13800138000' },
  subject,
  description: `${subject}的详细情况`,
});
const outbox = () => box.db.prepare('SELECT kind, hop FROM net_outbox ORDER BY seq').all() as { kind: string; hop: string }[];

t.test('a ticket about another city writes a transfer and a report in its own transaction', async (t) => {
  const before = outbox().length;
  const v = box.tickets.create(input('620102', '兰州拒载'), systemActor);
  const rows = outbox().slice(before);
  t.same(rows.map((r) => r.kind), ['ticket.transfer', 'ticket.report']);
  t.ok(rows.every((r) => r.hop === 'up'));
  const row = box.db.prepare('SELECT transferred_to FROM tickets WHERE number = ?').get(v.number) as { transferred_to: string };
  t.equal(row.transferred_to, '620102');
  // 流转 is a change of the ticket like any other: the ticket service writes it and audits it.
  const trail = box.tickets.audit.forEntity('ticket', v.number) as { action: string; data: string | Record<string, unknown> | null }[];
  const out = trail.find((e) => e.action === 'transfer-out');
  t.ok(out, 'the transfer is in the ticket’s audit trail');
  t.match(JSON.stringify(out?.data), /620102/);
});

t.test('a change that fails leaves no message behind', async (t) => {
  box.tickets.addTransactionHook((c) => {
    if (c.ticket.subject === '会失败的工单') throw new Error('hook failure after the network wrote its rows');
  });
  const before = outbox().length;
  t.throws(() => box.tickets.create(input('623001', '会失败的工单'), systemActor));
  t.equal(outbox().length, before, 'the outbox rows rolled back with the ticket');
});

t.test('a received batch is applied once and a repeat is acknowledged as a duplicate', async (t) => {
  const net = new NetworkService({ db: box.db, tickets: box.tickets, regions: box.regions, role: () => 'city', region: () => '623000', now: () => new Date() });
  const env = newEnvelope('stats.daily', '620000', '623000', new Date(), { region: '620000', day: '2026-11-27', computedAt: new Date().toISOString(), volumes: { total: 3 } });
  t.same(net.applyBatch([env], 'up'), [{ id: env.id, status: 'applied' }]);
  t.same(net.applyBatch([env, env], 'up'), [
    { id: env.id, status: 'duplicate' },
    { id: env.id, status: 'duplicate' },
  ]);
  const n = box.db.prepare('SELECT count(*) AS n FROM net_inbox WHERE id = ?').get(env.id) as { n: number };
  t.equal(n.n, 1);
});

t.test('a result for a ticket this box does not hold is recorded as ignored, not retried forever', async (t) => {
  const net = new NetworkService({ db: box.db, tickets: box.tickets, regions: box.regions, role: () => 'city', region: () => '623000', now: () => new Date() });
  const env = newEnvelope('ticket.result', '620100', '623000', new Date(), {
    ticketId: '01a2225b-ef35-7359-8e91-3834155bf3b7',
    number: '6230002026112899999',
    kind: 'reply',
    text: '已处理',
    at: new Date().toISOString(),
  });
  const [r] = net.applyBatch([env], 'up');
  t.equal(r!.status, 'ignored');
  t.match(r!.reason, /ticket-not-found/);
});

t.test('only the box a ticket was sent to may send its result, and only the origin its visit', async (t) => {
  const net = new NetworkService({ db: box.db, tickets: box.tickets, regions: box.regions, role: () => 'city', region: () => '623000', now: () => new Date() });
  const v = box.tickets.create(input('620102', '兰州公交甩站'), systemActor);
  const id = box.tickets.getRow(v.number)!.id;
  const result = (from: string) =>
    newEnvelope('ticket.result', from, '623000', new Date(), { ticketId: id, number: v.number, kind: 'reply' as const, text: `${from}的答复`, at: new Date().toISOString() });
  const [stranger] = net.applyBatch([result('440100')], 'up');
  t.equal(stranger!.status, 'ignored', 'Guangzhou did not handle it');
  t.match(stranger!.reason, /exchange-region-not-held/);
  t.equal(box.tickets.getRow(v.number)!.status, 'received', 'nothing applied');
  const visit = newEnvelope('ticket.visit', '620100', '623000', new Date(), { ticketId: id, number: v.number, satisfaction: 'satisfied' as const, note: null, at: new Date().toISOString() });
  const [v1] = net.applyBatch([visit], 'up');
  t.match(v1!.reason, /exchange-region-not-held/, 'a visit comes only from the box that took the call (this one)');
  const [handler] = net.applyBatch([result('620100')], 'up');
  t.equal(handler!.status, 'applied', 'Lanzhou, which serves 620102, did');
  t.equal(box.tickets.getRow(v.number)!.reply_text, '620100的答复');
});
