// Time series for the statistics pages' charts (issue 15 §3): ticket volumes per day (per ISO week for a
// period longer than 62 days) over a period and the period before it (the trend chart), and the call load
// per local hour of day (the hourly load chart). Tickets count by received day (`created_at`), calls by
// arrival (`arrived_at`), both in the box's time zone, like the reports and the call KPIs.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BoxServices } from '../box.js';
import { addDays, localTime, weekday } from '../calendar/time.js';
import type { Db } from '../store/db.js';
import { errorResponses } from '../http/server.js';
import { daysBetween, previousPeriod, type Period } from './period.js';
import type { Bucket, HourLoad, Hourly, HourlyLoad, TicketSeries, Trend } from './view-types.js';

export type { Bucket, HourLoad, HourlyLoad, TicketSeries } from './view-types.js';
import { filterSql } from './reports.js';

/** Longest period counted per day; longer ones are counted per ISO week (Monday first). */
export const maxDailyBuckets = 62;



/** The period cut into days, or into ISO weeks clipped to the period when it is longer than 62 days. */
export function buckets(p: Pick<Period, 'from' | 'to'>): { unit: 'day' | 'week'; ranges: [string, string][] } {
  const days = daysBetween(p.from, p.to);
  const unit = days > maxDailyBuckets ? 'week' : 'day';
  const ranges: [string, string][] = [];
  let d = p.from;
  while (d < p.to) {
    let next = unit === 'day' ? addDays(d, 1) : addDays(d, 7 - ((weekday(d) + 6) % 7));
    if (next > p.to) next = p.to;
    ranges.push([d, next]);
    d = next;
  }
  return { unit, ranges };
}

/** Tickets received per bucket of the period and of the one before it (the same cut, so they line up). */
export function ticketSeries(db: Db, p: Period, tz: string, department: number | null): TicketSeries {
  const scope = department != null ? filterSql({ department }) : { where: '', params: {} };
  const stmt = db.prepare(`SELECT count(*) AS n FROM tickets WHERE created_at >= @from AND created_at < @to${scope.where ? ` AND ${scope.where}` : ''}`);
  const count = (ranges: [string, string][]): Bucket[] =>
    ranges.map(([from, to]) => ({ from, to, count: (stmt.get({ ...scope.params, from: localTime(from, tz).toISOString(), to: localTime(to, tz).toISOString() }) as { n: number }).n }));
  const cur = buckets(p);
  const prev = buckets(previousPeriod(p));
  return { unit: cur.unit, current: count(cur.ranges), previous: count(prev.ranges) };
}



/** Calls per local hour of day over the period (totals; divide by daysWithCalls for a mean day). */
export function hourlyLoad(db: Db, p: Pick<Period, 'from' | 'to'>, tz: string): HourlyLoad {
  const hours: HourLoad[] = Array.from({ length: 24 }, (_, hour) => ({ hour, arrived: 0, queued: 0, answered: 0, abandoned: 0 }));
  const hasCalls = !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calls'").get();
  if (!hasCalls) return { from: p.from, to: p.to, daysWithCalls: 0, hours };
  const rows = db
    .prepare('SELECT arrived_at, queued_at, agent_answered_at, abandoned_at FROM calls WHERE arrived_at >= ? AND arrived_at < ?')
    .all(localTime(p.from, tz).getTime(), localTime(p.to, tz).getTime()) as { arrived_at: number; queued_at: number | null; agent_answered_at: number | null; abandoned_at: number | null }[];
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
  const days = new Set<string>();
  for (const r of rows) {
    const parts = Object.fromEntries(fmt.formatToParts(new Date(r.arrived_at)).map((x) => [x.type, x.value]));
    days.add(`${parts.year}-${parts.month}-${parts.day}`);
    const h = hours[Number(parts.hour) % 24]!;
    h.arrived += 1;
    if (r.queued_at === null) continue;
    h.queued += 1;
    if (r.agent_answered_at !== null) h.answered += 1;
    else if (r.abandoned_at !== null) h.abandoned += 1;
  }
  return { from: p.from, to: p.to, daysWithCalls: days.size, hours };
}

/** What routes.ts lends these routes: its period parsing, department scoping and query properties. */
export interface SeriesDeps {
  box: BoxServices;
  period: (q: { period?: string; at?: string; from?: string; to?: string }) => Period;
  scopeOf: (request: FastifyRequest, asked?: number) => number | null;
  periodProps: Record<string, unknown>;
}

type SeriesQ = { period?: string; at?: string; from?: string; to?: string; department?: number };

export function seriesRoutes(app: FastifyInstance, { box, period, scopeOf, periodProps }: SeriesDeps): void {
  const tz = () => box.config.current().box.timezone;
  const { weights: _w, ...props } = periodProps;
  const anyObject = { type: 'object', additionalProperties: true } as const;
  app.get<{ Querystring: SeriesQ }>(
    '/api/stats/trend',
    {
      config: { roles: ['admin', 'supervisor', 'department'] },
      schema: {
        tags: ['stats'],
        summary: 'Tickets received per day (per ISO week beyond 62 days) over the period and the previous one',
        querystring: { type: 'object', additionalProperties: false, properties: { ...props, department: { type: 'integer', minimum: 1 } } },
        response: { 200: anyObject, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const p = period(request.query);
      const dept = scopeOf(request, request.query.department);
      return { period: p, previousPeriod: previousPeriod(p), scope: dept != null ? { department: dept } : null, ...ticketSeries(box.db, p, tz(), dept) } satisfies Trend;
    },
  );
  app.get<{ Querystring: SeriesQ }>(
    '/api/stats/hourly',
    {
      config: { roles: ['admin', 'supervisor'] },
      schema: {
        tags: ['stats'],
        summary: 'Call load per local hour of day over the period (arrived, queued, answered, abandoned)',
        querystring: { type: 'object', additionalProperties: false, properties: props },
        response: { 200: anyObject, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const p = period(request.query);
      return { period: p, ...hourlyLoad(box.db, p, tz()) } satisfies Hourly;
    },
  );
}
