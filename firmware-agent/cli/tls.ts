// `edgebox tls show [--json]` — the LAN HTTPS certificate: the CA's fingerprint (what to check on each
// agent's PC), the names and addresses the server certificate carries, validity, files; `edgebox tls renew`
// — issue the server certificate again now (same CA) for the box's current names and addresses. Both work on
// <data>/tls directly, with or without the box running; a running box takes a renewed certificate at its
// daily check or its next start. docs/https.md.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openConfig } from '../config/store.js';
import { ensureLanCertificate, lanIdentity, type LanCertificate } from '../webui/lan-tls.js';
import { dataDirOf } from './main.js';

export const tlsUsage = `  tls show [--json] [--data DIR]
        the LAN HTTPS certificate: CA fingerprint to check on agents' PCs, names and addresses, validity
  tls renew [--json] [--data DIR]
        issue the server certificate again now from the same CA (new addresses); the box takes it at its daily check or restart
`;

function describe(c: LanCertificate, port: number | null): string {
  return [
    `CA fingerprint (SHA-256): ${c.caFingerprint}`,
    `  check it on each agent's PC before trusting ${path.join(c.dir, 'ca.crt')} (also served at /ca.crt); valid until ${c.caNotAfter}`,
    `server certificate for: ${[...c.names, ...c.addresses].join(', ')}`,
    `  valid until ${c.notAfter}${c.issued ? ' (issued now)' : ''}`,
    port === null ? 'HTTPS: off (http.httpsPort -1)' : `HTTPS: https://<box address>:${port}/`,
    '',
  ].join('\n');
}

export async function tlsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, data: { type: 'string' } }, strict: true });
  const sub = positionals[0];
  if ((sub !== 'show' && sub !== 'renew') || positionals.length > 1) throw new Error(`usage:\n${tlsUsage}`);
  const dataDir = dataDirOf(values);
  if (!fs.existsSync(dataDir)) throw new Error(`no data directory ${dataDir}: pass --data DIR (the box's, e.g. /var/lib/edgebox)`);
  const cfg = (await openConfig(dataDir)).current();
  if (sub === 'renew') fs.rmSync(path.join(dataDir, 'tls', 'server.json'), { force: true });
  else if (!fs.existsSync(path.join(dataDir, 'tls', 'ca.crt'))) throw new Error(`no LAN certificate in ${path.join(dataDir, 'tls')} yet: the box makes it at its first start`);
  const c = ensureLanCertificate(dataDir, lanIdentity(cfg.http.tlsNames ?? []), new Date(), cfg.box.name);
  const port = cfg.http.httpsPort === -1 ? null : (cfg.http.httpsPort ?? cfg.http.port + 2);
  if (values.json) process.stdout.write(`${JSON.stringify({ caFingerprint: c.caFingerprint, caNotAfter: c.caNotAfter, certFingerprint: c.certFingerprint, names: c.names, addresses: c.addresses, notAfter: c.notAfter, issued: c.issued, dir: c.dir, httpsPort: port })}\n`);
  else process.stdout.write(describe(c, port) + (sub === 'renew' ? 'a running box takes the new certificate at its daily check, or restart it now: systemctl restart edgebox\n' : ''));
  return 0;
}
