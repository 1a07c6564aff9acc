// Ticket deadline limits in working days and the due-soon window: GET and PUT /api/settings/tickets.
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';

const workingDays = { type: 'integer', minimum: 1, maximum: 60 } as const;
const ticketSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['deadlines', 'dueSoonWorkingDays'],
  properties: {
    deadlines: {
      type: 'object',
      additionalProperties: false,
      required: ['inquiry', 'suggestion', 'complaint'],
      properties: { inquiry: workingDays, suggestion: workingDays, complaint: workingDays },
    },
    dueSoonWorkingDays: { type: 'integer', minimum: 0, maximum: 10 },
  },
} as const;

export const ticketSettingsRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  const ticketSettings = () => {
    const t = box.config.current().tickets;
    return { deadlines: t.deadlines, dueSoonWorkingDays: t.dueSoonWorkingDays };
  };

  app.get(
    '/api/settings/tickets',
    { schema: { tags: ['admin'], summary: 'Deadline limits in working days per ticket type', response: { 200: ticketSettingsSchema, ...errorResponses(401) } } },
    async () => ticketSettings(),
  );

  app.put<{ Body: { deadlines?: { inquiry?: number; suggestion?: number; complaint?: number }; dueSoonWorkingDays?: number } }>(
    '/api/settings/tickets',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: 'Change deadline limits (working days per type) and the due-soon window',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            deadlines: {
              type: 'object',
              additionalProperties: false,
              properties: {
                inquiry: { type: 'integer', minimum: 1, maximum: 60 },
                suggestion: { type: 'integer', minimum: 1, maximum: 60 },
                complaint: { type: 'integer', minimum: 1, maximum: 60 },
              },
            },
            dueSoonWorkingDays: { type: 'integer', minimum: 0, maximum: 10 },
          },
        },
        response: { 200: ticketSettingsSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const before = ticketSettings();
      await box.config.update((draft) => {
        Object.assign(draft.tickets.deadlines, request.body.deadlines ?? {});
        if (request.body.dueSoonWorkingDays !== undefined) draft.tickets.dueSoonWorkingDays = request.body.dueSoonWorkingDays;
      });
      box.tickets.audit.append(actor(request), box.now(), { entity: 'config', entityId: 'tickets', action: 'update', data: { before, after: ticketSettings() } });
      return ticketSettings();
    },
  );
};
