// Pairing and trust (docs/exchange.md §Pairing): the upstream issues a one-time code for a region below
// it; the downstream sends the code with its Ed25519 public key and learns the upstream's key. A region
// is held by one key: pairing a new key (with a new code) revokes the previous one in the same transaction.
// A revoked key stays revoked: pairing it again is refused (exchange-peer-revoked); the box rotates to a new
// key instead (pairWithUpstream's newKey), which it keeps only once the upstream has accepted it.
import { v7 as uuidv7 } from 'uuid';
import type { Role } from '../config/model.js';
import { AppError } from '../errors.js';
import { AuditLog } from '../audit/audit.js';
import type { RegionTable } from '../regions/regions.js';
import type { Actor } from '../accounts/actor.js';
import { codePinLength, codeWithPin, enrollmentCode, enrollmentHash, generateKeyPair, isPublicKey, keyFingerprint, splitEnrollmentCode } from './crypto.js';
import { pinnedFetch } from './tls.js';
import type { NetStore } from './store.js';

/** The role a box holding `region` has below an upstream of `upstreamRole` at `upstreamRegion`, or throws. */
export function childRole(upstreamRole: Role, upstreamRegion: string, region: string, regions: RegionTable): 'city' | 'province' {
  const r = regions.get(region);
  if (!r) throw new AppError('unknown-region', `region ${region} is not a GB/T 2260 code in the table`, { region });
  if (upstreamRole === 'ministry' && r.level === 'province') return 'province';
  if (upstreamRole === 'province' && r.level === 'city' && region.slice(0, 2) === upstreamRegion.slice(0, 2)) return 'city';
  throw new AppError('exchange-not-upstream', `a ${upstreamRole} box at ${upstreamRegion} cannot be the upstream of ${region} (${r.level})`, {
    role: upstreamRole,
    region,
  });
}

export function issueEnrollment(store: NetStore, role: Role, boxRegion: string, region: string, regions: RegionTable, now: Date, ttlHours = 72) {
  childRole(role, boxRegion, region, regions);
  const secret = enrollmentCode();
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000);
  store.db
    .prepare('INSERT INTO net_enrollments (code_hash, region, created_at, expires_at) VALUES (?, ?, ?, ?)')
    .run(enrollmentHash(secret), region, now.toISOString(), expiresAt.toISOString());
  // The code carries this box's key fingerprint, so the box below can tell it from a man in the middle.
  const key = store.ensureIdentity(now).public_key;
  return { code: codeWithPin(secret, key), region, expiresAt: expiresAt.toISOString(), fingerprint: keyFingerprint(key) };
}

export interface PairRequest {
  code: string;
  region: string;
  role: string;
  boxId: string;
  publicKey: string;
}

/**
 * Upstream side of pairing: checks the code and records the peer, in one transaction, with its audit
 * record (entity network, action peer-paired; issue 13, finding 9).
 */
