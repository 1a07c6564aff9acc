// Backups of the box (issue 12 §6): one file holding a manifest and the data.
//
//   EDGEBOX-BACKUP/1\n
//   <manifest, one line of JSON>\n
//   <the files listed in the manifest, back to back: the SQLite store, then config.json and the other
//    technician settings files present in the data directory>
//
// The store is copied with SQLite's online backup API (better-sqlite3 `db.backup`): a consistent snapshot
// while the box keeps writing (writes made through the same connection during the copy are carried into
// it). The manifest names the build's version, the migrations the store has, row counts of the main tables
// and, per file, its size and SHA-256; `manifestSha256` covers the manifest itself. The file is written
// under a temp name, fsynced and renamed, so a half-written backup never looks like a good one; the newest
// `keep` backups in a directory are kept (the pre-migration copies of store/db.ts are not touched).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from '../store/db.js';
import { loadMigrations } from '../store/db.js';
import { version as buildVersion } from '../version.js';

export const magic = 'EDGEBOX-BACKUP/1\n';
/**
 * Settings files of the data directory that travel with the store (when present): the one configuration.
 * calls.json and sms.json are only in backups of boxes from before it (issue 12 §1); a restore puts them
 * back and the next start moves them into config.json (config/migrate.ts).
 */
export const settingsFiles = ['config.json', 'calls.json', 'sms.json'];
const countedTables = ['tickets', 'audit', 'users', 'departments', 'kb_articles', 'calls', 'sms_messages', 'net_outbox', 'job_runs'];

export interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: 1;
  createdAt: string;
  version: string;
  box: { role: string; region: string; name: string } | null;
  migrations: string[];
  counts: Record<string, number>;
  files: ManifestFile[];
  /** SHA-256 of this manifest's JSON without this field. */
  manifestSha256: string;
}

export interface BackupResult {
  file: string;
  bytes: number;
  at: Date;
  manifest: Manifest;
  pruned: string[];
}

