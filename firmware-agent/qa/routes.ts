// 质检 API (issue 15 §6; docs/statistics.md §质检):
//   GET  /api/qa/form               the configured form (criteria with max points and weights)
//   GET  /api/qa/calls?from&to&agent  recorded calls answered by an agent, with their inspection when scored
//   POST /api/qa/inspections        {callId, agent?, points: {criterion: n}, comment?}: score a recorded call
//   GET  /api/qa/inspections?from&to&agent   inspections of the calls in the range (newest first)
//   GET  /api/qa/inspections/:id
//   PUT  /api/qa/inspections/:id    {points, comment?, reason}: correct the points (scored on the inspection's
//                                   own form; audited with the reason)
// Supervisors and admins inspect and see every inspection; an agent sees only their own (forced on the
// server). The recording is played through the existing /api/ui/calls/:id/recording route.
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { addDays, localDay } from '../calendar/time.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { PeriodError, parsePeriod } from '../stats/period.js';
import { rangeIso } from '../stats/reports.js';
import { QaService } from './service.js';

const inspectors = ['admin', 'supervisor'] as const;
const readers = ['admin', 'supervisor', 'agent'] as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const rangeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { ...day, description: 'first day (YYYY-MM-DD); default 29 days before to' },
    to: { ...day, description: 'last day, inclusive; default today' },
    agent: { type: 'integer', minimum: 1 },
    limit: { type: 'integer', minimum: 1, maximum: 500 },
  },
} as const;
interface RangeQ {
  from?: string;
  to?: string;
  agent?: number;
  limit?: number;
}

export const qaRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  const qa = new QaService(box.db, () => box.config.current().qa?.criteria ?? [], box.now);
  const range = (q: RangeQ) => {
    const tz = box.config.current().box.timezone;
    const to = q.to ?? localDay(box.now(), tz);
    try {
      const p = parsePeriod({ from: q.from ?? addDays(to, -29), to });
      const r = rangeIso(p.from, p.to, tz);
      return { from: p.from, to: addDays(p.to, -1), fromMs: Date.parse(r.fromIso), toMs: Date.parse(r.toIso) };
    } catch (e) {
      if (e instanceof PeriodError) throw new AppError('stats-period-invalid', e.message);
      throw e;
    }
  };

  app.get(
    '/api/qa/form',
    { config: { roles: readers }, schema: { tags: ['qa'], summary: 'The quality-inspection form (config qa.criteria)', response: { 200: anyObject, ...errorResponses(401, 403) } } },
    async () => ({ criteria: qa.criteria() }),
  );

  app.get<{ Querystring: RangeQ }>(
    '/api/qa/calls',
    { config: { roles: inspectors }, schema: { tags: ['qa'], summary: 'Recorded calls an agent answered in the range, newest first, with their inspection when scored', querystring: rangeQuery, response: { 200: anyObject, ...errorResponses(400, 401, 403) } } },
    async (request) => {
      const r = range(request.query);
      const hasCalls = !!box.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calls'").get();
      return { from: r.from, to: r.to, items: hasCalls ? qa.recordedCalls({ ...r, ...(request.query.agent ? { agent: request.query.agent } : {}), limit: request.query.limit ?? 100 }) : [] };
    },
  );

  app.post<{ Body: { callId: string; agent?: number; points: Record<string, number>; comment?: string } }>(
    '/api/qa/inspections',
    {
      config: { roles: inspectors },
      schema: {
        tags: ['qa'],
        summary: 'Score a recorded call on the form (every criterion, whole points 0–max); one inspection per call and agent; audited',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['callId', 'points'],
          properties: {
            callId: { type: 'string', minLength: 1, maxLength: 80 },
            agent: { type: 'integer', minimum: 1 },
            points: { type: 'object', maxProperties: 30, additionalProperties: { type: 'integer', minimum: 0, maximum: 100 } },
            comment: { type: 'string', maxLength: 2000 },
          },
        },
        response: { 201: anyObject, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(qa.inspect(request.body, actor(request))),
  );

  app.get<{ Querystring: RangeQ }>(
    '/api/qa/inspections',
    { config: { roles: readers }, schema: { tags: ['qa'], summary: 'Inspections of the calls in the range, newest first (an agent: their own only)', querystring: rangeQuery, response: { 200: anyObject, ...errorResponses(400, 401, 403) } } },
    async (request) => {
      const a = actor(request);
      const r = range(request.query);
      if (a.role === 'agent' && request.query.agent !== undefined && request.query.agent !== a.id) throw new AppError('forbidden-role', 'an agent sees only their own inspections');
      const agent = a.role === 'agent' ? a.id! : request.query.agent;
      return { from: r.from, to: r.to, items: qa.list({ ...r, ...(agent !== undefined ? { agent } : {}), limit: request.query.limit ?? 100 }) };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/qa/inspections/:id',
    {
      config: { roles: readers },
      schema: { tags: ['qa'], summary: 'One inspection (an agent: only their own)', params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } }, response: { 200: anyObject, ...errorResponses(400, 401, 403, 404) } },
    },
    async (request) => {
      const a = actor(request);
      const i = qa.get(request.params.id);
      // An agent cannot tell another agent's inspection from one that does not exist.
      if (!i || (a.role === 'agent' && i.agent.id !== a.id)) throw new AppError('qa-inspection-not-found', undefined, { id: request.params.id });
      return i;
    },
  );

  app.put<{ Params: { id: number }; Body: { points: Record<string, number>; comment?: string; reason: string } }>(
    '/api/qa/inspections/:id',
    {
      config: { roles: inspectors },
      schema: {
        tags: ['qa'],
        summary: "Correct an inspection's points (every criterion of the form it was scored on) with a reason; audited with the points before and after",
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['points', 'reason'],
          properties: {
            points: { type: 'object', maxProperties: 30, additionalProperties: { type: 'integer', minimum: 0, maximum: 100 } },
            comment: { type: 'string', maxLength: 2000 },
            reason: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' },
          },
        },
        response: { 200: anyObject, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => qa.correct(request.params.id, request.body, actor(request)),
  );
};
