// A self-signed X.509 certificate for the box's exchange key (Ed25519, RFC 8410), built with node:crypto
// and a few lines of DER: the exchange's TLS certificate carries the same key the box signs messages with,
// so one fingerprint (in the enrollment code) pins both. Nothing here is trusted by its signature or names:
// a peer pins the certificate's public key; the TLS handshake proves the server holds its private key.
import crypto from 'node:crypto';

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
const int = (b: Buffer) => tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);

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
    int(crypto.randomBytes(16)),
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
