// The eight KPIs of the scoring method (考核指标) over the tickets received in a period, and the composite
// score. docs/statistics.md is the reference for every formula; the SQL below follows it clause by clause.
// Common rules: a merged ticket (status 'merged') is counted in none of the KPIs (its matter is counted once,
// in the ticket it was merged into); a ticket sent to another box for handling (transferred_to set) is
// counted in the volumes but not in the handling KPIs of this box; a reopened ticket keeps its first
// received day and counts once, with its latest result.
import type { Db } from '../store/db.js';
import type { KpiKey, KpiValue, Ratio, Score, UnavailableKpi } from './view-types.js';

export type { KpiKey, KpiValue, Ratio, Score, UnavailableKpi } from './view-types.js';


export const kpiKeys = [
  'inquiryImmediateAnswerRate',
  'nonComplaintOnTimeRate',
  'immediateAnswerSatisfactionRate',
  'dispatchedVisitRate',
  'badReviewRectificationRate',
  'complaintOnTimeRate',
  'complaintReviewRate',
  'complaintVisitSatisfactionRate',
] as const satisfies readonly KpiKey[];

export const kpiLabels: Record<KpiKey, string> = {
  inquiryImmediateAnswerRate: '信息咨询类即时答复率',
  nonComplaintOnTimeRate: '非投诉举报类限时办结率',
  immediateAnswerSatisfactionRate: '即时答复满意率',
  dispatchedVisitRate: '转办工单回访率',
  badReviewRectificationRate: '差评整改率',
  complaintOnTimeRate: '投诉举报类限时办结率',
  complaintReviewRate: '投诉举报类复核率',
  complaintVisitSatisfactionRate: '投诉举报类回访满意率',
};

/** Default weights of the composite score (points out of 100); a request may override them. */
export const defaultWeights: Readonly<Record<KpiKey, number>> = Object.freeze({
  inquiryImmediateAnswerRate: 15,
  nonComplaintOnTimeRate: 15,
  immediateAnswerSatisfactionRate: 10,
  dispatchedVisitRate: 10,
  badReviewRectificationRate: 10,
  complaintOnTimeRate: 15,
  complaintReviewRate: 10,
  complaintVisitSatisfactionRate: 15,
});




/** A box below whose daily figures carry no 复核 pair (a version before the review step) has no 复核率. */
export const reviewNotReported: UnavailableKpi = {
  available: false,
  reason: 'The box sent no review (复核) figures for the period (a version without the review step)',
  reasonZh: '该中心未上报复核数据',
};

export const ratio = (numerator: number, denominator: number): Ratio => ({
  numerator,
  denominator,
  rate: denominator > 0 ? Math.round((numerator / denominator) * 10000) / 10000 : null,
});

/** The SQL condition a ticket meets to be counted in a KPI's denominator / numerator (names the columns of `tickets`). */
const done = 'coalesce(replied_at, closed_at)';
export const kpiSql: Record<KpiKey, { den: string; num: string }> = {
  inquiryImmediateAnswerRate: {
    den: "type = 'inquiry'",
    num: "type = 'inquiry' AND answer_text IS NOT NULL",
  },
  // Settled (replied, closed, or answered at once) or still open past its due time at the report's `now`.
  nonComplaintOnTimeRate: {
    den: `type != 'complaint' AND transferred_to IS NULL AND (${done} IS NOT NULL OR (due_at IS NOT NULL AND due_at < @now))`,
    num: `type != 'complaint' AND transferred_to IS NULL AND ${done} IS NOT NULL AND (due_at IS NULL OR ${done} <= due_at)`,
  },
  immediateAnswerSatisfactionRate: {
    den: 'answer_text IS NOT NULL AND satisfaction IS NOT NULL',
    num: "answer_text IS NOT NULL AND satisfaction IN ('satisfied', 'neutral')",
  },
  dispatchedVisitRate: {
    den: `dispatched_at IS NOT NULL AND transferred_to IS NULL AND replied_at IS NOT NULL`,
    num: `dispatched_at IS NOT NULL AND transferred_to IS NULL AND replied_at IS NOT NULL AND satisfaction IS NOT NULL`,
  },
  badReviewRectificationRate: {
    den: "(satisfaction = 'unsatisfied' OR reopen_count > 0)",
    num: 'reopen_count > 0',
  },
  complaintOnTimeRate: {
    den: `type = 'complaint' AND transferred_to IS NULL AND (${done} IS NOT NULL OR (due_at IS NOT NULL AND due_at < @now))`,
    num: `type = 'complaint' AND transferred_to IS NULL AND ${done} IS NOT NULL AND (due_at IS NULL OR ${done} <= due_at)`,
  },
  // 复核: complaints whose current result a department of this box gave (dispatched here, not transferred
  // out, replied), and of those the ones the centre's latest review approved (tickets/workflow.ts 'review').
  complaintReviewRate: {
    den: "type = 'complaint' AND dispatched_at IS NOT NULL AND transferred_to IS NULL AND replied_at IS NOT NULL",
    num: "type = 'complaint' AND dispatched_at IS NOT NULL AND transferred_to IS NULL AND replied_at IS NOT NULL AND review_outcome = 'approved'",
  },
  complaintVisitSatisfactionRate: {
    den: "type = 'complaint' AND satisfaction IS NOT NULL",
    num: "type = 'complaint' AND satisfaction IN ('satisfied', 'neutral')",
  },
};

