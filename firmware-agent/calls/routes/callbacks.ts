// Callback tasks (回拨): GET /api/callbacks and an agent's completion of one.
import type { FastifyPluginAsync } from 'fastify';
import { actor } from '../../http/auth.js';
import { ticketNumberPattern } from '../../http/schemas.js';
import { centre, idParams, rethrow, type CallRoutesOptions } from './shared.js';

export const callbackRoutes: FastifyPluginAsync<CallRoutesOptions> = async (app, { center }) => {
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

};
