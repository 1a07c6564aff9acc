// The SMS channel's migrations. They live with the domain; the store applies them together with the
// core ones (`openDb({ migrations: [...loadMigrations(), ...smsMigrations()] })`, or by copying the
// file into firmware-agent/store/migrations — the store refuses a database with migrations it does
// not know, so every build that opens this database must list them).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMigrations, type Migration } from '../store/db.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export function smsMigrations(): Migration[] {
  // Moved into the store's own folder: nothing left to add here.
  return fs.existsSync(dir) ? loadMigrations(dir) : [];
}

/**
 * Core migrations plus the SMS ones, in id order. A file already among the core ones (copied over)
 * is not listed twice; two different files with one id are refused, since the store keys on the id.
 */
export function withSmsMigrations(core: Migration[] = loadMigrations()): Migration[] {
  const byId = new Map(core.map((m) => [m.id, m]));
  const extra: Migration[] = [];
  for (const m of smsMigrations()) {
    const same = byId.get(m.id);
    if (same && same.name !== m.name) throw new Error(`migration id ${m.id} is used by both ${same.name} and ${m.name}`);
    if (!same) extra.push(m);
  }
  return [...core, ...extra].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
}
