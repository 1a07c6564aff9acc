import t from 'tap';
import { complaint, staff, startTestBox, strongPassword } from '../helpers/box.js';
import { runCli } from '../helpers/process.js';

t.test('bad input gets a clear error code and changes nothing', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const count = async () => (await s.supervisor.get('/api/tickets')).json().total as number;
  const auditCount = async () => (await tb.admin.get('/api/audit?limit=500')).json().items.length as number;
  const beforeTickets = await count();
  const beforeAudit = await auditCount();

  const raw = (payload: string, type = 'application/json') =>
    tb.box.http.inject({ method: 'POST', url: '/api/tickets', headers: { cookie: s.agent.cookie, 'content-type': type }, payload });

  let r = await raw('{"type": "complaint", ');
  t.equal(r.statusCode, 400, 'malformed JSON');
  t.equal(r.json().error.code, 'malformed-json');
  t.ok(r.json().error.messageZh, 'errors carry a Chinese message');

  r = await raw('type=complaint', 'application/x-www-form-urlencoded');
  t.equal(r.statusCode, 415, 'a form post (CSRF shape) is refused');
  t.equal(r.json().error.code, 'unsupported-media-type');
  r = await raw(JSON.stringify(complaint), 'text/plain');
  t.equal(r.json().error.code, 'unsupported-media-type', 'text/plain is refused too');

  r = await s.agent.post('/api/tickets', { ...complaint, priority: 'high' });
  t.equal(r.statusCode, 400, 'unknown fields');
  t.equal(r.json().error.code, 'validation-failed');
  t.equal(r.json().error.details.unknownField, 'priority');

  r = await s.agent.post('/api/tickets', { ...complaint, caller: { phone: '13800138000', age: 3 } });
  t.equal(r.json().error.details.unknownField, 'age', 'unknown nested fields');

  r = await s.agent.post('/api/tickets', { ...complaint, region: '623099' });
  t.equal(r.statusCode, 422, 'a region code that does not exist');
  t.equal(r.json().error.code, 'unknown-region');
  r = await s.agent.post('/api/tickets', { ...complaint, region: '340171' });
  t.equal(r.json().error.code, 'unknown-region', 'a development-zone code is not a GB/T 2260 division');

  r = await s.agent.post('/api/tickets', { ...complaint, domain: 'spaceship' });
  t.equal(r.json().error.code, 'unknown-domain');
  r = await s.agent.post('/api/tickets', { ...complaint, type: 'inquiry', subtype: 'report' });
  t.equal(r.json().error.code, 'unknown-subtype');

  r = await s.agent.post('/api/tickets', { ...complaint, description: '拒'.repeat(4001) });
  t.equal(r.statusCode, 400, 'an oversize description');
  t.equal(r.json().error.code, 'validation-failed');
  t.equal(r.json().error.details.field, 'body.description');

  r = await raw(JSON.stringify({ ...complaint, description: 'x'.repeat(300 * 1024) }));
  t.equal(r.statusCode, 413, 'an oversize body');
  t.equal(r.json().error.code, 'payload-too-large');

  t.equal(await count(), beforeTickets, 'no ticket was created by any of them');

  const script = '<script>alert("x")</script><img src=x onerror=alert(1)> 司机拒载 & "辱骂"';
  r = await s.agent.post('/api/tickets', { ...complaint, subject: '<b>拒载</b>', description: script });
  t.equal(r.statusCode, 201, 'HTML in a complaint is accepted');
  const n = r.json().number;
  const got = await s.agent.get(`/api/tickets/${n}`);
  t.equal(got.json().description, script, 'and kept exactly as text');
  t.equal(got.json().subject, '<b>拒载</b>');
  t.match(got.headers['content-type'], /application\/json/, 'served as JSON, never as HTML');

  const auditBefore = (await s.agent.get(`/api/tickets/${n}/audit`)).json().items.length;
  r = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'reply', text: '已处理' });
  t.equal(r.statusCode, 403, 'an agent may not reply for a department');
  r = await s.taxi.post(`/api/tickets/${n}/actions`, { action: 'accept' });
  t.equal(r.statusCode, 404, 'a department cannot accept a ticket not dispatched to it: to it, the ticket does not exist');
  t.equal(r.json().error.code, 'ticket-not-found');
  r = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'close' });
  t.equal(r.statusCode, 409, 'an illegal transition');
  t.equal(r.json().error.code, 'illegal-transition');
  t.same(r.json().error.details, { action: 'close', status: 'received' });
  r = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch' });
  t.equal(r.json().error.code, 'validation-failed', 'dispatch needs a department');
  r = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch', department: 999 });
  t.equal(r.json().error.code, 'department-not-found');
  r = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch', department: s.dept.id, dueAt: '2020-01-01T00:00:00Z' });
  t.equal(r.json().error.code, 'due-date-invalid');
  const after = (await s.agent.get(`/api/tickets/${n}`)).json();
  t.equal(after.status, 'received', 'nothing changed');
  t.equal(after.version, 1);
  t.equal((await s.agent.get(`/api/tickets/${n}/audit`)).json().items.length, auditBefore, 'no audit record for refused actions');

  await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch', department: s.other.id });
  r = await s.taxi.get(`/api/tickets/${n}`);
  t.equal(r.statusCode, 404, "a department reading another department's ticket");
  t.equal(r.json().error.code, 'ticket-not-found');
  const missing = await s.taxi.get('/api/tickets/6230002026010199999');
  t.same(
    { status: r.statusCode, body: JSON.stringify(r.json()).replaceAll(n, 'N') },
    { status: missing.statusCode, body: JSON.stringify(missing.json()).replaceAll('6230002026010199999', 'N') },
    'the same answer as for a number that does not exist: existence cannot be probed',
  );
  r = await s.taxi.get(`/api/tickets/${n}/audit`);
  t.equal(r.statusCode, 404, "nor its audit trail");
  t.equal((await s.taxi.get('/api/tickets')).json().total, 0, 'nor in its list');
  r = await s.taxi.get('/api/tickets/6230002026010100001');
  t.equal(r.json().error.code, 'ticket-not-found');
  r = await s.agent.get('/api/tickets/12345');
  t.equal(r.json().error.code, 'validation-failed', 'a malformed ticket number');
  t.ok((await auditCount()) > beforeAudit, 'the accepted changes were audited');
});

