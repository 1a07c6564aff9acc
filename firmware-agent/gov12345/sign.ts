// Request and response signatures of the 12345 exchange (docs/12345.md §3): HMAC-SHA256 with the key shared
// with each platform, over a canonical string that binds the method, path, sender, time, nonce and the body's
// SHA-256, so a signature cannot be moved to another request or replayed after its nonce is remembered.
import crypto from 'node:crypto';
import { sha256Hex } from '../network/crypto.js';

export { sha256Hex };

export const headers = {
  platform: 'x-gov12345-platform',
  timestamp: 'x-gov12345-timestamp',
  nonce: 'x-gov12345-nonce',
  contentSha256: 'x-gov12345-content-sha256',
  signature: 'x-gov12345-signature',
} as const;

/** Largest difference between a request's time and the receiver's clock. */
export const skewMs = 5 * 60_000;

/** The path every 12345 endpoint is served at, on the box and on a platform. */
export const messagesPath = '/api/gov12345/v1/messages';

export interface RequestParts {
  method: string;
  path: string;
  platform: string;
  timestamp: string;
  nonce: string;
  bodySha256: string;
}

export function canonicalRequest(p: RequestParts): string {
  return ['gov12345-v1', p.method.toUpperCase(), p.path, p.platform, p.timestamp, p.nonce, p.bodySha256].join('\n');
}

export function canonicalResponse(nonce: string, timestamp: string, body: string): string {
  return ['gov12345-v1-response', nonce, timestamp, sha256Hex(body)].join('\n');
}

export function hmac(secret: string, text: string): string {
  return crypto.createHmac('sha256', secret).update(text, 'utf8').digest('base64');
}

/** Constant-time comparison of a received signature with the expected one. */
export function signatureMatches(secret: string, text: string, signature: string): boolean {
  // Never verify with an empty or short key (a key file that could not be read): anyone could sign with it.
  if (secret.length < 32) return false;
  const want = Buffer.from(hmac(secret, text), 'utf8');
  const got = Buffer.from(signature, 'utf8');
  return want.length === got.length && crypto.timingSafeEqual(want, got);
}

/** The headers of a signed POST of `body` to `path`, as `platform` (the sender's name at the receiver). */
export function signedHeaders(o: { secret: string; platform: string; path: string; body: string; now: Date; nonce?: string }): Record<string, string> {
  const timestamp = o.now.toISOString();
  const nonce = o.nonce ?? crypto.randomUUID();
  const bodySha256 = sha256Hex(o.body);
  const signature = hmac(o.secret, canonicalRequest({ method: 'POST', path: o.path, platform: o.platform, timestamp, nonce, bodySha256 }));
  return {
    'content-type': 'application/json',
    [headers.platform]: o.platform,
    [headers.timestamp]: timestamp,
    [headers.nonce]: nonce,
    [headers.contentSha256]: bodySha256,
    [headers.signature]: signature,
  };
}

/** True when a response carries a valid signature for the request's nonce. */
export function responseVerifies(secret: string, nonce: string, timestamp: string | undefined, signature: string | undefined, body: string): boolean {
  if (!timestamp || !signature) return false;
  return signatureMatches(secret, canonicalResponse(nonce, timestamp, body), signature);
}
