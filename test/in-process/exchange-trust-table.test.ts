// Issue 13, "make the classes impossible": the exchange's tests walk the peer trust table
// (firmware-agent/network/policy.ts trustTable). For every rule there is a message that breaks it, signed
// with a valid key so it reaches the logic; each is refused with the rule's code and nothing is stored. A
// rule added to the table without a violating message here fails this test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { Box } from '../../firmware-agent/app.js';
import { systemActor } from '../../firmware-agent/accounts/service.js';
import { AppError } from '../../firmware-agent/errors.js';
import { type Envelope, newEnvelope } from '../../firmware-agent/network/messages.js';
import { checkDoor, trustTable } from '../../firmware-agent/network/policy.js';
import { type FakePeer, localDay, snapshot, ticketMessage, transfer, upstreamWithPeers } from '../fixtures/exchange-peer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-trust-'));
let box: Box;
let lanzhou: FakePeer; // 620100, a paired city
let gannan: FakePeer; // 623000, another paired city

t.before(async () => {
  const up = await upstreamWithPeers({ dataDir: dir, role: 'province', region: '620000', peers: [{ region: '620100' }, { region: '623000' }] });
  box = up.box;
  [lanzhou, gannan] = up.peers as [FakePeer, FakePeer];
});
t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const today = localDay();
const count = (table: string) => (box.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
// The province's own jobs write and queue things of their own, not what a peer's message stored: the daily
// statistics (first run 30 s after start) and its alarms — the start-up calendar check raises one (audited,
// and reported upward) when next year's calendar is missing, as in December; on a loaded machine it can land
// between a test's two counts (seen once: audit and outbox +1).
const own = "json_extract(envelope, '$.from') = '620000' AND kind IN ('stats.daily', 'alarm.report')";
const stored = () => ({
  inbox: count('net_inbox'),
  tickets: count('tickets'),
  reports: count('net_reports'),
  stats: count("net_stats WHERE region != '620000'"),
  audit: count("audit WHERE entity != 'alarm'"),
  outbox: count(`net_outbox WHERE NOT (${own})`),
});

function report(from: string, over: Record<string, unknown> = {}): Envelope {
  const ticket = snapshot({ number: `${from}${today}00001`, ...over });
  return ticketMessage('ticket.report', from, '^', { ticket, action: 'create' }, ticket.id as string);
}
function statsOf(from: string, region: string): Envelope {
  const at = new Date();
  return newEnvelope('stats.daily', from, '^', at, { region, day: at.toISOString().slice(0, 10), computedAt: at.toISOString(), volumes: {}, kpis: {} });
}
function retarget(env: Envelope, ticketId: string): Envelope {
  return { ...env, ticket: { id: ticketId, version: 1 } };
}

/** For each door rule, `${kind}/${rule}`: a message from Lanzhou (620100) that breaks only that rule. */
const doorViolations: Record<string, () => { env: Envelope; pulledFrom?: string }> = {
  'ticket.report/ticket-reference': () => ({ env: retarget(report('620100'), '01a2225b-ef35-7359-8e91-3834155bf3b9') }),
  'ticket.report/number-held-by-origin': () => ({ env: report('620100', { number: `620000${today}00001` }) }),
  'ticket.transfer/ticket-reference': () => ({ env: retarget(transfer('620100', '620000', { number: `620100${today}00002`, region: '620000' }), '01a2225b-ef35-7359-8e91-3834155bf3b9') }),
  // Finding 1: a transfer numbered like the province's own next ticket.
  'ticket.transfer/number-of-origin': () => ({ env: transfer('620100', '620000', { number: `620000${today}00001`, region: '620000' }) }),
  'ticket.transfer/addressed-to-matter': () => {
    const env = transfer('620100', '620000', { number: `620100${today}00003`, region: '620000' });
    (env.body as { ticket: { region: string } }).ticket.region = '620200';
    return { env };
  },
  'ticket.result/ticket-reference': () => ({
    env: ticketMessage('ticket.result', '620100', '620000', { ticketId: '01a2225b-ef35-7359-8e91-3834155bf3b9', number: `620000${today}00001`, kind: 'reply', text: '已处理', at: new Date().toISOString() }, '01a2225b-ef35-7359-8e91-3834155bf3ba'),
  }),
  'ticket.visit/ticket-reference': () => ({
    env: ticketMessage('ticket.visit', '620100', '620000', { ticketId: '01a2225b-ef35-7359-8e91-3834155bf3b9', number: `620000${today}00001`, satisfaction: 'satisfied', note: null, at: new Date().toISOString() }, '01a2225b-ef35-7359-8e91-3834155bf3ba'),
  }),
  'stats.daily/region-of-origin': () => ({ env: statsOf('620100', '623000') }),
  // A city attesting a key (its own, here): only a province may tell the level above the keys of its
  // cities, so a city cannot introduce a key for any region.
  'peer.key/key-of-paired-box': () => ({
    env: newEnvelope('peer.key', '620100', '^', new Date(), { region: '620100', role: 'city', publicKey: lanzhou.key.publicKey, enrolledAt: new Date().toISOString(), revokedAt: null }),
  }),
  // Only pulled (a push of it breaks the direction rule, below): checked as the downstream checks a pull.
  'kb.article/published-above': () => ({
    pulledFrom: '620000',
    env: newEnvelope('kb.article', '623000', '*', new Date(), {
      uid: '01a2225b-ef35-7359-8e91-3834155bf3bb', kind: 'policy', scope: 'province', ownerRegion: '623000', title: '冒充的文章', body: '正文', tags: [], domain: null,
      validFrom: null, validTo: null, status: 'published', version: 1, updatedAt: new Date().toISOString(),
    }),
  }),
};

t.test('every rule of the trust table has a violating message here', async (t) => {
  for (const [kind, rule] of Object.entries(trustTable)) {
    for (const r of rule.door) t.ok(doorViolations[`${kind}/${r.name}`], `door rule ${kind}/${r.name}`);
    for (const r of rule.held) t.ok(heldViolations[`${kind}/${r.name}`], `held rule ${kind}/${r.name}`);
  }
});

t.test('each door rule refuses its violating message with its code, and nothing is stored', async (t) => {
  for (const [kind, rule] of Object.entries(trustTable)) {
    for (const r of rule.door) {
      const { env, pulledFrom } = doorViolations[`${kind}/${r.name}`]!();
      if (pulledFrom) {
        // The downstream's check of a pulled message (sync.ts): refused, recorded and skipped.
        let code = 'accepted';
        try {
          checkDoor(env, 0, { way: 'down', upstream: pulledFrom });
        } catch (err) {
          code = err instanceof AppError ? err.code : String(err);
        }
        t.equal(code, r.code, `${kind}/${r.name} (pulled)`);
        continue;
      }
      const before = stored();
      const res = await lanzhou.push([env]);
      t.equal(res.code, r.code, `${kind}/${r.name}`);
      t.match(res.json?.error?.details, { index: 0, rule: r.name }, `${kind}/${r.name} names the rule`);
      t.same(stored(), before, `${kind}/${r.name}: nothing stored`);
    }
  }
});

t.test('the origin and direction rules of every kind', async (t) => {
  const before = stored();
  const foreign = await lanzhou.push([report('623000')]);
  t.equal(foreign.code, 'exchange-region-not-held', 'a city cannot speak for another city');
  const down = await lanzhou.push([doorViolations['kb.article/published-above']!().env]);
  t.equal(down.code, 'exchange-region-not-held', 'nor publish as another');
  const kb = newEnvelope('kb.article', '620100', '*', new Date(), {
    uid: '01a2225b-ef35-7359-8e91-3834155bf3bc', kind: 'policy', scope: 'city', ownerRegion: '620100', title: '本地', body: '正文', tags: [], domain: null,
    validFrom: null, validTo: null, status: 'published', version: 1, updatedAt: new Date().toISOString(),
  });
  t.equal((await lanzhou.push([kb])).code, 'exchange-kind-not-allowed', 'an article is never pushed up');
  t.equal((await lanzhou.push([{ ...report('620100'), to: '*' }])).code, 'exchange-kind-not-allowed', 'a report goes only to ^');
  t.equal((await lanzhou.push([{ ...statsOf('620100', '620100'), to: '620000' }])).code, 'exchange-kind-not-allowed', 'statistics go only to ^');
  t.same(stored(), before, 'nothing stored');
});

// Held rules: the province's own ticket, transferred to Lanzhou's box (a matter in 620102), and a ticket
// Lanzhou transferred to the province.
let sentOut: { id: string; number: string };
let takenIn: { id: string; number: string };
const heldViolations: Record<string, () => { peer: FakePeer; env: Envelope; ticket: () => { id: string; number: string } }> = {
  'ticket.result/from-handler': () => ({ peer: gannan, ticket: () => sentOut, env: result('623000', sentOut) }),
  'ticket.result/number-matches-copy': () => ({ peer: lanzhou, ticket: () => sentOut, env: result('620100', { ...sentOut, number: `620000${today}09999` }) }),
  'ticket.visit/from-origin': () => ({ peer: gannan, ticket: () => takenIn, env: visit('623000', takenIn) }),
  'ticket.visit/number-matches-copy': () => ({ peer: lanzhou, ticket: () => takenIn, env: visit('620100', { ...takenIn, number: `620100${today}09999` }) }),
};
function result(from: string, tk: { id: string; number: string }): Envelope {
  return ticketMessage('ticket.result', from, '620000', { ticketId: tk.id, number: tk.number, kind: 'reply', text: '已处理完毕', at: new Date().toISOString() }, tk.id);
}
function visit(from: string, tk: { id: string; number: string }): Envelope {
  return ticketMessage('ticket.visit', from, '620000', { ticketId: tk.id, number: tk.number, satisfaction: 'satisfied', note: null, at: new Date().toISOString() }, tk.id);
}

t.test('each held rule answers its violating message ignored with its code, and the copy is unchanged', async (t) => {
  const own = box.tickets.create(
    { type: 'complaint', domain: 'taxi', channel: 'phone', region: '620102', caller: { phone: '13800138000' }, subject: '兰州出租车拒载', description: '省本级受理、兰州办理' },
    systemActor,
  );
  sentOut = { id: box.tickets.getRow(own.number)!.id, number: own.number };
  const tin = transfer('620100', '620000', { number: `620100${today}00011`, region: '620000' });
  t.equal((await lanzhou.push([tin])).status, 200);
  const tk = (tin.body as { ticket: { id: string; number: string } }).ticket;
  takenIn = { id: tk.id, number: tk.number };
  for (const [kind, rule] of Object.entries(trustTable)) {
    for (const r of rule.held) {
      const v = heldViolations[`${kind}/${r.name}`]!();
      const copy = () => box.db.prepare('SELECT status, version FROM tickets WHERE id = ?').get(v.ticket().id);
      const before = { copy: copy(), audit: count('audit'), tickets: count('tickets') };
      const res = await v.peer.push([v.env]);
      t.equal(res.status, 200, `${kind}/${r.name}: acknowledged`);
      t.equal(res.json.results[0].status, 'ignored', `${kind}/${r.name}: ignored`);
      t.match(res.json.results[0].reason, new RegExp(`^${r.code}:`), `${kind}/${r.name}: with ${r.code}`);
      t.same({ copy: copy(), audit: count('audit'), tickets: count('tickets') }, before, `${kind}/${r.name}: the copy is unchanged`);
    }
  }
  // And the messages that keep every rule apply.
  const ok = await lanzhou.push([result('620100', sentOut)]);
  t.equal(ok.json.results[0].status, 'applied', 'the handler’s result applies');
});
