import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/box.js';
import { HttpClient, runCli, startBoxProcess } from '../helpers/process.js';

t.test('edgebox start runs a box that answers /healthz and writes a random admin password', async (t) => {
  const dir = tempDir('edgebox-start-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const box = await startBoxProcess([], { EDGEBOX_DATA: dir });
  t.teardown(() => box.child.kill('SIGKILL'));
  t.match(box.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'listens on loopback by default');
  const api = new HttpClient(box.url);
  const health = await api.request('GET', '/healthz');
  t.equal(health.status, 200);
  t.match(health.json, { status: String, role: 'city', region: '623000', version: '0.1.0' });

  const file = path.join(dir, 'initial-admin-password');
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'the password file is readable by its owner only');
  const password = fs.readFileSync(file, 'utf8').trim();
  t.ok(password.length >= 16, 'a long random password');
  for (const guess of ['admin', 'password', '12328', 'admin123']) {
    t.equal((await api.request('POST', '/api/session', { username: 'admin', password: guess })).status, 401, `no default password "${guess}"`);
  }
  await api.login('admin', password);
  const me = await api.request('GET', '/api/session');
  t.equal(me.json.user.role, 'admin');

  const spec = await api.request('GET', '/api/openapi.json');
  t.equal(spec.status, 200, 'the OpenAPI description is served');
  for (const p of ['/api/session', '/api/tickets', '/api/tickets/{number}', '/api/tickets/{number}/actions', '/api/tickets/{number}/audit', '/api/departments', '/api/users']) {
    t.ok(spec.json.paths[p], `documents ${p}`);
  }
  box.child.kill('SIGTERM');
  t.equal((await box.exited).code, 0, 'SIGTERM stops it cleanly');

  const second = await startBoxProcess(['--data', dir]);
  t.teardown(() => second.child.kill('SIGKILL'));
  t.equal(fs.readFileSync(file, 'utf8').trim(), password, 'a restart keeps the admin password');
  second.child.kill('SIGTERM');
  await second.exited;
});

t.test('a province box starts with its role and region, and a bad config stops the box with the key named', async (t) => {
  const dir = tempDir('edgebox-province-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const box = await startBoxProcess(['--data', dir, '--role', 'province', '--region', '620000']);
  t.teardown(() => box.child.kill('SIGKILL'));
  const health = await new HttpClient(box.url).request('GET', '/healthz');
  t.match(health.json, { role: 'province', region: '620000', regionName: '甘肃省' });
  box.child.kill('SIGTERM');
  await box.exited;

  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  cfg.tickets.deadlines.complaint = 0;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
  await t.rejects(startBoxProcess(['--data', dir]), /tickets\.deadlines\.complaint/, 'the bad value is named');

  const bad = runCli(['start', '--data', dir, '--port', 'eighty']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /--port must be a TCP port number/);
  const unknown = runCli(['frobnicate']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown command frobnicate/);
});
