// POST /api/session (log in), GET /api/session (who am I), DELETE /api/session (log out).
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { sessionCookie } from '../http/auth.js';
import { errorResponses } from '../http/server.js';

export const sessionRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  app.post<{ Body: { username: string; password: string } }>(
    '/api/session',
    {
      config: { public: true },
      schema: {
        tags: ['session'],
        summary: 'Log in; sets the httpOnly SameSite=Strict session cookie',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'password'],
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
        },
        response: { 200: { type: 'object', properties: { user: { $ref: 'User#' }, expiresAt: { type: 'string' } } }, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { token, user, expiresAt } = await box.accounts.login(request.body.username, request.body.password, request.ip);
      reply.setCookie(sessionCookie, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        path: '/',
        expires: expiresAt,
      });
      return { user, expiresAt: expiresAt.toISOString() };
    },
  );

  app.get(
    '/api/session',
    {
      schema: {
        tags: ['session'],
        summary: "The logged-in user, and the box's time zone (the UI's local days, e.g. a report's default period, are the box's)",
        response: { 200: { type: 'object', properties: { user: { $ref: 'User#' }, timezone: { type: 'string' } } }, ...errorResponses(401) },
      },
    },
    async (request) => ({ user: request.user, timezone: box.config.current().box.timezone }),
  );

  app.delete(
    '/api/session',
    { config: { public: true }, schema: { tags: ['session'], summary: 'Log out', response: { 204: { type: 'null' } } } },
    async (request, reply) => {
      const token = request.cookies[sessionCookie];
      if (token) box.accounts.logout(token);
      reply.clearCookie(sessionCookie, { path: '/' });
      return reply.code(204).send();
    },
  );
};