export function acceptPairing(store: NetStore, role: Role, boxRegion: string, req: PairRequest, regions: RegionTable, now: Date): { revoked: number } {
  const expected = childRole(role, boxRegion, req.region, regions);
  if (req.role !== expected) throw new AppError('exchange-not-upstream', `region ${req.region} pairs here as a ${expected} box, not ${req.role}`);
  if (!isPublicKey(req.publicKey)) throw new AppError('validation-failed', 'publicKey is not an Ed25519 SPKI key', { field: 'body.publicKey' });
  return store.db.transaction(() => {
    const e = store.db.prepare('SELECT * FROM net_enrollments WHERE code_hash = ?').get(enrollmentHash(req.code)) as
      | { region: string; expires_at: string; used_at: string | null }
      | undefined;
    if (!e || e.used_at || e.region !== req.region || Date.parse(e.expires_at) < now.getTime()) {
      throw new AppError('exchange-enrollment-invalid', undefined, { region: req.region });
    }
    // Checked after the code, so only the holder of a valid code learns anything about a key; a refusal
    // rolls back, leaving the code usable for a retry with a new key.
    const known = store.db.prepare('SELECT region, revoked_at FROM net_peers WHERE public_key = ?').get(req.publicKey) as { region: string; revoked_at: string | null } | undefined;
    if (known?.revoked_at) {
      throw new AppError('exchange-peer-revoked', `this key of ${known.region} was revoked at ${known.revoked_at} and cannot be paired again; pair with a new key (edgebox pair --new-key)`, {
        region: req.region,
      });
    }
    if (known && known.region !== req.region) {
      throw new AppError('exchange-key-in-use', `this key is paired for ${known.region}, not ${req.region}`, { region: req.region });
    }
    const iso = now.toISOString();
    store.db.prepare('UPDATE net_enrollments SET used_at = ? WHERE code_hash = ?').run(iso, enrollmentHash(req.code));
    const revoked = store.db.prepare('UPDATE net_peers SET revoked_at = ? WHERE region = ? AND revoked_at IS NULL AND public_key != ?').run(iso, req.region, req.publicKey).changes;
    // The same active key paired again (e.g. the upstream's address changed) stays as it is.
    store.db
      .prepare(
        `INSERT INTO net_peers (public_key, region, box_id, role, enrolled_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (public_key) DO UPDATE SET box_id = excluded.box_id, enrolled_at = excluded.enrolled_at`,
      )
      .run(req.publicKey, req.region, req.boxId, expected, iso);
    new AuditLog(store.db).append({ id: null, name: `peer:${req.region}`, role: 'peer' }, now, {
      entity: 'network',
      entityId: req.region,
      action: 'peer-paired',
      note: revoked > 0 ? `key replaced (${revoked} revoked)` : null,
      data: { role: expected, boxId: req.boxId, keyFingerprint: keyFingerprint(req.publicKey), revoked },
    });
    return { revoked };
  })();
}

export interface PairResult {
  address: string;
  role: Role;
  region: string;
  name: string;
  publicKey: string;
  boxId: string;
  /** The origin this box contacted (scheme, host and port; what was typed, less any path). */
  contacted: string;
}

/**
 * The upstream a technician typed: an http(s) URL without user name or password (issue 13, finding 9:
 * pairing posted to any URL). Only its origin is used. Throws network-upstream-url-invalid.
 */
