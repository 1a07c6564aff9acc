// HTTP side of the exchange (docs/exchange.md, docs/exchange.openapi.yaml):
//   POST /api/exchange/v1/pair       register a downstream key with a one-time code (public)
//   POST /api/exchange/v1/messages   push a batch up (signed by the downstream)
//   GET  /api/exchange/v1/messages   pull what is addressed to the caller, long-polling from a cursor (signed)
// Exchange routes are public to session auth: they are authenticated by Ed25519 signatures instead, and
// every response to a signed request is signed back (door.ts: authentication, rate limits, refusals).
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { AppError } from '../errors.js';
import { errorResponses } from '../http/server.js';
import { followsHeader, header, headers } from './auth.js';
import { type Envelope, checkEnvelope, checkMessageTime } from './messages.js';
import { type PairRequest, acceptPairing } from './pairing.js';
import { signOwn } from './origin.js';
import { checkPushed } from './policy.js';
import { exchangeDoor } from './door.js';
import { PushOrder } from './push-order.js';
import type { NetworkService } from './service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Settles a pushed batch's place in its sender's order (push-order.ts): true once applied. */
    settleOrder?: (applied: boolean) => void;
  }
}

export interface ExchangeLimits {
  /** Most messages in one pushed or pulled batch. */
  maxBatch: number;
  /** Largest pushed body, bytes (read only once the request's signature verified). */
  maxBodyBytes: number;
  /** Longest long-poll, seconds. */
  maxWaitSeconds: number;
  /** Largest unauthenticated body (pairing) and largest body of a push signed without x-edgebox-content-sha256, bytes. */
  smallBodyBytes?: number;
  /** Failed authentications per client address and minute before it is answered exchange-rate-limited. */
  failuresPerMinute?: number;
  /** Failed pairing attempts per client address and minute. */
  pairFailuresPerMinute?: number;
}

interface Deps {
  box: BoxServices;
  net: NetworkService;
  limits: ExchangeLimits;
}

/** Headers of a signed request, as the route schemas declare them. */
const signedHeaders = {
  type: 'object',
  properties: Object.fromEntries(Object.values(headers).map((h) => [h, { type: 'string' }])),
} as const;

export const exchangeRoutes: FastifyPluginAsync<Deps> = async (app, deps) => {
  // The door's hooks apply to this plugin's routes: all three are registered in it.
  exchangeDoor(app, deps);
  pairRoute(app, deps);
  pushRoute(app, deps);
  pullRoute(app, deps);
};

/** POST /pair: a downstream registers its key with a one-time enrollment code (public). */
function pairRoute(app: FastifyInstance, { box, net, limits }: Deps): void {
  const { store } = net;
  const smallBody = limits.smallBodyBytes ?? 64 * 1024;
  app.post<{ Body: PairRequest }>(
    '/api/exchange/v1/pair',
    {
      config: { public: true },
      bodyLimit: smallBody,
      schema: {
        tags: ['exchange'],
        summary: 'Register a downstream box’s public key with a one-time enrollment code',
        security: [],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['code', 'region', 'role', 'boxId', 'publicKey'],
          properties: {
            code: { type: 'string', minLength: 8, maxLength: 64 },
            region: { type: 'string', pattern: '^\\d{6}$' },
            role: { type: 'string', enum: ['city', 'province'] },
            boxId: { type: 'string', minLength: 1, maxLength: 64 },
            publicKey: { type: 'string', minLength: 40, maxLength: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              address: { type: 'string' },
              role: { type: 'string' },
              region: { type: 'string' },
              name: { type: 'string' },
              publicKey: { type: 'string' },
              boxId: { type: 'string' },
            },
          },
          ...errorResponses(400, 403, 409, 422),
        },
      },
    },
    async (request) => {
      const cfg = box.config.current();
      const now = box.now();
      const id = store.ensureIdentity(now);
      // The peer, the announcement of its key to the other levels and what it is sent first (every key this
      // box holds, then the articles), in one transaction.
      const { revoked } = box.db.transaction(() => {
        const r = acceptPairing(store, cfg.box.role, cfg.box.region, request.body, box.regions, now);
        net.keys.announce(request.body.region);
        net.keys.seedFor(request.body.region);
        net.kbRelay.seedFor(request.body.region);
        return r;
      })();
      request.log.info({ region: request.body.region, role: request.body.role, revoked }, 'exchange peer paired');
      return { address: net.address(), role: cfg.box.role, region: cfg.box.region, name: cfg.box.name, publicKey: id.public_key, boxId: id.box_id };
    },
  );
}

