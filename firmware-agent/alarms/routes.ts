// The alarms API (session auth, roles enforced on the server):
//   GET  /api/alarms            active alarms and the history (admin, supervisor, technician)
//   POST /api/alarms/sample     take a health sample now and apply the thresholds (admin, technician)
//   GET  /api/health/sample     the latest health sample with its figures (admin, supervisor, technician)
//   GET  /api/network/alarms    alarms the boxes below reported (alarm.report), on a province or ministry
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import type { HealthSample, HealthSampler } from '../health/sampler.js';
import { errorResponses } from '../http/server.js';
import { belowAlarms } from '../network/alarm-reports.js';
import { alarmListSchema, belowAlarmListSchema } from './schemas.js';
import type { Decision } from './rules.js';
import type { AlarmService } from './service.js';

const viewers = ['admin', 'supervisor', 'technician'] as const;
const managers = ['admin', 'technician'] as const;
const obj = { type: 'object', additionalProperties: true } as const;
export interface AlarmRouteDeps {
  box: BoxServices;
  alarms: AlarmService;
  sampler: HealthSampler;
  /** Takes a sample and applies it (the same step the timer runs). */
  sampleNow: () => Promise<{ sample: HealthSample; decisions: Decision[] }>;
}

export const alarmRoutes: FastifyPluginAsync<AlarmRouteDeps> = async (app, { box, alarms, sampler, sampleNow }) => {
  app.get<{ Querystring: { limit?: number } }>(
    '/api/alarms',
    {
      config: { roles: viewers },
      schema: {
        tags: ['health'],
        summary: 'Active alarms, and the latest raises (newest first) with when each cleared',
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } },
        response: {
          200: alarmListSchema,
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => ({ active: alarms.active(), history: alarms.store.history(request.query.limit ?? 50) }),
  );

  app.post(
    '/api/alarms/sample',
    {
      config: { roles: managers },
      schema: { tags: ['health'], summary: 'Take a health sample now and apply the alarm thresholds to it', response: { 200: obj, ...errorResponses(401, 403) } },
    },
    async () => {
      const r = await sampleNow();
      return { sample: r.sample, decisions: r.decisions, active: alarms.active() };
    },
  );

  app.get(
    '/api/health/sample',
    { config: { roles: viewers }, schema: { tags: ['health'], summary: 'The latest health sample (system and box figures)', response: { 200: obj, ...errorResponses(401, 403) } } },
    async () => ({ sample: sampler.latest ?? (await sampleNow()).sample }),
  );

  app.get<{ Querystring: { active?: boolean; limit?: number } }>(
    '/api/network/alarms',
    {
      config: { roles: viewers },
      schema: {
        tags: ['network'],
        summary: 'Alarms the boxes below reported (active first, then the latest cleared)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { active: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
        },
        response: { 200: belowAlarmListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({
      items: belowAlarms(box.db, { active: request.query.active ?? false, limit: request.query.limit ?? 200 }).map((a) => ({ ...a, originName: box.regions.fullName(a.origin) ?? null })),
    }),
  );
};
