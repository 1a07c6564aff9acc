// Statistics bench (issue 15 §2): the monthly report (`buildReport`: volumes by JT/T channel, type,
// sub-type, industry, region and department, each for the month, the month before (环比) and the same month a
// year earlier (同比), plus the eight KPIs) with 1M tickets in the store (100k with --quick), spread over
// two years so all three periods are full. Target (issue 15): p99 under a second. Baseline in the same run:
// one indexed count of the month's tickets, the least any report must do.
import path from 'node:path';
import { RegionTable } from '../../firmware-agent/regions/regions.js';
import { openDb } from '../../firmware-agent/store/db.js';
import { parsePeriod } from '../../firmware-agent/stats/period.js';
import { buildReport, rangeIso } from '../../firmware-agent/stats/reports.js';
import { type Figure, measured, round } from './lib/figure.js';
import { tempDir } from './lib/store.js';
import { elapsedMs } from './lib/timing.js';
import { seededRandom } from '../../drivers/media/tones.js';

const targetMs = 1000;
const tz = 'Asia/Shanghai';

export default async function statsBench({ quick = false }: { quick?: boolean } = {}): Promise<Figure[]> {
  const size = quick ? 100_000 : 1_000_000;
  const samples = quick ? 10 : 30;
  const tmp = tempDir('stats');
  const db = openDb({ file: path.join(tmp.dir, 'stats.sqlite') });
  try {
    const regions = RegionTable.load();
    const now = new Date('2026-12-01T04:00:00Z');
    const fillStart = process.hrtime.bigint();
    const r = seededRandom(15);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    const types = ['inquiry', 'inquiry', 'inquiry', 'suggestion', 'complaint'];
    const chans = ['phone', 'phone', 'phone', 'phone', 'sms', 'web', 'wechat', '12345', 'walk-in', 'letter'];
    const domains = ['taxi', 'bus', 'coach', 'ride-hailing', 'expressway', 'highway', 'repair', 'other'];
    const places = ['623001', '623021', '623022', '620102', '620103', '620502', '622901'];
    const sats = [null, null, 'satisfied', 'satisfied', 'neutral', 'unsatisfied'];
    db.prepare("INSERT INTO departments (id, name, created_at) VALUES (1, '出租', '2024-01-01'), (2, '公交', '2024-01-01'), (3, '运管', '2024-01-01')").run();
    const ins = db.prepare(
      `INSERT INTO tickets (id, number, type, subtype, domain, channel, region, subject, description, status, department_id, due_at, answer_text,
         satisfaction, reopen_count, created_at, updated_at, dispatched_at, replied_at, closed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 's', 'd', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const start = Date.parse('2024-12-01T00:00:00Z');
    const span = now.getTime() - start;
    db.transaction(() => {
      for (let i = 0; i < size; i++) {
        const created = start + Math.floor((i / size) * span);
        const type = pick(types);
        const answered = type === 'inquiry' && r() < 0.6;
        const dept = answered ? null : 1 + Math.floor(r() * 3);
        const due = created + 5 * 86_400_000;
        const settled = r() < 0.9 ? created + Math.floor(r() * 7 * 86_400_000) : null;
        const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
        ins.run(
          `b-${i}`, String(6230000000000000000n + BigInt(i)), type, type === 'complaint' ? pick(['complaint', 'report']) : null, pick(domains), pick(chans), pick(places),
          settled === null ? 'dispatched' : answered ? 'closed' : 'replied', dept, iso(due), answered ? 'a' : null, settled === null ? null : pick(sats), r() < 0.02 ? 1 : 0,
          iso(created), iso(created), dept ? iso(created + 3_600_000) : null, answered ? null : iso(settled), answered ? iso(created + 300_000) : null,
        );
      }
    })();
    db.exec('ANALYZE');
    // The fill is one huge transaction; a running box checkpoints its WAL every 1000 pages, so measure
    // against a checkpointed store, not a multi-gigabyte WAL every read would have to consult.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const fillMs = elapsedMs(fillStart);
    const period = parsePeriod({ period: 'month', at: '2026-11' });
    const range = rangeIso(period.from, period.to, tz);
    const count = db.prepare('SELECT count(*) AS n FROM tickets WHERE created_at >= ? AND created_at < ?');
    const baseline: number[] = [];
    const report: number[] = [];
    let monthTickets = 0;
    for (let i = 0; i < 3; i++) buildReport(db, { period, timezone: tz, now, regions }); // warm-up
    for (let i = 0; i < samples; i++) {
      let t0 = process.hrtime.bigint();
      monthTickets = (count.get(range.fromIso, range.toIso) as { n: number }).n;
      baseline.push(elapsedMs(t0));
      t0 = process.hrtime.bigint();
      buildReport(db, { period, timezone: tz, now, regions });
      report.push(elapsedMs(t0));
    }
    const base = measured({ bench: 'stats-month-count', store: 'sqlite', size }, baseline, { month_tickets: monthTickets });
    const fig = measured({ bench: 'stats-monthly-report', store: 'sqlite', size }, report, { target: `p99 < ${targetMs} ms`, fill_ms: round(fillMs), month_tickets: monthTickets, baseline: 'stats-month-count' });
    fig.ratio_vs_baseline = base.p99_ms ? round(fig.p99_ms! / base.p99_ms) : null;
    fig.ok = (fig.p99_ms ?? Infinity) < targetMs;
    return [base, fig];
  } finally {
    db.close();
    tmp.remove();
  }
}
