// Nightly online backup of the SQLite store (better-sqlite3's backup API copies a consistent snapshot
// while the box keeps writing). Written under a temp name and renamed, so a half-written backup never
// looks like a good one; the newest `keep` backups are kept.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';

export interface BackupResult {
  file: string;
  bytes: number;
  at: Date;
  pruned: string[];
}

const pattern = /^edgebox-\d{8}T\d{6}Z\.sqlite$/;

export function backupName(at: Date): string {
  return `edgebox-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}.sqlite`;
}

export async function backupNow(db: Db, dir: string, keep: number, at: Date): Promise<BackupResult> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  const file = path.join(dir, backupName(at));
  const tmp = `${file}.partial`;
  await db.backup(tmp);
  const fd = fs.openSync(tmp, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const all = listBackups(dir);
  const pruned = all.slice(0, Math.max(0, all.length - keep));
  for (const f of pruned) fs.rmSync(path.join(dir, f), { force: true });
  return { file, bytes: fs.statSync(file).size, at, pruned };
}

/** Backup file names, oldest first. */
export function listBackups(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort();
}
