// The downstream's HTTP client for its upstream: signs each request, checks the signature on each answer,
// and sorts failures into transient (retry with backoff) and permanent (the receiver refused the content).
import { v7 as uuidv7 } from 'uuid';
import { canonicalRequest, canonicalResponse, keyFingerprint, sha256Hex, sign, verify } from './crypto.js';
import { signOwnBytes } from './origin.js';
import { pinnedFetch } from './tls.js';
import { contentHashHeader, followsHeader, headers } from './auth.js';
import type { NetStore } from './store.js';

/** One error class for the network subsystem's client side, with stable codes. */
export class NetworkError extends Error {
  constructor(
    readonly code:
      | 'network-not-paired'
      | 'network-unreachable'
      | 'network-timeout'
      | 'network-bad-response'
      | 'network-refused',
    message: string,
    readonly detail: { status?: number; refusal?: string; transient: boolean; details?: Record<string, unknown> } = { transient: true },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'NetworkError';
  }
  get transient(): boolean {
    return this.detail.transient;
  }
}

/**
 * Refusals that are about the content of the batch (retrying the same bytes can never succeed): the
 * sender isolates the message and sets it aside. Every other failure — unreachable, 5xx, clock skew,
 * unknown or revoked key — is about the link or the pairing, and is retried with backoff.
 */
const permanent = new Set([
  'validation-failed',
  'malformed-json',
  'payload-too-large',
  'exchange-batch-too-large',
  'exchange-body-invalid',
  'exchange-version-unsupported',
  'exchange-region-not-held',
  'exchange-kind-not-allowed',
  'exchange-stats-region-mismatch',
  'exchange-message-expired',
  'exchange-message-time-invalid',
  'exchange-ticket-number-invalid',
  'exchange-origin-signature-invalid',
]);

export interface PushAnswer {
  results: { id: string; status: string; reason?: string }[];
  /** The upstream applies pipelined pushes in order (push-order.ts): the next batch may go before this answer. */
  ordered?: boolean;
}

/** A push body made ahead of its sending (UpstreamClient.preparePush). */
export interface PreparedPush {
  body: Buffer;
  sha256: string;
  /** The public key of the identity that signed this box's own messages in it (null: not paired). */
  signedBy: string | null;
  count: number;
}

export interface PulledMessage {
  seq: number;
  message: unknown;
}

export interface ClientOptions {
  store: NetStore;
  address: () => string;
  now: () => Date;
  fetch?: typeof fetch;
  /** Timeout of a request apart from the long-poll wait, ms. */
  timeoutMs?: number;
}

const comma = Buffer.from(',');
const closing = Buffer.from(']}');

export class UpstreamClient {
  readonly #fetch: typeof fetch;
  constructor(private readonly o: ClientOptions) {
    this.#fetch = o.fetch ?? fetch;
  }

  #pin: { key: string; fetch: typeof fetch } | null = null;
  #pinned(key: string): typeof fetch {
    if (this.#pin?.key !== key) this.#pin = { key, fetch: pinnedFetch(keyFingerprint(key)) };
    return this.#pin.fetch;
  }

