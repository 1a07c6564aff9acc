// Closing the box's HTTP server does not wait for keep-alive connections: one that was busy when close began
// (an exchange long-poll, whose client keeps the connection for its next request) is ended by its answer.
// Without that, close() waits out the keep-alive timeout (72 s), which this test's own timeout would catch.
import http from 'node:http';
import t from 'tap';
import { AccountService } from '../../firmware-agent/accounts/service.js';
import { createHttp } from '../../firmware-agent/http/server.js';
import { openDb } from '../../firmware-agent/store/db.js';

t.test('an answer given after close began ends its keep-alive connection, so close() completes', { timeout: 20_000 }, async (t) => {
  const db = openDb({ file: ':memory:' });
  const accounts = new AccountService({ db, sessionHours: () => 12, throttle: () => ({ maxFailures: 5, lockMinutes: 15 }) });
  const app = await createHttp({ accounts, version: 'test', logger: false });
  let release = () => undefined as void;
  const held = new Promise<void>((r) => (release = r));
  let entered = () => undefined as void;
  const inHandler = new Promise<void>((r) => (entered = r));
  app.get('/api/slow', { config: { public: true } }, async () => {
    entered();
    await held;
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const agent = new http.Agent({ keepAlive: true });
  const answer = new Promise<{ connection: string | undefined; body: string; socketClosed: Promise<void> }>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/slow', agent }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ connection: res.headers.connection, body, socketClosed: new Promise((r) => res.socket.once('close', () => r())) }));
    });
    req.on('error', reject);
  });
  await inHandler;
  const closed = app.close();
  // Close has begun (preClose ran) while the request is in its handler.
  await new Promise((r) => setImmediate(r));
  release();
  const a = await answer;
  t.equal(a.body, '{"ok":true}', 'the request in flight was answered');
  t.equal(a.connection, 'close', 'its answer ends the connection');
  await a.socketClosed;
  await closed;
  t.pass('close() completed');
  agent.destroy();
  db.close();
});
