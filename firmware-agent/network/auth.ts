// Verifies a signed exchange request (docs/exchange.md §Signatures) and signs the response to it.
// Order of checks, each with its own refusal code: headers present → peer known and not revoked →
// clock within the skew window → signature → nonce not seen before.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { canonicalRequest, canonicalResponse, sign, verify } from './crypto.js';
import type { NetStore, Peer } from './store.js';

export const headers = {
  sender: 'x-edgebox-sender',
  timestamp: 'x-edgebox-timestamp',
  nonce: 'x-edgebox-nonce',
  signature: 'x-edgebox-signature',
} as const;

/** Largest difference between a request's timestamp and this box's clock. */
export const skewMs = 5 * 60_000;

export function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : undefined;
}

export function authenticate(request: FastifyRequest, raw: string, store: NetStore, now: Date): Peer {
  const sender = header(request, headers.sender);
  const timestamp = header(request, headers.timestamp);
  const nonce = header(request, headers.nonce);
  const signature = header(request, headers.signature);
  if (!sender || !timestamp || !nonce || !signature) throw new AppError('exchange-unsigned', undefined, { required: Object.values(headers) });
  const peer = store.peer(sender);
  if (!peer) throw new AppError('exchange-unknown-peer', `no box is paired for region ${sender}`, { sender });
  if (peer.revoked_at) throw new AppError('exchange-peer-revoked', `the key of ${sender} was revoked at ${peer.revoked_at}`, { sender });
  const t = Date.parse(timestamp);
  if (Number.isNaN(t) || Math.abs(t - now.getTime()) > skewMs) {
    throw new AppError('exchange-clock-skew', `request time ${timestamp} is more than ${skewMs / 1000} s from ${now.toISOString()}`, { timestamp, now: now.toISOString() });
  }
  const text = canonicalRequest({ method: request.method, path: request.url, sender, timestamp, nonce, body: raw });
  if (!verify(peer.public_key, text, signature)) {
    // Signed by a key this region used to have: tell the old box it was replaced, not that it is broken.
    const old = store.revokedKeys(sender).find((k) => verify(k.public_key, text, signature));
    if (old) throw new AppError('exchange-peer-revoked', `this key of ${sender} was revoked at ${old.revoked_at}`, { sender });
    throw new AppError('exchange-bad-signature', undefined, { sender });
  }
  if (!store.rememberNonce(nonce, sender, new Date(now.getTime() + 2 * skewMs), now)) {
    throw new AppError('exchange-replay', `nonce ${nonce} was already used`, { sender, nonce });
  }
  store.peerContact(peer.public_key, now);
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
