// HTTP side of the 12345 exchange (docs/12345.md):
//   POST /api/gov12345/v1/messages                 a platform sends a work order, a result or a visit (signed)
//   POST /api/gov12345/tickets/:number/transfer     工单转办: an agent sends a ticket to a 12345 platform (session)
//   GET  /api/gov12345/status                       the outbox per platform (session: admin, supervisor, technician)
// The message endpoint is public to session auth and treated as hostile: every check that needs no body runs
// on the headers (signature with the platform's shared key, time window, nonce, declared body size) before a
// byte of the body is read; then the body must hash to what was signed, parse, and match the schema.
import type { FastifyError, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { BoxServices } from '../box.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { ticketNumberPattern } from '../http/schemas.js';
import { errorResponses } from '../http/server.js';
import { AddressBudget } from '../network/throttle.js';
import type { Gov12345Platform } from './config.js';
import { kinds } from './mapping.js';
import { canonicalRequest, canonicalResponse, headers, hmac, messagesPath, sha256Hex, signatureMatches, skewMs } from './sign.js';
import type { Gov12345Service } from './service.js';
import type { Sender } from './sender.js';

declare module 'fastify' {
  interface FastifyRequest {
    gov12345?: { platform: Gov12345Platform; nonce: string; bodySha256: string; raw?: string; signed: boolean };
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' && v.length > 0 && v.length <= 256 ? v : undefined;
}

/** The platform named by a request and authenticated by its headers. Throws the documented refusals. */
function authenticate(request: FastifyRequest, gov: Gov12345Service, now: Date, reserved: Set<string>) {
  const name = header(request, headers.platform);
  const timestamp = header(request, headers.timestamp);
  const nonce = header(request, headers.nonce);
  const bodySha256 = header(request, headers.contentSha256);
  const signature = header(request, headers.signature);
  if (!name || !timestamp || !nonce || !bodySha256 || !signature || !/^[0-9a-f]{64}$/.test(bodySha256)) {
    throw new AppError('gov12345-unsigned', undefined, { required: Object.values(headers) });
  }
  const platform = gov.platform(name);
  if (!platform || !platform.enabled) throw new AppError('gov12345-unknown-platform', `no enabled 12345 platform ${name.slice(0, 40)}`);
  request.gov12345 = { platform, nonce, bodySha256, signed: false };
  const t = Date.parse(timestamp);
  if (Number.isNaN(t) || Math.abs(t - now.getTime()) > skewMs) {
    throw new AppError('gov12345-clock-skew', `request time ${timestamp.slice(0, 40)} is more than ${skewMs / 1000} s from ${now.toISOString()}`, { now: now.toISOString() });
  }
  const len = Number(request.headers['content-length']);
  const max = gov.settings().maxBodyBytes;
  if (!Number.isInteger(len) || len > max) throw new AppError('payload-too-large', `a 12345 message is at most ${max} bytes, with a content-length`, { max });
  const text = canonicalRequest({ method: request.method, path: request.url, platform: name, timestamp, nonce, bodySha256 });
  if (!signatureMatches(platform.secret, text, signature)) throw new AppError('gov12345-bad-signature');
  if (reserved.has(nonce) || gov.store.nonceSeen(nonce)) throw new AppError('gov12345-replay', `nonce ${nonce.slice(0, 64)} was already used`);
  reserved.add(nonce);
  request.gov12345.signed = true;
}

export const gov12345ExchangeRoutes: FastifyPluginAsync<{ box: BoxServices; gov: Gov12345Service }> = async (app, { box, gov }) => {
  const failures = new AddressBudget(30);
  // Nonces of requests being served, until their answer is sent (a concurrent replay is refused); an
  // applied message writes its nonce with the change, in the same transaction.
  const reserved = new Set<string>();

  // Keep the exact bytes: the signature covers them. JSON is parsed only once they are known to be signed.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    (request as FastifyRequest).gov12345!.raw = body as string;
    done(null, body);
  });

  // A platform whose signature verifies is never locked out by a flood from its address (the checks are
  // cheap); once an address has spent its budget of refusals, its failures are answered gov12345-rate-limited.
  app.addHook('onRequest', async (request) => {
    const now = box.now();
    try {
      authenticate(request, gov, now, reserved);
    } catch (err) {
      if (failures.spent(request.ip, now)) {
        const retryAfterSeconds = failures.retryAfterSeconds(now);
        throw new AppError('gov12345-rate-limited', `too many refused 12345 requests from ${request.ip}; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
      }
      throw err;
    }
  });

  app.addHook('preValidation', async (request) => {
    const g = request.gov12345!;
    const raw = g.raw ?? '';
    if (sha256Hex(raw) !== g.bodySha256) throw new AppError('gov12345-bad-signature', 'the body does not hash to the signed x-gov12345-content-sha256');
    try {
      request.body = JSON.parse(raw);
    } catch (err) {
      throw new AppError('malformed-json', (err as Error).message.slice(0, 200));
    }
  });

  app.addHook('onError', async (request, reply, err) => {
    const code = err instanceof AppError ? err.code : (err as FastifyError).validation ? 'validation-failed' : 'other';
    if (!request.gov12345?.signed) {
      if (code !== 'gov12345-rate-limited') failures.use(request.ip, box.now());
      // The body of a request refused before its signature verified is never read: close, do not drain.
      reply.header('connection', 'close');
    }
    request.log.warn({ platform: request.gov12345?.platform.id ?? null, code, url: request.url }, `12345 request refused: ${err.message}`);
  });

  app.addHook('onResponse', async (request) => {
    if (request.gov12345) reserved.delete(request.gov12345.nonce);
  });

  // Every answer to a request naming a known platform is signed with its key, refusals included, so the
  // platform can trust an acknowledgement (and a permanent refusal) and nobody can forge one.
  app.addHook('onSend', async (request, reply, payload) => {
    const g = request.gov12345;
    if (!g || typeof payload !== 'string') return payload;
    const ts = box.now().toISOString();
    reply.header(headers.timestamp, ts);
    reply.header(headers.signature, hmac(g.platform.secret, canonicalResponse(g.nonce, ts, payload)));
    return payload;
  });

  app.post<{ Body: { id: string; kind: (typeof kinds)[number]; sentAt: string; order: Record<string, unknown> } }>(
    messagesPath,
    {
      config: { public: true },
      bodyLimit: gov.settings().maxBodyBytes,
      schema: {
        tags: ['gov12345'],
        summary: 'A 12345 platform sends a work order (工单转办), a handling result or a return visit (signed; docs/12345.md)',
        security: [],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'kind', 'sentAt', 'order'],
          properties: {
            id: { type: 'string', pattern: '^[\\x21-\\x7e]{1,64}$' },
            kind: { type: 'string', enum: [...kinds] },
            sentAt: { type: 'string', minLength: 10, maxLength: 40 },
            order: { type: 'object', maxProperties: 40 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { id: { type: 'string' }, status: { type: 'string', enum: ['applied', 'duplicate'] }, ticket: { type: 'string' } },
          },
          ...errorResponses(400, 401, 404, 409, 413, 415, 422, 429),
        },
      },
    },
    async (request) => {
      const g = request.gov12345!;
      return gov.receive(g.platform, request.body, { value: g.nonce, expires: new Date(box.now().getTime() + 2 * skewMs) });
    },
  );
};

export const gov12345StaffRoutes: FastifyPluginAsync<{ box: BoxServices; gov: Gov12345Service; sender: Sender }> = async (app, { box, gov, sender }) => {
  app.post<{ Params: { number: string }; Body: { platform?: string; note?: string } }>(
    '/api/gov12345/tickets/:number/transfer',
    {
      config: { roles: ['admin', 'supervisor', 'agent'] },
      schema: {
        tags: ['gov12345'],
        summary: '工单转办: send a received or returned ticket to a 12345 platform (action transfer12345)',
        params: { type: 'object', required: ['number'], properties: { number: { type: 'string', pattern: ticketNumberPattern } } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { platform: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' }, note: { type: 'string', maxLength: 1000 } },
        },
        response: { 200: { $ref: 'Ticket#' }, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const a = actor(request);
      const c = gov.transfer(request.params.number, request.body?.platform, request.body?.note ?? null, a);
      return box.tickets.view(c.ticket, a);
    },
  );

  const state = { type: ['string', 'null'] } as const;
  app.get<{ Params: { number: string } }>(
    '/api/gov12345/tickets/:number',
    {
      config: { roles: ['admin', 'supervisor', 'agent', 'department'] },
      schema: {
        tags: ['gov12345'],
        summary: 'Where one ticket stands with 12345: the link, every message sent and received, a summary state, and whether the caller may transfer it now (a department: only its own tickets)',
        params: { type: 'object', required: ['number'], properties: { number: { type: 'string', pattern: ticketNumberPattern } } },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['number', 'platforms', 'canTransfer', 'link', 'state', 'sent', 'received'],
            properties: {
              number: { type: 'string' },
              platforms: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { id: { type: 'string' }, name: { type: 'string' } } } },
              canTransfer: { type: 'boolean' },
              link: {
                type: ['object', 'null'],
                additionalProperties: false,
                properties: { platform: { type: 'string' }, platformName: { type: 'string' }, direction: { type: 'string', enum: ['out', 'in'] }, remoteRef: { type: 'string' }, at: { type: 'string' } },
              },
              state: { type: 'string' },
              sent: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    id: { type: 'string' },
                    kind: { type: 'string' },
                    queuedAt: { type: 'string' },
                    deliveredAt: state,
                    attempts: { type: 'integer' },
                    lastError: state,
                    rejectedCode: state,
                  },
                },
              },
              received: {
                type: 'array',
                items: { type: 'object', additionalProperties: false, properties: { id: { type: 'string' }, kind: { type: 'string' }, receivedAt: { type: 'string' } } },
              },
            },
          },
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => gov.ticketState(request.params.number, actor(request)),
  );

  app.get(
    '/api/gov12345/status',
    {
      config: { roles: ['admin', 'supervisor', 'technician'] },
      schema: {
        tags: ['gov12345'],
        summary: 'The 12345 platforms and their outboxes',
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['platforms', 'outbox', 'backingOff'],
            properties: {
              platforms: {
                type: 'array',
                items: { type: 'object', additionalProperties: false, properties: { id: { type: 'string' }, name: { type: 'string' }, url: { type: 'string' }, enabled: { type: 'boolean' } } },
              },
              outbox: {
                type: 'object',
                additionalProperties: false,
                properties: { waiting: { type: 'integer' }, oldest: { type: ['string', 'null'] }, rejected: { type: 'integer' } },
              },
              backingOff: { type: 'object', additionalProperties: { type: 'integer' } },
            },
          },
          ...errorResponses(401, 403),
        },
      },
    },
    async () => ({
      platforms: gov.settings().platforms.map((p) => ({ id: p.id, name: p.name, url: p.url, enabled: p.enabled })),
      outbox: gov.store.depth(),
      backingOff: sender.backingOff(),
    }),
  );
};
