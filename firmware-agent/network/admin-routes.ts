// The network as staff see it (session auth): status for the UI, enrollment codes and pairing for admins
// and technicians, peers and revocation, supervision copies of reported tickets and daily statistics of
// the boxes below, side by side.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { AppError } from '../errors.js';
import { errorResponses } from '../http/server.js';
import { keyFingerprint } from './crypto.js';
import { issueEnrollment, pairWithUpstream } from './pairing.js';
import type { NetworkService } from './service.js';
import type { NetworkStatus } from './view-types.js';

const managers = ['admin', 'technician'] as const;
const viewers = ['admin', 'supervisor', 'technician'] as const;
const obj = { type: 'object', additionalProperties: true } as const;

export function networkStatus(box: BoxServices, net: NetworkService): NetworkStatus {
  const id = net.store.identity();
  const d = net.store.depth();
  const now = box.now();
  return {
    role: box.config.current().box.role,
    address: net.address(),
    publicKey: id?.public_key ?? null,
    keyFingerprint: id ? keyFingerprint(id.public_key) : null,
    /** Where the boxes below reach this box's exchange over TLS (null on a city box or before it listens). */
    exchangeTlsUrl: net.exchangeTlsUrl,
    upstream: id?.upstream_url
      ? { url: id.upstream_url, address: id.upstream_address, role: id.upstream_role, pairedAt: id.paired_at, lastContact: id.last_contact, lastError: id.last_error, pullCursor: id.pull_cursor }
      : null,
    outboxDepth: d.n,
    oldestAgeSeconds: d.oldest ? Math.max(0, Math.floor((now.getTime() - Date.parse(d.oldest)) / 1000)) : 0,
    rejected: d.rejected,
    deadLetters: d.deadLetters,
    peers: net.store.allPeers().map((p) => ({ region: p.region, role: p.role, boxId: p.box_id, enrolledAt: p.enrolled_at, revokedAt: p.revoked_at, lastContact: p.last_contact })),
  };
}

