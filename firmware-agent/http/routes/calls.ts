// Calls API: agent states (the ACD), the queue, call records with legs and linked tickets, the caller's
// history for the screen pop, callback tasks, call KPIs, live events (SSE), and — on a box running the
// simulated trunk — placing simulated calls and traffic (`edgebox call`, `edgebox simulate`).
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { SimulatorTrunk } from '../../../drivers/simulator/trunk.js';
import type { BoxServices } from '../../box.js';
import { AcdError } from '../../calls/acd.js';
import { CallbackError } from '../../calls/callbacks.js';
import { CallCenterError, type CallCenter } from '../../calls/center.js';
import type { AgentState, LiveEvent } from '../../calls/events.js';
import { SimJobs, type SimJobView } from '../../calls/sim-jobs.js';
import { placeSimulatedCall, runTraffic, validateTraffic, type SimulatedCallRequest, type TrafficOptions } from '../../calls/simulate.js';
import { AppError, errorCatalogue, type ErrorCode } from '../../errors.js';
import { actor, sessionGuard } from '../auth.js';
import { phonePattern, ticketNumberPattern } from '../schemas.js';
import { errorResponses } from '../server.js';

const centre = ['admin', 'supervisor', 'agent'] as const;
const supervisors = ['admin', 'supervisor'] as const;
const agentStates: AgentState[] = ['logged-out', 'ready', 'on-call', 'wrap-up', 'break'];

/**
 * Throw the call-specific error code once the catalogue has it, else the nearest general code, with the
 * specific reason in `details.reason`, so clients can rely on `details.reason` either way.
 */
function fail(code: string, fallback: ErrorCode, message: string): never {
  const c = (code in errorCatalogue ? code : fallback) as ErrorCode;
  throw new AppError(c, message, { reason: code });
}

function rethrow(err: unknown): never {
  if (err instanceof AcdError) {
    fail(err.code, err.code === 'station-required' ? 'validation-failed' : 'illegal-transition', err.message);
  }
  if (err instanceof CallCenterError) throw new AppError(err.code, err.message, { reason: err.code });
  if (err instanceof CallbackError) {
    fail(err.code, err.code === 'callback-not-found' ? 'route-not-found' : 'forbidden-role', err.message);
  }
  throw err;
}

const agentSchema = {
  type: 'object',
  properties: {
    agentId: { type: 'integer' },
    name: { type: 'string' },
    station: { type: ['string', 'null'] },
    skills: { type: 'array', items: { type: 'string' } },
    state: { type: 'string', enum: agentStates },
    since: { type: 'integer' },
    ringing: { type: ['string', 'null'] },
    callId: { type: ['string', 'null'] },
    callbackId: { type: ['string', 'null'] },
  },
} as const;

const stateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['state'],
  properties: {
    state: { type: 'string', enum: ['logged-out', 'ready', 'break', 'wrap-up'] },
    station: { type: 'string', pattern: '^[A-Za-z0-9/_.-]{1,32}$' },
    reason: { type: 'string', maxLength: 100 },
  },
} as const;

const range = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    bucket: { type: 'string', enum: ['hour', 'day'], default: 'hour' },
  },
} as const;

export interface CallRoutesOptions {
  box: BoxServices;
  center: CallCenter;
  /** Present when the box runs the simulated trunk. */
  sim: SimulatorTrunk | null;
}