/** Tickets every KPI considers: received in the range, not merged into another. */
export const kpiBase = "status != 'merged'";

/**
 * The eight KPIs of the tickets received in [fromIso, toIso) that also meet `where` (a scope such as a
 * department), as they stand at `now`.
 */
export function computeKpis(db: Db, q: { fromIso: string; toIso: string; now: Date; where?: string; params?: Record<string, unknown> }): Record<KpiKey, KpiValue> {
  const cols = Object.entries(kpiSql)
    .map(([k, s]) => `sum(CASE WHEN ${s.den} THEN 1 ELSE 0 END) AS "${k}_d", sum(CASE WHEN (${s.den}) AND (${s.num}) THEN 1 ELSE 0 END) AS "${k}_n"`)
    .join(',\n');
  const row = db
    .prepare(`SELECT ${cols} FROM tickets WHERE created_at >= @from AND created_at < @to AND ${kpiBase}${q.where ? ` AND (${q.where})` : ''}`)
    .get({ ...(q.params ?? {}), from: q.fromIso, to: q.toIso, now: q.now.toISOString() }) as Record<string, number | null>;
  const out = {} as Record<KpiKey, KpiValue>;
  for (const k of kpiKeys) out[k] = { available: true, ...ratio(row[`${k}_n`] ?? 0, row[`${k}_d`] ?? 0) };
  return out;
}


/** Composite score: Σ wᵢ·rateᵢ / Σ wᵢ × 100 over the KPIs that have a value. */
export function compositeScore(kpis: Record<KpiKey, KpiValue | (Ratio & { available?: boolean })>, weights: Record<KpiKey, number> = defaultWeights): Score {
  let sum = 0;
  let w = 0;
  const counted: KpiKey[] = [];
  for (const k of kpiKeys) {
    const v = kpis[k];
    if (!v || v.available === false || (v as Ratio).rate === null || !(weights[k]! > 0)) continue;
    sum += weights[k]! * (v as Ratio).rate!;
    w += weights[k]!;
    counted.push(k);
  }
  return {
    value: w > 0 ? Math.round((sum / w) * 10000) / 100 : null,
    weights: { ...weights },
    counted,
    usesDefaultWeights: kpiKeys.every((k) => weights[k] === defaultWeights[k]),
  };
}

/**
 * Parses `weights=key:n,key:n` over `base` (the stored weights; keys not given keep theirs). Unknown keys and
 * negative or non-numeric weights are refused.
 */
export function parseWeights(s: string | undefined, base: Readonly<Record<KpiKey, number>> = defaultWeights): Record<KpiKey, number> {
  const w: Record<KpiKey, number> = { ...base };
  if (!s) return w;
  for (const part of s.split(',')) {
    const [k, v] = part.split(':');
    if (!k || !(kpiKeys as readonly string[]).includes(k) || v === undefined || !/^\d{1,3}(\.\d{1,2})?$/.test(v)) {
      throw new RangeError(`weights: "${part}" is not kpiKey:number`);
    }
    w[k as KpiKey] = Number(v);
  }
  return w;
}
