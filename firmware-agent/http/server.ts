// The HTTP API as a fastify app: external plugins, then cross-cutting hooks (content type, auth, errors),
// then route plugins with a JSON schema on every route. The OpenAPI description is served at
// /api/openapi.json.
import cookie from '@fastify/cookie';
import type {} from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { AppError, errorCatalogue } from '../errors.js';
import type { AccountService } from '../accounts/service.js';
import { registerAuth } from './auth.js';
import { errorBody, errorSchema } from './errors.js';
import { requestSerializer } from './redact.js';
import { SchemaWarmUp, lazyCompilersFactory } from './lazy-compilers.js';
import { lazySwagger } from './openapi-lazy.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Route schemas registered but not yet compiled (./lazy-compilers.ts); the box runs it once listening. */
    schemaWarmUp: SchemaWarmUp;
  }
}

export interface HttpOptions {
  accounts: AccountService;
  version: string;
  logger: FastifyServerOptions['logger'];
  /** Largest request body in bytes. */
  bodyLimit?: number;
}

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whatever logger the box is given logs requests through `requestSerializer` (callers' numbers in query
 * strings are withheld) and never logs cookies, passwords or session cookies set.
 */
function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return logger;
  const base = typeof logger === 'object' ? logger : {};
  const redact = ['req.headers.cookie', 'req.headers.authorization', 'req.body.password', 'res.headers["set-cookie"]'];
  return {
    ...base,
    serializers: { ...(base as { serializers?: object }).serializers, req: requestSerializer },
    redact: [...new Set([...(Array.isArray((base as { redact?: unknown }).redact) ? ((base as { redact: string[] }).redact) : []), ...redact])],
  } as FastifyServerOptions['logger'];
}

export async function createHttp(opts: HttpOptions): Promise<FastifyInstance> {
  const warmUp = new SchemaWarmUp();
  const app = Fastify({
    schemaController: { compilersFactory: lazyCompilersFactory(warmUp) },
    logger: withRedaction(opts.logger),
    bodyLimit: opts.bodyLimit ?? 256 * 1024,
    // What the router refuses before any route or hook runs answers catalogued codes too: a path parameter
    // over the router's 100 characters (fastify's own 414 body otherwise) and a path segment no URI decoder
    // takes (`%E0`, fastify's own 400 body otherwise).
    frameworkErrors: (err, _request, reply) => {
      const code = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'path-parameter-too-long' : 'path-invalid';
      void (reply as unknown as FastifyReply).code(errorCatalogue[code].status).send(errorBody(code));
    },
    ajv: {
      // Unknown fields are an error, not silently dropped; query strings may repeat a key for a list. These
      // options coerce (query strings, parameters and headers are text); JSON bodies are compiled with
      // coercion off (./lazy-compilers.ts): a value of the wrong JSON type is refused, not converted.
      customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false, useDefaults: true },
    },
  });

  app.decorate('schemaWarmUp', warmUp);

  // A stopping box must not wait for other boxes' keep-alive connections (a province holds those of every
  // city's client; Node keeps an idle one open for its keep-alive timeout, 72 s with fastify's defaults).
  // Fastify closes the connections idle when close begins; one busy then (a long-poll) would stay open idle
  // after its answer: from the moment close begins, every answer ends its connection.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });

  // Only JSON bodies: a form post or text/plain from another site (CSRF) never reaches a handler.
  app.removeContentTypeParser(['text/plain']);
  app.addHook('onRequest', async (request) => {
    if (!stateChanging.has(request.method) || !request.url.startsWith('/api/')) return;
    const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (hasBody && type !== 'application/json') throw new AppError('unsupported-media-type');
  });

  await app.register(cookie);
  // @fastify/swagger loads on the first request of the description (./openapi-lazy.ts), not at start.
  lazySwagger(app, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '12328 Edge Box API',
        version: opts.version,
        description:
          'HTTP API of the 12328 Edge Box. Errors answer `{error: {code, message, messageZh, details?}}` with codes from docs/errors.md.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'edgebox_session' } } },
      security: [{ session: [] }],
    },
  });
  app.addSchema(errorSchema);

  registerAuth(app, opts.accounts);

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('route-not-found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, 'request failed');
      else request.log.info({ code: err.code }, 'request refused');
      if (err.code === 'login-throttled' && err.details?.retryAfterSeconds) reply.header('retry-after', String(err.details.retryAfterSeconds));
      return reply.code(err.status).send(errorBody(err.code, err.message, err.details));
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const first = fe.validation[0];
      const field = first ? `${fe.validationContext ?? 'body'}${first.instancePath}`.replace(/\//g, '.') : undefined;
      const detail =
        first?.keyword === 'additionalProperties'
          ? { field, unknownField: (first.params as { additionalProperty?: string }).additionalProperty }
          : { field, problem: first?.message, ...(first?.params ?? {}) };
      return reply.code(400).send(errorBody('validation-failed', `${field ?? 'request'}: ${first?.message ?? 'invalid'}`, detail));
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).send(errorBody('unsupported-media-type'));
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send(errorBody('payload-too-large'));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return reply.code(400).send(errorBody('malformed-json'));
    }
    if (err instanceof SyntaxError || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
      return reply.code(400).send(errorBody('malformed-json', fe.message));
    }
    if (fe.statusCode && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send(errorBody('validation-failed', fe.message));
    }
    // The store refused a write: the transaction rolled back, nothing changed, and the client is told why
    // in words a technician can act on (issue 12, disk full / read-only disk) instead of a 500.
    const storeCode = storeFailure(err);
    if (storeCode) {
      request.log.error({ err: { code: (err as { code?: string }).code, message: err.message } }, 'store write failed');
      return reply.code(errorCatalogue[storeCode].status).send(errorBody(storeCode));
    }
    request.log.error({ err }, 'unexpected error');
    return reply.code(500).send(errorBody('internal-error'));
  });

  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  return app;
}

/**
 * SQLite's answer when a write cannot be stored (better-sqlite3 puts the extended result code name on
 * `code`): a full disk, or a store that cannot be written at all.
 */
export function storeFailure(err: unknown): 'store-full' | 'store-unavailable' | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  if (code === 'SQLITE_FULL' || (code === 'SQLITE_IOERR_WRITE' && /disk|space/i.test(String((err as Error).message)))) return 'store-full';
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PROTOCOL') return 'store-unavailable';
  return null;
}

/** Standard error responses for a route's schema (referenced in the OpenAPI description). */
export function errorResponses(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((s) => [s, { $ref: 'Error#' }]));
}
