// Web UI installer: serves the prebuilt web UI (`npm run build`; the box never builds it) at / (hashed assets cached for
// a year, index.html never cached), answers unknown non-API paths with index.html (client-side routes),
// and streams ticket and knowledge-base changes to the browser (GET /api/ui/events, server-sent events).
// The pages are public; every API call they make is checked by the server.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { Box, BoxOptions } from '../app.js';
import { callCenterOf } from '../calls/install.js';
import { errorBody } from '../http/errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { knowledgeBase } from '../kb/install.js';
import { registerCallsSettings } from './calls-settings.js';
import { installLanHttps } from './lan-https.js';
import { EventHub } from '../http/event-stream.js';
import { sessionGuard } from '../http/auth.js';
import { type HomeAreaTable, loadHomeAreaTableAsync } from './home-area.js';

/**
 * The built UI: web-ui/dist beside a source checkout, dist/web-ui/dist in a build (`npm run build` copies it
 * there), the same path relative to this module in both. Read only: the box never writes into its tree.
 */
export const distDir = fileURLToPath(new URL('../../web-ui/dist', import.meta.url));

/**
 * Which UI events a user's stream carries: the same rule as the ticket and KB APIs. A department sees only
 * changes of tickets it holds after the change (`departmentId` is the holder then), so it never learns the
 * number of a ticket dispatched elsewhere; a technician handles no tickets and reads no KB, so gets neither.
 */
export type UiEvent =
  | { type: 'ticket.changed'; number: string; action: string; from: string | null; to: string; departmentId: number | null; actor: string; at: string }
  | { type: 'kb.changed'; id: number; version: number; status: string };

export function uiEventFilter(role: string, departmentId: number | null): (e: UiEvent) => boolean {
  if (role === 'technician') return () => false;
  if (role === 'department') return (e) => e.type === 'kb.changed' || (e.type === 'ticket.changed' && departmentId !== null && e.departmentId === departmentId);
  return () => true;
}

/**
 * One byte range of a `Range: bytes=…` header (RFC 9110 §14.1.2): `a-b`, `a-` or the suffix `-n`. Null when
 * there is no header or it is not a single bytes range (then the whole file is sent, as the RFC allows);
 * 'unsatisfiable' when the range starts past the end.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
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
  registerCallsSettings(box.http, box);
  await installLanHttps(box, _opts);

  // Home area (归属地) of a caller's number for the desk's pop (live calls and callback tasks). The table is
  // read on the first lookup, not at start (boxes that never take a call do not pay for it), in slices that
  // leave the event loop free for the calls in progress.
  let homeAreas: Promise<HomeAreaTable> | null = null;
  // POST with the number in the body: a query string would put callers' numbers into the request log.
  box.http.post<{ Body: { number: string } }>(
    '/api/ui/home-area',
    {
      config: { roles: ['admin', 'supervisor', 'agent'] },
      schema: {
        tags: ['ui'],
        summary: 'Home area (归属地) of a Chinese phone number from its landline area code or mobile number block; homeArea null when unknown, kind local for a number without area code',
        body: { type: 'object', additionalProperties: false, required: ['number'], properties: { number: { type: 'string', minLength: 1, maxLength: 32 } } },
        response: {
          200: { type: 'object', properties: { number: { type: 'string' }, homeArea: { type: ['string', 'null'] }, kind: { type: ['string', 'null'], enum: ['mobile', 'landline', 'local', null] } } },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      homeAreas ??= loadHomeAreaTableAsync();
      // A failed load (package missing) is retried by the next request rather than remembered.
      const table = await homeAreas.catch((err: unknown) => {
        homeAreas = null;
        throw err;
      });
      const hit = table.lookup(request.body.number);
      return { number: request.body.number, homeArea: hit?.name ?? null, kind: hit?.kind ?? null };
    },
  );

  // Every call linked to a ticket (call_tickets, plus the call it was created from), oldest first, for the
  // ticket page: a caller who rang three times about one matter has three records and recordings.
  box.http.get<{ Params: { number: string } }>(
    '/api/ui/tickets/:number/calls',
    {
      config: { roles: ['admin', 'supervisor', 'agent'] },
      schema: {
        tags: ['ui'],
        summary: 'The call records linked to a ticket, each with its legs and whether a recording exists',
        params: { type: 'object', required: ['number'], properties: { number: { type: 'string', pattern: '^[1-9][0-9]{18}$' } } },
        response: errorResponses(400, 401, 403, 404),
      },
    },
    async (request) => {
      const ticket = box.tickets.get(request.params.number, actor(request));
      const records = callCenterOf(box)?.records;
      if (!records) return { items: [] };
      const linked = box.db.prepare('SELECT call_id FROM call_tickets WHERE ticket_number = ? ORDER BY linked_at').all(ticket.number) as { call_id: string }[];
      const ids = [...new Set([...(ticket.callId ? [ticket.callId] : []), ...linked.map((l) => l.call_id)])];
      const items = ids.map((id) => records.get(id)).filter((v) => v !== undefined);
      items.sort((a, b) => a.call.arrived_at - b.call.arrived_at);
      return { items };
    },
  );

  // Call recordings and voicemails for the ticket page's players. Only files inside the box's data directory
  // are served.
  for (const [kind, field, summary] of [
    ['recording', 'recording_file', 'A call’s conversation recording (WAV) for the browser player'],
    ['voicemail', 'voicemail_file', 'A caller’s voicemail (WAV) for the browser player'],
  ] as const) {
    box.http.get<{ Params: { id: string } }>(
      `/api/ui/calls/:id/${kind}`,
      {
        config: { roles: ['admin', 'supervisor', 'agent'] },
        schema: { tags: ['ui'], summary, params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 80 } } } },
      },
      async (request, reply) => {
        const file = callCenterOf(box)?.records.get(request.params.id)?.call[field];
        const data = path.resolve(box.dataDir);
        const abs = file ? path.resolve(data, file) : null;
        if (!abs || !abs.startsWith(data + path.sep) || !fs.existsSync(abs)) {
          return reply.code(404).send(errorBody('route-not-found', `no ${kind} for call ${request.params.id}`));
        }
        // HTTP Range (RFC 9110 §14): the browser's player asks for byte ranges to seek and to read the WAV
        // header and length; one range per request, as media elements send.
        const size = fs.statSync(abs).size;
        reply.type('audio/wav').header('cache-control', 'private, max-age=3600').header('accept-ranges', 'bytes');
        const range = parseRange(request.headers.range, size);
        if (range === 'unsatisfiable') {
          return reply.code(416).header('content-range', `bytes */${size}`).send(errorBody('range-not-satisfiable', `the ${kind} has ${size} bytes`));
        }
        if (!range) return reply.header('content-length', size).send(fs.createReadStream(abs));
        return reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
          .header('content-length', range.end - range.start + 1)
          .send(fs.createReadStream(abs, { start: range.start, end: range.end }));
      },
    );
  }

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
