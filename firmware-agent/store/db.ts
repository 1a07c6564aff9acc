// The embedded store: one SQLite file per box, opened through better-sqlite3.
//
// Invariants:
// - WAL journal with synchronous=FULL: a write that returned has reached the disk, so anything the box
//   acknowledged to a user or a peer survives a power cut or kill -9.
// - Migrations are forward-only SQL files in ./migrations, applied in order of their numeric prefix and
//   recorded in `schema_migrations`. A database that records a migration this build does not know was
//   written by a newer build; it is refused rather than guessed at.
// - Before a store that already holds data is migrated, a copy of it is written to
//   <dir>/backups/pre-migration-<time>-<last migration>.sqlite (VACUUM INTO: a consistent snapshot,
//   fsynced, then renamed into place). The nightly job's pruning does not touch these files.
// - The pending migrations run in ONE transaction: if any fails, none is applied, and the store is exactly
//   what the previous version wrote (that version still starts on it).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export class StoreError extends Error {
  constructor(
    readonly code: 'store-unknown-migration' | 'store-migration-failed' | 'store-open-failed',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export interface Migration {
  id: string; // numeric prefix of the file name, e.g. "202611281320"
  name: string; // file name
  sql: string;
}

export function loadMigrations(dir = migrationsDir): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d+-[\w-]+\.sql$/.test(f))
    .map((f) => ({ id: f.split('-')[0]!, name: f, sql: fs.readFileSync(path.join(dir, f), 'utf8') }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
}

export interface OpenOptions {
  /** Path of the SQLite file, or ':memory:'. */
  file: string;
  migrations?: Migration[];
  /** Where the copy taken before migrating goes; default `backups/` beside the file. */
  backupDir?: string;
  /** The clock for the backup's name. */
  now?: () => Date;
}

export function openDb({ file, migrations = loadMigrations(), backupDir, now = () => new Date() }: OpenOptions): Db {
  let db: Db;
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file);
  } catch (err) {
    throw new StoreError('store-open-failed', `cannot open database ${file}: ${(err as Error).message}`, { cause: err });
  }
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  beginImmediately(db);
  try {
    const dir = backupDir ?? (file === ':memory:' ? undefined : path.join(path.dirname(file), 'backups'));
    migrate(db, migrations, dir ? { beforeMigrating: (last) => backupBeforeMigrating(db, dir, last, now()) } : {});
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Every transaction of this connection begins IMMEDIATE, taking the write lock before its first read. The box, its
 * call-record writer and the CLI (`edgebox user add`, restore, provisioning) write to the same file; a deferred
 * transaction that has read cannot become a writer once another connection has committed (SQLITE_BUSY_SNAPSHOT,
 * "database is locked"), and no busy timeout waits that out. An immediate one waits for the lock instead.
 * `.deferred`, `.immediate` and `.exclusive` keep their meaning; a nested call is a savepoint as before.
 */
function beginImmediately(db: Db): void {
  const make = db.transaction.bind(db);
  db.transaction = ((fn: (...args: never[]) => unknown) => {
    const tx = make(fn);
    const run = function (this: unknown, ...args: never[]) {
      return tx.immediate.apply(this, args);
    };
    for (const k of ['deferred', 'immediate', 'exclusive'] as const) Object.defineProperty(run, k, { value: tx[k] });
    Object.defineProperty(run, 'database', { value: db });
    Object.defineProperty(run, 'default', { value: run });
    return run;
  }) as Db['transaction'];
}

export interface MigrateHooks {
  /** Called once before the first pending migration of a store that already has some (`last` = newest applied). */
  beforeMigrating?: (last: Migration['name']) => void;
}

export function migrate(db: Db, migrations: Migration[], hooks: MigrateHooks = {}): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = db.prepare('SELECT id, name FROM schema_migrations ORDER BY id').all() as { id: string; name: string }[];
  const known = new Set(migrations.map((m) => m.id));
  const unknown = applied.filter((a) => !known.has(a.id));
  if (unknown.length > 0) {
    throw new StoreError(
      'store-unknown-migration',
      `database has migration(s) this build does not know: ${unknown.map((u) => u.name).join(', ')}. ` +
        'It was written by a newer version of the box; install that version or restore a backup.',
    );
  }
  const done = new Set(applied.map((a) => a.id));
  const pending = migrations.filter((m) => !done.has(m.id));
  if (pending.length === 0) return [];
  const last = applied.at(-1);
  if (last) hooks.beforeMigrating?.(last.name);
  let current: Migration | undefined;
  try {
    db.transaction(() => {
      for (const m of pending) {
        current = m;
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, new Date().toISOString());
      }
    })();
  } catch (err) {
    throw new StoreError(
      'store-migration-failed',
      `migration ${current?.name} failed: ${(err as Error).message}; no migration was applied, the store is as it was`,
      { cause: err },
    );
  }
  return pending.map((m) => m.name);
}

/** `pre-migration-<UTC time>-<newest applied migration id>.sqlite` */
export function preMigrationBackupName(at: Date, last: string): string {
  return `pre-migration-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}-${last.split('-')[0]}.sqlite`;
}

/**
 * A consistent copy of the store as it is before migrating (VACUUM INTO runs inside SQLite and sees one
 * snapshot), fsynced and renamed into place, so a half-written copy never looks like a backup. Throws (and so
 * stops the start) when the copy cannot be written: migrating without a way back is not done silently.
 */
export function backupBeforeMigrating(db: Db, dir: string, last: string, at: Date): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  const file = path.join(dir, preMigrationBackupName(at, last));
  const tmp = `${file}.partial`;
  fs.rmSync(tmp, { force: true });
  try {
    db.prepare('VACUUM INTO ?').run(tmp);
    const fd = fs.openSync(tmp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new StoreError('store-migration-failed', `cannot back up the store before migrating it to ${file}: ${(err as Error).message}`, { cause: err });
  }
  return file;
}
