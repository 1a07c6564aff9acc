// Statistics API (issue 15): period reports with exports, the KPIs, the tickets behind a figure, agent
// performance, the province/ministry view of the boxes below, and the capacity planner's busy hour + plan.
// Supervisors and admins see the centre; a department user sees only its own department's tickets (the
// scope is forced on the server whatever the query says).
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { BoxServices } from '../box.js';
import { localDay } from '../calendar/time.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { agentFigures } from './agents.js';
import { busyHourFromHistory } from './busy-hour.js';
import { childrenView } from './children.js';
import { PlanError, plan } from './erlang.js';
import { reportCsv, reportXlsx } from './export.js';
import { parseWeights, computeKpis, compositeScore, type KpiKey } from './kpis.js';
import { PeriodError, parsePeriod, type Period } from './period.js';
import { buildReport, jtChannels, listTickets, rangeIso, type TicketFilter } from './reports.js';
import { storedWeights } from './weights.js';
import { seriesRoutes } from './series.js';
import type { CapacityAnswer } from './view-types.js';

const periodProps = {
  period: { type: 'string', enum: ['day', 'week', 'month', 'quarter', 'year', 'custom'] },
  at: { type: 'string', maxLength: 10, description: 'YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn or YYYY' },
  from: { type: 'string', maxLength: 10, description: 'custom range: first day (YYYY-MM-DD)' },
  to: { type: 'string', maxLength: 10, description: 'custom range: last day, inclusive (YYYY-MM-DD)' },
  weights: { type: 'string', maxLength: 400, description: 'composite score weights, kpiKey:number,… (others keep the stored weights, GET /api/stats/weights)' },
} as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const viewers = ['admin', 'supervisor', 'department'] as const;

interface PeriodQuery {
  period?: string;
  at?: string;
  from?: string;
  to?: string;
  weights?: string;
}

function parseQueryPeriod(q: PeriodQuery, today: string): Period {
  try {
    return parsePeriod(q, today);
  } catch (e) {
    if (e instanceof PeriodError) throw new AppError('stats-period-invalid', e.message);
    throw e;
  }
}

/** The request's weights over the stored ones (stats.weights), or the stored ones when it gives none. */
function weights(q: PeriodQuery, stored: Record<KpiKey, number>) {
  try {
    return parseWeights(q.weights, stored);
  } catch (e) {
    throw new AppError('stats-weights-invalid', (e as Error).message);
  }
}

/** The department a request is confined to: a department user's own, else the one asked for (or none). */
function scopeOf(request: FastifyRequest, asked?: number): number | null {
  const a = actor(request);
  if (a.role === 'department') {
    if (a.departmentId == null) throw new AppError('department-required');
    if (asked !== undefined && asked !== a.departmentId) throw new AppError('stats-department-scope');
    return a.departmentId;
  }
  return asked ?? null;
}

