// The bench harness works end to end at a tiny size. No timing assertions: targets live in the bench
// output only (`npm run bench`), never in tests, because these machines are too noisy for them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { indexText } from '../../firmware-agent/search/segment.js';
import ticketsBench from '../bench/tickets.js';
import { TicketGenerator } from '../bench/lib/corpus.js';
import { percentile, stats } from '../bench/lib/figure.js';
import { prefillTickets } from '../bench/lib/prefill.js';
import { benchRegions, openBenchStore, tempDir } from '../bench/lib/store.js';

t.test('generated tickets carry exactly the words TicketService would index', async (t) => {
  const gen = new TicketGenerator(benchRegions().matters, 1);
  for (let i = 0; i < 300; i++) {
    const { input, words } = gen.next();
    const expected = indexText(input.subject, input.description, input.location, input.involved?.plate, input.involved?.company);
    if (words !== expected) {
      t.equal(words, expected, `ticket ${i}`);
      return;
    }
  }
  t.pass('300 tickets match indexText');
});

t.test('prefilled tickets are consistent with the real service', async (t) => {
  const tmp = tempDir('unit');
  t.teardown(tmp.remove);
  const store = openBenchStore(tmp.dir);
  t.teardown(store.close);
  const { box, matters } = benchRegions();
  prefillTickets({
    db: store.db,
    calendar: store.calendar,
    generator: new TicketGenerator(matters, 2),
    count: 500,
    boxRegion: box,
    createdBy: store.agent.id!,
    departments: store.departments,
    spanDays: 3,
    batch: 120,
  });
  const perDay = store.db
    .prepare(
      `SELECT substr(number, 7, 8) AS day, count(*) AS n, max(CAST(substr(number, 15) AS INTEGER)) AS top
       FROM tickets GROUP BY day`,
    )
    .all() as { day: string; n: number; top: number }[];
  const seq = new Map(
    (store.db.prepare('SELECT day, last FROM ticket_sequence WHERE region = ?').all(box) as { day: string; last: number }[]).map((r) => [
      r.day.replace(/-/g, ''),
      r.last,
    ]),
  );
  for (const d of perDay) {
    t.equal(d.top, d.n, `sequence numbers of ${d.day} are 1..n`);
    t.equal(seq.get(d.day), d.n, `ticket_sequence of ${d.day} matches`);
  }
  t.equal(store.db.pragma('synchronous', { simple: true }), 2, 'synchronous=FULL restored after the prefill');
  const created = store.tickets.create(new TicketGenerator(matters, 3).next().input, store.agent);
  t.equal((store.db.prepare('SELECT count(*) AS n FROM tickets WHERE number = ?').get(created.number) as { n: number }).n, 1);
  const found = store.tickets.list({ q: '拒载' }, store.agent);
  t.ok(found.total > 0, 'prefilled tickets are found by the search');
  t.equal((store.db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n, 501, 'one audit record per ticket');
});

t.test('percentiles are nearest-rank', async (t) => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(percentile(xs, 50), 50);
  t.equal(percentile(xs, 99), 99);
  t.equal(percentile([7], 99), 7);
  t.same(stats([3, 1, 2]).max_ms, 3);
});

t.test('the tickets bench runs at a tiny size and reports every series', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-bench-unit-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const figures = await ticketsBench({
    sizes: [200, 400],
    lowdb: [{ size: 100, samples: 3 }],
    createSamples: 20,
    searchSamples: 6,
    rounds: 2,
    tmpRoot: root,
    log: () => {},
  });
  t.same(fs.readdirSync(root), [], 'temporary stores removed');
  for (const f of figures) t.same(JSON.parse(JSON.stringify(f)), f, `${f.bench} is plain JSON`);
  const find = (bench: string, store: string, size: number, q?: string) =>
    figures.find((f) => f.bench === bench && f.store === store && f.size === size && (q === undefined || f.q === q));
  for (const [store, size] of [
    ['sqlite', 200],
    ['sqlite', 400],
    ['sqlite-raw', 200],
    ['sqlite-raw', 400],
    ['lowdb', 100],
  ] as const) {
    const f = find('tickets.create', store, size);
    t.ok(f, `create ${store}@${size}`);
    t.equal(f?.samples, store === 'lowdb' ? 3 : 20);
    t.ok(Number.isFinite(f?.p50_ms) && Number.isFinite(f?.p99_ms) && (f?.p99_ms ?? 0) >= (f?.p50_ms ?? 1));
    t.ok((f?.ops_per_s ?? 0) > 0);
  }
  const createLarge = find('tickets.create', 'sqlite', 400)!;
  t.equal(createLarge.baseline, 'tickets.create sqlite@200');
  t.type(createLarge.ratio_vs_baseline, 'number');
  t.type(createLarge.ok, 'boolean');
  const search = find('tickets.search', 'sqlite', 400, '拒载')!;
  t.ok(search, 'search 拒载 at the large size');
  t.ok((search.matches as number) > 0, 'the search finds tickets');
  t.equal(search.target, 'p99_ms < 50');
  t.ok(find('tickets.search', 'lowdb', 100, '拒载'), 'lowdb search baseline');
  t.ok(figures.find((f) => f.store === 'lowdb' && f.size === 400 && typeof f.skipped === 'string'), 'lowdb at the large size says why it is skipped');
});
