// Origin signatures (docs/exchange.md §2.2): every envelope carries `sig`, made by the box that wrote it,
// so every level can verify who wrote a message whichever boxes passed it on (request signatures are per
// hop: without this a province could alter what a city "said").
//
// What is signed. The origin signs its messages in batches, when it sends them (push, or a pull answered):
// each envelope's leaf is SHA-256("edgebox-origin-leaf-v1\n" + the envelope's JSON without `sig`, exactly
// as the origin serialised it); leaves are paired up into a Merkle tree (node = SHA-256(0x01 ‖ left ‖ right),
// an odd node goes up alone); the origin signs "edgebox-origin-v1\n" + the root in hex with Ed25519. Each
// envelope carries `sig: {key, value, path}`: the key's fingerprint, the root's signature, and the sibling
// hashes from its leaf to the root ('L' or 'R' for the sibling's side, then its base64). A receiver folds the
// path to the root and verifies the root's signature once per batch (batch verification: one Ed25519 check
// for all the messages of one origin's batch, however a relay regrouped them).
//
// Boxes store and forward envelopes byte for byte; re-serialising a parsed envelope reproduces the bytes
// (JSON.parse keeps the key order), so the receiver recomputes the leaf from the parsed envelope.
import crypto from 'node:crypto';
import { AppError } from '../errors.js';
import { keyFingerprint, sign, verify } from './crypto.js';
import type { Envelope } from './messages.js';

export interface OriginSig {
  key: string;
  value: string;
  path?: string[];
}

// One-shot hashing (crypto.hash): a catch-up hashes every message a few times, so it counts.
const leafPrefix = 'edgebox-origin-leaf-v1\n';
const leafPrefixBytes = Buffer.from(leafPrefix);
function leafHash(json: string | Buffer): Buffer {
  const input = typeof json === 'string' ? `${leafPrefix}${json}` : Buffer.concat([leafPrefixBytes, json]);
  return crypto.hash('sha256', input, 'buffer') as unknown as Buffer;
}

function nodeHash(l: Buffer, r: Buffer): Buffer {
  const b = Buffer.allocUnsafe(65);
  b[0] = 1;
  l.copy(b, 1);
  r.copy(b, 33);
  return crypto.hash('sha256', b, 'buffer') as unknown as Buffer;
}

function rootText(root: Buffer): string {
  return `edgebox-origin-v1\n${root.toString('hex')}`;
}

/** The first characters of an envelope the origin wrote (newEnvelope's key order), with its `from`. */
const ownPrefix = /^\{"v":\d+,"id":"[0-9a-f-]{36}","kind":"[a-z.]{1,64}","from":"(\d{6})"/;

/** The `sig` signOwn appends, last in the envelope. */
const signedTail = /,"sig":\{"key":"[0-9A-Z]{32}","value":"[A-Za-z0-9+/=]+","path":\[[^\]]*\]\}\}$/;

/**
 * An envelope as text or as its UTF-8 bytes (the push reads its outbox as bytes: decoding the rows into
 * strings and encoding the body again cost a catch-up about 5 ms a batch). `head` need only hold the
 * envelope's ASCII beginning, where ownPrefix looks.
 */
interface Form<T> {
  head(e: T): string;
  /** Whether the envelope ends with its closing brace. */
  closed(e: T): boolean;
  /** The envelope from its last `,"sig":{` to its end, or undefined when it has none. */
  sigTail(e: T): string | undefined;
  /** The envelope with `suffix` in place of its closing brace. */
  append(e: T, suffix: string): T;
}
const sigKeyText = ',"sig":{';
const sigKey = Buffer.from(sigKeyText);
const textForm: Form<string> = {
  head: (e) => e,
  closed: (e) => e.endsWith('}'),
  sigTail: (e) => {
    const at = e.lastIndexOf(sigKeyText);
    return at < 0 ? undefined : e.slice(at);
  },
  append: (e, suffix) => `${e.slice(0, -1)}${suffix}`,
};
const bytesForm: Form<Buffer> = {
  head: (e) => e.toString('latin1', 0, 200),
  closed: (e) => e[e.length - 1] === 0x7d,
  sigTail: (e) => {
    const at = e.lastIndexOf(sigKey);
    return at < 0 ? undefined : e.toString('latin1', at);
  },
  append: (e, suffix) => Buffer.concat([e.subarray(0, -1), Buffer.from(suffix)]),
};

/** The origin of a stored envelope when it was written by newEnvelope and carries no `sig` yet. */
function unsignedOrigin<T>(form: Form<T>, e: T): string | undefined {
  const m = ownPrefix.exec(form.head(e));
  if (!m || !form.closed(e)) return undefined;
  const tail = form.sigTail(e);
  return tail !== undefined && signedTail.test(tail) ? undefined : m[1];
}

