// SMS channel API for supervisors and admins: the modem's health, received messages, and the
// outgoing queue. Read-only; phone numbers are masked (the ticket view shows the caller under its
// own confidentiality rules).
import type { FastifyPluginAsync } from 'fastify';
import { errorResponses } from '../http/server.js';
import type { SmsChannel } from './channel.js';
import { maskPhone } from './outbox.js';

const viewers = ['admin', 'supervisor'] as const;
const limitQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    status: { type: 'string', enum: ['pending', 'sent', 'failed'] },
  },
} as const;

export const smsRoutes: FastifyPluginAsync<{ channel: SmsChannel; modemStatus: () => unknown }> = async (app, { channel, modemStatus }) => {
  app.get(
    '/api/sms/status',
    { config: { roles: viewers }, schema: { tags: ['sms'], summary: 'SMS modem health and queue counts', response: errorResponses(401, 403) } },
    async () => {
      const counts = channel.outbox.counts();
      return { modem: modemStatus(), outbox: counts };
    },
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/api/sms/messages',
    { config: { roles: viewers }, schema: { tags: ['sms'], summary: 'Received messages, newest first', querystring: limitQuery, response: errorResponses(400, 401, 403) } },
    async (request) => ({
      items: channel.recentMessages(request.query.limit ?? 50).map((m) => ({ ...m, sender: maskPhone(m.sender) })),
    }),
  );

  app.get<{ Querystring: { limit?: number; status?: 'pending' | 'sent' | 'failed' } }>(
    '/api/sms/outbox',
    { config: { roles: viewers }, schema: { tags: ['sms'], summary: 'Outgoing messages, newest first', querystring: limitQuery, response: errorResponses(400, 401, 403) } },
    async (request) => ({
      items: channel.outbox.recent(request.query.limit ?? 50, request.query.status).map((r) => ({ ...r, recipient: maskPhone(r.recipient) })),
    }),
  );
};
