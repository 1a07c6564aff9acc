// Retention of the network's tables on a whole box in-process (temp data directory, no network): applied
// message ids are pruned only once their messages can no longer be accepted, delivered outbox rows after
// their retention, records for technicians after theirs; nothing waiting is ever touched. The clock of the
// service under test runs ahead of the box's own (real) clock, so the box's nightly job never prunes the
// rows these tests write.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { type Box } from '../../firmware-agent/app.js';
import { startTestBox } from '../helpers/box.js';
import { jobsOf } from '../../firmware-agent/jobs/install.js';
import { AppError } from '../../firmware-agent/errors.js';
import { type Envelope, checkMessageTime, inboxKeepMs, messageLeadMs, newEnvelope } from '../../firmware-agent/network/messages.js';
import { pruneNetwork } from '../../firmware-agent/network/retention.js';
import { NetworkService } from '../../firmware-agent/network/service.js';

const day = 86_400_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-retention-'));
let box: Box;
let net: NetworkService;
let clock = new Date(Date.now() + 60_000);
const settings = { maxMessageAgeDays: 30, outboxRetentionDays: 30, logRetentionDays: 90, revealConfidentialUpstream: false };

t.before(async () => {
  // Daily jobs checked every 100 ms, so the nightly retention runs at once (see the last test).
  box = (await startTestBox({ login: false, dataDir: dir, role: 'city', region: '623000', flags: { 'net-idle-ms': '60000', 'net-stats-check-ms': '100' } })).box;
  net = new NetworkService({ db: box.db, tickets: box.tickets, regions: box.regions, role: () => 'city', region: () => '623000', now: () => clock, settings: () => settings });
  // The box's own start-up runs of both jobs are over before the tests look at the outbox: its statistics job
  // queues a week of rows, which would otherwise land in the middle of a test on a loaded machine.
  const ran = () => jobsOf(box).list().filter((j) => ['daily-stats', 'network-retention'].includes(j.name) && j.runs > 0 && !j.running).length === 2;
  for (let i = 0; i < 600 && !ran(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!ran()) throw new Error('the box did not run its daily network jobs within 30 s of start');
});
t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
const stats = (at: Date, dayName = '2026-11-27') =>
  newEnvelope('stats.daily', '620000', '623000', at, { region: '620000', day: dayName, computedAt: at.toISOString(), volumes: { total: 1 } });
const prune = (chunk?: number) => pruneNetwork(net.store, settings, clock, chunk);
const refusedCode = (env: Envelope): string | null => {
  try {
    checkMessageTime(env, 0, clock, net.maxMessageAgeMs());
    return null;
  } catch (err) {
    return (err as AppError).code;
  }
};

t.test('the id of an applied message is kept while the message could still be accepted; once pruned, the message is refused', async (t) => {
  t.ok(inboxKeepMs(30 * day) > 30 * day + messageLeadMs, 'ids outlive the oldest acceptable message, even one dated ahead');
  const start = clock;
  const onTime = stats(start);
  const ahead = stats(new Date(start.getTime() + messageLeadMs - 60_000), '2026-11-26');
  t.same(
    net.applyBatch([onTime, ahead], 'up').map((r) => r.status),
    ['applied', 'applied'],
  );
  // Walk the clock past both windows; at every step, a repeat is either recognised by its id or refused.
  for (const offset of [day, 29 * day, 30 * day, 30 * day + 2 * messageLeadMs, 31 * day - 1, 31 * day + messageLeadMs, 40 * day]) {
    clock = new Date(start.getTime() + offset);
    await prune();
    for (const env of [onTime, ahead]) {
      const known = net.store.seen(env.id);
      t.ok(known || refusedCode(env) === 'exchange-message-expired', `${env.body && (env.body as { day: string }).day} at +${offset / day} days: ${known ? 'a duplicate' : 'refused as expired'}`);
    }
  }
  t.notOk(net.store.seen(onTime.id), 'the id is gone after the window');
  t.equal(refusedCode(onTime), 'exchange-message-expired');
});

t.test('the window is the configured one', async (t) => {
  settings.maxMessageAgeDays = 5;
  t.teardown(() => {
    settings.maxMessageAgeDays = 30;
  });
  const env = stats(clock, '2026-11-25');
  net.applyBatch([env], 'up');
  advance(5 * day + 1);
  t.equal(refusedCode(env), 'exchange-message-expired', 'older than 5 days: refused');
  await prune();
  t.ok(net.store.seen(env.id), 'the id is still kept a day longer than the window');
  advance(day);
  const r = await prune();
  t.notOk(net.store.seen(env.id));
  t.ok(r.inbox >= 1);
});

t.test('a message dated more than the lead ahead of the clock, or without a readable time, is refused', async (t) => {
  t.equal(refusedCode(stats(new Date(clock.getTime() + messageLeadMs + 60_000))), 'exchange-message-time-invalid');
  t.equal(refusedCode({ ...stats(clock), at: 'yesterday!' }), 'exchange-message-time-invalid');
  t.equal(refusedCode(stats(clock)), null);
});

t.test('delivered outbox rows go after their retention, refused ones after the log retention; waiting rows stay', async (t) => {
  const s = net.store;
  const envs = Array.from({ length: 5 }, (_, i) => newEnvelope('stats.daily', '623000', '^', clock, { region: '623000', day: `2026-11-1${i}`, computedAt: clock.toISOString(), volumes: {} }));
  for (const e of envs) s.enqueue(e, 'up', clock);
  const rows = s.pending('up', 100).filter((r) => envs.some((e) => e.id === r.id));
  t.equal(rows.length, 5);
  const [delivered1, delivered2, rejected, waiting1, waiting2] = rows;
  s.markDelivered('up', [delivered1!.seq, delivered2!.seq], clock);
  s.reject('up', rejected!.seq, 'exchange-body-invalid', clock);
  const head = s.head();
  const left = () => (box.db.prepare(`SELECT seq FROM net_outbox WHERE seq IN (${rows.map((r) => r.seq).join(',')}) ORDER BY seq`).all() as { seq: number }[]).map((r) => r.seq);

  advance(29 * day);
  await prune(2);
  t.same(left(), rows.map((r) => r.seq), 'nothing goes before 30 days');
  advance(2 * day);
  const r = await prune(2);
  t.same(left(), [rejected!.seq, waiting1!.seq, waiting2!.seq], 'acknowledged rows pruned (in chunks of 2), the refused and waiting ones kept');
  t.ok(r.outbox >= 2);
  t.equal(s.head(), head, 'the pull head does not move back when rows are pruned');
  advance(60 * day);
  await prune(2);
  t.same(left(), [waiting1!.seq, waiting2!.seq], 'the refused row goes after the log retention; waiting rows are never pruned');
  s.markDelivered('up', [waiting1!.seq, waiting2!.seq], clock);
  advance(31 * day);
  await prune(2);
  t.same(left(), []);
  t.equal(s.head(), head, 'an empty outbox still reports its head');
});

t.test('refusal records and dead letters go after the log retention', async (t) => {
  const s = net.store;
  const env = stats(clock, '2026-11-20');
  s.refusal(clock, '620000', 'exchange-bad-signature', 'test', '/api/exchange/v1/messages');
  s.deadLetter(env, 'up', 'SQLITE_CONSTRAINT: test', clock);
  const count = () => ({
    refusals: (box.db.prepare("SELECT count(*) AS n FROM net_refusals WHERE at >= ?").get(new Date(Date.now() + 1000).toISOString()) as { n: number }).n,
    deadLetters: (box.db.prepare('SELECT count(*) AS n FROM net_dead_letters WHERE id = ?').get(env.id) as { n: number }).n,
  });
  t.same(count(), { refusals: 1, deadLetters: 1 });
  advance(89 * day);
  await prune();
  t.same(count(), { refusals: 1, deadLetters: 1 }, 'kept for 90 days');
  advance(2 * day);
  await prune();
  t.same(count(), { refusals: 0, deadLetters: 0 });
});

t.test('the box runs the retention from its daily jobs and shows the outcome in /healthz', async (t) => {
  // /healthz shows its parts only to staff who look after the box (issue 13, finding 10).
  const pw = fs.readFileSync(path.join(box.dataDir, 'initial-admin-password'), 'utf8').trim();
  const s = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: pw } });
  const cookies = { edgebox_session: s.cookies.find((c) => c.name === 'edgebox_session')!.value };
  let part: { retention?: { at: string; result?: { inboxBefore: string }; error?: string } | null } = {};
  for (let i = 0; i < 600 && !part.retention; i++) {
    part = (await box.http.inject({ method: 'GET', url: '/healthz', cookies })).json().parts.network;
    if (!part.retention) await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(part.retention?.result, 'a retention run is reported');
  t.notOk(part.retention?.error);
  t.ok(Date.parse(part.retention!.result!.inboxBefore) < Date.now() - 30 * day, 'with the configured window');
});
