// The jobs API (session auth, roles enforced on the server; docs/technician.md §Jobs):
//   GET  /api/admin/jobs             every job: schedule, next run, last run (outcome, duration, detail)
//   POST /api/admin/jobs/:name/run   run one now and answer with its run (admin, technician)
//   GET  /api/deadline-notices       due-soon and overdue notices of the deadline sweep (a department user
//                                    sees its own department's)
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { listNotices } from '../tickets/deadlines.js';
import { jobListSchema, jobRunSchema } from './schemas.js';
import type { JobTable } from './table.js';

const viewers = ['admin', 'supervisor', 'technician'] as const;
const runners = ['admin', 'technician'] as const;

export const jobRoutes: FastifyPluginAsync<{ box: BoxServices; jobs: JobTable }> = async (app, { box, jobs }) => {
  app.get(
    '/api/admin/jobs',
    {
      config: { roles: viewers },
      schema: {
        tags: ['admin'],
        summary: 'Scheduled jobs: schedule (cron, box time zone), next run, last run with outcome and duration',
        response: { 200: jobListSchema, ...errorResponses(401, 403) },
      },
    },
    async () => ({ timezone: box.config.current().box.timezone, jobs: jobs.list() }),
  );

  app.post<{ Params: { name: string } }>(
    '/api/admin/jobs/:name/run',
    {
      config: { roles: runners },
      schema: {
        tags: ['admin'],
        summary: 'Run a job now; answers with the run (a job that fails answers 200 with outcome "failed" and raises its alarm). 404 job-not-found',
        params: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', maxLength: 64 } } },
        response: { 200: jobRunSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      if (!jobs.has(request.params.name)) throw new AppError('job-not-found', undefined, { name: request.params.name.slice(0, 64) });
      const who = actor(request);
      request.log.info({ job: request.params.name, by: who.name }, 'job run asked for');
      return { run: await jobs.run(request.params.name, 'manual') };
    },
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/api/deadline-notices',
    {
      config: { roles: ['admin', 'supervisor', 'agent', 'department'] },
      schema: {
        tags: ['tickets'],
        summary: 'Deadline notices (due soon, overdue 督办) sent by the deadline sweep, newest first; a department sees its own',
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } } },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['items'],
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['id', 'ticketNumber', 'kind', 'dueAt', 'departmentId', 'at', 'sms'],
                  properties: {
                    id: { type: 'integer' },
                    ticketNumber: { type: 'string' },
                    kind: { type: 'string', enum: ['due-soon', 'overdue'] },
                    dueAt: { type: 'string' },
                    departmentId: { type: ['integer', 'null'] },
                    at: { type: 'string' },
                    sms: { type: 'boolean' },
                  },
                },
              },
            },
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const who = actor(request);
      const limit = request.query.limit ?? 100;
      return { items: listNotices(box.db, who.role === 'department' ? { departmentId: who.departmentId ?? -1, limit } : { limit }) };
    },
  );
};