/**
 * Signs, as their origin `self`, the envelopes (JSON text as stored) this box wrote and has not signed
 * (its outbox keeps its own messages unsigned: they are signed each time they are sent); every other
 * envelope is returned as it is. One Ed25519 signature for the batch.
 */
export function signOwn(envelopes: string[], self: string, privateKeyPem: string, publicKey: string): string[] {
  return signBatch(textForm, envelopes, self, privateKeyPem, publicKey);
}

/** signOwn over envelopes as UTF-8 bytes (the push: UpstreamClient.preparePush). */
export function signOwnBytes(envelopes: Buffer[], self: string, privateKeyPem: string, publicKey: string): Buffer[] {
  return signBatch(bytesForm, envelopes, self, privateKeyPem, publicKey);
}

function signBatch<T extends string | Buffer>(form: Form<T>, envelopes: T[], self: string, privateKeyPem: string, publicKey: string): T[] {
  const mine: number[] = [];
  for (let i = 0; i < envelopes.length; i++) if (unsignedOrigin(form, envelopes[i]!) === self) mine.push(i);
  if (mine.length === 0) return envelopes;
  // Levels of the tree, leaves first.
  const levels: Buffer[][] = [mine.map((i) => leafHash(envelopes[i]!))];
  while (levels[levels.length - 1]!.length > 1) {
    const below = levels[levels.length - 1]!;
    const up: Buffer[] = [];
    for (let j = 0; j < below.length; j += 2) up.push(j + 1 < below.length ? nodeHash(below[j]!, below[j + 1]!) : below[j]!);
    levels.push(up);
  }
  const value = sign(privateKeyPem, rootText(levels[levels.length - 1]![0]!));
  const key = keyFingerprint(publicKey);
  const out = envelopes.slice();
  // Each node is the sibling of one other: its path entry is made once.
  const entries: (string | undefined)[][] = levels.map(() => []);
  const head = `,"sig":{"key":"${key}","value":"${value}","path":[`;
  mine.forEach((envIndex, leaf) => {
    let path = '';
    let j = leaf;
    for (let l = 0; l < levels.length - 1; l++) {
      const level = levels[l]!;
      const sib = j ^ 1;
      if (sib < level.length) {
        const e = (entries[l]![sib] ??= `"${sib < j ? 'L' : 'R'}${level[sib]!.toString('base64')}"`);
        path += path ? `,${e}` : e;
      }
      j >>= 1;
    }
    out[envIndex] = form.append(envelopes[envIndex]!, `${head}${path}]}}`);
  });
  return out;
}

/** Signs one envelope object as its origin (tests and tools; the box signs with signOwn when it sends). */
export function signEnvelope<E extends Envelope>(env: E, privateKeyPem: string, publicKey: string): E {
  const { sig: _drop, ...rest } = env as E & { sig?: unknown };
  return JSON.parse(signOwn([JSON.stringify(rest)], env.from, privateKeyPem, publicKey)[0]!) as E;
}

/**
 * The JSON text of envelopes whose origin signature was verified here, as made while verifying: the text
 * without `sig` is serialised for the leaf anyway, and `sig` goes last (signOwn appends it), so storing a
 * verified envelope to pass it on does not serialise it again.
 */
const verifiedText = new WeakMap<Envelope, string>();

/**
 * The JSON text a received envelope was parsed from (push-body.ts), for verifyOrigin: kept only until
 * verified, when it becomes the envelope's verified text.
 */
const received = new WeakMap<object, { text: string; bytes: Buffer }>();

/**
 * Remembers the text `env` was parsed from, and its UTF-8 bytes (the receiver of a push): they must be
 * exactly what was parsed.
 */
export function keepReceivedText(env: object, text: string, bytes: Buffer = Buffer.from(text)): void {
  received.set(env, { text, bytes });
}

/** An envelope's JSON text (the one made while verifying its origin signature, when it was). */
export function envelopeText(env: Envelope): string {
  return verifiedText.get(env) ?? JSON.stringify(env);
}

/** A key the receiver holds for an origin: from pairing (itself, its upstream, its boxes below) or the registry. */
export interface OriginKey {
  publicKey: string;
  revokedAt: string | null;
}

/**
 * The key with fingerprint `fingerprint` registered for region `from`: undefined when no key at all is
 * registered for `from` yet, null when keys are but none has that fingerprint.
 */
export type OriginKeyLookup = (from: string, fingerprint: string) => OriginKey | null | undefined;

