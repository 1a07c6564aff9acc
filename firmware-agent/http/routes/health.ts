// GET /healthz: public, for monitoring. Answers {status, role, region, version, ...}.
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../../box.js';

export const healthRoutes: FastifyPluginAsync<{ box: BoxServices; startedAt: Date }> = async (app, { box, startedAt }) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Box health',
        response: {
          200: {
            type: 'object',
            required: ['status', 'role', 'region', 'version'],
            properties: {
              status: { type: 'string', enum: ['ok', 'degraded'] },
              role: { type: 'string' },
              region: { type: 'string' },
              regionName: { type: 'string' },
              name: { type: 'string' },
              version: { type: 'string' },
              time: { type: 'string' },
              uptimeSeconds: { type: 'integer' },
              warnings: { type: 'array', items: { type: 'string' } },
              parts: { type: 'object', additionalProperties: true },
            },
          },
        },
      },
    },
    async () => {
      const cfg = box.config.current();
      const now = box.now();
      const report = box.health.report();
      return {
        status: report.status,
        role: cfg.box.role,
        region: cfg.box.region,
        regionName: box.regions.fullName(cfg.box.region) ?? '',
        name: cfg.box.name,
        version: box.version,
        time: now.toISOString(),
        uptimeSeconds: Math.floor((now.getTime() - startedAt.getTime()) / 1000),
        warnings: report.warnings,
        parts: report.parts,
      };
    },
  );
};
