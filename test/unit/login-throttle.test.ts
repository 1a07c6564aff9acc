import t from 'tap';
import { LoginThrottle } from '../../firmware-agent/accounts/throttle.js';
import { openDb } from '../../firmware-agent/store/db.js';

function rig() {
  const db = openDb({ file: ':memory:' });
  let now = Date.parse('2026-12-01T02:00:00Z');
  const opts = () => ({ maxFailures: 5, maxFailuresTotal: 20, lockMs: 15 * 60_000, now: () => now });
  return {
    db,
    throttle: new LoginThrottle(db, opts),
    /** A second instance on the same store: what `edgebox user unlock` or a restart sees. */
    other: () => new LoginThrottle(db, opts),
    advance: (ms: number) => (now += ms),
  };
}

const admin = (address: string) => ({ username: 'admin', address });

t.test('failures from one address lock that address out of that name only', async (t) => {
  const { db, throttle } = rig();
  t.teardown(() => db.close());
  for (let i = 0; i < 4; i++) throttle.fail(admin('10.0.0.66'));
  t.equal(throttle.retryAfter(admin('10.0.0.66')), 0, 'four failures: not yet');
  throttle.fail(admin('10.0.0.66'));
  t.equal(throttle.retryAfter(admin('10.0.0.66')), 15 * 60_000, 'the fifth locks the pair for the lock time');
  t.equal(throttle.retryAfter({ username: 'ADMIN', address: '10.0.0.66' }), 15 * 60_000, 'the user name is matched without case');
  t.equal(throttle.retryAfter(admin('10.0.0.5')), 0, 'the administrator at another desk is not locked out');
  t.equal(throttle.retryAfter({ username: 'agent1', address: '10.0.0.66' }), 0, 'and the machine may still log in as someone else');
  throttle.fail(admin('10.0.0.66'));
  t.equal(throttle.retryAfter(admin('10.0.0.66')), 30 * 60_000, 'a further failure doubles the lock');
});

t.test('the looser totals: one name from many addresses, one address for many names', async (t) => {
  const { db, throttle, other } = rig();
  t.teardown(() => db.close());
  for (let i = 0; i < 19; i++) throttle.fail(admin(`10.0.1.${i}`));
  t.equal(throttle.retryAfter(admin('10.0.0.5')), 0, '19 failures spread over 19 machines: not yet');
  throttle.fail(admin('10.0.1.99'));
  t.ok(throttle.retryAfter(admin('10.0.0.5')) > 0, 'the 20th locks the name everywhere');
  t.same(
    other().locks().map((l) => [l.scope, l.username, l.address]),
    [['user', 'admin', null]],
    'the lock is in the store, for another process to see',
  );
  t.equal(other().unlockUser('Admin'), 21, 'unlocking the name clears its total and every pair count');
  t.equal(throttle.retryAfter(admin('10.0.0.5')), 0, 'and the running throttle sees it at once');

  for (let i = 0; i < 20; i++) throttle.fail({ username: `guess${i}`, address: '10.0.0.66' });
  t.ok(throttle.retryAfter({ username: 'agent1', address: '10.0.0.66' }) > 0, 'one machine trying 20 names is locked for every name');
  t.equal(throttle.retryAfter({ username: 'agent1', address: '10.0.0.5' }), 0, 'other machines are not');
  t.ok(throttle.unlockAddress('10.0.0.66') > 0);
  t.equal(throttle.retryAfter({ username: 'agent1', address: '10.0.0.66' }), 0, 'unlockAddress lifts it');
});

t.test('a success clears the counts; old failures and expired locks are forgotten', async (t) => {
  const { db, throttle, advance } = rig();
  t.teardown(() => db.close());
  for (let i = 0; i < 4; i++) throttle.fail(admin('10.0.0.5'));
  throttle.succeed(admin('10.0.0.5'));
  throttle.fail(admin('10.0.0.5'));
  t.equal(throttle.retryAfter(admin('10.0.0.5')), 0, 'four failures, a success, one failure: no lock');
  for (let i = 0; i < 4; i++) throttle.fail(admin('10.0.0.5'));
  t.ok(throttle.retryAfter(admin('10.0.0.5')) > 0, 'five in a row: locked');
  advance(15 * 60_000);
  t.equal(throttle.retryAfter(admin('10.0.0.5')), 0, 'the lock expires');
  advance(86_400_001);
  throttle.fail(admin('10.0.0.5'));
  t.equal(throttle.retryAfter(admin('10.0.0.5')), 0, 'failures older than a day are forgotten');
  t.equal((db.prepare('SELECT count(*) AS n FROM login_throttle').get() as { n: number }).n, 3, 'stale rows are pruned');
});