t.test('roles are enforced on the server', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  let r = await s.agent.post('/api/users', { username: 'evil', password: strongPassword, role: 'admin' });
  t.equal(r.statusCode, 403, 'an agent cannot create users');
  t.equal(r.json().error.code, 'forbidden-role');
  r = await s.agent.post('/api/departments', { name: 'x' });
  t.equal(r.statusCode, 403);
  r = await s.agent.put('/api/settings/tickets', { deadlines: { complaint: 30 } });
  t.equal(r.statusCode, 403, 'nor change settings');
  r = await s.taxi.post('/api/tickets', complaint);
  t.equal(r.statusCode, 403, 'a department cannot create tickets');
  r = await s.tech.get('/api/tickets');
  t.equal(r.statusCode, 403, 'a technician does not see tickets');
  r = await tb.box.http.inject({ method: 'GET', url: '/api/tickets' });
  t.equal(r.statusCode, 401, 'no session, no tickets');
  t.equal(r.json().error.code, 'not-authenticated');
  r = await tb.box.http.inject({ method: 'GET', url: '/api/tickets', headers: { cookie: 'edgebox_session=forged' } });
  t.equal(r.statusCode, 401, 'a forged session');
  // Authentication comes before the body: no session answers 401 whatever the body, not a 400 that tells an
  // anonymous client about the route's schema; a role that may not use the route answers 403 the same way.
  r = await tb.box.http.inject({ method: 'POST', url: '/api/tickets', headers: { 'content-type': 'application/json' }, payload: '{"type": ' });
  t.equal(r.json().error.code, 'not-authenticated', 'no session and malformed JSON: 401');
  r = await tb.box.http.inject({ method: 'POST', url: '/api/tickets', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ bogus: 1 }) });
  t.equal(r.json().error.code, 'not-authenticated', 'no session and an invalid body: 401');
  r = await tb.box.http.inject({
    method: 'POST',
    url: '/api/tickets',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ ...complaint, description: 'x'.repeat(300 * 1024) }),
  });
  t.equal(r.json().error.code, 'not-authenticated', 'no session and an oversize body: 401, the body is not read');
  r = await tb.box.http.inject({ method: 'POST', url: '/api/users', headers: { cookie: s.agent.cookie, 'content-type': 'application/json' }, payload: '{"x": 1}' });
  t.equal(r.json().error.code, 'forbidden-role', 'a role that may not use the route and an invalid body: 403');
  r = await s.agent.get('/api/nothing-here');
  t.equal(r.json().error.code, 'route-not-found');
  r = await tb.admin.post('/api/users', { username: 'weak', password: 'password1', role: 'agent' });
  t.equal(r.json().error.code, 'weak-password', 'no weak passwords');
  r = await tb.admin.post('/api/users', { username: 'd2', password: strongPassword, role: 'department' });
  t.equal(r.json().error.code, 'department-required');
  r = await tb.admin.post('/api/users', { username: 'agent1', password: strongPassword, role: 'agent' });
  t.equal(r.json().error.code, 'user-exists');
  const users = (await tb.admin.get('/api/users')).json().items;
  t.notOk(JSON.stringify(users).includes('scrypt'), 'password hashes never leave the box');
});