/**
 * Verifies the origin signatures of a batch. `verified` remembers the roots already checked in this batch
 * (one Ed25519 verification per origin batch). Throws, for the message at `index`:
 * - exchange-origin-signature-invalid (no `sig`, a malformed one, a path that does not lead to a root the
 *   key signed, a key revoked at the receiver);
 * - exchange-origin-key-unknown (no key registered for `from` yet: retried later, never applied unverified;
 *   a key is always announced before the messages it signs, so this lasts only until it arrives).
 */
export function verifyOrigin(env: Envelope, index: number, lookup: OriginKeyLookup, verified: Map<string, Set<string>>): void {
  const sig = (env as Envelope & { sig?: unknown }).sig;
  const refuse = (why: string): never => {
    throw new AppError('exchange-origin-signature-invalid', `message ${index}: ${why}`, { index, id: env.id, from: env.from });
  };
  if (sig === undefined) refuse(`no origin signature (sig) from ${env.from}`);
  const s = sig as Partial<OriginSig>;
  if (typeof s.key !== 'string' || typeof s.value !== 'string' || (s.path !== undefined && !Array.isArray(s.path))) refuse('a malformed origin signature');
  const k = lookup(env.from, s.key!);
  if (k === null) refuse(`signed with key ${s.key}, which is not a key of ${env.from}`);
  if (!k) {
    throw new AppError('exchange-origin-key-unknown', `message ${index}: no key ${s.key} registered for ${env.from} yet`, { index, id: env.id, from: env.from, key: s.key });
  }
  if (k.revokedAt) refuse(`signed by ${env.from}'s key ${s.key}, revoked at ${k.revokedAt}`);
  // Nodes already shown to lead to a root this very signature covers: a fold that reaches one is done (to
  // reach it otherwise would take a SHA-256 collision). So the messages of one origin batch cost about two
  // hashes each, and one Ed25519 verification for all of them.
  const memo = `${k.publicKey} ${s.value}`;
  const known = verified.get(memo);
  /** The nodes a leaf's fold passed, when it reaches a known node or a root the signature covers; else null. */
  const fold = (leaf: Buffer): string[] | null => {
    let h = leaf;
    const seen: string[] = [];
    for (const step of s.path ?? []) {
      const id = h.toString('latin1');
      if (known?.has(id)) return seen;
      seen.push(id);
      const sib = typeof step === 'string' && /^[LR][A-Za-z0-9+/]{43}=$/.test(step) ? Buffer.from(step.slice(1), 'base64') : undefined;
      if (!sib || sib.length !== 32) refuse('a malformed origin signature path');
      h = step[0] === 'L' ? nodeHash(sib!, h) : nodeHash(h, sib!);
    }
    const id = h.toString('latin1');
    if (known?.has(id)) return seen;
    if (!verify(k.publicKey, rootText(h), s.value!)) return null;
    seen.push(id);
    return seen;
  };
  // The leaf from the text the envelope was parsed from, when the receiver kept it (push-body.ts): its bytes
  // before `sig` are the origin's, so no serialising. Else, or when that does not verify (a sender that
  // re-serialised it), from the parsed envelope serialised again, which reproduces the origin's text.
  const got = received.get(env);
  const receivedLeaf = got === undefined ? undefined : receivedLeafHash(got.bytes);
  let seen = receivedLeaf === undefined ? null : fold(receivedLeaf);
  let text = got?.text;
  if (!seen) {
    const { sig: _sig, ...rest } = env as Envelope & { sig?: unknown };
    const restText = JSON.stringify(rest);
    seen = fold(leafHash(restText));
    text = restText === '{}' ? undefined : `${restText.slice(0, -1)},"sig":${JSON.stringify(sig)}}`;
  }
  if (!seen) refuse(`the origin signature does not verify with ${env.from}'s key ${s.key}`);
  const set = known ?? new Set<string>();
  for (const id of seen!) set.add(id);
  if (!known) verified.set(memo, set);
  if (text !== undefined) verifiedText.set(env, text);
}

const closing = Buffer.from('}');

/**
 * The leaf of an envelope received as `bytes`: its bytes without `sig` (appended last by signOwn), or
 * undefined when it has none. Should the last `,"sig":{` not be the envelope's own (it would then be nested),
 * the bytes before it are not a JSON object and match no leaf an origin signed: the caller falls back to
 * serialising the parsed envelope.
 */
function receivedLeafHash(bytes: Buffer): Buffer | undefined {
  const at = bytes.lastIndexOf(sigKey);
  if (at < 0) return undefined;
  return crypto.hash('sha256', Buffer.concat([leafPrefixBytes, bytes.subarray(0, at), closing]), 'buffer') as unknown as Buffer;
}