export const statsRoutes: FastifyPluginAsync<{ box: BoxServices; wrapUpSeconds: () => number }> = async (app, { box, wrapUpSeconds }) => {
  const tz = () => box.config.current().box.timezone;
  /** A query's period; without `at`, the current one in the box's time zone (not the asking browser's). */
  const period = (q: PeriodQuery) => parseQueryPeriod(q, localDay(box.now(), tz()));
  const stored = () => storedWeights(box.config.current());
  const report = (q: PeriodQuery & { region?: string; department?: number }, request: FastifyRequest) => {
    if (q.region && !box.regions.has(q.region)) throw new AppError('unknown-region');
    return buildReport(box.db, { period: period(q), timezone: tz(), now: box.now(), regions: box.regions, regionParent: q.region ?? null, department: scopeOf(request, q.department), weights: weights(q, stored()) });
  };
  const reportQuery = {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...periodProps,
      region: { type: 'string', pattern: '^[1-9][0-9]{5}$', description: 'drill-down: list the children of this region (default: provinces)' },
      department: { type: 'integer', minimum: 1 },
      format: { type: 'string', enum: ['json', 'xlsx', 'csv'] },
    },
  } as const;
  type ReportQ = PeriodQuery & { region?: string; department?: number; format?: 'json' | 'xlsx' | 'csv' };

  const sendReport = async (format: 'json' | 'xlsx' | 'csv', q: ReportQ, request: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const r = report(q, request);
    if (format === 'json') return r;
    const name = `12328-report-${r.period.label.replace(/\.\./g, '_')}`;
    if (format === 'xlsx') {
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${name}.xlsx"`)
        .send(await reportXlsx(r));
    }
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(reportCsv(r));
  };

  app.get<{ Querystring: ReportQ }>(
    '/api/stats/report',
    { config: { roles: viewers }, schema: { tags: ['stats'], summary: 'Period report: volumes with share, 同比 and 环比, KPIs and score (format=xlsx|csv to export)', querystring: reportQuery, response: { 200: anyObject, ...errorResponses(400, 401, 403, 422) } } },
    async (request, reply) => sendReport(request.query.format ?? 'json', request.query, request, reply),
  );
  for (const format of ['xlsx', 'csv'] as const) {
    app.get<{ Querystring: ReportQ }>(
      `/api/stats/report.${format}`,
      { config: { roles: viewers }, schema: { tags: ['stats'], summary: `Period report as ${format}`, querystring: reportQuery, response: errorResponses(400, 401, 403, 422) } },
      async (request, reply) => sendReport(format, request.query, request, reply),
    );
  }

  app.get<{ Querystring: PeriodQuery & { department?: number } }>(
    '/api/stats/kpis',
    {
      config: { roles: viewers },
      schema: { tags: ['stats'], summary: 'The eight KPIs and the composite score of a period', querystring: { type: 'object', additionalProperties: false, properties: { ...periodProps, department: { type: 'integer', minimum: 1 } } }, response: { 200: anyObject, ...errorResponses(400, 401, 403) } },
    },
    async (request) => {
      const p = period(request.query);
      const dept = scopeOf(request, request.query.department);
      const kpis = computeKpis(box.db, { ...rangeIso(p.from, p.to, tz()), now: box.now(), ...(dept != null ? { where: '+department_id = @department', params: { department: dept } } : {}) });
      return { period: p, scope: dept != null ? { department: dept } : null, kpis, score: compositeScore(kpis, weights(request.query, stored())) };
    },
  );

  app.get<{ Querystring: TicketFilter & { page?: number; pageSize?: number } }>(
    '/api/stats/tickets',
    {
      config: { roles: viewers },
      schema: {
        tags: ['stats'],
        summary: 'The tickets behind a figure (the filter a report figure carries)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: {
            from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
            to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'exclusive' },
            jtChannel: { type: 'string', enum: jtChannels.map((j) => j.code) },
            type: { type: 'string', maxLength: 16 },
            subtype: { type: 'string', maxLength: 32 },
            domain: { type: 'string', maxLength: 32 },
            regionPrefix: { type: 'string', pattern: '^[0-9]{2}([0-9]{2}){0,2}$' },
            department: { type: 'integer', minimum: 1 },
            overdue: { type: 'boolean' },
            page: { type: 'integer', minimum: 1, maximum: 10000 },
            pageSize: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
        response: { 200: anyObject, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      // Validates the days the same way a custom period does (real days, ordered, bounded).
      const p = period({ from: q.from, to: q.to });
      if (q.to === q.from) throw new AppError('stats-period-invalid', 'to is exclusive: it must be after from');
      const dept = scopeOf(request, q.department);
      const f: TicketFilter = { ...q, from: p.from, to: q.to, ...(dept != null ? { department: dept } : {}) };
      const page = q.page ?? 1;
      const pageSize = q.pageSize ?? 20;
      return { filter: f, page, pageSize, ...listTickets(box.db, f, tz(), box.now(), page, pageSize) };
    },
  );

  comparisonRoutes(app, box, period, stored);

  capacityRoute(app, box, wrapUpSeconds);

  // Chart series (trend per day/week, hourly call load): series.ts.
  seriesRoutes(app, { box, period, scopeOf, periodProps });
};

