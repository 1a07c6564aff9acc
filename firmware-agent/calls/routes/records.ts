// Call records: the list, KPIs, one call with its legs and linked tickets, the caller's history for the
// screen pop, linking a ticket, and an agent's one-key transfer (GET /api/calls…, POST /api/calls/:id/…).
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AppError } from '../../errors.js';
import { actor } from '../../http/auth.js';
import { phonePattern, ticketNumberPattern } from '../../http/schemas.js';
import { errorResponses } from '../../http/server.js';
import { centre, fail, idParams, rethrow, type CallRoutesOptions } from './shared.js';

const range = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    bucket: { type: 'string', enum: ['hour', 'day'], default: 'hour' },
  },
} as const;

export const recordRoutes: FastifyPluginAsync<CallRoutesOptions> = async (app, { center }) => {
  const now = () => center.clock.now();

  app.get<{ Querystring: { from?: string; to?: string; caller?: string; agent?: number; limit?: number; offset?: number } }>(
    '/api/calls',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary: 'Call records, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            caller: { type: 'string', pattern: phonePattern },
            agent: { type: 'integer' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
      },
    },
    async (request) => {
      const q = request.query;
      return center.records.list({
        ...(q.from ? { from: Date.parse(q.from) } : {}),
        ...(q.to ? { to: Date.parse(q.to) } : {}),
        ...(q.caller ? { caller: q.caller } : {}),
        ...(q.agent !== undefined ? { agentId: q.agent } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.offset ? { offset: q.offset } : {}),
      });
    },
  );

  app.get<{ Querystring: { from?: string; to?: string; bucket: 'hour' | 'day' } }>(
    '/api/calls/kpis',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary: 'Call KPIs (10秒接通率, abandonment, ASA, AHT) per hour or day; default: the last 24 hours',
        querystring: range,
      },
    },
    async (request) => {
      const to = request.query.to ? Date.parse(request.query.to) : now() + 1;
      const from = request.query.from ? Date.parse(request.query.from) : to - 86_400_000;
      if (!(from < to)) fail('range-invalid', 'validation-failed', '`from` must be before `to`');
      return center.kpis({ from, to, bucket: request.query.bucket });
    },
  );


  app.get<{ Params: { id: string } }>(
    '/api/calls/:id',
    { config: { roles: centre }, schema: { tags: ['calls'], summary: 'One call with its legs and tickets', params: idParams } },
    async (request) => {
      const v = center.records.get(request.params.id);
      if (!v) fail('call-not-found', 'route-not-found', `no call ${request.params.id}`);
      return v;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/calls/:id/history',
    { config: { roles: centre }, schema: { tags: ['calls'], summary: "The caller's earlier calls and tickets (screen pop)", params: idParams } },
    async (request) => {
      const v = center.records.get(request.params.id);
      if (!v) fail('call-not-found', 'route-not-found', `no call ${request.params.id}`);
      return center.records.history(v.call.caller, v.call.id);
    },
  );

  callActionRoutes(app, center);

};

/** What an agent does to a call: link a ticket to it, and the one-key transfer. */
function callActionRoutes(app: FastifyInstance, center: CallRoutesOptions['center']): void {
  app.post<{ Params: { id: string }; Body: { ticket: string } }>(
    '/api/calls/:id/tickets',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary: 'Link a ticket to a call',
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['ticket'], properties: { ticket: { type: 'string', pattern: ticketNumberPattern } } },
      },
    },
    async (request, reply) => {
      const a = actor(request);
      if (!center.records.linkTicket(request.params.id, request.body.ticket, a.name, center.clock.now())) {
        fail('call-not-found', 'route-not-found', `no call ${request.params.id}`);
      }
      return reply.code(201).send(center.records.get(request.params.id));
    },
  );

  app.post<{ Params: { id: string }; Body: { to: string } }>(
    '/api/calls/:id/transfer',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary:
          'Transfer a live call to an outside number (12395/12306/12326/12305 or queue.transferNumbers); the agent goes to wrap-up. ' +
          'An agent only for the call on their own station; answers once the transfer connected or failed',
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['to'], properties: { to: { type: 'string', pattern: '^\\+?[0-9]{3,20}$' } } },
        response: {
          200: { type: 'object', properties: { callId: { type: 'string' }, to: { type: 'string' }, outcome: { type: 'string' }, at: { type: 'integer' } } },
          ...errorResponses(400, 401, 403, 404, 409, 422, 502),
        },
      },
    },
    async (request) => {
      const u = request.user!;
      const { id } = request.params;
      const { to } = request.body;
      let r;
      try {
        r = await center.transfer(id, to, { userId: u.id, name: actor(request).name, anyCall: u.role !== 'agent' });
      } catch (err) {
        rethrow(err);
      }
      if (r.outcome !== 'connected') {
        throw new AppError('transfer-failed', `the transfer to ${to} ended ${r.outcome}`, { reason: 'transfer-failed', outcome: r.outcome });
      }
      return { callId: id, to, outcome: r.outcome, at: r.at };
    },
  );
}
