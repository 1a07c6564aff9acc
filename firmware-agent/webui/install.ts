// Web UI installer: builds web-ui/ when its sources changed, serves it at / (hashed assets cached for
// a year, index.html never cached), answers unknown non-API paths with index.html (client-side routes),
// and streams ticket and knowledge-base changes to the browser (GET /api/ui/events, server-sent events).
// The pages are public; every API call they make is checked by the server.
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { Box, BoxOptions } from '../app.js';
import { callCenterOf } from '../calls/install.js';
import { errorBody } from '../http/errors.js';
import { errorResponses } from '../http/server.js';
import { knowledgeBase } from '../kb/install.js';
import { distDir, ensureWebUiBuilt } from './build.js';
import { registerCallsSettings } from './calls-settings.js';
import { EventHub } from './events.js';
import { type HomeAreaTable, loadHomeAreaTable } from './home-area.js';

export async function installWebUi(box: Box, opts: BoxOptions): Promise<void> {
  if (opts.flags?.['ui-build'] !== false && opts.flags?.['no-ui-build'] !== true) {
    // A failed build must not keep the box (and its phones) from starting: serve the last good build.
    await ensureWebUiBuilt((m) => box.http.log.info(m)).catch((err: unknown) => box.http.log.error({ err }, 'web UI build failed; serving the previous build if any'));
  }
  const hub = new EventHub();
  box.tickets.onCommitted((c) =>
    hub.publish({ type: 'ticket.changed', number: c.ticket.number, action: c.action, from: c.from, to: c.to, departmentId: c.ticket.department_id, actor: c.actor.name, at: c.at.toISOString() }),
  );
  knowledgeBase(box).onChanged((a) => hub.publish({ type: 'kb.changed', id: a.id, version: a.version, status: a.status }));

  box.http.get('/api/ui/events', { schema: { tags: ['ui'], summary: 'Server-sent events for the web UI: ticket.changed, kb.changed (a department sees only its own tickets)' } }, (request, reply) => {
    const user = request.user!;
    hub.attach(request.raw, reply, (e) => user.role !== 'department' || (e.type === 'ticket.changed' && e.departmentId === (user.department?.id ?? -1)) || e.type === 'kb.changed');
  });
  box.http.addHook('preClose', async () => hub.closeAll());
  registerCallsSettings(box.http, box);

  // Home area (归属地) of a caller's number for the desk's pop (live calls and callback tasks). The table is
  // read on the first lookup, not at start: boxes that never take a call do not pay for it.
  let homeAreas: HomeAreaTable | null = null;
  box.http.get<{ Querystring: { number: string } }>(
    '/api/ui/home-area',
    {
      config: { roles: ['admin', 'supervisor', 'agent'] },
      schema: {
        tags: ['ui'],
        summary: 'Home area (归属地) of a Chinese phone number from its landline area code or mobile number block; homeArea null when unknown, kind local for a number without area code',
        querystring: { type: 'object', additionalProperties: false, required: ['number'], properties: { number: { type: 'string', minLength: 1, maxLength: 32 } } },
        response: {
          200: { type: 'object', properties: { number: { type: 'string' }, homeArea: { type: ['string', 'null'] }, kind: { type: ['string', 'null'], enum: ['mobile', 'landline', 'local', null] } } },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      homeAreas ??= loadHomeAreaTable();
      const hit = homeAreas.lookup(request.query.number);
      return { number: request.query.number, homeArea: hit?.name ?? null, kind: hit?.kind ?? null };
    },
  );

  // Call recordings for the ticket page's player. Only files inside the box's data directory are served.
  box.http.get<{ Params: { id: string } }>(
    '/api/ui/calls/:id/recording',
    {
      config: { roles: ['admin', 'supervisor', 'agent'] },
      schema: { tags: ['ui'], summary: 'A call’s recording (WAV) for the browser player', params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 80 } } } },
    },
    async (request, reply) => {
      const file = callCenterOf(box)?.records.get(request.params.id)?.call.recording_file;
      const data = path.resolve(box.dataDir);
      const abs = file ? path.resolve(data, file) : null;
      if (!abs || !abs.startsWith(data + path.sep) || !fs.existsSync(abs)) {
        return reply.code(404).send(errorBody('route-not-found', `no recording for call ${request.params.id}`));
      }
      return reply.type('audio/wav').header('cache-control', 'private, max-age=3600').send(fs.createReadStream(abs));
    },
  );

  if (!fs.existsSync(path.join(distDir, 'index.html'))) {
    box.http.log.warn('web-ui/dist is missing; the web UI is not served');
    return;
  }
  const index = fs.readFileSync(path.join(distDir, 'index.html'));
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
    },
  });
  const page = (_: unknown, reply: import('fastify').FastifyReply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'").send(index);
  box.http.get('/', { config: { public: true }, schema: { hide: true } }, page);
  box.http.get('/*', { config: { public: true }, schema: { hide: true } }, (request, reply) => {
    if (request.url.startsWith('/api/') || request.url === '/api') {
      return reply.code(404).send(errorBody('route-not-found', `no route ${request.method} ${request.url.split('?')[0]}`));
    }
    return page(request, reply);
  });
}
