// Verifies a signed exchange request (docs/exchange.md §Signatures) and signs the response to it.
// Order of checks, each with its own refusal code: headers present → peer known and not revoked →
// clock within the skew window → signature → nonce not seen before.
//
// Everything is decided from the headers, before a byte of the body is read (issue 13, finding 4): the
// signature covers the body's SHA-256, which the sender also states in x-edgebox-content-sha256; the body is
// then read (up to the batch limit) only for a peer whose signature verified, and must hash to what was
// signed (exchange-bad-signature otherwise).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { canonicalRequest, canonicalResponse, sha256Hex, sign, verify } from './crypto.js';
import type { NetStore, Peer } from './store.js';

export const headers = {
  sender: 'x-edgebox-sender',
  timestamp: 'x-edgebox-timestamp',
  nonce: 'x-edgebox-nonce',
  signature: 'x-edgebox-signature',
} as const;

/** The body's lower-case hex SHA-256, required on requests with a body. */
export const contentHashHeader = 'x-edgebox-content-sha256';

/** On a pipelined push: the body hash of the batch it follows (push-order.ts), covered by the signature. */
export const followsHeader = 'x-edgebox-follows';

export const emptySha256 = sha256Hex('');

/** Largest difference between a request's timestamp and this box's clock. */
export const skewMs = 5 * 60_000;

export function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : undefined;
}

/** True when the request announces a body (a length above zero, or a chunked body). */
export function hasBody(request: FastifyRequest): boolean {
  const len = request.headers['content-length'];
  return (len !== undefined && len !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * The checks that need no signature: headers present, peer known and active, clock within the window.
 * Returns what they found. Throws exchange-unsigned | exchange-unknown-peer | exchange-peer-revoked |
 * exchange-clock-skew.
 */
export function precheckHeaders(request: FastifyRequest, store: NetStore, now: Date, bodySha256: string | undefined = emptySha256) {
  const sender = header(request, headers.sender);
  const timestamp = header(request, headers.timestamp);
  const nonce = header(request, headers.nonce);
  const signature = header(request, headers.signature);
  if (!sender || !timestamp || !nonce || !signature || !bodySha256 || !/^[0-9a-f]{64}$/.test(bodySha256)) {
    throw new AppError('exchange-unsigned', undefined, { required: [...Object.values(headers), `${contentHashHeader} (with a body)`] });
  }
  const peer = store.peer(sender);
  if (!peer) throw new AppError('exchange-unknown-peer', `no box is paired for region ${sender}`, { sender });
  if (peer.revoked_at) throw new AppError('exchange-peer-revoked', `the key of ${sender} was revoked at ${peer.revoked_at}`, { sender });
  const t = Date.parse(timestamp);
  if (Number.isNaN(t) || Math.abs(t - now.getTime()) > skewMs) {
    throw new AppError('exchange-clock-skew', `request time ${timestamp} is more than ${skewMs / 1000} s from ${now.toISOString()}`, { timestamp, now: now.toISOString() });
  }
  return { sender, timestamp, nonce, signature, peer, bodySha256 };
}

/**
 * Authenticates a request from its headers alone. Throws exchange-unsigned | exchange-unknown-peer |
 * exchange-peer-revoked | exchange-clock-skew | exchange-bad-signature | exchange-replay.
 * Returns the peer and the body hash it signed (checked by checkBody once the body is read).
 */
export function authenticateHeaders(request: FastifyRequest, store: NetStore, now: Date): { peer: Peer; bodySha256: string } {
  const declared = header(request, contentHashHeader);
  return verifySigned(request, store, now, declared ?? (hasBody(request) ? undefined : emptySha256));
}

function verifySigned(request: FastifyRequest, store: NetStore, now: Date, body: string | undefined): { peer: Peer; bodySha256: string } {
  const { sender, timestamp, nonce, signature, peer, bodySha256 } = precheckHeaders(request, store, now, body);
  const follows = request.headers[followsHeader];
  if (follows !== undefined && (typeof follows !== 'string' || !/^[0-9a-f]{64}$/.test(follows))) {
    throw new AppError('exchange-unsigned', `${followsHeader} must be the lower-case hex SHA-256 of the batch followed`, { header: followsHeader });
  }
  const text = canonicalRequest({ method: request.method, path: request.url, sender, timestamp, nonce, bodySha256, ...(follows !== undefined ? { follows } : {}) });
  if (!verify(peer.public_key, text, signature)) {
    // Signed by a key this region used to have: tell the old box it was replaced, not that it is broken.
    const old = store.revokedKeys(sender).find((k) => verify(k.public_key, text, signature));
    if (old) throw new AppError('exchange-peer-revoked', `this key of ${sender} was revoked at ${old.revoked_at}`, { sender });
    throw new AppError('exchange-bad-signature', undefined, { sender });
  }
  // Reserved now, written with the push's batch or when the answer is sent (store.ts flushNonces).
  if (!store.reserveNonce(nonce, sender, new Date(now.getTime() + 2 * skewMs))) {
    throw new AppError('exchange-replay', `nonce ${nonce} was already used`, { sender, nonce });
  }
  store.peerContact(peer.public_key, now);
  return { peer, bodySha256 };
}

/** The body read must be the one signed. Throws exchange-bad-signature. */
export function checkBody(raw: string | Buffer, bodySha256: string, sender: string): void {
  if (sha256Hex(raw) !== bodySha256) throw new AppError('exchange-bad-signature', 'the body does not hash to the signed x-edgebox-content-sha256', { sender });
}

/** Headers-then-body in one call, for callers holding the whole request (tests, tools). */
export function authenticate(request: FastifyRequest, raw: string | Buffer, store: NetStore, now: Date): Peer {
  const declared = header(request, contentHashHeader);
  const { peer, bodySha256 } = verifySigned(request, store, now, declared ?? sha256Hex(raw));
  checkBody(raw, bodySha256, peer.region);
  return peer;
}

/** Signs a serialized response for the request's nonce (onSend hook). */
export function signResponse(request: FastifyRequest, reply: FastifyReply, payload: string, privateKey: string, now: Date): void {
  const nonce = header(request, headers.nonce);
  if (!nonce) return;
  const ts = now.toISOString();
  reply.header(headers.timestamp, ts);
  reply.header(headers.signature, sign(privateKey, canonicalResponse(nonce, ts, payload)));
}
