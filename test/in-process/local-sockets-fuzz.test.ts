// The box's local sockets (control.sock, selftest.sock: firmware-agent/http/local-socket.ts) are an input
// surface too: any method, path and body a local process sends gets a JSON answer with a catalogued code,
// never a crash and never a 500, and the box keeps serving. A property test (fast-check) over both sockets.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import fc from 'fast-check';
import { startTestBox } from '../helpers/box.js';
import { errorCatalogue } from '../../firmware-agent/errors.js';

function ask(socketPath: string, method: string, p: string, body: string | null): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: p, headers: body === null ? {} : { 'content-type': 'application/json' }, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

t.test('the local sockets answer any request with a catalogued code and keep serving', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-sock-'));
  const box = (await startTestBox({ login: false, dataDir: dir, role: 'city', region: '623000', host: '127.0.0.1', port: 0, logger: false })).box;
  t.teardown(async () => {
    await box.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const url = await box.listen();
  const sockets = [path.join(dir, 'control.sock'), path.join(dir, 'selftest.sock')];
  for (let i = 0; i < 100 && !sockets.every((s) => fs.existsSync(s)); i++) await new Promise((r) => setTimeout(r, 50));
  t.ok(sockets.every((s) => fs.existsSync(s)), 'both sockets listen');
  t.equal(fs.statSync(sockets[0]!).mode & 0o777, 0o600, 'mode 0600');

  const paths = fc.oneof(
    fc.constantFrom('/jobs', '/backup', '/selftest', '/jobs/nope/run', '/jobs//run', '/', '/jobs/', '/%00', '/backup?to=/'),
    fc.webPath(),
  );
  // Bodies: JSON values (never an absolute `to`, which would really write a backup somewhere), broken JSON, bytes.
  const bodies = fc.oneof(
    fc.constant(null),
    fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    fc.record({ to: fc.oneof(fc.integer(), fc.constant('relative/dir'), fc.constant(''), fc.constant(null)) }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 60 }),
    fc.constant('{"to": '),
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...sockets), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), paths, bodies, async (sock, method, p, body) => {
      if (method === 'POST' && p === '/backup' && body !== null) {
        try {
          const v = JSON.parse(body) as { to?: unknown } | null;
          if (v && typeof v === 'object' && typeof v.to === 'string' && path.isAbsolute(v.to)) return true;
        } catch {
          /* not JSON: sent as it is */
        }
      }
      // GET and DELETE go without a body (Node's HTTP parser itself refuses a GET with a chunked body).
      const r = await ask(sock, method, p, method === 'GET' || method === 'DELETE' ? null : body);
      if (r.status >= 500) throw new Error(`${method} ${p} on ${path.basename(sock)}: ${r.status} ${r.text.slice(0, 200)}`);
      if (r.status !== 200) {
        const code = (JSON.parse(r.text) as { error?: { code?: string } }).error?.code;
        if (!code || !(code in errorCatalogue)) throw new Error(`${method} ${p}: ${r.status} with an uncatalogued answer ${r.text.slice(0, 200)}`);
      } else JSON.parse(r.text);
      return true;
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
  );
  const health = await fetch(`${url}/healthz`);
  t.equal(health.status, 200, 'the box still serves');
});