  async #request(method: 'GET' | 'POST', pathAndQuery: string, body: string | Buffer, waitMs: number, signal?: AbortSignal, bodySha256 = sha256Hex(body), follows?: string): Promise<unknown> {
    const id = this.o.store.identity();
    if (!id?.upstream_url || !id.upstream_key) throw new NetworkError('network-not-paired', 'this box is not paired with an upstream');
    const sender = this.o.address();
    const timestamp = this.o.now().toISOString();
    const nonce = uuidv7();
    const signature = sign(id.private_key, canonicalRequest({ method, path: pathAndQuery, sender, timestamp, nonce, bodySha256, ...(follows ? { follows } : {}) }));
    const timeout = AbortSignal.timeout(waitMs + (this.o.timeoutMs ?? 30_000));
    let res: Response;
    let text: string;
    // Over https the upstream's TLS key must be the exchange key learnt when pairing (tls.ts).
    const doFetch = this.o.fetch === undefined && id.upstream_url.startsWith('https:') ? this.#pinned(id.upstream_key) : this.#fetch;
    try {
      res = await doFetch(id.upstream_url + pathAndQuery, {
        method,
        headers: {
          // The body's hash lets the receiver verify the signature before it reads the body.
          ...(method === 'POST' ? { 'content-type': 'application/json', [contentHashHeader]: bodySha256 } : {}),
          ...(follows ? { [followsHeader]: follows } : {}),
          [headers.sender]: sender,
          [headers.timestamp]: timestamp,
          [headers.nonce]: nonce,
          [headers.signature]: signature,
        },
        ...(method === 'POST' ? { body } : {}),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError') throw new NetworkError('network-timeout', `${method} ${pathAndQuery} timed out`, { transient: true }, { cause: err });
      throw new NetworkError('network-unreachable', `${id.upstream_url}: ${e.message}${e.cause ? ` (${(e.cause as Error).message})` : ''}`, { transient: true }, { cause: err });
    }
    const rts = res.headers.get(headers.timestamp);
    const rsig = res.headers.get(headers.signature);
    // An answer that is not signed by the paired upstream is not trusted, not even a refusal.
    if (!rts || !rsig || !verify(id.upstream_key, canonicalResponse(nonce, rts, text), rsig)) {
      throw new NetworkError('network-bad-response', `${method} ${pathAndQuery}: answer ${res.status} not signed by the paired upstream`, { status: res.status, transient: true });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new NetworkError('network-bad-response', `${method} ${pathAndQuery}: answer is not JSON`, { status: res.status, transient: true });
    }
    if (!res.ok) {
      const e = ((json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }).error ?? {}) as {
        code?: string;
        message?: string;
        details?: Record<string, unknown>;
      };
      const refusal = e.code ?? String(res.status);
      throw new NetworkError('network-refused', `upstream refused ${method} ${pathAndQuery}: ${refusal} ${e.message ?? ''}`.trim(), {
        status: res.status,
        refusal,
        transient: !permanent.has(refusal),
        ...(e.details ? { details: e.details } : {}),
      });
    }
    return json;
  }

  /** Pushes stored envelopes (JSON text exactly as in the outbox). */
  async push(envelopes: string[], signal?: AbortSignal): Promise<PushAnswer> {
    return this.send(this.preparePush(envelopes.map((e) => Buffer.from(e))), signal);
  }

  /**
   * The body of a push, ready to send: this box's own messages signed at their origin (origin.ts: one
   * signature per batch), in bytes, with their hash. Made apart from the sending so the push loop can make
   * the next batch while the upstream applies the last one.
   */
  preparePush(envelopes: Buffer[]): PreparedPush {
    const id = this.o.store.identity();
    const signed = id ? signOwnBytes(envelopes, this.o.address(), id.private_key, id.public_key) : envelopes;
    // Bytes throughout, hashed once: made from strings, the body would be encoded again (and slowly, for its
    // Chinese text).
    const parts: Buffer[] = [Buffer.from(`{"from":${JSON.stringify(this.o.address())},"messages":[`)];
    signed.forEach((e, i) => parts.push(...(i > 0 ? [comma, e] : [e])));
    parts.push(closing);
    const body = Buffer.concat(parts);
    return { body, sha256: sha256Hex(body), signedBy: id?.public_key ?? null, count: envelopes.length };
  }

  /**
   * Sends a prepared push (the caller makes sure it was signed with the key this box holds now: `signedBy`).
   * `follows`: the body hash of the batch still in flight that this one must be applied after (only to an
   * upstream that answered `ordered`).
   */
  async send(p: PreparedPush, signal?: AbortSignal, follows?: string): Promise<PushAnswer> {
    return (await this.#request('POST', '/api/exchange/v1/messages', p.body, 0, signal, p.sha256, follows)) as PushAnswer;
  }

  /** Sends a backup file to the upstream as an off-site copy (jobs/backup.ts; docs/technician.md §Backup). */
  async sendBackup(name: string, bytes: Buffer, signal?: AbortSignal): Promise<{ stored: string; bytes: number; kept: number; pruned: number }> {
    // JSON like every exchange request (the box takes no other body type): the file in base64.
    const body = `{"name":${JSON.stringify(name)},"data":"${bytes.toString('base64')}"}`;
    return (await this.#request('POST', '/api/exchange/v1/backups', body, 0, signal)) as {
      stored: string;
      bytes: number;
      kept: number;
      pruned: number;
    };
  }

  async pull(after: number, waitSeconds: number, limit: number, signal?: AbortSignal): Promise<{ messages: PulledMessage[]; cursor: number; head?: number }> {
    const q = `/api/exchange/v1/messages?after=${after}&wait=${waitSeconds}&limit=${limit}`;
    return (await this.#request('GET', q, '', waitSeconds * 1000, signal)) as { messages: PulledMessage[]; cursor: number; head?: number };
  }
}
