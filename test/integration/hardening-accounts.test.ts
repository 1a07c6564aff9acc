// Issue 13, the findings on accounts and sessions, each reproduced as the review did it on a running box:
//  2. 40 parallel wrong passwords for one user were all checked (the limit is 5) and then locked that user
//     out from every address for 24 h;
//  6. live event streams survived logout, disabling and role changes;
// 10. a disabled account's correct password answered `account-disabled` (confirming the password); the
//     scrypt cost was 2^14 and old hashes were never re-hashed.
import http from 'node:http';
import t from 'tap';
import { hashPassword, needsRehash } from '../../firmware-agent/accounts/passwords.js';
import { startTestBox, strongPassword } from '../helpers/box.js';

// This file checks the box's real password cost and the throttling built for it, so not at npm test's cost.
delete process.env.EDGEBOX_TEST_FAST_PASSWORD_HASH;

t.test('40 parallel wrong passwords from one machine: at most 5 are checked, and the user still logs in from their desk', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  t.equal((await tb.admin.post('/api/users', { username: 'agent1', password: strongPassword, role: 'agent' })).statusCode, 201);
  const attempt = (password: string, remoteAddress: string) =>
    tb.box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'agent1', password }, remoteAddress });
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(`wrong-password-${i}`, '10.0.0.66')));
  const codes = answers.map((r) => (r.json() as { error: { code: string } }).error.code);
  const checked = codes.filter((c) => c === 'invalid-credentials').length;
  t.ok(checked <= 5, `${checked} of 40 passwords were checked (limit 5)`);
  t.equal(codes.filter((c) => c === 'login-throttled').length, 40 - checked, 'the rest are refused as throttled, unchecked');
  const audited = tb.box.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE action = 'login-failed'").get() as { n: number };
  t.equal(audited.n, checked, 'only checked attempts are audited as failed logins');

  const desk = await attempt(strongPassword, '10.0.0.5');
  t.equal(desk.statusCode, 200, 'the user logs in from their own desk: one machine cannot lock a name everywhere');
  t.equal((await attempt(strongPassword, '10.0.0.66')).statusCode, 429, 'while the guessing machine stays locked out of that name');

  t.test('however long that machine keeps guessing', async (t) => {
    // Each further failure from the same address after its lock lifts: 30 more, far past the total of 20.
    for (let i = 0; i < 30; i++) {
      // As if each lock had run out (the failure counts stay for a day).
      tb.box.db.prepare("UPDATE login_throttle SET locked_until = 0 WHERE address = '10.0.0.66'").run();
      await attempt(`again-${i}`, '10.0.0.66');
    }
    t.equal((await attempt(strongPassword, '10.0.0.7')).statusCode, 200, 'the name is still not locked at other desks');
  });
});

t.test('a disabled account answers a correct password exactly as a wrong one', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const u = (await tb.admin.post('/api/users', { username: 'agent2', password: strongPassword, role: 'agent' })).json() as { id: number };
  t.equal((await tb.admin.patch(`/api/users/${u.id}`, { disabled: true })).statusCode, 200);
  const right = await tb.box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'agent2', password: strongPassword } });
  const wrong = await tb.box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'agent2', password: 'Not-The-Password-1' } });
  t.equal(right.statusCode, wrong.statusCode);
  t.same(right.json(), wrong.json(), 'same status and body: the answer does not confirm the password');
  t.equal((right.json() as { error: { code: string } }).error.code, 'invalid-credentials');
});

t.test('a password hashed at the old cost is re-hashed at the current one on the next login', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const u = (await tb.admin.post('/api/users', { username: 'agent3', password: strongPassword, role: 'agent' })).json() as { id: number };
  t.notOk(needsRehash(await hashPassword('x'.repeat(12))), 'new hashes are at the current cost');
  // An old-cost hash of the same password (what a box before this change stored).
  const { scryptSync, randomBytes } = await import('node:crypto');
  const salt = randomBytes(16);
  const old = `scrypt$16384$8$1$${salt.toString('base64')}$${scryptSync(strongPassword.normalize('NFKC'), salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64')}`;
  t.ok(needsRehash(old), 'an N = 2^14 hash needs re-hashing');
  tb.box.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(old, u.id);
  await tb.login('agent3', strongPassword);
  const stored = (tb.box.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(u.id) as { password_hash: string }).password_hash;
  t.match(stored, /^scrypt\$32768\$8\$1\$/, 'now at N = 2^15');
  await tb.login('agent3', strongPassword);
  t.pass('and the re-hashed password still logs in');
});

t.test('an open event stream ends when its session ends: logout, disabled account, another role', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const url = await tb.box.listen();
  const mk = async (username: string) => {
    const r = (await tb.admin.post('/api/users', { username, password: strongPassword, role: 'supervisor' })).json() as { id: number };
    return { id: r.id, client: await tb.login(username, strongPassword) };
  };
  /** Opens a stream with the client's cookie; resolves `ended` when the server closes it. */
  const open = (cookie: string, path: string) =>
    new Promise<{ ended: Promise<void>; close: () => void }>((resolve, reject) => {
      const req = http.get(new URL(path, url), { headers: { cookie } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`${path}: ${res.statusCode}`));
        res.resume();
        resolve({ ended: new Promise((r) => res.once('end', () => r())), close: () => req.destroy() });
      });
      req.on('error', () => undefined);
    });

  for (const path of ['/api/ui/events', '/api/events']) {
    await t.test(`${path} after logout`, async (t) => {
      const { client } = await mk(`s-logout-${path.length}`);
      const s = await open(client.cookie, path);
      t.teardown(s.close);
      t.equal((await client.delete('/api/session')).statusCode, 204);
      await s.ended;
      t.pass('the stream ended with the session');
    });
    await t.test(`${path} after the account is disabled`, async (t) => {
      const { id, client } = await mk(`s-disabled-${path.length}`);
      const s = await open(client.cookie, path);
      t.teardown(s.close);
      t.equal((await tb.admin.patch(`/api/users/${id}`, { disabled: true })).statusCode, 200);
      await s.ended;
      t.pass('the stream ended with the account');
    });
    await t.test(`${path} after a role change`, async (t) => {
      const { id, client } = await mk(`s-role-${path.length}`);
      const s = await open(client.cookie, path);
      t.teardown(s.close);
      t.equal((await tb.admin.patch(`/api/users/${id}`, { role: 'agent' })).statusCode, 200);
      await s.ended;
      t.pass('the stream ended with the role');
    });
  }

  await t.test('a second session of the same user keeps its stream when the first logs out', async (t) => {
    const { client } = await mk('s-two');
    const other = await tb.login('s-two', strongPassword);
    const s = await open(other.cookie, '/api/ui/events');
    t.teardown(s.close);
    let ended = false;
    void s.ended.then(() => (ended = true));
    t.equal((await client.delete('/api/session')).statusCode, 204);
    // The stream of the other session is checked at the logout; give the server a turn to act on it.
    await new Promise((r) => setImmediate(r));
    await (await tb.admin.get('/healthz')).body;
    t.notOk(ended, 'still open');
  });
});
