// Authentication and role checks, enforced on the server for every /api route.
// A route is private unless its config says `public: true`; `roles` limits it to those roles.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AccountService, type User, actorOf } from '../accounts/service.js';
import { AppError } from '../errors.js';
import type { Actor, UserRole } from '../accounts/actor.js';

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
  // One hook, before the body is read: a request without a session (or with the wrong role) is refused with
  // 401/403 before its body is parsed or validated, so an anonymous client can neither make the box read a
  // large body nor learn a route's schema from its 400s.
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[sessionCookie];
    request.user = token ? (accounts.session(token) ?? null) : null;
    const cfg = request.routeOptions.config;
    if (!request.url.startsWith('/api/') || cfg.public) return;
    if (!request.user) throw new AppError('not-authenticated');
    if (cfg.roles && !cfg.roles.includes(request.user.role)) {
      throw new AppError('forbidden-role', `role ${request.user.role} may not use ${request.method} ${request.routeOptions.url}`);
    }
  });
}

/**
 * For a long-lived response (an event stream) opened by `request`: `alive()` is true while the session that
 * opened it is still valid and its user keeps the role and department the stream was opened with;
 * `onEnd(fn)` calls `fn` as soon as that stops being so (a logout, a disabled account, another role), so an
 * idle stream does not wait for its next event to close. The unsubscribe comes back from `onEnd`.
 */
export function sessionGuard(accounts: AccountService, request: FastifyRequest): { alive(): boolean; onEnd(fn: () => void): () => void } {
  const token = request.cookies[sessionCookie];
  const opened = request.user;
  const alive = (): boolean => {
    if (!token || !opened) return false;
    const now = accounts.session(token);
    return !!now && now.id === opened.id && now.role === opened.role && (now.department?.id ?? null) === (opened.department?.id ?? null);
  };
  return {
    alive,
    onEnd(fn) {
      if (!opened) return () => undefined;
      return accounts.onSessionsEnded((userId) => {
        if (userId === opened.id && !alive()) fn();
      });
    },
  };
}
