// GET /healthz: public, for monitoring. Answers {status, role, region, version, ...}. Without a session of a
// role that looks after the box (admin, supervisor, technician) it says no more than that: the parts and
// warnings name file paths, disk figures, the upstream's errors and the modem's state, which are for staff,
// not for anyone on the LAN (issue 13 finding 10).
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';

/** Roles that see the parts and warnings of /healthz. */
const staff = new Set(['admin', 'supervisor', 'technician']);

export const healthRoutes: FastifyPluginAsync<{ box: BoxServices; startedAt: Date }> = async (app, { box, startedAt }) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      // JSON.stringify, not fast-json-stringify: the answer is small and built field by field below (nothing
      // to drop), and a monitor's first probe right after the start no longer waits for fast-json-stringify to
      // load and compile (issue 11 §6). The schema still documents the answer in the OpenAPI description.
      serializerCompiler: () => (data) => JSON.stringify(data),
      schema: {
        tags: ['health'],
        summary: 'Box health: status, identity and version for anyone; warnings and parts for admins, supervisors and technicians',
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
    async (request) => {
      const cfg = box.config.current();
      const now = box.now();
      const report = box.health.report();
      const minimal = {
        status: report.status,
        role: cfg.box.role,
        region: cfg.box.region,
        regionName: box.regions.fullName(cfg.box.region) ?? '',
        name: cfg.box.name,
        version: box.version,
        time: now.toISOString(),
        uptimeSeconds: Math.floor((now.getTime() - startedAt.getTime()) / 1000),
      };
      if (!request.user || !staff.has(request.user.role)) return minimal;
      return { ...minimal, warnings: report.warnings, parts: report.parts };
    },
  );
};
