// The audit trail of the whole box: GET /api/audit.
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { errorResponses } from '../http/server.js';

export const auditRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  app.get<{ Querystring: { limit?: number; before?: number } }>(
    '/api/audit',
    {
      config: { roles: ['admin', 'supervisor'] },
      schema: {
        tags: ['admin'],
        summary: 'The audit trail of the whole box, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500 }, before: { type: 'integer', minimum: 1 } },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'AuditRecord#' } } } }, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ items: box.tickets.audit.recent(request.query.limit ?? 100, request.query.before) }),
  );
};
