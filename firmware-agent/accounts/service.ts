// Accounts, departments and sessions. Every change is audited. There is no default password anywhere:
// the first start creates `admin` with a random password written to <data>/initial-admin-password (0600).
import { createHash, randomBytes } from 'node:crypto';
import { AuditLog } from '../audit/audit.js';
import { AppError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { Actor, UserRole } from './actor.js';
import { generatePassword, hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords.js';
import { LoginThrottle } from './throttle.js';

export interface User {
  id: number;
  username: string;
  displayName: string | null;
  role: UserRole;
  department: { id: number; name: string } | null;
  skills: string[];
  disabled: boolean;
  createdAt: string;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string | null;
  password_hash: string;
  role: UserRole;
  department_id: number | null;
  department_name: string | null;
  skills: string;
  disabled: number;
  created_at: string;
}

export interface Department {
  id: number;
  name: string;
  phone: string | null;
  disabled: boolean;
  createdAt: string;
}

export interface NewUser {
  username: string;
  password: string;
  role: UserRole;
  department?: number | string | null;
  displayName?: string | null;
  skills?: string[];
}

export interface AccountDeps {
  db: Db;
  now?: () => Date;
  sessionHours: () => number;
  /** Login policy (config auth.*); `maxFailuresTotal` defaults to four times `maxFailures`. */
  throttle: () => { maxFailures: number; maxFailuresTotal?: number; lockMinutes: number };
}

const userSelect = `SELECT u.*, d.name AS department_name FROM users u LEFT JOIN departments d ON d.id = u.department_id`;

function toUser(r: UserRow): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    department: r.department_id !== null ? { id: r.department_id, name: r.department_name ?? '' } : null,
    skills: JSON.parse(r.skills) as string[],
    disabled: r.disabled === 1,
    createdAt: r.created_at,
  };
}

export function actorOf(user: User): Actor {
  return { id: user.id, name: user.username, role: user.role, departmentId: user.department?.id ?? null };
}

export const systemActor: Actor = { id: null, name: 'system', role: 'system' };

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Password checks one user name, or one client address, may have in flight at once. */
const maxInFlight = 2;

export class AccountService {
  readonly audit: AuditLog;
  readonly throttle: LoginThrottle;
  readonly #now: () => Date;
  // A hash of a random password, so a login for an unknown user costs the same as for a known one.
  #decoyHash: Promise<string> | null = null;
  /** Listeners told when sessions end (logout, a disabled account, another role, a new password). */
  readonly #sessionEnd = new Set<(userId: number) => void>();
  /** Password checks in flight per user name and per client address (scrypt is costly; see login()). */
  readonly #inFlight = new Map<string, number>();

  constructor(private readonly deps: AccountDeps) {
    this.#now = deps.now ?? (() => new Date());
    this.audit = new AuditLog(deps.db);
    this.throttle = new LoginThrottle(deps.db, () => {
      const t = deps.throttle();
      return {
        maxFailures: t.maxFailures,
        maxFailuresTotal: t.maxFailuresTotal ?? t.maxFailures * 4,
        lockMs: t.lockMinutes * 60_000,
        now: () => this.#now().getTime(),
      };
    });
  }

  // ---- departments ----

  createDepartment(input: { name: string; phone?: string | null }, actor: Actor): Department {
    const at = this.#now();
    return this.deps.db.transaction(() => {
      if (this.deps.db.prepare('SELECT 1 FROM departments WHERE name = ?').get(input.name)) {
        throw new AppError('department-exists', undefined, { name: input.name });
      }
      const r = this.deps.db
        .prepare('INSERT INTO departments (name, phone, created_at) VALUES (?, ?, ?)')
        .run(input.name, input.phone ?? null, at.toISOString());
      const id = Number(r.lastInsertRowid);
      this.audit.append(actor, at, { entity: 'department', entityId: String(id), action: 'create', data: { name: input.name } });
      return this.department(id)!;
    })();
  }

