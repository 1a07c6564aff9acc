// The configuration file `<data>/config.json`, kept with lowdb. Writes are atomic and durable: temp file,
// fsync, rename, fsync of the directory — a power cut leaves either the old or the new file, never a
// truncated one (the failure node-red's users met with in-place writes).
import fs from 'node:fs';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { legacySettings, retireLegacySettings, withLegacySettings } from './migrate.js';
import { type BoxConfig, type Role, defaultConfig } from './model.js';
import { validateConfig, withDefaults } from './schema.js';

/** The national code (中华人民共和国, GB/T 2260 100000): the ministry's region; not a row of the region table. */
export const nationalRegion = '100000';

/** Whether a box of `role` may serve `region`: a code of the region table, or the national code for the ministry. */
export function regionAllowed(regions: { has(code: string): boolean }, role: Role, region: string): boolean {
  return regions.has(region) || (role === 'ministry' && region === nationalRegion);
}

export class DurableJsonFile<T> implements Adapter<T> {
  constructor(readonly file: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new Error(`${this.file} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }

  async write(data: T): Promise<void> {
    writeFileDurably(this.file, `${JSON.stringify(data, null, 2)}\n`);
  }
}

/**
 * Writes `file` so that a crash leaves either the old or the new content, never a torn file: a temporary file
 * beside it, fsync'd, renamed over it, and the directory fsync'd so the rename itself survives.
 */
export function writeFileDurably(file: string, content: string | Uint8Array, mode = 0o644): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeFileSync(fd, content); // loops until all is written (writeSync may write part)
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dfd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}

export interface ConfigStore {
  readonly file: string;
  /** The validated, frozen configuration in force. */
  current(): Readonly<BoxConfig>;
  /** Applies a change, validates the result, writes it atomically, and makes it current. */
  update(change: (draft: BoxConfig) => void): Promise<Readonly<BoxConfig>>;
  /**
   * The same, synchronously (the durable write is synchronous): for a change audited in the SQLite
   * transaction that wraps it (config/edit.ts). Throws ConfigError before writing anything when invalid.
   */
  updateSync(change: (draft: BoxConfig) => void): Readonly<BoxConfig>;
  /** Re-reads the file (a change another process made) and returns the configuration then in force. */
  refresh(): Readonly<BoxConfig>;
  /**
   * Calls `fn` after each change this store wrote (the admin API, the calls settings page), with the new
   * configuration and the one before: a running part applies its section without a restart.
   */
  onChange(fn: (next: Readonly<BoxConfig>, previous: Readonly<BoxConfig>) => void): void;
}

/**
 * Loads `<dataDir>/config.json`, creating it from defaults (plus `initial`) on first start, and moves the
 * content of an older data directory's calls.json and sms.json into it (config/migrate.ts).
 * A file that fails validation stops the box with the bad keys named.
 */
export async function openConfig(dataDir: string, initial: Partial<{ role: BoxConfig['box']['role']; region: string }> = {}): Promise<ConfigStore> {
  const file = path.join(dataDir, 'config.json');
  const db = new Low<BoxConfig>(new DurableJsonFile<BoxConfig>(file), structuredClone(defaultConfig));
  await db.read();
  const exists = fs.existsSync(file);
  if (!exists) {
    if (initial.role) db.data.box.role = initial.role;
    if (initial.region) db.data.box.region = initial.region;
    // A ministry serves the whole country: its region is the national code unless one is given.
    else if (initial.role === 'ministry') db.data.box.region = nationalRegion;
  }
  const legacy = legacySettings(dataDir);
  let cfg = validateConfig(withDefaults(withLegacySettings(db.data as unknown as Record<string, unknown>, legacy)), file);
  db.data = structuredClone(cfg) as BoxConfig;
  if (!exists || legacy.length) await db.write();
  retireLegacySettings(legacy);
  // A change starts from the file as it is now, so one made meanwhile by `edgebox config set` (another
  // process) is kept, not overwritten with this process's older copy. A file that no longer validates is
  // not taken: the change then starts from the configuration in force.
  const fromDisk = (): Readonly<BoxConfig> => {
    try {
      cfg = validateConfig(withDefaults(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>), file);
    } catch {
      /* keep cfg */
    }
    return cfg;
  };
  const listeners: ((next: Readonly<BoxConfig>, previous: Readonly<BoxConfig>) => void)[] = [];
  // The change is durable when listeners run (inside the audit transaction of config/edit.ts): a listener's
  // failure must not undo it, so it is contained here; listeners report their own problems.
  const changed = (previous: Readonly<BoxConfig>) => {
    for (const fn of listeners) {
      try {
        fn(cfg, previous);
      } catch {
        /* the listener's own problem; the configuration change stands */
      }
    }
    return cfg;
  };
  return {
    file,
    current: () => cfg,
    refresh: fromDisk,
    onChange: (fn) => void listeners.push(fn),
    async update(change) {
      const draft = structuredClone(fromDisk()) as BoxConfig;
      const previous = cfg;
      change(draft);
      const next = validateConfig(draft, 'configuration change');
      db.data = structuredClone(next) as BoxConfig;
      await db.write();
      cfg = next;
      return changed(previous);
    },
    updateSync(change) {
      const draft = structuredClone(fromDisk()) as BoxConfig;
      const previous = cfg;
      change(draft);
      const next = validateConfig(draft, 'configuration change');
      writeFileDurably(file, `${JSON.stringify(next, null, 2)}\n`);
      db.data = structuredClone(next) as BoxConfig;
      cfg = next;
      return changed(previous);
    },
  };
}
