// Daily statistics of one box (统计分析, JT/T 1019.5 style): volumes of the tickets received on a local
// day by type, domain and channel, the scoring method's ticket KPIs over those tickets as they stand when
// computed, and the call KPIs of the calls that arrived that day (when the store has the calls tables).
// Each KPI carries its numerator and denominator so a province can add cities up exactly. A day's figures
// change as its tickets are handled, so the daily job computes the last few days again every night and the
// receiver keeps the latest computation.
import { addDays, endOfLocalDay, localTime } from '../calendar/time.js';
import { callKpis } from '../calls/kpis.js';
import type { Db } from '../store/db.js';

export interface Ratio {
  numerator: number;
  denominator: number;
  /** numerator / denominator, or null when nothing was counted. */
  rate: number | null;
}

export interface DailyStats {
  region: string;
  day: string;
  computedAt: string;
  volumes: {
    total: number;
    byType: Record<string, number>;
    byDomain: Record<string, number>;
    byChannel: Record<string, number>;
    /** Of the day's tickets: transferred here from other boxes, and sent elsewhere for handling. */
    transferredIn: number;
    transferredOut: number;
  };
  kpis: Record<
    | 'inquiryImmediateAnswerRate'
    | 'nonComplaintOnTimeRate'
    | 'immediateAnswerSatisfactionRate'
    | 'dispatchedVisitRate'
    | 'badReviewRectificationRate'
    | 'complaintOnTimeRate'
    | 'complaintVisitSatisfactionRate',
    Ratio
  >;
  /** Call KPIs (calls/kpis.ts definitions) of the calls that arrived on the day; absent without calls tables. */
  calls?: CallFigures;
}

export interface CallFigures {
  offered: number;
  /** Calls that entered the queue (转人工): the denominator of the two rates. */
  queued: number;
  answered: number;
  abandoned: number;
  /** 10秒接通率. */
  answeredWithin10sRate: Ratio;
  /** 放弃率. */
  abandonmentRate: Ratio;
  /** Average speed of answer (queue entry → agent answer), seconds, one decimal; null when none answered. */
  averageSpeedOfAnswerSeconds: number | null;
  /** Sum of the answered calls' waits, seconds (with `answered`, lets a level above average exactly). */
  answerWaitSeconds: number;
}

const ratio = (numerator: number, denominator: number): Ratio => ({ numerator, denominator, rate: denominator > 0 ? Math.round((numerator / denominator) * 10000) / 10000 : null });

export function computeDailyStats(db: Db, region: string, day: string, tz: string, now: Date): DailyStats {
  const from = localTime(day, tz).toISOString();
  const to = endOfLocalDay(day, tz).toISOString();
  const range = 'created_at >= @from AND created_at <= @to';
  const group = (col: string) =>
    Object.fromEntries((db.prepare(`SELECT ${col} AS k, count(*) AS n FROM tickets WHERE ${range} GROUP BY ${col} ORDER BY ${col}`).all({ from, to }) as { k: string; n: number }[]).map((r) => [r.k, r.n]));
  const k = db
    .prepare(
      `SELECT
        count(*) AS total,
        sum(origin_region IS NOT NULL) AS transferredIn,
        sum(transferred_to IS NOT NULL) AS transferredOut,
        sum(type = 'inquiry') AS inquiries,
        sum(type = 'inquiry' AND answer_text IS NOT NULL) AS inquiriesAnswered,
        sum(type != 'complaint' AND coalesce(replied_at, closed_at) IS NOT NULL) AS ncDone,
        sum(type != 'complaint' AND coalesce(replied_at, closed_at) IS NOT NULL AND coalesce(replied_at, closed_at) <= due_at) AS ncOnTime,
        sum(answer_text IS NOT NULL AND satisfaction IS NOT NULL) AS answeredVisited,
        sum(answer_text IS NOT NULL AND satisfaction = 'satisfied') AS answeredSatisfied,
        sum(dispatched_at IS NOT NULL) AS dispatched,
        sum(dispatched_at IS NOT NULL AND satisfaction IS NOT NULL) AS dispatchedVisited,
        sum(satisfaction = 'unsatisfied' OR reopen_count > 0) AS badReviews,
        sum(reopen_count > 0) AS rectified,
        sum(type = 'complaint' AND coalesce(replied_at, closed_at) IS NOT NULL) AS cDone,
        sum(type = 'complaint' AND coalesce(replied_at, closed_at) IS NOT NULL AND coalesce(replied_at, closed_at) <= due_at) AS cOnTime,
        sum(type = 'complaint' AND satisfaction IS NOT NULL) AS cVisited,
        sum(type = 'complaint' AND satisfaction = 'satisfied') AS cSatisfied
      FROM tickets WHERE ${range}`,
    )
    .get({ from, to }) as Record<string, number | null>;
  const n = (key: string) => k[key] ?? 0;
  const calls = computeCallFigures(db, day, tz);
  return {
    region,
    day,
    computedAt: now.toISOString(),
    volumes: {
      total: n('total'),
      byType: group('type'),
      byDomain: group('domain'),
      byChannel: group('channel'),
      transferredIn: n('transferredIn'),
      transferredOut: n('transferredOut'),
    },
    kpis: {
      inquiryImmediateAnswerRate: ratio(n('inquiriesAnswered'), n('inquiries')),
      nonComplaintOnTimeRate: ratio(n('ncOnTime'), n('ncDone')),
      immediateAnswerSatisfactionRate: ratio(n('answeredSatisfied'), n('answeredVisited')),
      dispatchedVisitRate: ratio(n('dispatchedVisited'), n('dispatched')),
      badReviewRectificationRate: ratio(n('rectified'), n('badReviews')),
      complaintOnTimeRate: ratio(n('cOnTime'), n('cDone')),
      complaintVisitSatisfactionRate: ratio(n('cSatisfied'), n('cVisited')),
    },
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
