// DER integers in the box's own certificates (network/x509.ts): minimal as X.690 requires, since OpenSSL
// refuses a padded one. A random serial beginning with a zero byte once made about one certificate in 500
// unreadable ("illegal padding"): many certificates are issued here and each must parse.
import crypto from 'node:crypto';
import fc from 'fast-check';
import t from 'tap';
import { derInteger, issueCertificate, selfSignedCertificate } from '../../firmware-agent/network/x509.js';
import { generateKeyPair } from '../../firmware-agent/network/crypto.js';

t.test('property: an integer is encoded minimally and reads back as the same unsigned value', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), (bytes) => {
      const der = derInteger(Buffer.from(bytes));
      if (der[0] !== 0x02 || der[1] !== der.length - 2) return false;
      const v = der.subarray(2);
      // Minimal: no leading 0x00 unless the next byte has its top bit set; never negative.
      if (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80)) return false;
      if (v[0]! & 0x80) return false;
      return BigInt(`0x${Buffer.from(bytes).toString('hex')}`) === BigInt(`0x${v.toString('hex')}`);
    }),
    { numRuns: 2000 },
  );
  t.same([...derInteger(Buffer.from([0, 0, 5]))], [2, 1, 5], 'leading zeros dropped');
  t.same([...derInteger(Buffer.from([0, 0x80]))], [2, 2, 0, 0x80], 'one zero kept before a top bit');
  t.same([...derInteger(Buffer.from([0]))], [2, 1, 0], 'zero');
});

t.test('a thousand certificates of each kind, each read by OpenSSL', async (t) => {
  const ca = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = ca.publicKey.export({ type: 'spki', format: 'der' });
  const now = new Date('2026-12-05T00:00:00Z');
  let read = 0;
  for (let i = 0; i < 1000; i++) {
    const pem = issueCertificate({
      issuer: { cn: 'Edge Box LAN CA' },
      subject: { cn: 'box.local' },
      publicKey: spki,
      signingKey: ca.privateKey,
      issuerPublicKey: spki,
      notBefore: now,
      notAfter: new Date(now.getTime() + 86_400_000),
      ca: false,
      dnsNames: ['box.local'],
    });
    if (new crypto.X509Certificate(pem).serialNumber.length > 0) read++;
  }
  t.equal(read, 1000, 'issued certificates');
  const key = generateKeyPair();
  let self = 0;
  for (let i = 0; i < 1000; i++) if (new crypto.X509Certificate(selfSignedCertificate(key.privateKey, 'box', now)).serialNumber.length > 0) self++;
  t.equal(self, 1000, 'self-signed exchange certificates');
});
