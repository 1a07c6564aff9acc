// Working days on the official Chinese calendar (国务院办公厅 holiday arrangements), for ticket deadlines.
//
// Sources, in order of precedence:
// 1. corrections an admin entered (calendar_days): a holiday or a 调休 make-up working day;
// 2. the maintained package `chinese-days` (official arrangements, published each year late in the year
//    before; 1.5.7 covers up to 2026);
// 3. plain weekdays — but only for a year that neither an admin confirmed nor the package covers, and then
//    every result computed over such a day says so (`uncertain`), so a deadline never silently counts a
//    holiday as a working day. /healthz warns while the coming year has no data.
import { createRequire } from 'node:module';
import type { Db } from '../store/db.js';
import { addDays, endOfLocalDay, localDay, weekday } from './time.js';
import type { DayInfo } from './view-types.js';

export type { DayInfo, DayKind } from './view-types.js';

const require = createRequire(import.meta.url);

interface PackageData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

function loadPackage(): { data: PackageData; years: Set<number> } {
  const data = require('chinese-days/dist/chinese-days.json') as PackageData;
  const years = new Set<number>();
  for (const day of Object.keys(data.holidays)) years.add(Number(day.slice(0, 4)));
  return { data, years };
}

export interface DueDate {
  dueAt: Date;
  /** Some day counted lies in a year with no official calendar data. */
  uncertain: boolean;
}

export class WorkCalendar {
  readonly #pkg = loadPackage();
  #overrides = new Map<string, { kind: 'holiday' | 'workday'; name: string | null }>();
  #confirmed = new Set<number>();

  constructor(
    private readonly db: Db,
    readonly timezone: string,
  ) {
    this.reload();
  }

  reload(): void {
    const rows = this.db.prepare('SELECT day, kind, name FROM calendar_days').all() as {
      day: string;
      kind: 'holiday' | 'workday';
      name: string | null;
    }[];
    this.#overrides = new Map(rows.map((r) => [r.day, { kind: r.kind, name: r.name }]));
    const years = this.db.prepare('SELECT year FROM calendar_years').all() as { year: number }[];
    this.#confirmed = new Set(years.map((y) => y.year));
  }

  /** Years with official data: from the package or confirmed by an admin. */
  hasYear(year: number): boolean {
    return this.#pkg.years.has(year) || this.#confirmed.has(year);
  }

  coverage(now: Date): { packageYears: [number, number]; confirmedYears: number[]; missing: number[] } {
    const ys = [...this.#pkg.years].sort((a, b) => a - b);
    const thisYear = Number(localDay(now, this.timezone).slice(0, 4));
    const missing = [thisYear, thisYear + 1].filter((y) => !this.hasYear(y));
    return { packageYears: [ys[0]!, ys[ys.length - 1]!], confirmedYears: [...this.#confirmed].sort(), missing };
  }

  info(day: string): DayInfo {
    const o = this.#overrides.get(day);
    const year = Number(day.slice(0, 4));
    if (o) {
      return { day, kind: o.kind, working: o.kind === 'workday', name: o.name, source: 'admin', uncertain: false };
    }
    const wd = weekday(day);
    const weekend = wd === 0 || wd === 6;
    if (this.#pkg.years.has(year)) {
      const h = this.#pkg.data.holidays[day];
      if (h) return { day, kind: 'holiday', working: false, name: h.split(',')[1] ?? null, source: 'package', uncertain: false };
      const w = this.#pkg.data.workdays[day];
      if (w) return { day, kind: 'workday', working: true, name: `${w.split(',')[1] ?? ''}调休`, source: 'package', uncertain: false };
    }
    return {
      day,
      kind: weekend ? 'weekend' : 'workday',
      working: !weekend,
      name: null,
      source: 'weekday-rule',
      uncertain: !this.hasYear(year),
    };
  }

  isWorkday(day: string): boolean {
    return this.info(day).working;
  }

  /**
   * The end of the n-th working day after the local day of `from` (the day of receipt is not counted,
   * as is usual for 12345/12328 limits). n = 0 gives the end of the receipt day.
   */
  addWorkingDays(from: Date, n: number): DueDate {
    let day = localDay(from, this.timezone);
    let uncertain = false;
    let left = n;
    while (left > 0) {
      day = addDays(day, 1);
      const info = this.info(day);
      uncertain ||= info.uncertain;
      if (info.working) left -= 1;
    }
    return { dueAt: endOfLocalDay(day, this.timezone), uncertain };
  }

  /** Working days from the local day of `from` to the local day of `to` (0 when the same or earlier). */
  workingDaysBetween(from: Date, to: Date): number {
    let day = localDay(from, this.timezone);
    const end = localDay(to, this.timezone);
    let count = 0;
    while (day < end) {
      day = addDays(day, 1);
      if (this.isWorkday(day)) count += 1;
    }
    return count;
  }

  /** Admin correction: mark a day a holiday or a working day, or clear the correction (kind null). */
  setDay(day: string, kind: 'holiday' | 'workday' | null, name: string | null): void {
    if (kind === null) this.db.prepare('DELETE FROM calendar_days WHERE day = ?').run(day);
    else
      this.db
        .prepare('INSERT INTO calendar_days (day, kind, name) VALUES (?, ?, ?) ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, name = excluded.name')
        .run(day, kind, name);
    this.reload();
  }

  confirmYear(year: number, by: string, at: Date): void {
    this.db
      .prepare('INSERT INTO calendar_years (year, confirmed_at, confirmed_by) VALUES (?, ?, ?) ON CONFLICT(year) DO NOTHING')
      .run(year, at.toISOString(), by);
    this.reload();
  }

  overrides(): { day: string; kind: string; name: string | null }[] {
    return [...this.#overrides].map(([day, o]) => ({ day, kind: o.kind, name: o.name })).sort((a, b) => a.day.localeCompare(b.day));
  }
}
