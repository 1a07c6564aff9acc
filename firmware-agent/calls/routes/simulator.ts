// The simulated trunk's routes, registered only when the box runs it: placing simulated calls and traffic
// (`edgebox call`, `edgebox simulate`) and the jobs that run them.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { SimulatorTrunk } from '../../../drivers/simulator/trunk.js';
import { SimJobs, type SimJobView } from '../sim-jobs.js';
import { placeSimulatedCall, runTraffic, validateTraffic, type SimulatedCallRequest, type TrafficOptions } from '../simulate.js';
import { errorResponses } from '../../http/server.js';
import { fail, type CallRoutesOptions } from './shared.js';

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

export const simulatorRoutes: FastifyPluginAsync<CallRoutesOptions & { sim: SimulatorTrunk }> = async (app, { center, sim }) => {
  // A traffic run, or a long call, lasts longer than HTTP clients wait for an answer: both run as jobs
  // (calls/sim-jobs.ts) that the client polls. A single call may still be answered synchronously.

  const jobs = new SimJobs({
    clock: center.clock,
    onError: (err, job) => app.log.warn({ err, job: job.id, kind: job.kind }, 'simulator job failed'),
  });
  app.addHook('onClose', async () => jobs.close());
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

  jobRoutes(app, jobs);
};

/** The jobs simulated calls and traffic run as: the list, one job, and cancelling it. */
function jobRoutes(app: FastifyInstance, jobs: SimJobs): void {
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
}
