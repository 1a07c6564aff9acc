// The exchange's door (docs/exchange.md §2): every request to /api/exchange/v1 is authenticated from its
// headers before a byte of its body is read (Ed25519 request signatures, the body's hash, nonces, clock skew),
// failures are rate-limited per address and counted once a minute, the body is parsed only once known to be
// the one signed, refusals are logged and recorded, and every answer to a signed request is signed back.
import { isUtf8 } from 'node:buffer';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { BoxServices } from '../box.js';
import { AppError } from '../errors.js';
import { authenticate, authenticateHeaders, checkBody, contentHashHeader, hasBody, header, headers, precheckHeaders, signResponse } from './auth.js';
import { AddressBudget, RefusalLog } from './throttle.js';
import { keepReceivedText } from './origin.js';
import { splitPush } from './push-body.js';
import type { NetworkService } from './service.js';
import type { Peer } from './store.js';
import type { TimerHandle } from '../../common/clock.js';
import type { ExchangeLimits } from './routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's bytes as received (the signature covers them). */
    rawBody?: Buffer;
    peer?: Peer;
    /** The body hash the signature covers (authenticated from the headers). */
    signedBodySha256?: string;
    /** Signed without x-edgebox-content-sha256: small body only, verified once read. */
    legacySigned?: boolean;
  }
}

function refusalCode(err: FastifyError | AppError): string {
  if (err instanceof AppError) return err.code;
  if ((err as FastifyError).validation) return 'validation-failed';
  if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'payload-too-large';
  if (err instanceof SyntaxError) return 'malformed-json';
  return 'internal-error';
}

const empty = Buffer.alloc(0);

export const pairPath = '/api/exchange/v1/pair';
export const messagesPath = '/api/exchange/v1/messages';