export const callRoutes: FastifyPluginAsync<CallRoutesOptions> = async (app, { box, center, sim }) => {
  const now = () => center.clock.now();

  app.get(
    '/api/agents',
    { config: { roles: centre }, schema: { tags: ['calls'], summary: 'Agent states (ACD)', response: { 200: { type: 'array', items: agentSchema }, ...errorResponses(401, 403) } } },
    async () => center.acd.agentList(),
  );

  app.put<{ Body: { state: 'logged-out' | 'ready' | 'break' | 'wrap-up'; station?: string; reason?: string } }>(
    '/api/agent/state',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary: 'Set my agent state (ready needs a station); skills come from my account',
        body: stateBody,
        response: { 200: agentSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      const u = request.user!;
      try {
        return center.acd.setState({
          agentId: u.id,
          name: u.displayName ?? u.username,
          state: request.body.state,
          ...(request.body.station ? { station: request.body.station } : {}),
          skills: u.skills,
          reason: request.body.reason ?? 'api',
        });
      } catch (err) {
        rethrow(err);
      }
    },
  );

  app.put<{ Params: { id: number }; Body: { state: 'logged-out' | 'ready' | 'break' | 'wrap-up'; station?: string; reason?: string } }>(
    '/api/agents/:id/state',
    {
      config: { roles: supervisors },
      schema: {
        tags: ['calls'],
        summary: "Set an agent's state (supervisor), e.g. log out an agent who left",
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } },
        body: stateBody,
        response: { 200: agentSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const a = center.acd.agents.get(request.params.id);
      if (!a) fail('agent-not-found', 'user-not-found', `no agent ${request.params.id} in the ACD`);
      try {
        return center.acd.setState({
          agentId: a.id,
          name: a.name,
          state: request.body.state,
          ...(request.body.station ? { station: request.body.station } : {}),
          reason: request.body.reason ?? `by ${actor(request).name}`,
        });
      } catch (err) {
        rethrow(err);
      }
    },
  );

  app.get('/api/queue', { config: { roles: centre }, schema: { tags: ['calls'], summary: 'Waiting calls and callback tasks' } }, async () =>
    center.acd.queueSnapshot(),
  );

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

  const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 80 } } } as const;

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
      if (!center.records.linkTicket(request.params.id, request.body.ticket, a.name, now())) {
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

  app.get<{ Querystring: { status: 'pending' | 'assigned' | 'done' | 'cancelled' } }>(
    '/api/callbacks',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary: 'Callback requests',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: ['pending', 'assigned', 'done', 'cancelled'], default: 'pending' } },
        },
      },
    },
    async (request) => center.callbacks.list(request.query.status),
  );

  app.post<{ Params: { id: string }; Body: { ticket?: string } }>(
    '/api/callbacks/:id/done',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary: 'I called this caller back (optionally with the ticket taken)',
        params: idParams,
        body: { type: 'object', additionalProperties: false, properties: { ticket: { type: 'string', pattern: ticketNumberPattern } } },
      },
    },
    async (request) => {
      const a = actor(request);
      try {
        return center.callbacks.complete(request.params.id, request.user!.id, request.body?.ticket ?? null, a.name);
      } catch (err) {
        rethrow(err);
      }
    },
  );

  // Live events as Server-Sent Events: one `data:` line of JSON per event, a comment every 15 s keeps
  // proxies from closing the stream. Agents see what concerns the centre; no secrets are in these events.
  // Open streams are ended when the box closes: the HTTP server waits for every connection to end.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.get(
    '/api/events',
    { config: { roles: centre }, schema: { tags: ['calls'], summary: 'Live events (SSE): calls offered with caller history, queue and agent states' } },
    async (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      // The stream lives only as long as the session that opened it (logout, disabling, a role change).
      const guard = sessionGuard(box.accounts, request);
      const send = (e: LiveEvent) => {
        if (!guard.alive()) return end();
        res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      };
      const keepAlive = setInterval(() => (guard.alive() ? res.write(': keep-alive\n\n') : end()), 15_000);
      let unsubscribe = (): void => undefined;
      const stopWatching = guard.onEnd(() => end());
      const end = () => {
        streams.delete(end);
        clearInterval(keepAlive);
        unsubscribe();
        stopWatching();
        res.end();
      };
      streams.add(end);
      request.raw.on('close', () => {
        streams.delete(end);
        clearInterval(keepAlive);
        unsubscribe();
        stopWatching();
      });
      send({ type: 'queue.state', at: now(), queue: center.acd.queueSnapshot() });
      for (const agent of center.acd.agentList()) send({ type: 'agent.state', at: now(), agent });
      unsubscribe = center.events.subscribe(send);
    },
  );

  if (!sim) return;

  // ---- simulated trunk only ------------------------------------------------------------------------------
  // A traffic run, or a long call, lasts longer than HTTP clients wait for an answer: both run as jobs
  // (calls/sim-jobs.ts) that the client polls. A single call may still be answered synchronously.

  const jobs = new SimJobs({
    clock: center.clock,
    onError: (err, job) => app.log.warn({ err, job: job.id, kind: job.kind }, 'simulator job failed'),
  });
  app.addHook('onClose', async () => jobs.close());
  const simRoles = ['admin', 'supervisor', 'technician'] as const;
  const jobSchema = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      kind: { type: 'string', enum: ['call', 'traffic'] },
      state: { type: 'string', enum: ['running', 'done', 'failed', 'cancelled'] },
      startedAt: { type: 'integer' },
      endedAt: { type: ['integer', 'null'] },
      progress: { type: ['object', 'null'], additionalProperties: true },
      result: {},
      error: { type: ['string', 'null'] },
    },
  } as const;
  const started = (reply: FastifyReply, job: SimJobView) => reply.code(202).header('location', `/api/simulator/jobs/${job.id}`).send(job);

  app.post<{ Body: SimulatedCallRequest }>(
    '/api/simulator/call',
    {
      config: { roles: simRoles },
      schema: {
        tags: ['simulator'],
        summary:
          'Place one simulated call and answer what happened to it (`edgebox call`). ' +
          'With `Prefer: respond-async`: answers 202 with a job to poll at GET /api/simulator/jobs/:id',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['from'],
          properties: {
            from: { type: 'string', pattern: '^\\+?[0-9]{3,20}$' },
            to: { type: 'string', pattern: '^\\+?[0-9]{3,20}$', default: '12328' },
            digits: { type: 'string', pattern: '^[0-9*#]{0,8}$', default: '' },
            timeoutS: { type: 'integer', minimum: 1, maximum: 600, default: 120 },
          },
        },
      },
    },
    async (request, reply) => {
      if (/\brespond-async\b/i.test(String(request.headers.prefer ?? ''))) {
        return started(reply, jobs.start('call', (job) => placeSimulatedCall(sim, center, request.body, job.signal)));
      }
      return placeSimulatedCall(sim, center, request.body);
    },
  );

  app.post<{ Body: TrafficOptions }>(
    '/api/simulator/traffic',
    {
      config: { roles: simRoles },
      schema: {
        tags: ['simulator'],
        summary:
          'Start simulated traffic against this box in real time (`edgebox simulate`): answers 202 with a job; ' +
          'GET /api/simulator/jobs/:id gives its progress and, when done, its call KPIs',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['calls', 'ratePerHour'],
          properties: {
            calls: { type: 'integer', minimum: 1, maximum: 2000 },
            ratePerHour: { type: 'number', exclusiveMinimum: 0, maximum: 100000 },
            mix: { type: 'object', additionalProperties: { type: 'number', minimum: 0 } },
            patienceMs: { type: 'integer', minimum: 1000, maximum: 3_600_000 },
            agents: { type: 'integer', minimum: 0, maximum: 200 },
            talkMs: { type: 'integer', minimum: 1000, maximum: 3_600_000 },
            legacyShare: { type: 'number', minimum: 0, maximum: 1 },
            legacyNumber: { type: 'string', pattern: '^[0-9]{3,20}$' },
            seed: { type: 'integer' },
          },
        },
        response: { 202: jobSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      try {
        validateTraffic(request.body);
      } catch (err) {
        if (err instanceof RangeError) fail('traffic-invalid', 'validation-failed', err.message);
        throw err;
      }
      const job = jobs.start('traffic', async (job) => {
        const r = await runTraffic(sim, center, request.body, undefined, { signal: job.signal, onProgress: (p) => job.progress({ ...p }) });
        return { ...r, callIds: undefined };
      });
      return started(reply, job);
    },
  );

  const jobParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 80 } } } as const;
  const jobOf = (id: string) => jobs.get(id) ?? fail('simulator-job-not-found', 'route-not-found', `no simulator job ${id} (finished jobs are kept until the box restarts)`);

  app.get(
    '/api/simulator/jobs',
    { config: { roles: simRoles }, schema: { tags: ['simulator'], summary: 'Simulator jobs, running and recently finished', response: { 200: { type: 'array', items: jobSchema } } } },
    async () => jobs.list(),
  );

  app.get<{ Params: { id: string } }>(
    '/api/simulator/jobs/:id',
    {
      config: { roles: simRoles },
      schema: {
        tags: ['simulator'],
        summary: 'A simulator job: state, progress, and its result once done',
        params: jobParams,
        response: { 200: jobSchema, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => jobOf(request.params.id),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/simulator/jobs/:id',
    {
      config: { roles: simRoles },
      schema: {
        tags: ['simulator'],
        summary: "Cancel a running simulator job: it stops placing calls and hangs up its callers; poll for the calls' KPIs",
        params: jobParams,
        response: { 200: jobSchema, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      jobOf(request.params.id);
      return jobs.cancel(request.params.id)!;
    },
  );
};
