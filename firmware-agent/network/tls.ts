// The exchange over TLS (issue 13, finding 5). An upstream box serves the exchange endpoints on a TLS port
// with a certificate for its exchange key (x509.ts); a box below pins that key by its fingerprint — first
// the prefix carried in the enrollment code, then the full fingerprint of the key it learnt when pairing —
// and checks it as soon as the TLS handshake is done, before a byte of its request is written. So a man in
// the middle at pairing time never sees the enrollment code, and one later never sees a message.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { AppError } from '../errors.js';
import { keyFingerprint } from './crypto.js';
import { selfSignedCertificate } from './x509.js';

/** The fingerprint of the key a TLS peer presented, or null. */
export function peerKeyFingerprint(socket: tls.TLSSocket): string | null {
  const cert = socket.getPeerX509Certificate();
  if (!cert) return null;
  try {
    return keyFingerprint(cert.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
  } catch {
    return null;
  }
}

function connectPinned(url: URL, pin: string, signal?: AbortSignal | null): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tls.connect({
      host,
      port: Number(url.port || 443),
      ...(net.isIP(host) ? {} : { servername: host }),
      // The certificate is self-signed: trust comes from the pinned key, checked below.
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const onAbort = () => socket.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    socket.once('secureConnect', () => {
      const fp = peerKeyFingerprint(socket);
      if (!fp || !fp.startsWith(pin)) {
        socket.destroy();
        signal?.removeEventListener('abort', onAbort);
        reject(new AppError('exchange-upstream-key-mismatch', `${url.origin} presented the key ${fp ?? '(none)'}, not ${pin}…: a man in the middle, or not the upstream`, { upstream: url.origin, presented: fp, expected: pin }));
        return;
      }
      resolve(socket);
    });
  });
}

/**
 * A fetch that speaks HTTPS to a peer whose key fingerprint starts with `pin`, one connection per request.
 * Enough of fetch for the exchange client and pairing: method, headers, a string or byte body, an abort signal.
 */
export function pinnedFetch(pin: string): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.protocol !== 'https:') throw new AppError('network-upstream-url-invalid', `a pinned connection needs https, not ${url.protocol}`);
    const body = init?.body ?? undefined;
    // Any other body type would go out empty, and the signature over its hash would fail far from here.
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) throw new TypeError('pinnedFetch sends a string or bytes as the body');
    const signal = init?.signal ?? null;
    signal?.throwIfAborted();
    const socket = await connectPinned(url, pin, signal);
    return await new Promise<Response>((resolve, reject) => {
      // Plain HTTP framing over the already verified TLS socket.
      const req = http.request({
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: init?.method ?? 'GET',
        headers: { ...(init?.headers as Record<string, string> | undefined), host: url.host, connection: 'close' },
        createConnection: () => socket,
      });
      const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', reject);
        res.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 502, headers }));
        });
      });
      req.end(body);
    });
  }) as typeof fetch;
}

/**
 * Serves the exchange endpoints (and nothing else) over TLS with a certificate for the exchange key,
 * handing each request to the box's own router (same hooks, same routes as on the plain port).
 */
export function exchangeTlsServer(privateKeyPem: string, name: string, now: Date, route: (req: http.IncomingMessage, res: http.ServerResponse) => void): https.Server {
  const cert = selfSignedCertificate(privateKeyPem, name, now);
  return https.createServer({ key: privateKeyPem, cert, minVersion: 'TLSv1.3' }, (req, res) => {
    if (!req.url?.startsWith('/api/exchange/')) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'route-not-found', message: 'only the exchange is served on this port', messageZh: '此端口仅提供数据交换接口' } }));
      return;
    }
    route(req, res);
  });
}
