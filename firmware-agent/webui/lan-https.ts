// The staff UI and API over HTTPS on the LAN (issue 17 §2), beside plain HTTP: the same fastify app (same
// routes, hooks and sessions) behind a second listener with the box's LAN certificate (./lan-tls.ts), started
// once the box listens, on the same address, at `http.httpsPort` (default: the HTTP port + 2, 8330; 0: any
// free port; -1: none). The certificate is checked daily (and at start): when the box's addresses changed or
// it nears its end it is issued again and the listener takes it without a restart.
//   GET /ca.crt, /ca.pem      the box CA, for technicians to install on agents' PCs (no login: it is public)
//   GET /api/admin/tls        admin, technician: fingerprints, names, addresses, validity, the HTTPS address
//   GET /api/ui/https         any user: the HTTPS port, for the UI's notice when it is reached over plain HTTP
import https from 'node:https';
import type { Box, BoxOptions } from '../app.js';
import { errorResponses } from '../http/server.js';
import { type LanCertificate, ensureLanCertificate, lanIdentity } from './lan-tls.js';
import type { TlsView } from './view-types.js';

const checkEveryMs = 24 * 3600_000;

export interface LanHttps {
  certificate(): LanCertificate;
  /** The HTTPS address once listening (`https://host:port`), else null. */
  url(): string | null;
}

export const lanHttpsOf = new WeakMap<Box, LanHttps>();

export async function installLanHttps(box: Box, opts: BoxOptions): Promise<void> {
  const log = box.http.log.child({ module: 'lan-https' });
  const extra = () => box.config.current().http.tlsNames ?? [];
  let cert: LanCertificate;
  try {
    cert = ensureLanCertificate(box.dataDir, lanIdentity(extra()), box.now(), box.config.current().box.name);
  } catch (err) {
    // The box still runs on plain HTTP; the technician reads why in the journal and on /healthz.
    log.error({ err }, `LAN HTTPS is off: ${(err as Error).message}`);
    box.health.register('lan-https', () => ({ ok: false, warnings: [`LAN HTTPS is off: ${(err as Error).message}`] }));
    return;
  }
  if (cert.issued) log.info({ names: cert.names, addresses: cert.addresses, caFingerprint: cert.caFingerprint }, 'LAN HTTPS certificate issued');
  let server: https.Server | null = null;
  let url: string | null = null;
  lanHttpsOf.set(box, { certificate: () => cert, url: () => url });

  const recheck = () => {
    try {
      const next = ensureLanCertificate(box.dataDir, lanIdentity(extra()), box.now(), box.config.current().box.name);
      if (next.issued) {
        log.info({ names: next.names, addresses: next.addresses, notAfter: next.notAfter }, 'LAN HTTPS certificate issued again (addresses changed or near its end)');
        server?.setSecureContext({ key: next.keyPem, cert: next.certPem });
      }
      cert = next;
    } catch (err) {
      log.error({ err }, 'LAN HTTPS certificate check failed; the current certificate stays in use');
    }
  };

  const pem = async (_req: unknown, reply: { type(t: string): { header(k: string, v: string): { send(b: string): unknown } } }) =>
    reply.type('application/x-x509-ca-cert').header('content-disposition', 'attachment; filename="edgebox-lan-ca.crt"').send(cert.caPem);
  box.http.get('/ca.crt', { config: { public: true }, schema: { hide: true } }, pem);
  box.http.get('/ca.pem', { config: { public: true }, schema: { hide: true } }, pem);
  box.http.get(
    '/api/admin/tls',
    {
      config: { roles: ['admin', 'technician'] },
      schema: {
        tags: ['admin'],
        summary: "The LAN HTTPS certificate: the box CA's fingerprint (what agents' PCs must trust), the names and addresses, validity, the HTTPS address",
        response: errorResponses(401, 403),
      },
    },
    async () => ({
      url,
      caFingerprint: cert.caFingerprint,
      caNotAfter: cert.caNotAfter,
      certFingerprint: cert.certFingerprint,
      names: cert.names,
      addresses: cert.addresses,
      notAfter: cert.notAfter,
      download: '/ca.crt',
    }) satisfies TlsView,
  );

  // The UI on plain HTTP away from this machine offers its HTTPS address (the desk's microphone needs it).
  box.http.get(
    '/api/ui/https',
    { schema: { tags: ['ui'], summary: 'The port the staff UI is served on over HTTPS (null when off), for the plain-HTTP notice', response: errorResponses(401) } },
    async () => {
      const port = url ? Number(new URL(url).port) : null;
      return { port };
    },
  );

  const httpPort = opts.port ?? box.config.current().http.port;
  const port = box.config.current().http.httpsPort ?? (httpPort === 0 ? 0 : httpPort + 2);
  if (port < 0) return;
  box.http.addHook('onListen', async () => {
    const a = box.http.server.address();
    const host = a && typeof a === 'object' ? a.address : '127.0.0.1';
    const s = https.createServer({ key: cert.keyPem, cert: cert.certPem, minVersion: 'TLSv1.2' }, (req, res) => box.http.routing(req, res));
    s.on('tlsClientError', (err) => log.debug({ err }, 'LAN HTTPS handshake failed'));
    try {
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => resolve());
      });
    } catch (err) {
      // Plain HTTP keeps working; the technician page says HTTPS is not available and why.
      log.error({ err, port }, `LAN HTTPS could not listen on port ${port}: the staff UI is on plain HTTP only (set http.httpsPort)`);
      return;
    }
    server = s;
    const p = (s.address() as { port: number }).port;
    const shown = host === '0.0.0.0' || host === '::' ? (cert.addresses.find((x) => !x.includes(':') && x !== '127.0.0.1') ?? '127.0.0.1') : host;
    url = `https://${shown.includes(':') ? `[${shown}]` : shown}:${p}`;
    log.info({ url, caFingerprint: cert.caFingerprint }, 'staff UI listening over HTTPS');
  });
  const timer = setInterval(recheck, checkEveryMs);
  timer.unref();
  box.http.addHook('preClose', async () => {
    clearInterval(timer);
    const s = server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });
}