/** Installs the door's hooks on the exchange's routes (their plugin: the hooks apply to its routes only). */
export function exchangeDoor(app: FastifyInstance, { box, net, limits }: { box: BoxServices; net: NetworkService; limits: ExchangeLimits }): void {
  const { store } = net;
  const smallBody = limits.smallBodyBytes ?? 64 * 1024;
  const failures = new AddressBudget(limits.failuresPerMinute ?? 30);
  const pairFailures = new AddressBudget(limits.pairFailuresPerMinute ?? 10);
  const refusals = new RefusalLog(store);
  // The refusal counts are written once a minute on the exchange's clock (the box's, or a test's
  // VirtualClock), re-armed after each flush so a slow write never stacks flushes.
  const clock = net.clock;
  let flushTimer: TimerHandle | undefined;
  let closed = false;
  const armFlush = () => {
    flushTimer = clock.setTimeout(() => {
      try {
        refusals.flush();
      } catch (err) {
        app.log.error({ err }, 'exchange refusal counts could not be written');
      }
      if (!closed) armFlush();
    }, 60_000);
    // A wall-clock timer must not keep the process alive on its own; a virtual one has nothing to unref.
    (flushTimer as { unref?: () => void }).unref?.();
  };
  armFlush();
  app.addHook('onClose', async () => {
    closed = true;
    clock.clearTimeout(flushTimer);
    refusals.flush();
  });

  keepRawBodies(app, box, store);

  // Authentication from the headers, before any byte of the body is read (issue 13, finding 4).
  app.addHook('onRequest', async (request) => {
    const now = box.now();
    const limited = (budget: AddressBudget, what: string) => {
      const retryAfterSeconds = budget.retryAfterSeconds(now);
      return new AppError('exchange-rate-limited', `too many failed ${what} from ${request.ip}; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
    };
    // Pairing: the budget is checked first, so codes cannot be guessed faster than it allows.
    if (request.routeOptions.url === pairPath) {
      if (pairFailures.spent(request.ip, now)) throw limited(pairFailures, 'pairing attempts');
      return;
    }
    // Messages: a paired box is never locked out by a flood from its address (its signature verifies, a
    // cheap check); once an address has spent its budget, its failures are answered exchange-rate-limited.
    try {
      if (header(request, contentHashHeader) !== undefined || !hasBody(request)) {
        const a = authenticateHeaders(request, store, now);
        request.peer = a.peer;
        request.signedBodySha256 = a.bodySha256;
        return;
      }
      // A sender that does not state the body's hash (an older box): its body is verified once read, so it
      // may only be small.
      precheckHeaders(request, store, now);
      const len = Number(request.headers['content-length']);
      if (!Number.isInteger(len) || len > smallBody) {
        throw new AppError('payload-too-large', `a body above ${smallBody} bytes needs the ${contentHashHeader} header`, { max: smallBody });
      }
      request.legacySigned = true;
    } catch (err) {
      if (failures.spent(request.ip, now)) throw limited(failures, 'exchange authentications');
      throw err;
    }
  });

  app.addHook('onError', async (request, reply, err) => {
    const code = refusalCode(err as FastifyError);
    const peer = header(request, headers.sender) ?? null;
    const now = box.now();
    // A refusal before the sender authenticated (every pairing refusal; any before the signature verified)
    // counts against the client address's budget and is recorded aggregated: one row per address, code and
    // minute, so a flood writes almost nothing.
    const unauthenticated = request.peer === undefined;
    try {
      if (unauthenticated) {
        if (code !== 'exchange-rate-limited') (request.routeOptions.url === pairPath ? pairFailures : failures).use(request.ip, now);
        refusals.record(now, request.ip, peer, code, err.message, request.url);
        // The body of a refused request is never read: close the connection rather than drain it.
        reply.header('connection', 'close');
      } else {
        store.refusal(now, peer, code, err.message, request.url, request.ip);
      }
    } catch {
      // Recording a refusal must never turn it into another error.
    }
    if (!unauthenticated || code !== 'exchange-rate-limited') request.log.warn({ peer, code, url: request.url }, `exchange request refused: ${err.message}`);
  });
  // Nonces of requests that did not write theirs with a batch (pulls, refusals after authentication).
  app.addHook('onResponse', async () => {
    try {
      store.flushNonces(box.now());
    } catch (err) {
      app.log.error({ err }, 'exchange nonces could not be written');
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (typeof payload !== 'string') return payload;
    const id = store.identity();
    if (id) signResponse(request, reply, payload, id.private_key, box.now());
    return payload;
  });
}

/** Bodies kept as bytes, checked against the signed hash, then parsed (a push envelope by envelope, push-body.ts). */
function keepRawBodies(app: FastifyInstance, box: BoxServices, store: NetworkService['store']): void {
  // Keep the exact bytes: the signature covers them, and they are hashed as they came (a string would be
  // encoded again to hash it: about a millisecond per catch-up batch of Chinese text). Nothing is parsed
  // here: JSON is parsed in preValidation, once the body is known to be the one signed (or, for pairing,
  // within its small limit).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    (request as FastifyRequest).rawBody = body as Buffer;
    done(null, body);
  });

  app.addHook('preValidation', async (request) => {
    const raw = request.rawBody;
    if (request.method === 'POST' && request.routeOptions.url !== pairPath) {
      if (request.legacySigned) request.peer = authenticate(request, raw ?? empty, store, box.now());
      else checkBody(raw ?? empty, request.signedBodySha256!, request.peer!.region);
    }
    if (raw === undefined || raw.length === 0) return;
    // JSON is UTF-8 (RFC 8259 §8.1): other bytes are refused, not decoded into replacement characters.
    if (!isUtf8(raw)) throw new AppError('malformed-json', 'the body is not UTF-8');
    // A push is cut at its envelopes and each parsed from its own text, kept for the origin check and the
    // onward copy (push-body.ts); a body in any other shape is parsed whole.
    if (request.method === 'POST' && request.routeOptions.url === messagesPath) {
      const split = splitPush(raw);
      if (split) {
        split.messages.forEach((m, i) => {
          if (typeof m === 'object' && m !== null) keepReceivedText(m, split.texts[i]!, split.bytes[i]!);
        });
        request.body = { from: split.from, messages: split.messages };
        return;
      }
    }
    try {
      request.body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new AppError('malformed-json', (err as Error).message);
    }
  });
}
