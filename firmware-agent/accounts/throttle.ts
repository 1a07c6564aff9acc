// Login throttling. Failed logins are counted under three keys:
//   - one user name from one client address: after `maxFailures` that pair is locked;
//   - one user name from all addresses, and one address for all user names: after the looser
//     `maxFailuresTotal` the user name (or the address) is locked everywhere.
// So a machine on the LAN guessing `admin`'s password locks only itself out of `admin` after a few
// tries, while the administrator keeps logging in from their own desk; guessing spread over many
// machines, or one machine trying many names, still meets a limit. A lock doubles with each further
// failure, up to 24 hours; failures older than a day are forgotten. Attempts refused while locked do
// not count (they never reach the password check).
//
// An attempt is counted *before* its password is checked (`reserve`: the lock check and the count in one
// transaction), so parallel requests cannot all slip past the limit while the first check runs; a correct
// password clears the counts afterwards. One address adds at most `maxFailures` to a user name's total,
// so no single machine can lock a user out everywhere, however long it keeps guessing.
//
// The counts live in SQLite (table login_throttle), so a technician can lift a lock from the shell
// (`edgebox user unlock NAME`) while the box runs, and a restart does not lift it.
import type { Db } from '../store/db.js';

export interface ThrottleOptions {
  /** Failures of one user name from one address before that pair is locked. */
  maxFailures: number;
  /** Failures of one user name over all addresses, or of one address over all names, before a lock. */
  maxFailuresTotal: number;
  lockMs: number;
  now: () => number;
}

export interface LoginAttempt {
  username: string;
  address: string;
}

type Scope = 'pair' | 'user' | 'address';

interface Key {
  scope: Scope;
  username: string;
  address: string;
}

interface Row {
  failures: number;
  locked_until: number;
  last_failure: number;
}

const day = 86_400_000;

function keysOf(a: LoginAttempt): Key[] {
  const username = a.username.toLowerCase();
  return [
    { scope: 'pair', username, address: a.address },
    { scope: 'user', username, address: '' },
    { scope: 'address', username: '', address: a.address },
  ];
}

export class LoginThrottle {
  readonly #stmts;
  readonly #fail: (attempt: LoginAttempt) => void;
  readonly #success: (attempt: LoginAttempt) => void;
  readonly #reserve: (attempt: LoginAttempt) => number;

  constructor(
    db: Db,
    private readonly opts: () => ThrottleOptions,
  ) {
    this.#stmts = {
      get: db.prepare('SELECT failures, locked_until, last_failure FROM login_throttle WHERE scope = @scope AND username = @username AND address = @address'),
      put: db.prepare(
        `INSERT INTO login_throttle (scope, username, address, failures, locked_until, last_failure)
         VALUES (@scope, @username, @address, @failures, @lockedUntil, @last)
         ON CONFLICT (scope, username, address) DO UPDATE SET failures = excluded.failures,
           locked_until = excluded.locked_until, last_failure = excluded.last_failure`,
      ),
      clear: db.prepare('DELETE FROM login_throttle WHERE scope = @scope AND username = @username AND address = @address'),
      prune: db.prepare('DELETE FROM login_throttle WHERE locked_until < @now AND last_failure < @before'),
      unlockUser: db.prepare("DELETE FROM login_throttle WHERE username = ? AND scope IN ('pair', 'user')"),
      unlockAddress: db.prepare("DELETE FROM login_throttle WHERE address = ? AND scope IN ('pair', 'address')"),
      locks: db.prepare('SELECT scope, username, address, failures, locked_until FROM login_throttle WHERE locked_until > ? ORDER BY locked_until DESC'),
    };
    this.#fail = db.transaction((attempt: LoginAttempt) => this.#count(attempt));
    this.#reserve = db.transaction((attempt: LoginAttempt): number => {
      const wait = this.retryAfter(attempt);
      if (wait === 0) this.#count(attempt);
      return wait;
    });
    this.#success = db.transaction((attempt: LoginAttempt) => {
      for (const k of keysOf(attempt)) this.#stmts.clear.run(k);
    });
  }

  /** Milliseconds until this user name may try again from this address, or 0. */
  retryAfter(attempt: LoginAttempt): number {
    const now = this.opts().now();
    let wait = 0;
    for (const k of keysOf(attempt)) {
      const e = this.#stmts.get.get(k) as Row | undefined;
      if (e && e.locked_until > now) wait = Math.max(wait, e.locked_until - now);
    }
    return wait;
  }

  /**
   * Before a password check: 0 and the attempt counted as a failure (cleared by `succeed`), or the
   * milliseconds the attempt must wait (nothing counted). One transaction, so concurrent attempts queue.
   */
  reserve(attempt: LoginAttempt): number {
    return this.#reserve(attempt);
  }

  /** Counts a failed login under all three keys (one transaction). */
  fail(attempt: LoginAttempt): void {
    this.#fail(attempt);
  }

  #count(attempt: LoginAttempt): void {
    const { maxFailures, maxFailuresTotal, lockMs, now } = this.opts();
    const t = now();
    let pairFailures = 0;
    for (const k of keysOf(attempt)) {
      const limit = k.scope === 'pair' ? maxFailures : maxFailuresTotal;
      const e = (this.#stmts.get.get(k) as Row | undefined) ?? { failures: 0, locked_until: 0, last_failure: t };
      // Past its own limit, an address no longer adds to the user name's total (see the header).
      if (k.scope === 'user' && pairFailures > maxFailures) continue;
      const failures = (t - e.last_failure > day ? 0 : e.failures) + 1;
      if (k.scope === 'pair') pairFailures = failures;
      const lockedUntil = failures >= limit ? t + Math.min(lockMs * 2 ** Math.min(failures - limit, 10), day) : e.locked_until;
      this.#stmts.put.run({ ...k, failures, lockedUntil, last: t });
    }
    this.#stmts.prune.run({ now: t, before: t - day });
  }

  /**
   * A successful login shows the name's password is known at this address: it clears the three counts
   * (a desk where a colleague mistyped earlier is not held against the next login). A guesser still meets
   * the pair limit, whose lock doubles, on every name from every address.
   */
  succeed(attempt: LoginAttempt): void {
    this.#success(attempt);
  }

  /** Lifts every lock and count on a user name (all addresses). Returns how many were removed. */
  unlockUser(username: string): number {
    return this.#stmts.unlockUser.run(username.toLowerCase()).changes;
  }

  /** Lifts every lock and count on a client address (all user names). */
  unlockAddress(address: string): number {
    return this.#stmts.unlockAddress.run(address).changes;
  }

  /** Locks in force now, for the technician. */
  locks(): { scope: Scope; username: string | null; address: string | null; failures: number; lockedUntil: Date }[] {
    const rows = this.#stmts.locks.all(this.opts().now()) as (Key & { failures: number; locked_until: number })[];
    return rows.map((r) => ({
      scope: r.scope,
      username: r.username || null,
      address: r.address || null,
      failures: r.failures,
      lockedUntil: new Date(r.locked_until),
    }));
  }
}
