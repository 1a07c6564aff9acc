// Store and forward through an outage: the province is down while a city takes 500 tickets (and 100 of
// them change again), then the province returns; during the catch-up the sender and then the receiver are
// each killed with SIGKILL at a random moment and restarted. Every message arrives exactly once and the
// messages about each ticket apply in order.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { type BoxProc, api, fastFlags, pair, restartBox, startBox, stopBox, ticketInput } from '../fixtures/network-fixture.js';
import { waitFor } from '../helpers/wait.js';

// Small batches so the catch-up spans many requests and the kills land in the middle of it.
const flags = [...fastFlags, '--net-batch', '15'];
const tickets = 500;
const changed = 100;
const boxes: BoxProc[] = [];

function readDb(dir: string): Database.Database {
  return new Database(path.join(dir, 'edgebox.sqlite'), { readonly: true, fileMustExist: true });
}

/** Messages from the city applied at the province so far (read from its store, as a technician would). */
function received(province: BoxProc): number {
  const db = readDb(province.dir);
  try {
    return (db.prepare("SELECT count(*) AS n FROM net_inbox WHERE origin = '623000' AND kind LIKE 'ticket.%'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function pool<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

t.teardown(async () => {
  await Promise.all(boxes.map((b) => stopBox(b, 'SIGKILL')));
  for (const b of boxes) fs.rmSync(b.dir, { recursive: true, force: true });
});

t.test('after an outage every message arrives exactly once and in order per ticket, despite SIGKILL of sender and receiver', async (t) => {
  const [province, city] = await Promise.all([startBox({ role: 'province', region: '620000', flags }), startBox({ role: 'city', region: '623000', flags })]);
  boxes.push(province, city);
  await pair(province, city);
  await stopBox(province);

  // 500 tickets while the province is down; the first 100 are also answered at once (a second message each).
  const numbers = await pool(tickets, 8, async (i) => {
    const r = await api(city, 'POST', '/api/tickets', ticketInput('623001', `停运期间工单${i}`));
    if (r.status !== 201) throw new Error(`create ${i}: ${JSON.stringify(r.json)}`);
    return r.json.number as string;
  });
  await pool(changed, 8, async (i) => {
    const r = await api(city, 'POST', `/api/tickets/${numbers[i]}/actions`, { action: 'answer', text: '已即时答复' });
    if (r.status !== 200) throw new Error(`answer ${i}: ${JSON.stringify(r.json)}`);
  });
  const expected = tickets + changed;
  const health = await api(city, 'GET', '/healthz');
  // The daily statistics job may queue its figures meanwhile (on a busy machine its first run comes before
  // this point): count the ticket messages themselves in the city's store, and /healthz at least as many.
  const db = readDb(city.dir);
  const waiting = (db.prepare("SELECT count(*) AS n FROM net_outbox WHERE hop = 'up' AND delivered_at IS NULL AND kind LIKE 'ticket.%'").get() as { n: number }).n;
  db.close();
  t.equal(waiting, expected, 'every ticket message waits in the outbox');
  t.ok(health.json.parts.network.outboxDepth >= expected, '/healthz counts them');
  t.ok(health.json.parts.network.warnings.some((w: string) => /upstream/.test(w)), 'health names the upstream problem');

  // The province returns; kill the sender, then the receiver, at random points of the catch-up.
  await restartBox(province, flags);
  const killSenderAt = 30 + Math.floor(Math.random() * 150);
  const killReceiverAt = 250 + Math.floor(Math.random() * 200);
  t.comment(`SIGKILL city after ${killSenderAt} messages, province after ${killReceiverAt}`);
  await waitFor('catch-up to reach the first kill point', () => received(province) >= killSenderAt, 60_000, 5);
  await stopBox(city, 'SIGKILL');
  await restartBox(city, flags);
  await waitFor('catch-up to reach the second kill point', () => received(province) >= killReceiverAt, 60_000, 5);
  await stopBox(province, 'SIGKILL');
  await restartBox(province, flags);

  await waitFor('the outbox to drain', async () => {
    const h = await api(city, 'GET', '/healthz');
    return h.json.parts.network.outboxDepth === 0;
  }, 90_000, 100);
  await stopBox(city);
  await stopBox(province);

  const c = readDb(city.dir);
  const p = readDb(province.dir);
  try {
    // Only the tickets' messages: the daily statistics job may add a stats.daily message of its own.
    const sent = c.prepare("SELECT id, ticket_id FROM net_outbox WHERE hop = 'up' AND kind LIKE 'ticket.%' ORDER BY seq").all() as { id: string; ticket_id: string }[];
    const got = p.prepare("SELECT id, ticket_id, ticket_version FROM net_inbox WHERE origin = '623000' AND kind LIKE 'ticket.%' ORDER BY seq").all() as {
      id: string;
      ticket_id: string;
      ticket_version: number;
    }[];
    t.equal(sent.length, expected, 'the city wrote each message once');
    t.equal(got.length, expected, 'the province applied each message once');
    t.same(new Set(got.map((g) => g.id)), new Set(sent.map((s) => s.id)), 'the same messages, none lost, none extra');
    const rejected = c.prepare('SELECT count(*) AS n FROM net_outbox WHERE rejected_code IS NOT NULL').get() as { n: number };
    t.equal(rejected.n, 0, 'nothing set aside');
    // In order per ticket: versions strictly increase in the order the province applied them.
    const last = new Map<string, number>();
    let outOfOrder = 0;
    for (const g of got) {
      if ((last.get(g.ticket_id) ?? 0) >= g.ticket_version) outOfOrder++;
      last.set(g.ticket_id, g.ticket_version);
    }
    t.equal(outOfOrder, 0, 'messages about each ticket applied in order');
    const reports = p.prepare("SELECT count(*) AS n, sum(status = 'closed') AS closed FROM net_reports WHERE reporter = '623000'").get() as { n: number; closed: number };
    t.equal(reports.n, tickets, 'the province supervises all 500 tickets');
    t.equal(reports.closed, changed, 'and sees the latest status of each');
    const dup = p.prepare('SELECT count(*) AS n FROM net_refusals').get() as { n: number };
    t.comment(`refusals at the province during the catch-up: ${dup.n}`);
  } finally {
    c.close();
    p.close();
  }
});