t.test('ten wrong passwords lock the account for a while, even against the right one', async (t) => {
  let now = new Date('2026-11-30T02:00:00Z');
  const tb = await startTestBox({ now: () => now });
  t.teardown(() => tb.close());
  await staff(tb);
  const attempt = (password: string, ip = '10.0.0.7') =>
    tb.box.http.inject({ method: 'POST', url: '/api/session', remoteAddress: ip, payload: { username: 'agent1', password } });
  const codes: string[] = [];
  for (let i = 0; i < 10; i++) codes.push((await attempt(`wrong-${i}`)).json().error.code);
  t.same(codes.slice(0, 5), Array(5).fill('invalid-credentials'), 'the first failures are wrong passwords');
  t.same(codes.slice(5), Array(5).fill('login-throttled'), 'then the login is throttled');
  const locked = await attempt(strongPassword);
  t.equal(locked.statusCode, 429, 'the right password is refused while locked');
  t.ok(Number(locked.headers['retry-after']) > 0, 'with Retry-After');
  const elsewhere = await attempt(strongPassword, '10.0.0.8');
  t.equal(elsewhere.statusCode, 200, 'from another desk the right password still works: one machine cannot lock a user out');
  const unknown = await tb.box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'nobody', password: 'x' } });
  t.equal(unknown.json().error.code, 'invalid-credentials', 'an unknown user looks like a wrong password');
  now = new Date(now.getTime() + 25 * 3600_000);
  const later = await attempt(strongPassword);
  t.equal(later.statusCode, 200, 'after the lock expires the right password works');
  const setCookie = String(later.headers['set-cookie']);
  t.match(setCookie, /HttpOnly/i);
  t.match(setCookie, /SameSite=Strict/i);
  const admin = await tb.login('admin', tb.adminPassword); // the old session expired meanwhile
  const failures = (await admin.get('/api/audit?limit=500')).json().items.filter((a: { action: string }) => a.action === 'login-failed');
  t.ok(failures.length >= 5, 'failed logins are audited');
});

t.test('guesses spread over many machines lock the name everywhere, until a technician runs edgebox user unlock', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  await staff(tb);
  const attempt = (password: string, ip: string) =>
    tb.box.http.inject({ method: 'POST', url: '/api/session', remoteAddress: ip, payload: { username: 'agent1', password } });
  const codes: string[] = [];
  // auth.loginMaxFailuresTotal (20): four machines, five wrong passwords each.
  for (let m = 0; m < 4; m++) for (let i = 0; i < 5; i++) codes.push((await attempt(`wrong-${i}`, `10.0.2.${m}`)).json().error.code);
  t.same(codes, Array(20).fill('invalid-credentials'), 'every guess was checked (each machine stayed within its own limit)');
  const locked = await attempt(strongPassword, '10.0.0.8');
  t.equal(locked.statusCode, 429, 'then the name is locked from every address');
  t.equal(locked.json().error.code, 'login-throttled');
  t.equal((await tb.login('admin', tb.adminPassword)).cookie.length > 0, true, 'other names are not');

  const locks = runCli(['user', 'locks', '--data', tb.dir]);
  t.equal(locks.code, 0);
  t.match(locks.stdout, /^user\tagent1\t\*\t20 failures\tuntil /m, 'edgebox user locks shows the lock');
  const unlock = runCli(['user', 'unlock', 'agent1', '--data', tb.dir]);
  t.equal(unlock.code, 0, unlock.stderr);
  t.match(unlock.stdout, /unlocked user agent1/);
  t.equal((await attempt(strongPassword, '10.0.0.8')).statusCode, 200, 'after edgebox user unlock (another process) the running box lets the user in');
  t.equal((await attempt(strongPassword, '10.0.2.0')).statusCode, 200, 'from the guessing machines too (the pair counts were cleared)');
  const audit = (await tb.admin.get('/api/audit?limit=500')).json().items.filter((a: { action: string }) => a.action === 'login-unlock');
  t.equal(audit.length, 1, 'the unlock is audited');
  t.match(audit[0].actor.name, /^cli:/);

  const unknown = runCli(['user', 'unlock', 'nobody', '--data', tb.dir]);
  t.equal(unknown.code, 1, 'unlocking a user that does not exist fails');
  t.match(unknown.stderr, /no user nobody/);
});
