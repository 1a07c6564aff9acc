// Ed25519 keys and request signatures for the exchange (node:crypto only).
//
// What is signed (docs/exchange.md §Signatures): the canonical string
//   edgebox-exchange-v1 \n METHOD \n PATH?QUERY \n SENDER \n TIMESTAMP \n NONCE \n SHA256(BODY) hex
// so a signature covers every message in a batch, cannot be moved to another path or peer, and, with the
// nonce remembered for the skew window, cannot be replayed. Responses are signed over the request's nonce
// so an acknowledgement cannot be forged or replayed either.
import crypto from 'node:crypto';

export interface KeyPair {
  publicKey: string; // SPKI DER, base64
  privateKey: string; // PKCS#8 PEM
}

export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

const publicCache = new Map<string, crypto.KeyObject>();
const privateCache = new Map<string, crypto.KeyObject>();

export function publicKeyObject(spkiBase64: string): crypto.KeyObject {
  let k = publicCache.get(spkiBase64);
  if (!k) {
    k = crypto.createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
    if (k.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key');
    publicCache.set(spkiBase64, k);
  }
  return k;
}

function privateKeyObject(pem: string): crypto.KeyObject {
  let k = privateCache.get(pem);
  if (!k) {
    k = crypto.createPrivateKey(pem);
    privateCache.set(pem, k);
  }
  return k;
}

/**
 * A key's fingerprint: the first 20 bytes of the SHA-256 of its SPKI DER, as 32 Crockford base-32
 * characters. Short enough to read out over the phone or carry in an enrollment code; 160 bits.
 */
export function keyFingerprint(spkiBase64: string): string {
  const h = crypto.createHash('sha256').update(Buffer.from(spkiBase64, 'base64')).digest();
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const b of h.subarray(0, 20)) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** True when `s` is a usable Ed25519 SPKI public key. */
export function isPublicKey(s: string): boolean {
  try {
    publicKeyObject(s);
    return true;
  } catch {
    return false;
  }
}

export function sha256Hex(body: string | Buffer): string {
  return crypto.hash('sha256', body, 'hex');
}

export interface SignedParts {
  method: string;
  path: string; // path and query exactly as sent
  sender: string; // the sender's address (region code)
  timestamp: string; // ISO 8601
  nonce: string;
  /** The body, or (bodySha256) its lower-case hex SHA-256 when the receiver verifies before reading it. */
  body?: string;
  bodySha256?: string;
  /** The body hash of the batch a pipelined push follows (x-edgebox-follows). */
  follows?: string;
}

export function canonicalRequest(p: SignedParts): string {
  const lines = ['edgebox-exchange-v1', p.method.toUpperCase(), p.path, p.sender, p.timestamp, p.nonce, p.bodySha256 ?? sha256Hex(p.body ?? '')];
  // A pipelined push names the batch it follows (push-order.ts): signed, so no one between the boxes can
  // take the order away. Absent, the text is what it always was.
  if (p.follows !== undefined) lines.push(`follows:${p.follows}`);
  return lines.join('\n');
}

export function canonicalResponse(nonce: string, timestamp: string, body: string): string {
  return ['edgebox-exchange-v1-response', nonce, timestamp, sha256Hex(body)].join('\n');
}

export function sign(privateKeyPem: string, text: string): string {
  return crypto.sign(null, Buffer.from(text, 'utf8'), privateKeyObject(privateKeyPem)).toString('base64');
}

export function verify(publicKeySpki: string, text: string, signature: string): boolean {
  try {
    return crypto.verify(null, Buffer.from(text, 'utf8'), publicKeyObject(publicKeySpki), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** A one-time enrollment code: 60 random bits as 12 Crockford base-32 characters, grouped XXXX-XXXX-XXXX. */
export function enrollmentCode(random: (n: number) => Buffer = crypto.randomBytes): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = random(12);
  let out = '';
  for (let i = 0; i < 12; i++) out += alphabet[bytes[i]! & 31];
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8)}`;
}

/** A code as typed, upper case, separators dropped, O read as 0 and I, L as 1 (Crockford). */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[^0-9A-Z]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** Characters of the upstream's key fingerprint an enrollment code carries after its 12 secret ones (100 bits). */
export const codePinLength = 20;

/**
 * Codes are compared case-insensitively, ignoring separators, and stored only as a hash of their secret
 * part (the first 12 characters; what follows is the upstream's key fingerprint, not a secret).
 */
export function enrollmentHash(code: string): string {
  return sha256Hex(`edgebox-enrollment:${normalizeCode(code).slice(0, 12)}`);
}

/** The secret part of an enrollment code (XXXX-XXXX-XXXX) and the key fingerprint prefix it carries ('' when none). */
export function splitEnrollmentCode(code: string): { secret: string; pin: string } {
  const n = normalizeCode(code);
  const s = n.slice(0, 12);
  return { secret: `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`, pin: n.slice(12) };
}

/** An enrollment code with the upstream's key fingerprint: XXXX-XXXX-XXXX-FFFF-FFFF-FFFF-FFFF-FFFF. */
export function codeWithPin(secret: string, upstreamKey: string): string {
  return `${secret}-${keyFingerprint(upstreamKey).slice(0, codePinLength).replace(/.{4}(?!$)/g, '$&-')}`;
}
