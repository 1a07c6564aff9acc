// A Unix socket in the data directory through which technician commands on the same machine reach the running
// box without a session (`<data>/control.sock` for jobs and backups, `<data>/selftest.sock` for the self-test).
// Mode 0600 inside the 0700 data directory: only the box's own user (or root) can connect; nothing listens on
// the network. One lifecycle for every such socket: a path too long for sun_path is skipped, a socket left by a
// box that died is replaced while one a live box answers on is not taken over, and the socket goes away when
// the box closes. When it cannot listen, the command it serves falls back to working on the store directly.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { Box } from '../app.js';

/** True when something accepts connections on the socket `file` (within 1 s). */
function answers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(file, () => {
      s.destroy();
      resolve(true);
    });
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(false));
  });
}

/** Largest request body a local socket reads, bytes. */
const maxBody = 65536;

export type LocalHandler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

/** Answers a local-socket request with JSON. */
export function replyJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Serves `handle` on the local socket `file` for as long as the box runs. The whole request body is read
 * before `handle` runs (an answer sent before the body was read would cut the connection under a client still
 * writing it); one over 64 KiB is refused. `name` and `fallback` word the warnings ("control socket", "CLI
 * commands will work on the store directly").
 */
export async function serveLocalSocket(box: Box, handle: LocalHandler, file: string, o: { name: string; fallback: string; module: string }): Promise<void> {
  const server = http.createServer((req, res) => {
    let body = '';
    let tooLarge = false;
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      if (tooLarge) return;
      body += c;
      if (body.length > maxBody) tooLarge = true;
    });
    req.on('end', () => {
      if (tooLarge) return replyJson(res, 413, { error: { code: 'payload-too-large', message: `more than ${maxBody} bytes` } });
      handle(req, body, res);
    });
  });
  const log = box.http.log.child({ module: o.module });
  // sun_path holds 107 bytes on Linux.
  if (Buffer.byteLength(file) > 107) {
    log.warn({ file }, `data directory path too long for the ${o.name}; ${o.fallback}`);
    return;
  }
  if (fs.existsSync(file)) {
    if (await answers(file)) {
      log.warn({ file }, `another box answers on the ${o.name} of this data directory; not listening on it`);
      return;
    }
    fs.rmSync(file, { force: true });
  }
  await new Promise<void>((resolve) => {
    server.once('error', (err) => {
      log.warn({ err, file }, `${o.name} unavailable; ${o.fallback}`);
      resolve();
    });
    server.listen(file, () => resolve());
  });
  if (!server.listening) return;
  fs.chmodSync(file, 0o600);
  server.unref();
  box.onClose(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        fs.rmSync(file, { force: true });
      }),
  );
}
