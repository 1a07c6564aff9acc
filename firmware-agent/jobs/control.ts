// The local control socket: `<data>/control.sock`, a Unix socket (mode 0600, inside the 0700 data
// directory) through which technician commands on the same machine reach the running box without a
// session: `edgebox jobs`, `edgebox jobs run NAME` and `edgebox backup` run in the box that holds the store
// and its devices. Only the box's own user (or root) can connect; nothing listens on the network.
//   GET  /jobs              the jobs table (as GET /api/admin/jobs)
//   POST /jobs/NAME/run     run a job now; answers its run
//   POST /backup            {"to": DIR?}: a backup now (the backup job's step); answers file and manifest
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Box } from '../app.js';
import { type LocalHandler, replyJson as reply, serveLocalSocket } from '../http/local-socket.js';
import type { JobTable } from './table.js';

export const controlSocketOf = (dataDir: string) => path.join(dataDir, 'control.sock');

/** The body as a JSON object ({} when empty); throws on anything else. */
function parseObject(raw: string): Record<string, unknown> {
  if (!raw) return {};
  const v = JSON.parse(raw) as unknown;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('body must be a JSON object');
  return v as Record<string, unknown>;
}

export async function controlServer(box: Box, jobs: JobTable): Promise<void> {
  const file = controlSocketOf(box.dataDir);
  const log = box.http.log.child({ module: 'control' });
  const handle: LocalHandler = (req, raw, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://box');
    } catch {
      // A request line no URL parser takes (a fuzzer found it threw out of the handler and took the box down).
      return reply(res, 400, { error: { code: 'validation-failed', message: 'not a request path' } });
    }
    const run = /^\/jobs\/([a-z][a-z0-9-]{1,39})\/run$/.exec(url.pathname);
    (async () => {
      if (req.method === 'GET' && url.pathname === '/jobs') return reply(res, 200, { timezone: box.config.current().box.timezone, jobs: jobs.list() });
      if (req.method === 'POST' && run) {
        if (!jobs.has(run[1]!)) return reply(res, 404, { error: { code: 'job-not-found', message: `no job ${run[1]}; jobs: ${jobs.names().join(', ')}` } });
        log.info({ job: run[1] }, 'job run asked for on the control socket');
        return reply(res, 200, { run: await jobs.run(run[1]!, 'manual') });
      }
      if (req.method === 'POST' && url.pathname === '/backup') {
        let body: Record<string, unknown>;
        try {
          body = parseObject(raw);
        } catch (err) {
          return reply(res, 400, { error: { code: 'malformed-json', message: (err as Error).message } });
        }
        if (body.to !== undefined && (typeof body.to !== 'string' || !path.isAbsolute(body.to))) return reply(res, 400, { error: { code: 'validation-failed', message: 'to must be an absolute directory path' } });
        const { runBackup } = await import('./install.js');
        const r = await runBackup(box, typeof body.to === 'string' ? { to: body.to } : {});
        return reply(res, 200, { file: r.result.file, bytes: r.result.bytes, manifest: r.result.manifest, ...r.detail });
      }
      return reply(res, 404, { error: { code: 'route-not-found', message: `${req.method} ${url.pathname}` } });
    })().catch((err: unknown) => reply(res, 500, { error: { code: 'internal-error', message: (err as Error).message } }));
  };
  await serveLocalSocket(box, handle, file, { name: 'control socket', fallback: 'CLI commands will work on the store directly', module: 'control' });
}

/** Asks the box running on `dataDir` through its control socket; null when no box answers there. */
export async function askBox(dataDir: string, method: 'GET' | 'POST', p: string, body?: unknown, timeoutMs = 600_000): Promise<{ status: number; body: unknown } | null> {
  const file = controlSocketOf(dataDir);
  if (!fs.existsSync(file)) return null;
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: file, method, path: p, headers: { 'content-type': 'application/json' }, timeout: timeoutMs }, (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (raw += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(raw) as unknown });
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? resolve(null) : reject(err)));
    req.on('timeout', () => req.destroy(new Error('the running box did not answer on its control socket')));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
