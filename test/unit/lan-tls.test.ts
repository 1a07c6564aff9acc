// The box's LAN CA and server certificate (firmware-agent/webui/lan-tls.ts): what they certify, that the CA
// survives re-issues, when the server certificate is issued again, and the configured names property-tested.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { ensureLanCertificate, validName } from '../../firmware-agent/webui/lan-tls.js';
import { tempDir } from '../helpers/box.js';

const identity = { names: ['box.local', 'localhost'], addresses: ['10.0.0.5', '127.0.0.1', 'fd00::5'] };

t.test('the CA signs a server certificate for exactly the names and addresses; a restart keeps both', async (t) => {
  const dir = tempDir();
  const now = new Date('2026-12-05T00:00:00Z');
  const a = ensureLanCertificate(dir, identity, now);
  t.equal(a.issued, true);
  const ca = new crypto.X509Certificate(a.caPem);
  const leaf = new crypto.X509Certificate(a.certPem);
  t.ok(ca.ca && !leaf.ca, 'a CA and an end-entity certificate');
  t.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'signed by the CA');
  for (const n of identity.names) t.equal(leaf.checkHost(n), n, `for ${n}`);
  for (const ip of identity.addresses) t.ok(leaf.checkIP(ip), `for ${ip}`);
  t.notOk(leaf.checkHost('other.example'), 'not for another name');
  t.same(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'server authentication only');
  t.equal(new Date(leaf.validTo).getTime() - now.getTime() <= 398 * 86_400_000, true, 'at most 397 days');
  t.ok(crypto.createPublicKey(a.keyPem.replace('PRIVATE', 'PRIVATE')) && leaf.checkPrivateKey(crypto.createPrivateKey(a.keyPem)), 'the key matches');
  const b = ensureLanCertificate(dir, identity, new Date(now.getTime() + 86_400_000));
  t.same([b.issued, b.caFingerprint, b.certFingerprint], [false, a.caFingerprint, a.certFingerprint], 'a restart keeps the CA and the certificate');
});

t.test('new addresses, or the end near, issue a new server certificate from the same CA', async (t) => {
  const dir = tempDir();
  const now = new Date('2026-12-05T00:00:00Z');
  const a = ensureLanCertificate(dir, identity, now);
  const moved = ensureLanCertificate(dir, { ...identity, addresses: ['10.0.0.9', '127.0.0.1'] }, now);
  t.same([moved.issued, moved.caFingerprint === a.caFingerprint, moved.certFingerprint === a.certFingerprint], [true, true, false], 'the box moved: new certificate, same CA');
  t.ok(new crypto.X509Certificate(moved.certPem).checkIP('10.0.0.9'));
  const later = ensureLanCertificate(dir, { ...identity, addresses: ['10.0.0.9', '127.0.0.1'] }, new Date(now.getTime() + 370 * 86_400_000));
  t.same([later.issued, later.caFingerprint], [true, a.caFingerprint], '30 days before the end: issued again, same CA');
  fs.writeFileSync(path.join(dir, 'tls', 'server.crt'), 'garbage');
  const repaired = ensureLanCertificate(dir, { ...identity, addresses: ['10.0.0.9', '127.0.0.1'] }, now);
  t.same([repaired.issued, repaired.caFingerprint], [true, a.caFingerprint], 'a damaged server certificate is made again from the same CA');
  fs.writeFileSync(path.join(dir, 'tls', 'ca.crt'), 'garbage');
  t.throws(() => ensureLanCertificate(dir, identity, now), /LAN CA .* is damaged.*restore ca\.crt and ca\.key from a backup/, 'a damaged CA is not replaced silently: the error says what to do');
});

t.test('property: names the configuration may add', async (t) => {
  fc.assert(
    fc.property(fc.domain(), (d) => validName(d.toLowerCase())),
    { numRuns: 200 },
  );
  for (const bad of ['', 'a..b', '-a.b', 'a b', 'a/b', 'x'.repeat(254), 'ünï.cn']) t.notOk(validName(bad), `refused: ${JSON.stringify(bad).slice(0, 30)}`);
});
