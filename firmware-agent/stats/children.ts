// Province and ministry views (issue 15 §5): the daily statistics the boxes below sent up ('stats.daily',
// stored by the network in net_stats, one row per region and day, latest computation kept), added up over
// a period by numerator and denominator, side by side with a ranking by composite score. A box is late when
// a day of the period up to yesterday has no figures from it.

import type { RegionTable } from '../regions/regions.js';
import type { Db } from '../store/db.js';
import { compositeScore, defaultWeights, kpiKeys, ratio, reviewNotReported, type KpiKey, type KpiValue } from './kpis.js';
import { daysBetween, type Period } from './period.js';
import type { ChildFigures } from './view-types.js';

export type { ChildFigures } from './view-types.js';


interface Body {
  volumes?: { total?: number };
  kpis?: Partial<Record<KpiKey, { numerator: number; denominator: number }>>;
}

export function childrenView(db: Db, q: { period: Period; ownRegion: string; today: string; regions: RegionTable; weights?: Record<KpiKey, number> }): ChildFigures[] {
  const lastDue = q.period.to <= q.today ? q.period.to : q.today; // days before today are due
  const daysExpected = Math.max(0, daysBetween(q.period.from, lastDue < q.period.from ? q.period.from : lastDue));
  const rows = db.prepare('SELECT region, day, body FROM net_stats WHERE region != ? AND day >= ? AND day < ? ORDER BY region, day').all(q.ownRegion, q.period.from, q.period.to) as { region: string; day: string; body: string }[];
  const last = new Map((db.prepare('SELECT region, max(day) AS d FROM net_stats WHERE region != ? GROUP BY region').all(q.ownRegion) as { region: string; d: string }[]).map((r) => [r.region, r.d]));
  const acc = new Map<string, { days: Set<string>; total: number; n: Record<string, number>; d: Record<string, number> }>();
  for (const region of last.keys()) acc.set(region, { days: new Set(), total: 0, n: {}, d: {} });
  for (const r of rows) {
    const a = acc.get(r.region)!;
    let b: Body;
    try {
      b = JSON.parse(r.body) as Body;
    } catch {
      continue; // a body that is not JSON is not a day of figures; the box shows as late for it
    }
    if (r.day < lastDue) a.days.add(r.day);
    a.total += b.volumes?.total ?? 0;
    for (const k of kpiKeys) {
      const v = b.kpis?.[k];
      if (!v) continue;
      a.n[k] = (a.n[k] ?? 0) + v.numerator;
      a.d[k] = (a.d[k] ?? 0) + v.denominator;
    }
  }
  const out: ChildFigures[] = [...acc.entries()].map(([region, a]) => {
    const kpis = {} as Record<KpiKey, KpiValue>;
    // A box that never sent the 复核 pair (a version before the review step) shows it as not reported.
    for (const k of kpiKeys) kpis[k] = k === 'complaintReviewRate' && a.d[k] === undefined ? reviewNotReported : { available: true, ...ratio(a.n[k] ?? 0, a.d[k] ?? 0) };
    return {
      region,
      name: q.regions.fullName(region) ?? region,
      daysExpected,
      daysReceived: a.days.size,
      lastDay: last.get(region) ?? null,
      late: a.days.size < daysExpected,
      total: a.total,
      kpis,
      score: compositeScore(kpis, q.weights ?? defaultWeights),
      rank: null,
    };
  });
  const ranked = out.filter((c) => c.score.value !== null).sort((x, y) => y.score.value! - x.score.value! || x.region.localeCompare(y.region));
  ranked.forEach((c, i) => (c.rank = i > 0 && ranked[i - 1]!.score.value === c.score.value ? ranked[i - 1]!.rank : i + 1));
  return out.sort((x, y) => (x.rank ?? 1e9) - (y.rank ?? 1e9) || x.region.localeCompare(y.region));
}

