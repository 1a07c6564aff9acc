// The embedded store: one SQLite file per box, opened through better-sqlite3.
//
// Invariants:
// - WAL journal with synchronous=FULL: a write that returned has reached the disk, so anything the box
//   acknowledged to a user or a peer survives a power cut or kill -9.
// - Migrations are forward-only SQL files in ./migrations, applied in order of their numeric prefix and
//   recorded in `schema_migrations`. A database that records a migration this build does not know was
//   written by a newer build; it is refused rather than guessed at.
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
}

export function openDb({ file, migrations = loadMigrations() }: OpenOptions): Db {
  let db: Db;
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file);
  } catch (err) {
    throw new StoreError('store-open-failed', `cannot open database ${file}: ${(err as Error).message}`, { cause: err });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  try {
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

export function migrate(db: Db, migrations: Migration[]): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = db.prepare('SELECT id, name FROM schema_migrations').all() as { id: string; name: string }[];
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
  const ran: string[] = [];
  for (const m of migrations) {
    if (done.has(m.id)) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(
          m.id,
          m.name,
          new Date().toISOString(),
        );
      })();
    } catch (err) {
      throw new StoreError('store-migration-failed', `migration ${m.name} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    ran.push(m.name);
  }
  return ran;
}
