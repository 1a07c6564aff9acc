// Upgrades of the store: a copy is taken before migrating a store that holds data, the pending migrations
// apply all or none, and an older build refuses a store a newer one migrated, naming the migration.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadMigrations, openDb, StoreError, type Migration } from '../../firmware-agent/store/db.js';

function tempStore(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-migrate-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'edgebox.sqlite');
}

const base = loadMigrations();
const next: Migration = { id: '299901010000', name: '299901010000-next.sql', sql: 'CREATE TABLE next_feature (id INTEGER PRIMARY KEY); INSERT INTO next_feature VALUES (1);' };
const broken: Migration = { id: '299901020000', name: '299901020000-broken.sql', sql: 'CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);' };
const names = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return {
      migrations: (db.prepare('SELECT name FROM schema_migrations ORDER BY id').all() as { name: string }[]).map((r) => r.name),
      tables: (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name),
      departments: (db.prepare('SELECT name FROM departments ORDER BY name').all() as { name: string }[]).map((r) => r.name),
    };
  } finally {
    db.close();
  }
};

t.test('a new store is created without a backup; migrating a store with data first copies it to backups/', async (t) => {
  const file = tempStore(t);
  const backups = path.join(path.dirname(file), 'backups');
  const db = openDb({ file, migrations: base });
  t.notOk(fs.existsSync(backups), 'nothing to back up in a new store');
  db.prepare("INSERT INTO departments (name, created_at) VALUES ('运管处', ?)").run(new Date().toISOString());
  db.close();

  const upgraded = openDb({ file, migrations: [...base, next], now: () => new Date('2026-12-04T08:00:00Z') });
  upgraded.close();
  const copies = fs.readdirSync(backups);
  t.same(copies, [`pre-migration-20261204T080000Z-${base.at(-1)!.id}.sqlite`], 'named by time and the last migration it had');
  const before = names(path.join(backups, copies[0]!));
  t.same(before.migrations, base.map((m) => m.name), 'the copy is the store before the migration');
  t.notOk(before.tables.includes('next_feature'));
  t.same(before.departments, ['运管处'], 'with its data');
  t.ok(names(file).tables.includes('next_feature'), 'the store itself is migrated');

  openDb({ file, migrations: [...base, next] }).close();
  t.equal(fs.readdirSync(backups).length, 1, 'no copy when nothing is pending');
});

t.test('a failing migration applies nothing: the store stays as the previous version wrote it, and that version starts', async (t) => {
  const file = tempStore(t);
  openDb({ file, migrations: base }).close();
  const err = await (async () => openDb({ file, migrations: [...base, next, broken] }))().then(
    () => null,
    (e: unknown) => e as StoreError,
  );
  t.equal(err?.code, 'store-migration-failed');
  t.match(err?.message, /299901020000-broken\.sql.*no migration was applied/);
  const after = names(file);
  t.same(after.migrations, base.map((m) => m.name), 'neither the good nor the broken migration is recorded');
  t.notOk(after.tables.includes('next_feature'), 'the good one in the same upgrade was rolled back too');
  t.notOk(after.tables.includes('half_done'));
  openDb({ file, migrations: base }).close();
  t.pass('the previous version opens the store');
});

t.test('an older build refuses a store that a newer one migrated, naming the migration it does not know', async (t) => {
  const file = tempStore(t);
  openDb({ file, migrations: [...base, next] }).close();
  t.throws(() => openDb({ file, migrations: base }), { code: 'store-unknown-migration', message: /299901010000-next\.sql.*newer version/ });
});
