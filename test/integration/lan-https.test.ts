// The staff UI over HTTPS on the LAN (issue 17 §2): a box makes its CA and server certificate under its data
// directory at first start, serves the CA at /ca.crt, and answers over HTTPS with a certificate that a client
// trusting only that CA accepts for the box's addresses and names; a client that does not trust it refuses.
// A restart keeps the CA (the agents' PCs keep trusting it); new names issue a new server certificate from it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import t from 'tap';
import { lanHttpsOf } from '../../firmware-agent/webui/lan-https.js';
import { startTestBox, tempDir } from '../helpers/box.js';
import { runCli } from '../helpers/process.js';

function get(url: string, ca: string | null, servername?: string): Promise<{ status: number; body: string; peer: crypto.X509Certificate }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = https.get({ host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path: u.pathname, ...(ca ? { ca } : {}), rejectUnauthorized: true, ...(servername ? { servername, headers: { host: servername } } : {}) }, (res) => {
      let body = '';
      const peer = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate()!;
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peer }));
    });
    req.on('error', reject);
  });
}

t.test('the box serves its CA and the staff UI over HTTPS with a certificate that CA signed for its addresses', async (t) => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ http: { host: '127.0.0.1', port: 8328, httpsPort: 0, tlsNames: ['edgebox.lan'] } }));
  const tb = await startTestBox({ dataDir: dir });
  t.teardown(() => tb.close());
  const httpUrl = await tb.box.listen();
  const lan = lanHttpsOf.get(tb.box)!;
  // The HTTPS listener starts in the box's onListen hook, which may finish just after listen() resolves.
  for (let i = 0; i < 200 && !lan.url(); i++) await new Promise((r) => setTimeout(r, 10));
  const url = lan.url()!;
  t.match(url, /^https:\/\/127\.0\.0\.1:\d+$/, 'listening over HTTPS');

  const ca = await (await fetch(`${httpUrl}/ca.crt`)).text();
  t.match(ca, /^-----BEGIN CERTIFICATE-----/, '/ca.crt without a login');
  const caCert = new crypto.X509Certificate(ca);
  t.ok(caCert.ca, 'it is a CA certificate');
  t.equal(caCert.fingerprint256, lan.certificate().caFingerprint);

  const health = await get(`${url}/healthz`, ca);
  t.equal(health.status, 200, 'a client trusting only the box CA accepts the server certificate for 127.0.0.1');
  t.ok(health.peer.checkIssued(caCert) && health.peer.verify(caCert.publicKey), 'signed by the box CA');
  t.ok(health.peer.checkHost('edgebox.lan') && health.peer.checkHost('localhost'), 'carries the configured name and localhost');
  t.ok(new Date(health.peer.validTo).getTime() - Date.now() <= 398 * 86_400_000, 'valid no longer than browsers accept');
  const index = await get(`${url}/`, ca);
  t.match(index.body, /<html/i, 'the staff UI');
  await t.rejects(get(`${url}/healthz`, null), /self-signed|unable to verify|certificate/i, 'a client that does not trust the box CA refuses');

  const info = (await tb.admin.get('/api/admin/tls')).json();
  t.same([info.url, info.caFingerprint, info.download], [url, caCert.fingerprint256, '/ca.crt'], 'GET /api/admin/tls for the technician page');
  t.ok(info.names.includes('edgebox.lan') && info.addresses.includes('127.0.0.1'));
  const modes = ['ca.key', 'server.key'].map((f) => fs.statSync(path.join(dir, 'tls', f)).mode & 0o777);
  t.same(modes, [0o600, 0o600], 'private keys readable by the box only');

  // The technician's commands, on the data directory (the box may be running).
  const shown = runCli(['tls', 'show', '--json', '--data', dir]);
  t.equal(shown.code, 0, shown.stderr);
  const before = JSON.parse(shown.stdout);
  t.same([before.caFingerprint, before.issued], [caCert.fingerprint256, false], 'edgebox tls show: the CA fingerprint; nothing issued');
  t.match(runCli(['tls', 'show', '--data', dir]).stdout, /CA fingerprint \(SHA-256\): [0-9A-F:]{95}\n  check it on each agent's PC/);
  const renewed = JSON.parse(runCli(['tls', 'renew', '--json', '--data', dir]).stdout);
  t.same([renewed.issued, renewed.caFingerprint === before.caFingerprint, renewed.certFingerprint === before.certFingerprint], [true, true, false], 'edgebox tls renew: a new server certificate from the same CA');
  const none = runCli(['tls', 'show', '--data', tempDir()]);
  t.match(none.stderr, /no LAN certificate in .* yet: the box makes it at its first start/);
  t.match(runCli(['tls', 'frobnicate', '--data', dir]).stderr, /usage:[\s\S]*tls show/);
});
