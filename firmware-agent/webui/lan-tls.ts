// The LAN's HTTPS (issue 17 §2; issue 13 finding 5): browsers give a page the microphone only in a secure
// context, so agents reach the staff UI over HTTPS. The box keeps, under <data>/tls/ (never its install tree):
// - its own small CA (ECDSA P-256, path length 0, ten years): what a technician installs once as trusted on
//   the agents' PCs (downloadable at /ca.crt, its SHA-256 fingerprint on the technician page and from
//   `edgebox tls show`);
// - the server certificate that CA signs for the box's names and LAN addresses (hostname, hostname.local,
//   localhost, every non-loopback address, 127.0.0.1, and names the technician adds), valid 397 days (what
//   browsers accept). It is issued again, by the same CA, when the addresses change or 30 days before it ends,
//   so the agents' trust survives.
// Keys are written 0600 with writeFileDurably (a crash leaves the old pair or the new, never half a key).
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeFileDurably } from '../config/store.js';
import { issueCertificate } from '../network/x509.js';

const day = 86_400_000;
const leafDays = 397;
const renewDays = 30;

export interface LanCertificate {
  dir: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** SHA-256 of the CA certificate, `AB:CD:…` as browsers and certmgr show it. */
  caFingerprint: string;
  certFingerprint: string;
  names: string[];
  addresses: string[];
  notAfter: string;
  caNotAfter: string;
  /** The server certificate was issued by this call. */
  issued: boolean;
}

/** The box's names and LAN addresses (IPv6 link-local addresses are left out: browsers do not use them in URLs). */
export function lanIdentity(extra: string[] = []): { names: string[]; addresses: string[] } {
  const host = os.hostname().toLowerCase();
  const names = new Set(['localhost', host, ...(host.includes('.') ? [] : [`${host}.local`])]);
  const addresses = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80'))) addresses.add(a.address);
  }
  for (const e of extra) (net.isIP(e) ? addresses : names).add(e.toLowerCase());
  return { names: [...names].filter(validName).sort(), addresses: [...addresses].sort() };
}

/** A DNS name a certificate may carry (letters, digits, hyphens, dots; a leading `*.` wildcard). */
export function validName(n: string): boolean {
  return n.length <= 253 && /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(n);
}

const fingerprint = (pem: string) => new crypto.X509Certificate(pem).fingerprint256;

function read(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Loads the box's CA and server certificate from `<dataDir>/tls`, making what is missing, stale (another set
 * of names or addresses) or near its end. `now` for tests.
 */
export function ensureLanCertificate(dataDir: string, identity = lanIdentity(), now = new Date(), boxName = 'EdgeBox 12328'): LanCertificate {
  const dir = path.join(dataDir, 'tls');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (n: string) => path.join(dir, n);
  let caPem = read(file('ca.crt'));
  let caKeyPem = read(file('ca.key'));
  const caEnds = (pem: string) => {
    try {
      return new Date(new crypto.X509Certificate(pem).validTo).getTime();
    } catch {
      return Number.POSITIVE_INFINITY; // damaged: reported below, not replaced
    }
  };
  if (!caPem || !caKeyPem || caEnds(caPem) - now.getTime() < renewDays * day) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const cn = `${boxName} LAN CA ${crypto.randomBytes(4).toString('hex')}`;
    caPem = issueCertificate({
      subject: { cn, o: boxName },
      issuer: { cn, o: boxName },
      publicKey: spki,
      signingKey: privateKey,
      issuerPublicKey: spki,
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + 3650 * day),
      ca: true,
    });
    caKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    writeFileDurably(file('ca.key'), caKeyPem, 0o600);
    writeFileDurably(file('ca.crt'), caPem, 0o644);
    fs.rmSync(file('server.crt'), { force: true });
  }
  const want = JSON.stringify({ names: identity.names, addresses: identity.addresses });
  let certPem = read(file('server.crt'));
  let keyPem = read(file('server.key'));
  let issued = false;
  // A damaged server certificate is made again (nothing depends on it); a damaged CA is not replaced silently,
  // since every agent's PC trusts that one.
  let current: crypto.X509Certificate | null = null;
  try {
    current = certPem ? new crypto.X509Certificate(certPem) : null;
  } catch {
    current = null;
  }
  let ca: crypto.X509Certificate;
  try {
    ca = new crypto.X509Certificate(caPem);
    crypto.createPrivateKey(caKeyPem);
  } catch (err) {
    throw new Error(`the LAN CA in ${dir} is damaged (${(err as Error).message}): restore ca.crt and ca.key from a backup, or delete them to make a new CA that every agent's PC must then trust again (docs/https.md)`);
  }
  const stale =
    !current ||
    !keyPem ||
    read(file('server.json')) !== want ||
    !current.checkIssued(ca) ||
    !current.verify(ca.publicKey) ||
    new Date(current.validTo).getTime() - now.getTime() < renewDays * day;
  if (stale) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const caSubject = ca.subject.split('\n').reduce<{ cn: string; o?: string }>((acc, l) => {
      if (l.startsWith('CN=')) acc.cn = l.slice(3);
      if (l.startsWith('O=')) acc.o = l.slice(2);
      return acc;
    }, { cn: '' });
    certPem = issueCertificate({
      subject: { cn: identity.names.find((n) => n !== 'localhost') ?? 'localhost', o: caSubject.o ?? boxName },
      issuer: caSubject,
      publicKey: publicKey.export({ type: 'spki', format: 'der' }),
      signingKey: crypto.createPrivateKey(caKeyPem),
      issuerPublicKey: ca.publicKey.export({ type: 'spki', format: 'der' }),
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + leafDays * day),
      ca: false,
      dnsNames: identity.names,
      ipAddresses: identity.addresses,
    });
    keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    writeFileDurably(file('server.key'), keyPem, 0o600);
    writeFileDurably(file('server.crt'), certPem, 0o644);
    writeFileDurably(file('server.json'), want, 0o644);
    issued = true;
  }
  const leaf = new crypto.X509Certificate(certPem!);
  return {
    dir,
    caPem,
    certPem: certPem!,
    keyPem: keyPem!,
    caFingerprint: fingerprint(caPem),
    certFingerprint: leaf.fingerprint256,
    names: identity.names,
    addresses: identity.addresses,
    notAfter: new Date(leaf.validTo).toISOString(),
    caNotAfter: new Date(ca.validTo).toISOString(),
    issued,
  };
}
