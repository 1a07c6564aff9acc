// Web UI installer: serves the prebuilt web UI (`npm run build`; the box never builds it) at / (hashed assets cached for
// a year, index.html never cached), answers unknown non-API paths with index.html (client-side routes),
// and streams ticket and knowledge-base changes to the browser (GET /api/ui/events, server-sent events).
// The pages are public; every API call they make is checked by the server.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { Box, BoxOptions } from '../app.js';
import { errorBody } from '../http/errors.js';
import { knowledgeBase } from '../kb/install.js';
import { installLanHttps } from './lan-https.js';
import { EventHub } from '../http/event-stream.js';
import { sessionGuard } from '../http/auth.js';

/**
 * The built UI: web-ui/dist beside a source checkout, dist/web-ui/dist in a build (`npm run build` copies it
 * there), the same path relative to this module in both. Read only: the box never writes into its tree.
 */
export const distDir = fileURLToPath(new URL('../../web-ui/dist', import.meta.url));

/** What the web UI's event stream carries. */
export type UiEvent =
  | { type: 'ticket.changed'; number: string; action: string; from: string | null; to: string; departmentId: number | null; actor: string; at: string }
  | { type: 'kb.changed'; id: number; version: number; status: string };

/**
 * Which UI events a user's stream carries: the same rule as the ticket and KB APIs. A department sees only
 * changes of tickets it holds after the change (`departmentId` is the holder then), so it never learns the
 * number of a ticket dispatched elsewhere; a technician handles no tickets and reads no KB, so gets neither.
 */
export function uiEventFilter(role: string, departmentId: number | null): (e: UiEvent) => boolean {
  if (role === 'technician') return () => false;
  if (role === 'department') return (e) => e.type === 'kb.changed' || (e.type === 'ticket.changed' && departmentId !== null && e.departmentId === departmentId);
  return () => true;
}

export async function installWebUi(box: Box, _opts: BoxOptions): Promise<void> {
  const hub = new EventHub<UiEvent>();
  box.tickets.onCommitted((c) =>
    hub.publish({ type: 'ticket.changed', number: c.ticket.number, action: c.action, from: c.from, to: c.to, departmentId: c.ticket.department_id, actor: c.actor.name, at: c.at.toISOString() }),
  );
  knowledgeBase(box).onChanged((a) => hub.publish({ type: 'kb.changed', id: a.id, version: a.version, status: a.status }));

  box.http.get('/api/ui/events', { schema: { tags: ['ui'], summary: 'Server-sent events for the web UI: ticket.changed, kb.changed (a department sees only its own tickets; a technician neither)' } }, (request, reply) => {
    const user = request.user!;
    hub.attach(request.raw, reply, uiEventFilter(user.role, user.department?.id ?? null), sessionGuard(box.accounts, request));
  });
  box.http.addHook('preClose', async () => hub.closeAll());
  await installLanHttps(box, _opts);

  if (!fs.existsSync(path.join(distDir, 'index.html'))) {
    box.http.log.warn({ distDir }, 'the built web UI is missing (npm run build); the web UI is not served');
    return;
  }
  const index = fs.readFileSync(path.join(distDir, 'index.html'));
  const csp = "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  await box.http.register(fastifyStatic, {
    root: distDir,
    prefix: '/',
    wildcard: false,
    index: false,
    cacheControl: false,
    // build.ts writes .br and .gz next to each asset; browsers get the compressed copy.
    preCompressed: true,
    setHeaders(res, file) {
      res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      // Every file of the UI, /index.html asked for by name too, carries the page's policy (issue 13 finding 10).
      res.setHeader('content-security-policy', csp);
      res.setHeader('x-content-type-options', 'nosniff');
    },
  });
  const page = (_: unknown, reply: import('fastify').FastifyReply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').header('content-security-policy', csp).send(index);
  box.http.get('/', { config: { public: true }, schema: { hide: true } }, page);
  box.http.get('/*', { config: { public: true }, schema: { hide: true } }, (request, reply) => {
    if (request.url.startsWith('/api/') || request.url === '/api') {
      return reply.code(404).send(errorBody('route-not-found', `no route ${request.method} ${request.url.split('?')[0]}`));
    }
    return page(request, reply);
  });
}
