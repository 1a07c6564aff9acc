// Report periods (issue 15 §2): a day, ISO week, month, quarter, year or a custom range of local days, with
// the two periods a report compares it to — 环比 (the period just before, of the same kind and length) and
// 同比 (the same period a year earlier). Periods are half-open ranges of local days [from, to) in the box's
// time zone; `to` is the first day after the period.
import { addDays, isDay, weekday } from '../calendar/time.js';
import type { Period, PeriodKind } from './view-types.js';

export type { Period, PeriodKind } from './view-types.js';

const kinds: readonly string[] = ['day', 'week', 'month', 'quarter', 'year'];


/** Longest custom range, in days (two years plus a leap day). */
export const maxCustomDays = 731;

export class PeriodError extends Error {
  constructor(readonly code: 'period-invalid', message: string) {
    super(message);
    this.name = 'PeriodError';
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Monday of ISO week `w` of ISO year `y`. */
function isoWeekStart(y: number, w: number): string {
  const jan4 = `${y}-01-04`;
  const monday = addDays(jan4, -((weekday(jan4) + 6) % 7));
  return addDays(monday, (w - 1) * 7);
}

function isoWeeksIn(y: number): number {
  return daysBetween(isoWeekStart(y, 1), isoWeekStart(y + 1, 1)) / 7;
}

function monthStart(y: number, m: number): string {
  const yy = y + Math.floor((m - 1) / 12);
  const mm = ((((m - 1) % 12) + 12) % 12) + 1;
  return `${pad(yy, 4)}-${pad(mm)}-01`;
}

const yearOk = (y: number) => y >= 2000 && y <= 2099;

/** The `at` of the period of `kind` that holds `day`: 2026-12-05 → 2026-12-05, 2026-W49, 2026-12, 2026-Q4, 2026. */
export function periodAt(kind: Exclude<PeriodKind, 'custom'>, day: string): string {
  switch (kind) {
    case 'day':
      return day;
    case 'week': {
      // ISO 8601: the week belongs to the year of its Thursday.
      const thursday = addDays(day, 3 - ((weekday(day) + 6) % 7));
      const y = Number(thursday.slice(0, 4));
      return `${pad(y, 4)}-W${pad((daysBetween(isoWeekStart(y, 1), thursday) - 3) / 7 + 1)}`;
    }
    case 'month':
      return day.slice(0, 7);
    case 'quarter':
      return `${day.slice(0, 4)}-Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`;
    case 'year':
      return day.slice(0, 4);
  }
}

/**
 * Parses `period` + `at` (or `from`/`to` for a custom range, `to` inclusive as people write it). Without
 * `at`, the period that holds `today` (the box's local day), when given.
 * Throws PeriodError naming the bad parameter.
 */
export function parsePeriod(q: { period?: string; at?: string; from?: string; to?: string }, today?: string): Period {
  const kind = (q.period ?? (q.from || q.to ? 'custom' : 'month')) as PeriodKind;
  const bad = (msg: string): never => {
    throw new PeriodError('period-invalid', msg);
  };
  if (kind === 'custom') {
    if (!q.from || !q.to || !isDay(q.from) || !isDay(q.to)) bad('a custom range needs from and to as YYYY-MM-DD');
    const from = q.from!;
    const last = q.to!;
    if (!yearOk(Number(from.slice(0, 4))) || !yearOk(Number(last.slice(0, 4)))) bad('years must be 2000–2099');
    if (last < from) bad('to must not be before from');
    const to = addDays(last, 1);
    if (daysBetween(from, to) > maxCustomDays) bad(`a custom range is at most ${maxCustomDays} days`);
    return { kind, from, to, label: `${from}..${last}` };
  }
  const at = q.at ?? (today && kinds.includes(kind) ? periodAt(kind as Exclude<PeriodKind, 'custom'>, today) : '');
  let m: RegExpExecArray | null;
  switch (kind) {
    case 'day':
      if (!isDay(at) || !yearOk(Number(at.slice(0, 4)))) bad('at must be YYYY-MM-DD for a day');
      return { kind, from: at, to: addDays(at, 1), label: at };
    case 'week': {
      if (!(m = /^(\d{4})-W(\d{2})$/.exec(at))) return bad('at must be YYYY-Www for a week (ISO 8601)');
      const y = Number(m[1]);
      const w = Number(m[2]);
      if (!yearOk(y) || w < 1 || w > isoWeeksIn(y)) bad(`week ${at} does not exist`);
      const from = isoWeekStart(y, w);
      return { kind, from, to: addDays(from, 7), label: at };
    }
    case 'month': {
      if (!(m = /^(\d{4})-(\d{2})$/.exec(at))) return bad('at must be YYYY-MM for a month');
      const y = Number(m[1]);
      const mo = Number(m[2]);
      if (!yearOk(y) || mo < 1 || mo > 12) bad(`month ${at} does not exist`);
      return { kind, from: monthStart(y, mo), to: monthStart(y, mo + 1), label: at };
    }
    case 'quarter': {
      if (!(m = /^(\d{4})-Q([1-4])$/.exec(at))) return bad('at must be YYYY-Qn for a quarter');
      const y = Number(m[1]);
      const qn = Number(m[2]);
      if (!yearOk(y)) bad('years must be 2000–2099');
      return { kind, from: monthStart(y, qn * 3 - 2), to: monthStart(y, qn * 3 + 1), label: at };
    }
    case 'year': {
      if (!/^\d{4}$/.test(at) || !yearOk(Number(at))) bad('at must be YYYY for a year');
      return { kind, from: `${at}-01-01`, to: `${Number(at) + 1}-01-01`, label: at };
    }
    default:
      return bad(`period must be day, week, month, quarter, year or custom`);
  }
}

/** 环比: the period just before — the previous day/week/month/quarter/year, or the same number of days before a custom range. */
export function previousPeriod(p: Period): Period {
  switch (p.kind) {
    case 'day':
    case 'week':
    case 'custom': {
      const len = daysBetween(p.from, p.to);
      return { kind: p.kind, from: addDays(p.from, -len), to: p.from, label: `${addDays(p.from, -len)}..${addDays(p.from, -1)}` };
    }
    case 'month':
    case 'quarter':
    case 'year': {
      const months = p.kind === 'month' ? 1 : p.kind === 'quarter' ? 3 : 12;
      const y = Number(p.from.slice(0, 4));
      const mo = Number(p.from.slice(5, 7));
      const from = monthStart(y, mo - months);
      return { kind: p.kind, from, to: p.from, label: `${from}..${addDays(p.from, -1)}` };
    }
  }
}

/** 同比: the same period a year earlier (the same ISO week number for a week; 29 Feb maps to 28 Feb). */
export function yearAgoPeriod(p: Period): Period {
  const back = (day: string) => {
    const y = Number(day.slice(0, 4)) - 1;
    const md = day.slice(5);
    return md === '02-29' ? `${pad(y, 4)}-02-28` : `${pad(y, 4)}-${md}`;
  };
  if (p.kind === 'week') {
    const y = Number(p.label.slice(0, 4)) - 1;
    const w = Math.min(Number(p.label.slice(6)), isoWeeksIn(y));
    const from = isoWeekStart(y, w);
    return { kind: 'week', from, to: addDays(from, 7), label: `${y}-W${pad(w)}` };
  }
  const from = back(p.from);
  // Month-based ends are always a 1st, so only day and custom periods can end on 1 March after a 29 Feb.
  const to = p.kind === 'day' && p.from.endsWith('02-29') ? addDays(from, 1) : back(p.to);
  return { kind: p.kind, from, to: to <= from ? addDays(from, 1) : to, label: `${from}..${addDays(to <= from ? addDays(from, 1) : to, -1)}` };
}
