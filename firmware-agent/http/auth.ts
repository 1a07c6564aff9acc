// Authentication and role checks, enforced on the server for every /api route.
// A route is private unless its config says `public: true`; `roles` limits it to those roles.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AccountService, type User, actorOf } from '../accounts/service.js';
import { AppError } from '../errors.js';
import type { Actor, UserRole } from '../tickets/workflow.js';

export const sessionCookie = 'edgebox_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    public?: boolean;
    roles?: readonly UserRole[];
  }
  interface FastifyRequest {
    user: User | null;
  }
}

export function actor(request: FastifyRequest): Actor {
  if (!request.user) throw new AppError('not-authenticated');
  return actorOf(request.user);
}

export function registerAuth(app: FastifyInstance, accounts: AccountService): void {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[sessionCookie];
    request.user = token ? (accounts.session(token) ?? null) : null;
  });
  app.addHook('preHandler', async (request) => {
    const cfg = request.routeOptions.config;
    if (!request.url.startsWith('/api/') || cfg.public) return;
    if (!request.user) throw new AppError('not-authenticated');
    if (cfg.roles && !cfg.roles.includes(request.user.role)) {
      throw new AppError('forbidden-role', `role ${request.user.role} may not use ${request.method} ${request.routeOptions.url}`);
    }
  });
}