/** The capacity planner (容量规划): the busy hour of recent days and the Erlang B/C plan for trunks and seats. */
function capacityRoute(app: FastifyInstance, box: BoxServices, wrapUpSeconds: () => number): void {
  app.get<{ Querystring: { days?: number; callsPerHour?: number; aht?: number; targetSl?: number; targetSeconds?: number; blocking?: number; trunkHold?: number } }>(
    '/api/stats/capacity',
    {
      config: { roles: ['admin', 'supervisor'] },
      schema: {
        tags: ['stats'],
        summary: 'Capacity planner: the busy hour of the last days and the Erlang B/C plan (entered figures override it)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            days: { type: 'integer', minimum: 1, maximum: 366 },
            callsPerHour: { type: 'number', exclusiveMinimum: 0 },
            aht: { type: 'number', exclusiveMinimum: 0 },
            targetSl: { type: 'number', minimum: 0, maximum: 1 },
            targetSeconds: { type: 'number', minimum: 0 },
            blocking: { type: 'number', minimum: 0, maximum: 1 },
            trunkHold: { type: 'number', exclusiveMinimum: 0 },
          },
        },
        response: { 200: anyObject, ...errorResponses(400, 401, 403) },
      },
    },
    async (request): Promise<CapacityAnswer> => {
      const q = request.query;
      const hasCalls = !!box.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calls'").get();
      const busyHour = hasCalls ? busyHourFromHistory(box.db, { now: box.now(), timezone: box.config.current().box.timezone, days: q.days ?? 28, wrapUpSeconds: wrapUpSeconds() }) : null;
      const callsPerHour = q.callsPerHour ?? busyHour?.callsPerHour ?? 0;
      const aht = q.aht ?? busyHour?.ahtSeconds ?? null;
      if (!(callsPerHour > 0) || aht === null) return { busyHour, plan: null, reason: 'no calls in the window: enter callsPerHour and aht' };
      try {
        return {
          busyHour,
          plan: plan({ callsPerHour, ahtSeconds: aht, targetServiceLevel: q.targetSl, targetSeconds: q.targetSeconds, blocking: q.blocking, ...(q.trunkHold ? { trunkHoldSeconds: q.trunkHold } : {}) }),
        };
      } catch (e) {
        if (e instanceof PlanError) throw new AppError('erlang-input-invalid', e.message);
        throw e;
      }
    },
  );
}

/** Side by side: the agents' performance (绩效) and, at a province or the ministry, the boxes below ranked. */
function comparisonRoutes(app: FastifyInstance, box: BoxServices, period: (q: PeriodQuery) => Period, stored: () => Record<KpiKey, number>): void {
  app.get<{ Querystring: PeriodQuery }>(
    '/api/stats/agents',
    { config: { roles: ['admin', 'supervisor'] }, schema: { tags: ['stats'], summary: 'Agent performance (绩效) over a period', querystring: { type: 'object', additionalProperties: false, properties: periodProps }, response: { 200: anyObject, ...errorResponses(400, 401, 403) } } },
    async (request) => {
      const p = period(request.query);
      const r = rangeIso(p.from, p.to, box.config.current().box.timezone);
      return { period: p, agents: agentFigures(box.db, { fromMs: Date.parse(r.fromIso), toMs: Date.parse(r.toIso), ...r }) };
    },
  );

  app.get<{ Querystring: PeriodQuery }>(
    '/api/stats/children',
    { config: { roles: ['admin', 'supervisor'] }, schema: { tags: ['stats'], summary: 'Province/ministry view: the boxes below side by side, ranked by score, late ones marked', querystring: { type: 'object', additionalProperties: false, properties: periodProps }, response: { 200: anyObject, ...errorResponses(400, 401, 403) } } },
    async (request) => {
      const p = period(request.query);
      const cfg = box.config.current().box;
      return { period: p, role: cfg.role, boxes: childrenView(box.db, { period: p, ownRegion: cfg.region, today: localDay(box.now(), cfg.timezone), regions: box.regions, weights: weights(request.query, stored()) }) };
    },
  );
}