export function checkUpstreamUrl(s: string): URL {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new AppError('network-upstream-url-invalid', `the upstream must be a URL such as https://province:8328, got ${JSON.stringify(s.slice(0, 200))}`, { field: 'upstream' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('network-upstream-url-invalid', `the upstream must be an http or https URL, not ${url.protocol}`, { field: 'upstream', protocol: url.protocol });
  }
  if (url.username || url.password) throw new AppError('network-upstream-url-invalid', 'the upstream URL must not carry a user name or password', { field: 'upstream' });
  return new URL(url.origin);
}

/** Audit of pairing on the box below (entity network): `pair` when done, `pair-refused` when not. */
function auditPair(store: NetStore, actor: Actor, now: Date, action: 'pair' | 'pair-refused', data: Record<string, unknown>, note: string | null = null): void {
  new AuditLog(store.db).append(actor, now, { entity: 'network', entityId: 'upstream', action, note, data });
}

/**
 * Downstream side: creates the key pair if needed, registers it with the upstream and stores the upstream's
 * key. With `newKey`, registers a freshly made key pair instead and keeps it (in place of the old one, in one
 * transaction) only once the upstream accepted it, which revoked the old one: a refusal changes nothing here.
 */
export async function pairWithUpstream(
  store: NetStore,
  self: { role: Role; region: string },
  upstreamUrl: string,
  code: string,
  now: Date,
  fetchFn: typeof fetch = fetch,
  opts: { newKey?: boolean; actor?: Actor } = {},
): Promise<PairResult> {
  if (self.role === 'ministry') throw new AppError('exchange-not-upstream', 'the ministry box has no upstream');
  const url = checkUpstreamUrl(upstreamUrl);
  const actor = opts.actor ?? { id: null, name: 'edgebox pair', role: 'system' };
  try {
    return await contactUpstream(store, self, url, code, now, fetchFn, opts.newKey === true, actor);
  } catch (err) {
    const e = err as AppError;
    try {
      auditPair(store, actor, now, 'pair-refused', { url: url.origin, newKey: opts.newKey === true, code: e.code ?? 'internal-error', upstreamCode: e.details?.upstreamCode ?? null }, e.message?.slice(0, 300) ?? null);
    } catch {
      // The audit of a failed attempt must not hide why it failed.
    }
    throw err;
  }
}

async function contactUpstream(store: NetStore, self: { role: Role; region: string }, url: URL, fullCode: string, now: Date, fetchFn: typeof fetch, newKey: boolean, actor: Actor): Promise<PairResult> {
  const opts = { newKey };
  // The code's secret goes to the upstream; the fingerprint after it is checked against the key the
  // upstream presents: over https in the TLS handshake, before the code is sent; and in its answer.
  const { secret: code, pin } = splitEnrollmentCode(fullCode);
  if (pin.length !== codePinLength) {
    throw new AppError('validation-failed', `the enrollment code must carry the upstream's key fingerprint (XXXX-XXXX-XXXX followed by ${codePinLength} characters, as edgebox enroll prints it)`, {
      field: 'code',
    });
  }
  if (url.protocol === 'https:') fetchFn = pinnedFetch(pin);
  const id = store.ensureIdentity(now);
  const fresh = opts.newKey ? generateKeyPair() : null;
  const body: PairRequest = { code, region: self.region, role: self.role, boxId: id.box_id, publicKey: fresh?.publicKey ?? id.public_key };
  let res: Response;
  try {
    res = await fetchFn(new URL('/api/exchange/v1/pair', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-edgebox-nonce': uuidv7() },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('network-upstream-unreachable', `cannot reach ${url.origin}: ${(err as Error).message}`, { upstream: url.origin });
  }
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new AppError('network-upstream-unreachable', `${url.origin} answered ${res.status} with a body that is not JSON`);
  }
  if (!res.ok) {
    const e = (json.error ?? {}) as { code?: string; message?: string };
    const hint = e.code === 'exchange-peer-revoked' && !opts.newKey ? ' (pair again with a new key: edgebox pair --new-key, the same code)' : '';
    throw new AppError('network-upstream-unreachable', `${url.origin} refused the pairing: ${e.code ?? res.status} ${e.message ?? ''}`.trim() + hint, {
      upstreamCode: e.code,
      status: res.status,
    });
  }
  const r = json as unknown as PairResult;
  if (typeof r.publicKey !== 'string' || !isPublicKey(r.publicKey) || typeof r.address !== 'string') {
    throw new AppError('network-upstream-unreachable', `${url.origin} answered without a usable public key`);
  }
  if (!keyFingerprint(r.publicKey).startsWith(pin)) {
    throw new AppError('exchange-upstream-key-mismatch', `${url.origin} answered with the key ${keyFingerprint(r.publicKey)}, not ${pin}…: a man in the middle, or not the upstream`, {
      upstream: url.origin,
    });
  }
  store.db.transaction(() => {
    if (fresh) store.replaceKeys(fresh);
    store.setUpstream({ url: url.origin, address: r.address, role: r.role, key: r.publicKey }, now);
    auditPair(store, actor, now, 'pair', {
      url: url.origin,
      upstreamAddress: r.address,
      upstreamRegion: r.region,
      upstreamRole: r.role,
      upstreamName: r.name,
      upstreamKeyFingerprint: keyFingerprint(r.publicKey),
      newKey: opts.newKey === true,
    });
  })();
  return { address: r.address, role: r.role, region: r.region, name: r.name, publicKey: r.publicKey, boxId: r.boxId, contacted: url.origin };
}