export const networkAdminRoutes: FastifyPluginAsync<{ box: BoxServices; net: NetworkService; publishStats: (day: string) => unknown }> = async (app, { box, net, publishStats }) => {
  app.get('/api/network/status', { config: { roles: viewers }, schema: { tags: ['network'], summary: 'Network link, outbox and peers', response: { 200: obj, ...errorResponses(401, 403) } } }, async () =>
    networkStatus(box, net),
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/api/network/dead-letters',
    {
      config: { roles: viewers },
      schema: {
        tags: ['network'],
        summary: 'Received messages set aside because they could not be applied here (newest first)',
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } },
        response: { 200: obj, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ items: net.store.deadLetters(request.query.limit ?? 100) }),
  );

  pairingRoutes(app, box, net);

  app.get<{ Querystring: { reporter?: string; limit?: number } }>(
    '/api/network/reports',
    {
      config: { roles: viewers },
      schema: {
        tags: ['network'],
        summary: 'Supervision copies of tickets reported from below (confidential reporters withheld unless the reporting box’s policy setting reveals them), per reporting box',
        querystring: { type: 'object', additionalProperties: false, properties: { reporter: { type: 'string', pattern: '^\\d{6}$' }, limit: { type: 'integer', minimum: 1, maximum: 1000 } } },
        response: { 200: obj, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const where = request.query.reporter ? 'WHERE reporter = @reporter' : '';
      const counts = box.db.prepare('SELECT reporter, count(*) AS tickets, sum(status IN (\'closed\', \'archived\')) AS closed FROM net_reports GROUP BY reporter ORDER BY reporter').all();
      const items = (
        box.db.prepare(`SELECT snapshot, reporter FROM net_reports ${where} ORDER BY updated_at DESC LIMIT @limit`).all({ reporter: request.query.reporter, limit: request.query.limit ?? 100 }) as {
          snapshot: string;
          reporter: string;
        }[]
      ).map((r) => ({ reporter: r.reporter, ticket: JSON.parse(r.snapshot) as unknown }));
      return { byReporter: counts, items };
    },
  );

  app.get<{ Querystring: { day: string } }>(
    '/api/network/stats',
    {
      config: { roles: viewers },
      schema: {
        tags: ['network'],
        summary: 'Daily statistics of this box and the boxes below it, side by side',
        querystring: { type: 'object', additionalProperties: false, required: ['day'], properties: { day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } } },
        response: { 200: obj, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({
      day: request.query.day,
      regions: (box.db.prepare('SELECT region, body FROM net_stats WHERE day = ? ORDER BY region').all(request.query.day) as { region: string; body: string }[]).map((r) => JSON.parse(r.body) as unknown),
    }),
  );

  app.post<{ Body: { day: string } }>(
    '/api/network/stats/send',
    {
      config: { roles: ['admin', 'supervisor'] },
      schema: {
        tags: ['network'],
        summary: 'Compute a day’s statistics now and send them up (the daily job does this for yesterday)',
        body: { type: 'object', additionalProperties: false, required: ['day'], properties: { day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } } },
        response: { 200: obj, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({ stats: publishStats(request.body.day) }),
  );
};

/** Pairing (enrollment codes, pairing with the upstream) and revoking a box below. */
function pairingRoutes(app: FastifyInstance, box: BoxServices, net: NetworkService): void {
  app.post<{ Body: { region: string; ttlHours?: number } }>(
    '/api/network/enrollments',
    {
      config: { roles: managers },
      schema: {
        tags: ['network'],
        summary: 'Issue a one-time enrollment code for a region below this box',
        body: { type: 'object', additionalProperties: false, required: ['region'], properties: { region: { type: 'string', pattern: '^\\d{6}$' }, ttlHours: { type: 'integer', minimum: 1, maximum: 720 } } },
        response: { 201: obj, ...errorResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const cfg = box.config.current();
      const e = issueEnrollment(net.store, cfg.box.role, cfg.box.region, request.body.region, box.regions, box.now(), request.body.ttlHours);
      box.tickets.audit.append({ id: request.user?.id ?? null, name: request.user?.username ?? 'unknown', role: request.user?.role ?? 'system' }, box.now(), {
        entity: 'network',
        entityId: e.region,
        action: 'enroll',
        data: { expiresAt: e.expiresAt },
      });
      return reply.code(201).send({ ...e, exchangeTlsUrl: net.exchangeTlsUrl });
    },
  );

  app.post<{ Body: { upstream: string; code: string; newKey?: boolean } }>(
    '/api/network/pair',
    {
      config: { roles: managers },
      schema: {
        tags: ['network'],
        summary: 'Pair this box with its upstream using the code the upstream issued',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['upstream', 'code'],
          properties: { upstream: { type: 'string', minLength: 8, maxLength: 200 }, code: { type: 'string', minLength: 8, maxLength: 64 }, newKey: { type: 'boolean' } },
        },
        response: { 200: obj, ...errorResponses(400, 401, 403, 409, 502) },
      },
    },
    async (request) => {
      const cfg = box.config.current();
      const actor = { id: request.user?.id ?? null, name: request.user?.username ?? 'unknown', role: request.user?.role ?? 'system' } as const;
      const r = await pairWithUpstream(net.store, { role: cfg.box.role, region: cfg.box.region }, request.body.upstream, request.body.code, box.now(), fetch, {
        newKey: request.body.newKey === true,
        actor,
      });
      net.notifier.notify('up');
      // What was contacted, so the technician sees which box answered (issue 13, finding 9).
      return { upstream: r, contacted: { url: r.contacted, address: r.address, region: r.region, role: r.role, name: r.name } };
    },
  );

  app.post<{ Params: { region: string } }>(
    '/api/network/peers/:region/revoke',
    {
      config: { roles: managers },
      schema: { tags: ['network'], summary: 'Revoke the key of the box holding a region', params: { type: 'object', properties: { region: { type: 'string', pattern: '^\\d{6}$' } } }, response: { 200: obj, ...errorResponses(401, 403, 404) } },
    },
    async (request) => {
      const now = box.now();
      const actor = { id: request.user?.id ?? null, name: request.user?.username ?? 'unknown', role: request.user?.role ?? 'system' } as const;
      // The revocation and its audit record in one transaction (issue 13, finding 9).
      const n = box.db.transaction(() => {
        const keys = box.db.prepare('SELECT public_key FROM net_peers WHERE region = ? AND revoked_at IS NULL').pluck().all(request.params.region) as string[];
        const changed = box.db.prepare('UPDATE net_peers SET revoked_at = ? WHERE region = ? AND revoked_at IS NULL').run(now.toISOString(), request.params.region).changes;
        if (changed > 0) {
          box.tickets.audit.append(actor, now, { entity: 'network', entityId: request.params.region, action: 'revoke', data: { keyFingerprints: keys.map(keyFingerprint) } });
          // The other levels learn the revocation too (origin signatures, docs/exchange.md §2.2).
          net.keys.announce(request.params.region);
        }
        return changed;
      })();
      if (n === 0) throw new AppError('route-not-found', `no active peer for ${request.params.region}`);
      return { revoked: n };
    },
  );
}
