// Daily statistics of one box (统计分析, JT/T 1019.5 style): volumes of the tickets received on a local
// day by type, domain and channel, the scoring method's ticket KPIs over those tickets as they stand when
// computed, and the call KPIs of the calls that arrived that day (when the store has the calls tables).
// Each KPI carries its numerator and denominator so a province can add cities up exactly. The KPIs are
// those of the period reports (kpis.ts computeKpis, docs/statistics.md), over the one day, so the days a
// province adds up give the box's own report of the period. A day's figures change as its tickets are
// handled, so the daily job computes the last few days again every night and the receiver keeps the latest
// computation.
import { addDays, localTime } from '../calendar/time.js';
import { callKpis } from '../calls/kpis.js';
import type { Db } from '../store/db.js';
import { computeKpis, kpiKeys, ratio, type KpiKey, type Ratio } from './kpis.js';

import type { CallFigures, DailyStats } from './view-types.js';

export type { Ratio } from './kpis.js';
export type { CallFigures, DailyStats } from './view-types.js';

export function computeDailyStats(db: Db, region: string, day: string, tz: string, now: Date): DailyStats {
  const from = localTime(day, tz).toISOString();
  const to = localTime(addDays(day, 1), tz).toISOString();
  const range = 'created_at >= @from AND created_at < @to';
  const group = (col: string) =>
    Object.fromEntries((db.prepare(`SELECT ${col} AS k, count(*) AS n FROM tickets WHERE ${range} GROUP BY ${col} ORDER BY ${col}`).all({ from, to }) as { k: string; n: number }[]).map((r) => [r.k, r.n]));
  const v = db
    .prepare(`SELECT count(*) AS total, sum(origin_region IS NOT NULL) AS transferredIn, sum(transferred_to IS NOT NULL) AS transferredOut FROM tickets WHERE ${range}`)
    .get({ from, to }) as { total: number; transferredIn: number | null; transferredOut: number | null };
  const k = computeKpis(db, { fromIso: from, toIso: to, now });
  const kpis = {} as Record<KpiKey, Ratio>;
  for (const key of kpiKeys) {
    const x = k[key];
    kpis[key] = x.available ? ratio(x.numerator, x.denominator) : ratio(0, 0);
  }
  const calls = computeCallFigures(db, day, tz);
  return {
    region,
    day,
    computedAt: now.toISOString(),
    volumes: {
      total: v.total,
      byType: group('type'),
      byDomain: group('domain'),
      byChannel: group('channel'),
      transferredIn: v.transferredIn ?? 0,
      transferredOut: v.transferredOut ?? 0,
    },
    kpis,
    ...(calls ? { calls } : {}),
  };
}

/** The call KPIs of a local day, or undefined when this store has no calls table. */
export function computeCallFigures(db: Db, day: string, tz: string): CallFigures | undefined {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calls'").get()) return undefined;
  const k = callKpis(db, { from: localTime(day, tz).getTime(), to: localTime(addDays(day, 1), tz).getTime(), bucket: 'day', timezone: tz }).total;
  return {
    offered: k.offered,
    queued: k.queued,
    answered: k.answered,
    abandoned: k.abandoned,
    answeredWithin10sRate: ratio(k.answeredWithin10s, k.queued),
    abandonmentRate: ratio(k.abandoned, k.queued),
    averageSpeedOfAnswerSeconds: k.asaMs === null ? null : Math.round(k.asaMs / 100) / 10,
    answerWaitSeconds: k.asaMs === null ? 0 : Math.round((k.asaMs * k.answered) / 1000),
  };
}
