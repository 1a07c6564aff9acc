// X.509 certificates built with node:crypto and a few lines of DER (RFC 5280), no certificate library:
// - the exchange's self-signed certificate for the box's Ed25519 exchange key (RFC 8410): the exchange's TLS
//   certificate carries the same key the box signs messages with, so one fingerprint (in the enrollment code)
//   pins both. Nothing there is trusted by its signature or names: a peer pins the certificate's public key;
//   the TLS handshake proves the server holds its private key.
// - `issueCertificate`: ECDSA P-256 certificates with the extensions browsers check (basic constraints, key
//   usage, server-auth EKU, subject alternative names, key identifiers), for the LAN's HTTPS (a box CA that
//   technicians install on agents' PCs, and the server certificate it signs: firmware-agent/webui/lan-tls.ts).
import crypto from 'node:crypto';
import net from 'node:net';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const oid = (der: number[]) => tlv(0x06, Buffer.from(der));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
/**
 * A DER INTEGER of the unsigned big-endian `b`, in its minimal form (X.690 §8.3.2): leading zero bytes dropped,
 * one put back when the top bit is set. OpenSSL refuses any other ("illegal padding"): a random serial
 * starting with a zero byte once made one certificate in about 500 unreadable.
 */
export function derInteger(b: Buffer): Buffer {
  let start = 0;
  while (start < b.length - 1 && b[start] === 0) start++;
  const v = b.subarray(start);
  return tlv(0x02, v.length === 0 ? Buffer.from([0]) : v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}
const int = derInteger;

/** A certificate serial: 16 random bytes, positive, its first byte never zero (RFC 5280 §4.1.2.2: at most 20 octets). */
function randomSerial(): Buffer {
  const serial = crypto.randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial;
}

/** id-Ed25519 (1.3.101.112) and id-at-commonName (2.5.4.3). */
const ed25519 = seq(oid([0x2b, 0x65, 0x70]));
const commonName = (cn: string) => seq(set(seq(oid([0x55, 0x04, 0x03]), utf8(cn))));

/** UTCTime up to 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

/** A PEM certificate for the Ed25519 key pair (PKCS#8 PEM private key), subject and issuer CN `name`. */
export function selfSignedCertificate(privateKeyPem: string, name: string, now: Date): string {
  const key = crypto.createPrivateKey(privateKeyPem);
  const spki = crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))), // v3
    int(randomSerial()),
    ed25519,
    commonName(name),
    seq(time(new Date(now.getTime() - 86_400_000)), tlv(0x18, Buffer.from('99991231235959Z'))), // no well-defined expiry (RFC 5280)
    commonName(name),
    spki,
  );
  const signature = crypto.sign(null, tbs, key);
  const der = seq(tbs, ed25519, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}

const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const ecdsaWithSha256 = seq(oid([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]));
const extension = (id: number[], critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** CN (and O) as an X.500 name. */
function name(cn: string, o?: string): Buffer {
  return seq(...(o ? [set(seq(oid([0x55, 0x04, 0x0a]), utf8(o)))] : []), set(seq(oid([0x55, 0x04, 0x03]), utf8(cn))));
}

/** The key identifier of a public key (RFC 5280 §4.2.1.2, method 1: SHA-1 of the subjectPublicKey bits). */
export function keyIdentifier(spkiDer: Buffer): Buffer {
  // SPKI = SEQUENCE { algorithm, BIT STRING }: the BIT STRING is the last element; skip its tag, length, unused-bits byte.
  const pub = crypto.createPublicKey({ key: spkiDer, format: 'der', type: 'spki' }).export({ format: 'jwk' }) as { x?: string; y?: string };
  const raw = pub.x && pub.y ? Buffer.concat([Buffer.from([4]), Buffer.from(pub.x, 'base64url'), Buffer.from(pub.y, 'base64url')]) : spkiDer;
  return crypto.createHash('sha1').update(raw).digest();
}

export interface CertificateSpec {
  subject: { cn: string; o?: string };
  issuer: { cn: string; o?: string };
  /** The certified public key (SPKI DER). */
  publicKey: Buffer;
  /** The issuer's ECDSA P-256 private key (the subject's own for a self-signed CA). */
  signingKey: crypto.KeyObject;
  /** The issuer's public key, for the authority key identifier. */
  issuerPublicKey: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** A CA that may sign end-entity certificates only (path length 0). */
  ca: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
}

/** An ECDSA P-256 certificate (PEM) as `spec` says, signed with ecdsa-with-SHA256. */
export function issueCertificate(spec: CertificateSpec): string {
  const ski = keyIdentifier(spec.publicKey);
  const exts: Buffer[] = [
    extension([0x55, 0x1d, 0x13], true, spec.ca ? seq(bool(true), int(Buffer.from([0]))) : seq()),
    // keyCertSign + cRLSign (bits 5, 6) for the CA; digitalSignature (bit 0) for a TLS server with an EC key.
    extension([0x55, 0x1d, 0x0f], true, spec.ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7)),
    extension([0x55, 0x1d, 0x0e], false, octets(ski)),
    extension([0x55, 0x1d, 0x23], false, seq(tlv(0x80, keyIdentifier(spec.issuerPublicKey)))),
  ];
  if (!spec.ca) {
    exts.push(extension([0x55, 0x1d, 0x25], false, seq(oid([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]))));
    const names = [
      ...(spec.dnsNames ?? []).map((d) => tlv(0x82, Buffer.from(d, 'ascii'))),
      ...(spec.ipAddresses ?? []).map((ip) => tlv(0x87, ipBytes(ip))),
    ];
    if (names.length === 0) throw new Error('a server certificate needs at least one name or address');
    exts.push(extension([0x55, 0x1d, 0x11], false, seq(...names)));
  }
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(randomSerial()),
    ecdsaWithSha256,
    name(spec.issuer.cn, spec.issuer.o),
    seq(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject.cn, spec.subject.o),
    spec.publicKey,
    tlv(0xa3, seq(...exts)),
  );
  const signature = crypto.sign('sha256', tbs, spec.signingKey); // DER ECDSA-Sig-Value, as X.509 wants it
  const der = seq(tbs, ecdsaWithSha256, bits(signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}

/** An IPv4 or IPv6 address as the 4 or 16 bytes of an iPAddress name. */
function ipBytes(ip: string): Buffer {
  if (net.isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!net.isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  const [head, tail = ''] = ip.split('::') as [string, string?];
  const part = (s: string) => (s ? s.split(':') : []);
  const h = part(head);
  const t = ip.includes('::') ? part(tail) : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