  /** Rename, change the phone of, disable or re-enable a department. Its users and tickets keep it. */
  updateDepartment(id: number, change: { name?: string; phone?: string | null; disabled?: boolean }, actor: Actor): Department {
    const at = this.#now();
    return this.deps.db.transaction(() => {
      const before = this.department(id);
      if (!before) throw new AppError('department-not-found', `no department ${id}`, { department: id });
      const db = this.deps.db;
      if (change.name !== undefined && change.name !== before.name) {
        if (db.prepare('SELECT 1 FROM departments WHERE name = ? AND id != ?').get(change.name, id)) {
          throw new AppError('department-exists', undefined, { name: change.name });
        }
        db.prepare('UPDATE departments SET name = ? WHERE id = ?').run(change.name, id);
      }
      if (change.phone !== undefined) db.prepare('UPDATE departments SET phone = ? WHERE id = ?').run(change.phone, id);
      if (change.disabled !== undefined) db.prepare('UPDATE departments SET disabled = ? WHERE id = ?').run(change.disabled ? 1 : 0, id);
      const after = this.department(id)!;
      this.audit.append(actor, at, {
        entity: 'department',
        entityId: String(id),
        action: 'update',
        data: { before: { name: before.name, phone: before.phone, disabled: before.disabled }, after: { name: after.name, phone: after.phone, disabled: after.disabled } },
      });
      return after;
    })();
  }

  department(id: number): Department | undefined {
    const r = this.deps.db.prepare('SELECT * FROM departments WHERE id = ?').get(id) as
      | { id: number; name: string; phone: string | null; disabled: number; created_at: string }
      | undefined;
    return r && { id: r.id, name: r.name, phone: r.phone, disabled: r.disabled === 1, createdAt: r.created_at };
  }

  departments(): Department[] {
    const rows = this.deps.db.prepare('SELECT id FROM departments ORDER BY id').all() as { id: number }[];
    return rows.map((r) => this.department(r.id)!);
  }