export class BackupError extends Error {
  constructor(
    readonly code: 'backup-malformed' | 'backup-checksum-mismatch' | 'backup-newer-build' | 'backup-failed',
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

const pattern = /^edgebox-\d{8}T\d{6}Z(-\d+)?\.ebk$/;

export function backupName(at: Date): string {
  return `edgebox-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}.ebk`;
}

function sha256File(file: string): { bytes: number; sha256: string } {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  try {
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) {
      h.update(buf.subarray(0, n));
      bytes += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { bytes, sha256: h.digest('hex') };
}

function manifestDigest(m: Omit<Manifest, 'manifestSha256'>): string {
  return crypto.createHash('sha256').update(JSON.stringify(m)).digest('hex');
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    fsyncFile(dir);
  } catch {
    // Some filesystems (vfat on a USB stick) cannot fsync a directory; the file itself was fsynced.
  }
}

/** What a store copy holds: its migrations and the row counts of the main tables. */
function describeStore(file: string): { migrations: string[]; counts: Record<string, number> } {
  // The copy is a rollback-journal file (no -wal/-shm beside it): one self-contained file to hash and carry.
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE');
    const migrations = (db.prepare('SELECT name FROM schema_migrations ORDER BY id').all() as { name: string }[]).map((r) => r.name);
    const have = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const counts: Record<string, number> = {};
    for (const t of countedTables) if (have.has(t)) counts[t] = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return { migrations, counts };
  } finally {
    db.close();
  }
}

export interface BackupOptions {
  db: Db;
  dataDir: string;
  /** Where the backup goes. */
  dir: string;
  /** Newest backups kept in `dir` (0: keep all). */
  keep: number;
  at: Date;
  box?: Manifest['box'];
}

/** Takes a consistent online backup into one file in `dir`, then rotates `dir`. */
export async function backupNow(o: BackupOptions): Promise<BackupResult> {
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  let file = path.join(o.dir, backupName(o.at));
  for (let i = 1; fs.existsSync(file); i++) file = path.join(o.dir, backupName(o.at).replace('.ebk', `-${i}.ebk`));
  const storeCopy = `${file}.store.partial`;
  const tmp = `${file}.partial`;
  try {
    await o.db.backup(storeCopy);
    const { migrations, counts } = describeStore(storeCopy);
    const parts: { name: string; file: string }[] = [{ name: 'edgebox.sqlite', file: storeCopy }];
    for (const name of settingsFiles) {
      const f = path.join(o.dataDir, name);
      if (fs.existsSync(f)) parts.push({ name, file: f });
    }
    const files = parts.map((p) => ({ name: p.name, ...sha256File(p.file) }));
    const body: Omit<Manifest, 'manifestSha256'> = {
      format: 1,
      createdAt: o.at.toISOString(),
      version: buildVersion,
      box: o.box ?? null,
      migrations,
      counts,
      files,
    };
    const manifest: Manifest = { ...body, manifestSha256: manifestDigest(body) };
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, magic);
      fs.writeSync(fd, `${JSON.stringify(manifest)}\n`);
      const buf = Buffer.allocUnsafe(1 << 20);
      for (const p of parts) {
        const src = fs.openSync(p.file, 'r');
        try {
          for (let n = fs.readSync(src, buf); n > 0; n = fs.readSync(src, buf)) fs.writeSync(fd, buf, 0, n);
        } finally {
          fs.closeSync(src);
        }
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    fsyncDir(o.dir);
    const pruned = o.keep > 0 ? rotate(o.dir, o.keep) : [];
    return { file, bytes: fs.statSync(file).size, at: o.at, manifest, pruned };
  } finally {
    for (const f of [storeCopy, `${storeCopy}-wal`, `${storeCopy}-shm`, `${storeCopy}-journal`]) fs.rmSync(f, { force: true });
    fs.rmSync(tmp, { force: true });
  }
}

/** Keeps the newest `keep` backups of `dir`; returns the names removed. */
export function rotate(dir: string, keep: number): string[] {
  const all = listBackups(dir);
  const pruned = all.slice(0, Math.max(0, all.length - keep));
  for (const f of pruned) fs.rmSync(path.join(dir, f), { force: true });
  return pruned;
}

/** Backup file names, oldest first. */
export function listBackups(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort();
}

/** Copies a finished backup into another directory (a USB stick), fsynced, and rotates it there. */
export function copyBackup(file: string, dir: string, keep: number): { file: string; pruned: string[] } {
  fs.mkdirSync(dir, { recursive: true });
  const to = path.join(dir, path.basename(file));
  const tmp = `${to}.partial`;
  fs.copyFileSync(file, tmp);
  fsyncFile(tmp);
  fs.renameSync(tmp, to);
  fsyncDir(dir);
  return { file: to, pruned: keep > 0 ? rotate(dir, keep) : [] };
}

/** Reads and checks a backup's header and manifest (not the data): throws BackupError('backup-malformed'). */
export function readManifest(file: string): { manifest: Manifest; dataOffset: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(fs.fstatSync(fd).size, 1 << 20));
    fs.readSync(fd, head, 0, head.length, 0);
    if (head.subarray(0, magic.length).toString('latin1') !== magic) throw new BackupError('backup-malformed', `${file} is not an edgebox backup (no ${JSON.stringify(magic.trim())} header)`);
    const end = head.indexOf(10, magic.length);
    if (end < 0) throw new BackupError('backup-malformed', `${file}: the manifest line is cut off`);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(head.subarray(magic.length, end).toString('utf8')) as Manifest;
    } catch {
      throw new BackupError('backup-malformed', `${file}: the manifest is not JSON`);
    }
    if (!manifest || manifest.format !== 1 || !Array.isArray(manifest.files) || !Array.isArray(manifest.migrations)) {
      throw new BackupError('backup-malformed', `${file}: the manifest is not a format-1 manifest`);
    }
    const { manifestSha256, ...body } = manifest;
    if (manifestDigest(body) !== manifestSha256) throw new BackupError('backup-checksum-mismatch', `${file}: the manifest does not match its checksum`);
    for (const f of manifest.files) {
      if (typeof f?.name !== 'string' || !['edgebox.sqlite', ...settingsFiles].includes(f.name) || !Number.isSafeInteger(f.bytes) || f.bytes < 0 || !/^[0-9a-f]{64}$/.test(f.sha256)) {
        throw new BackupError('backup-malformed', `${file}: the manifest lists a file it may not hold`);
      }
    }
    if (manifest.files[0]?.name !== 'edgebox.sqlite') throw new BackupError('backup-malformed', `${file}: the manifest holds no store`);
    return { manifest, dataOffset: end + 1 };
  } finally {
    fs.closeSync(fd);
  }
}