/** POST /messages: a batch pushed up by a downstream, applied in order (signed). */
function pushRoute(app: FastifyInstance, { box, net, limits }: Deps): void {
  const { store } = net;
  // Pipelined pushes are applied in the order they were sent (push-order.ts).
  const order = new PushOrder();
  app.post<{ Body: { from: string; messages: unknown[] } }>(
    '/api/exchange/v1/messages',
    {
      config: { public: true },
      bodyLimit: limits.maxBodyBytes,
      // After the door's hooks: the sender is authenticated and its body hash known. The batch is "here"
      // from now until its answer is sent or its connection is gone, whichever comes first.
      onRequest: async (request, reply) => {
        if (!request.peer || !request.signedBodySha256) return;
        const settle = order.begin(request.peer.region, request.signedBodySha256);
        request.settleOrder = settle;
        reply.raw.once('close', () => settle(false));
      },
      schema: {
        tags: ['exchange'],
        summary: 'Push a batch of messages to the upstream (signed)',
        security: [],
        headers: signedHeaders,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'messages'],
          properties: { from: { type: 'string', pattern: '^\\d{6}$' }, messages: { type: 'array', items: { type: 'object' } } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              results: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, reason: { type: 'string' } } },
              },
              // This box applies pipelined pushes in order (x-edgebox-follows): the sender may keep two in flight.
              ordered: { type: 'boolean' },
            },
          },
          ...errorResponses(400, 401, 403, 409, 413, 422),
        },
      },
    },
    async (request) => {
      const peer = request.peer!;
      const { from, messages } = request.body;
      if (from !== peer.region) throw new AppError('exchange-region-not-held', `batch from ${from} signed by the box holding ${peer.region}`, { from, peer: peer.region });
      if (messages.length > limits.maxBatch) {
        throw new AppError('exchange-batch-too-large', `${messages.length} messages; at most ${limits.maxBatch} per batch`, { count: messages.length, max: limits.maxBatch });
      }
      // A pipelined batch: only right after the one it follows (push-order.ts), never before it, and checked
      // once it applied (it may have announced the keys this one is signed with).
      const follows = header(request, followsHeader);
      if (follows !== undefined) await order.after(peer.region, follows);
      const now = box.now();
      const envs: Envelope[] = messages.map((m, i) => checkEnvelope(m, i));
      // Too old to tell from a repeat once its id is pruned (docs/exchange.md §Retention): refused.
      envs.forEach((e, index) => checkMessageTime(e, index, now, net.maxMessageAgeMs()));
      // What a box below may send up (docs/exchange.md §5 Directions): any message that fails refuses the
      // whole batch, so nothing of it is applied.
      envs.forEach((e, index) => checkPushed(e, index, peer));
      // Who wrote each message (docs/exchange.md §2.2): a relay cannot alter or invent another box's message.
      net.keys.verify(envs);
      const results = net.applyBatch(envs, peer.region, () => store.flushNonces(now));
      request.settleOrder?.(true);
      return { results, ordered: true };
    },
  );
}

/** GET /messages: what is addressed to the calling downstream, long-polling from its cursor (signed). */
function pullRoute(app: FastifyInstance, { box, net, limits }: Deps): void {
  const { store } = net;
  app.get<{ Querystring: { after?: number; wait?: number; limit?: number } }>(
    '/api/exchange/v1/messages',
    {
      config: { public: true },
      schema: {
        tags: ['exchange'],
        summary: 'Pull messages addressed to the calling box after a cursor, waiting up to `wait` seconds (signed)',
        security: [],
        headers: signedHeaders,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'integer', minimum: 0 },
            wait: { type: 'integer', minimum: 0, maximum: 300 },
            limit: { type: 'integer', minimum: 1, maximum: 10000 },
          },
        },
        response: errorResponses(400, 401, 403, 409),
      },
    },
    async (request, reply) => {
      const hop = request.peer!.region;
      const after = request.query.after ?? 0;
      const limit = Math.min(request.query.limit ?? limits.maxBatch, limits.maxBatch);
      const waitMs = Math.min(request.query.wait ?? 0, limits.maxWaitSeconds) * 1000;
      // Asking from cursor N acknowledges everything up to N: the caller applied it in the transaction
      // that stored N.
      if (after > 0) store.markDeliveredUpTo(hop, after, box.now());
      let rows = store.forPull(hop, after, limit);
      if (rows.length === 0 && waitMs > 0) {
        // Stop waiting when the caller goes away (reply.raw 'close' fires on a dropped connection).
        const gone = new AbortController();
        const onClose = () => gone.abort();
        reply.raw.once('close', onClose);
        await net.notifier.wait(hop, waitMs, gone.signal);
        reply.raw.off('close', onClose);
        rows = store.forPull(hop, after, limit);
      }
      const cursor = rows.length > 0 ? rows[rows.length - 1]!.seq : after;
      // Envelopes go out exactly as stored.
      // `head` lets a peer whose cursor is ahead of this box (restored from a backup) notice and start over.
      // This box's own messages are signed as they are sent (origin.ts), one signature for the answer.
      const id = store.identity();
      const envelopes = id ? signOwn(rows.map((r) => r.envelope), net.address(), id.private_key, id.public_key) : rows.map((r) => r.envelope);
      const body = `{"messages":[${rows.map((r, i) => `{"seq":${r.seq},"message":${envelopes[i]}}`).join(',')}],"cursor":${cursor},"head":${store.head()}}`;
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
}