  #departmentId(ref: number | string): number {
    const r = (
      typeof ref === 'number'
        ? this.deps.db.prepare('SELECT id FROM departments WHERE id = ?').get(ref)
        : this.deps.db.prepare('SELECT id FROM departments WHERE name = ? OR CAST(id AS TEXT) = ?').get(ref, ref)
    ) as { id: number } | undefined;
    if (!r) throw new AppError('department-not-found', `no department ${ref}`, { department: ref });
    return r.id;
  }

  // ---- users ----

  async createUser(input: NewUser, actor: Actor): Promise<User> {
    const problem = passwordProblem(input.password);
    if (problem) throw new AppError('weak-password', `password: ${problem}`);
    if (input.role === 'department' && input.department == null) throw new AppError('department-required');
    const departmentId =
      input.role === 'department' && input.department != null ? this.#departmentId(input.department) : null;
    const hash = await hashPassword(input.password);
    const at = this.#now();
    return this.deps.db.transaction(() => {
      if (this.deps.db.prepare('SELECT 1 FROM users WHERE username = ?').get(input.username)) {
        throw new AppError('user-exists', undefined, { username: input.username });
      }
      const r = this.deps.db
        .prepare(
          'INSERT INTO users (username, display_name, password_hash, role, department_id, skills, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(input.username, input.displayName ?? null, hash, input.role, departmentId, JSON.stringify(input.skills ?? []), at.toISOString());
      const id = Number(r.lastInsertRowid);
      this.audit.append(actor, at, {
        entity: 'user',
        entityId: String(id),
        action: 'create',
        data: { username: input.username, role: input.role, department: departmentId },
      });
      return this.user(id)!;
    })();
  }

  async updateUser(
    id: number,
    change: { password?: string; disabled?: boolean; displayName?: string | null; skills?: string[]; role?: UserRole; department?: number | string | null },
    actor: Actor,
  ): Promise<User> {
    const before = this.user(id);
    if (!before) throw new AppError('user-not-found');
    // Role and department go together: a department user needs one, every other role has none.
    const role = change.role ?? before.role;
    let departmentId: number | null = null;
    if (role === 'department') {
      const ref = change.department !== undefined ? change.department : (before.department?.id ?? null);
      if (ref === null) throw new AppError('department-required');
      departmentId = this.#departmentId(ref);
    }
    const roleChanged = role !== before.role || departmentId !== (before.department?.id ?? null);
    if (change.password !== undefined) {
      const problem = passwordProblem(change.password);
      if (problem) throw new AppError('weak-password', `password: ${problem}`);
    }
    const hash = change.password !== undefined ? await hashPassword(change.password) : null;
    const at = this.#now();
    let endedFor: number | null = null;
    const updated = this.deps.db.transaction(() => {
      const db = this.deps.db;
      if (hash) db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, id);
      if (change.disabled !== undefined) db.prepare('UPDATE users SET disabled = ? WHERE id = ?').run(change.disabled ? 1 : 0, id);
      if (change.displayName !== undefined) db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(change.displayName, id);
      if (change.skills !== undefined) db.prepare('UPDATE users SET skills = ? WHERE id = ?').run(JSON.stringify(change.skills), id);
      if (roleChanged) db.prepare('UPDATE users SET role = ?, department_id = ? WHERE id = ?').run(role, departmentId, id);
      // The box always keeps one enabled admin: nobody can lock everyone out of the admin pages.
      if (before.role === 'admin' && !before.disabled && (role !== 'admin' || change.disabled)) {
        if (!db.prepare("SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0").get()) throw new AppError('last-admin');
      }
      // A new password, a disabled account or another role ends every session of that user.
      if (hash || change.disabled || roleChanged) {
        db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
        endedFor = id;
      }
      this.audit.append(actor, at, {
        entity: 'user',
        entityId: String(id),
        action: 'update',
        data: {
          password: hash ? 'changed' : undefined,
          disabled: change.disabled,
          displayName: change.displayName,
          skills: change.skills,
          ...(roleChanged ? { role: { before: before.role, after: role }, department: { before: before.department?.id ?? null, after: departmentId } } : {}),
        },
      });
      return this.user(id)!;
    })();
    // After the commit: open event streams of that user close now rather than at their next event.
    if (endedFor !== null) this.#endSessions(endedFor);
    return updated;
  }

  /**
   * Tells `listener` the id of a user whose sessions ended (logout, disabled, another role or department, a
   * new password): long-lived responses such as event streams close at once. Returns the unsubscribe.
   */
  onSessionsEnded(listener: (userId: number) => void): () => void {
    this.#sessionEnd.add(listener);
    return () => this.#sessionEnd.delete(listener);
  }

  #endSessions(userId: number): void {
    for (const l of [...this.#sessionEnd]) {
      try {
        l(userId);
      } catch {
        // A listener's failure must not undo the change or stop the other listeners.
      }
    }
  }

  user(id: number): User | undefined {
    const r = this.deps.db.prepare(`${userSelect} WHERE u.id = ?`).get(id) as UserRow | undefined;
    return r && toUser(r);
  }

  userByName(username: string): User | undefined {
    const r = this.deps.db.prepare(`${userSelect} WHERE u.username = ?`).get(username) as UserRow | undefined;
    return r && toUser(r);
  }

  users(): User[] {
    return (this.deps.db.prepare(`${userSelect} ORDER BY u.id`).all() as UserRow[]).map(toUser);
  }

  /**
   * On the first start (no admin yet): creates `admin` with a random password and returns it, for the
   * caller to write to <data>/initial-admin-password. Returns null when an admin exists.
   */
  async ensureInitialAdmin(): Promise<string | null> {
    const any = this.deps.db.prepare("SELECT 1 FROM users WHERE role = 'admin'").get();
    if (any) return null;
    const password = generatePassword();
    await this.createUser({ username: 'admin', password, role: 'admin', displayName: '系统管理员' }, systemActor);
    return password;
  }

  // ---- sessions ----

  /**
   * Checks a login. Throttled per (user name, client address), with a looser cap per user name and per
   * address (accounts/throttle.ts); an unknown user name and a wrong password give the same error in the
   * same time.
   */
  async login(username: string, password: string, client: string): Promise<{ token: string; user: User; expiresAt: Date }> {
    const keys = { username, address: client };
    // The attempt is counted as a failure before the password is checked, in one transaction with the lock
    // check: parallel requests cannot all pass the check while the first scrypt runs (the limit held only for
    // requests one after another). A correct password clears the counts afterwards.
    const wait = this.throttle.reserve(keys);
    if (wait > 0) throw new AppError('login-throttled', undefined, { retryAfterSeconds: Math.ceil(wait / 1000) });
    // At most a few checks in flight per name and per address: scrypt costs 32 MiB and ~100 ms each.
    const slots = [`u:${username.toLowerCase()}`, `a:${client}`];
    if (slots.some((k) => (this.#inFlight.get(k) ?? 0) >= maxInFlight)) {
      throw new AppError('login-throttled', 'too many logins in progress for this user name or address', { retryAfterSeconds: 1 });
    }
    for (const k of slots) this.#inFlight.set(k, (this.#inFlight.get(k) ?? 0) + 1);
    let row: UserRow | undefined;
    let ok: boolean;
    try {
      row = this.deps.db.prepare(`${userSelect} WHERE u.username = ?`).get(username) as UserRow | undefined;
      this.#decoyHash ??= hashPassword(randomBytes(12).toString('hex'));
      ok = await verifyPassword(password, row?.password_hash ?? (await this.#decoyHash));
    } finally {
      for (const k of slots) {
        const n = (this.#inFlight.get(k) ?? 1) - 1;
        if (n > 0) this.#inFlight.set(k, n);
        else this.#inFlight.delete(k);
      }
    }
    const at = this.#now();
    // A disabled account answers like a wrong password: its own answer would confirm the password.
    if (!row || !ok || row.disabled) {
      this.audit.append({ id: null, name: username.slice(0, 64), role: null as never }, at, {
        entity: 'session',
        entityId: username.slice(0, 64),
        action: 'login-failed',
        data: { client, ...(row?.disabled && ok ? { disabled: true } : {}) },
      });
      throw new AppError('invalid-credentials');
    }
    this.throttle.succeed(keys);
    // Hashes made with an older, cheaper cost are brought up to the current one while the password is known.
    if (needsRehash(row.password_hash)) {
      const fresh = await hashPassword(password);
      this.deps.db.prepare('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?').run(fresh, row.id, row.password_hash);
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(at.getTime() + this.deps.sessionHours() * 3_600_000);
    this.deps.db.transaction(() => {
      this.deps.db
        .prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
        .run(hashToken(token), row.id, at.toISOString(), expiresAt.toISOString());
      this.deps.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(at.toISOString());
      this.audit.append(actorOf(toUser(row)), at, { entity: 'session', entityId: row.username, action: 'login', data: { client } });
    })();
    return { token, user: toUser(row), expiresAt };
  }

  /**
   * Lifts the login locks and failure counts on a user name (every address), or on a client address (every
   * user name), and audits who did it. Returns how many counts were removed; throws for an unknown user.
   */
  unlockLogin(target: { username: string } | { address: string }, actor: Actor): number {
    return this.deps.db.transaction(() => {
      let removed: number;
      let entityId: string;
      if ('username' in target) {
        const user = this.userByName(target.username);
        if (!user) throw new AppError('user-not-found', `no user ${target.username}`, { username: target.username });
        removed = this.throttle.unlockUser(user.username);
        entityId = user.username;
      } else {
        removed = this.throttle.unlockAddress(target.address);
        entityId = target.address;
      }
      this.audit.append(actor, this.#now(), { entity: 'session', entityId, action: 'login-unlock', data: { ...target, removed } });
      return removed;
    })();
  }

  /** The user behind a session token, or undefined when it is unknown, expired or the user is disabled. */
  session(token: string): User | undefined {
    const r = this.deps.db
      .prepare(`SELECT user_id, expires_at FROM sessions WHERE token_hash = ?`)
      .get(hashToken(token)) as { user_id: number; expires_at: string } | undefined;
    if (!r || Date.parse(r.expires_at) < this.#now().getTime()) return undefined;
    const user = this.user(r.user_id);
    return user && !user.disabled ? user : undefined;
  }

  logout(token: string): void {
    const user = this.session(token);
    this.deps.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hashToken(token));
    if (user) {
      this.audit.append(actorOf(user), this.#now(), { entity: 'session', entityId: user.username, action: 'logout' });
      this.#endSessions(user.id);
    }
  }
}