export interface VerifiedBackup {
  manifest: Manifest;
  /** Migrations of the backup this build does not know (a newer build wrote it): restore refuses it. */
  unknownMigrations: string[];
}

/**
 * Checks a backup completely: header, manifest, the size and SHA-256 of every file it holds, and whether
 * this build knows all its migrations. Throws BackupError; `allowNewer` only reports unknown migrations.
 */
export function verifyBackup(file: string, o: { allowNewer?: boolean } = {}): VerifiedBackup {
  const { manifest, dataOffset } = readManifest(file);
  const total = manifest.files.reduce((s, f) => s + f.bytes, 0);
  const size = fs.statSync(file).size;
  if (size !== dataOffset + total) throw new BackupError('backup-checksum-mismatch', `${file}: ${size - dataOffset} bytes of data where the manifest lists ${total}`);
  const fd = fs.openSync(file, 'r');
  try {
    let pos = dataOffset;
    const buf = Buffer.allocUnsafe(1 << 20);
    for (const f of manifest.files) {
      const h = crypto.createHash('sha256');
      for (let left = f.bytes; left > 0; ) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, left), pos);
        if (n <= 0) throw new BackupError('backup-checksum-mismatch', `${file}: ${f.name} is cut off`);
        h.update(buf.subarray(0, n));
        pos += n;
        left -= n;
      }
      if (h.digest('hex') !== f.sha256) throw new BackupError('backup-checksum-mismatch', `${file}: ${f.name} does not match its SHA-256 in the manifest; the backup is damaged`);
    }
  } finally {
    fs.closeSync(fd);
  }
  const known = new Set(loadMigrations().map((m) => m.name));
  const unknownMigrations = manifest.migrations.filter((m) => !known.has(m));
  if (unknownMigrations.length > 0 && !o.allowNewer) {
    throw new BackupError(
      'backup-newer-build',
      `${file} was made by a newer build (version ${manifest.version}) with migration(s) this build (version ${buildVersion}) does not know: ${unknownMigrations.join(', ')}. Install that version first.`,
    );
  }
  return { manifest, unknownMigrations };
}

/** Writes the files of a verified backup into `dir` (each fsynced under a temp name, then renamed). */
export function extractBackup(file: string, dir: string): string[] {
  const { manifest, dataOffset } = readManifest(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, 'r');
  const written: string[] = [];
  try {
    let pos = dataOffset;
    const buf = Buffer.allocUnsafe(1 << 20);
    for (const f of manifest.files) {
      const to = path.join(dir, f.name);
      const tmp = `${to}.restoring`;
      const out = fs.openSync(tmp, 'w', 0o600);
      const h = crypto.createHash('sha256');
      try {
        for (let left = f.bytes; left > 0; ) {
          const n = fs.readSync(fd, buf, 0, Math.min(buf.length, left), pos);
          if (n <= 0) throw new BackupError('backup-checksum-mismatch', `${file}: ${f.name} is cut off`);
          h.update(buf.subarray(0, n));
          fs.writeSync(out, buf, 0, n);
          pos += n;
          left -= n;
        }
        fs.fsyncSync(out);
      } finally {
        fs.closeSync(out);
      }
      // Checked again while writing: the file could have changed since it was verified.
      if (h.digest('hex') !== f.sha256) {
        fs.rmSync(tmp, { force: true });
        throw new BackupError('backup-checksum-mismatch', `${file}: ${f.name} does not match its SHA-256 in the manifest`);
      }
      fs.renameSync(tmp, to);
      written.push(to);
    }
  } finally {
    fs.closeSync(fd);
  }
  fsyncDir(dir);
  return written;
}
