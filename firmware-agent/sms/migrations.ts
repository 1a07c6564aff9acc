// The SMS channel's migrations. They live with the domain; the store applies them together with the
// core ones (`openDb({ migrations: [...loadMigrations(), ...smsMigrations()] })`, or by copying the
// file into firmware-agent/store/migrations — the store refuses a database with migrations it does
// not know, so every build that opens this database must list them).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMigrations, type Migration } from '../store/db.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export function smsMigrations(): Migration[] {
  return loadMigrations(dir);
}

/** Core migrations plus the SMS ones, in id order, without duplicates (if the file was copied over). */
export function withSmsMigrations(core: Migration[] = loadMigrations()): Migration[] {
  const ids = new Set(core.map((m) => m.id));
  return [...core, ...smsMigrations().filter((m) => !ids.has(m.id))].sort((a, b) => a.id.localeCompare(b.id));
}
