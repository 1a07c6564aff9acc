// One origin (region 623000) with its own key, for tests of origin signatures (network/origin.ts): a lookup
// that knows only its key, and batches of statistics envelopes it signs.
import { generateKeyPair, keyFingerprint } from '../../firmware-agent/network/crypto.js';
import { newEnvelope } from '../../firmware-agent/network/messages.js';
import { type OriginKeyLookup, signOwn } from '../../firmware-agent/network/origin.js';

export const originKey = generateKeyPair();

export const originLookup: OriginKeyLookup = (from, fingerprint) =>
  from === '623000' && fingerprint === keyFingerprint(originKey.publicKey) ? { publicKey: originKey.publicKey, revokedAt: null } : null;

/** Each body in a stats.daily envelope from 623000, the batch signed at its origin (JSON texts). */
export function signedBatch(bodies: Record<string, unknown>[]): string[] {
  return signOwn(
    bodies.map((b) => JSON.stringify(newEnvelope('stats.daily', '623000', '^', new Date('2026-12-05T08:00:00Z'), b))),
    '623000',
    originKey.privateKey,
    originKey.publicKey,
  );
}
