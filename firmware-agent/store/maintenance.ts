// Store upkeep off the request path: FTS5 index merges, WAL checkpoints, and the WAL's bound under disk
// pressure (issue 12 §7).
//
// With SQLite's defaults the FTS merges happen inside whichever write transaction crosses a threshold, so a
// random ticket create pays tens of milliseconds for them. The box turns automatic merging off (automerge=0
// in migration 202611281700, crisismerge raised in 202612041935) and merges in small, page-budgeted steps.
//
// The WAL: a checkpoint copies the WAL's pages into the database file; the WAL restarts from its beginning
// at the next write after a complete checkpoint, and journal_size_limit cuts the file back then. Without a
// bound the WAL grows with every commit between two steps (17–21 pages of 4 KiB per ticket create, see
// migration 202612041935) and, on a nearly full disk, fills it: then the checkpoint that would free it
// cannot run either (the database file must grow to take the pages). So:
// - wal_autocheckpoint is never off: at most `walPages` (300 pages, 1.2 MiB) and never more than an eighth of
//   the data disk's free space, so the WAL cannot outgrow the room its own checkpoint needs; the step
//   re-reads the free space (statfs of the data directory) and re-tunes it every time;
// - under disk pressure (free space under `reserveBytes`), the checkpoint wins over new writes: a TRUNCATE
//   checkpoint empties the WAL file, the auto-checkpoint drops to 64 pages, and max_page_count is pinned to
//   the current size, so a write that would grow the database is refused by SQLite itself with SQLITE_FULL
//   (answered as `store-full`, HTTP 507) before the disk is full, while writes that fit in free pages and
//   all reads go on. When space returns the pin is lifted on the next step.
// The step is driven by the jobs table (`store-maintenance`, every second) or, where no jobs table runs
// (benches, CLI tools), by its own timer.
import fs from 'node:fs';
import type { Db } from './db.js';

export interface MaintenanceOptions {
  /** How often the own timer runs a step, in ms; 0: no timer (the jobs table calls step()). */
  intervalMs?: number;
  /** Pages of FTS merge work per chunk (FTS5 'merge' command); a step does at least one chunk. */
  mergePages?: number;
  /** Most pages of merge work in one step. */
  maxMergePages?: number;
  /** FTS5 tables to merge. */
  ftsTables?: string[];
  /** The directory whose filesystem holds the store (for the free space); the database's own by default. */
  dataDir?: string;
  /** Free bytes under which the store is under disk pressure; default 5 % of the filesystem, 2–64 MiB. */
  reserveBytes?: (totalBytes: number) => number;
  /** Largest WAL, in pages, before a commit checkpoints it (the bound when space is plenty). */
  walPages?: number;
  /** Free space of the store's filesystem (tests pass a simulated one). */
  statfs?: (dir: string) => { freeBytes: number; totalBytes: number };
  onError?: (err: unknown) => void;
  /** Called when disk pressure starts (true) or ends (false). */
  onPressure?: (pressure: boolean, s: StepResult) => void;
}

export interface StepResult {
  /** Whether there was anything written since the last step (merges and PASSIVE checkpoint ran). */
  worked: boolean;
  pressure: boolean;
  freeBytes: number;
  totalBytes: number;
  reserveBytes: number;
  /** wal_autocheckpoint set by this step, pages. */
  walLimitPages: number;
  /** Frames in the WAL and frames copied by this step's checkpoint (-1: none ran). */
  walFrames: number;
  checkpointed: number;
  /** The checkpoint could not complete (e.g. SQLITE_FULL): the message. */
  checkpointError: string | null;
}

export interface Maintenance {
  /** Runs one step now, all at once (tests, benches, shutdown). */
  step(): StepResult;
  /**
   * The same step in pieces: each `next()` does one bounded piece (one merge chunk of `mergePages`, or the
   * checkpoint), so the caller can let requests in between (the jobs table awaits a turn of the event loop).
   */
  steps(): Generator<void, StepResult, void>;
  /** Stops the own timer: from now on the caller runs step() (the jobs table). */
  external(): void;
  readonly pressure: boolean;
  readonly last: StepResult | null;
  stop(): void;
}

const registry = new WeakMap<Db, Maintenance>();

/** The maintenance started on this database, if any (the jobs installer takes its steps over). */
export function maintenanceOf(db: Db): Maintenance | undefined {
  return registry.get(db);
}

const MiB = 1024 * 1024;
export const defaultReserve = (total: number): number => Math.min(64 * MiB, Math.max(2 * MiB, Math.floor(total * 0.05)));

export function diskSpace(dir: string): { freeBytes: number; totalBytes: number } {
  const s = fs.statfsSync(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

export function startMaintenance(db: Db, opts: MaintenanceOptions = {}): Maintenance {
  const tables = opts.ftsTables ?? ['tickets_fts'];
  const pages = opts.mergePages ?? 32;
  const walPages = opts.walPages ?? 300;
  const maxMergePages = opts.maxMergePages ?? 4000;
  const reserveOf = opts.reserveBytes ?? defaultReserve;
  const memory = db.name === ':memory:' || db.memory;
  const dir = opts.dataDir ?? (memory ? null : db.name.replace(/[/\\][^/\\]*$/, '') || '.');
  const statfs = opts.statfs ?? diskSpace;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const defaultMaxPages = db.pragma('max_page_count', { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${walPages}`);
  db.pragma(`journal_size_limit = ${walPages * pageSize}`);
  const merges = tables.map((t) => db.prepare(`INSERT INTO ${t} (${t}, rank) VALUES ('merge', ?)`));
  const totalChanges = db.prepare('SELECT total_changes() AS n');
  let lastChanges = -1;
  let pressure = false;
  let last: StepResult | null = null;
  let limit = walPages;

  const checkpoint = (mode: 'PASSIVE' | 'TRUNCATE') => walCheckpoint(db, mode);

  function* steps(): Generator<void, StepResult, void> {
    const space = dir ? statfs(dir) : { freeBytes: Number.MAX_SAFE_INTEGER, totalBytes: Number.MAX_SAFE_INTEGER };
    const reserve = dir ? reserveOf(space.totalBytes) : 0;
    const wasPressure = pressure;
    // Leave pressure only with some margin above the reserve, so the box does not flip at the threshold.
    pressure = pressure ? space.freeBytes < reserve * 1.25 : space.freeBytes < reserve;
    const changes = (totalChanges.get() as { n: number }).n;
    const worked = changes !== lastChanges;
    let cp = { frames: -1, done: -1, error: null as string | null };
    if (pressure) {
      // The checkpoint first: empty the WAL file while nothing else writes, then pin the database's size.
      cp = checkpoint('TRUNCATE');
      limit = 64;
      db.pragma(`wal_autocheckpoint = ${limit}`);
      db.pragma(`journal_size_limit = ${limit * pageSize}`);
      const count = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${count}`);
    } else {
      if (wasPressure) db.pragma(`max_page_count = ${defaultMaxPages}`);
      limit = Math.max(64, Math.min(walPages, Math.floor(space.freeBytes / 8 / pageSize)));
      db.pragma(`wal_autocheckpoint = ${limit}`);
      db.pragma(`journal_size_limit = ${limit * pageSize}`);
      // total_changes() moves only when something was written: an idle box does no merge or checkpoint work.
      if (worked || wasPressure) {
        // Merge work in proportion to what was written (each create adds a small index segment; a budget that
        // lags behind lets segments pile up), in chunks of `pages` with a yield after each.
        const budget = Math.min(maxMergePages, Math.max(pages, 2 * (changes - Math.max(0, lastChanges))));
        for (let done = 0; done < budget; done += pages) {
          for (const m of merges) m.run(pages);
          yield;
        }
        cp = checkpoint('PASSIVE');
      }
    }
    lastChanges = (totalChanges.get() as { n: number }).n;
    last = {
      worked,
      pressure,
      freeBytes: space.freeBytes,
      totalBytes: space.totalBytes,
      reserveBytes: reserve,
      walLimitPages: limit,
      walFrames: cp.frames,
      checkpointed: cp.done,
      checkpointError: cp.error,
    };
    if (pressure !== wasPressure) opts.onPressure?.(pressure, last);
    return last;
  }
  const step = (): StepResult => {
    const it = steps();
    for (;;) {
      const r = it.next();
      if (r.done) return r.value;
    }
  };
  let timer: NodeJS.Timeout | null = null;
  if ((opts.intervalMs ?? 1000) > 0) {
    timer = setInterval(() => {
      try {
        step();
      } catch (err) {
        opts.onError?.(err);
      }
    }, opts.intervalMs ?? 1000);
    timer.unref();
  }
  const m: Maintenance = {
    step,
    steps,
    external() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    get pressure() {
      return pressure;
    },
    get last() {
      return last;
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      registry.delete(db);
      if (!db.open) return;
      if (pressure) db.pragma(`max_page_count = ${defaultMaxPages}`);
      db.pragma(`wal_autocheckpoint = ${walPages}`);
    },
  };
  registry.set(db, m);
  return m;
}

/** A WAL checkpoint: the WAL's frames and how many were copied, or the reason it could not complete. */
function walCheckpoint(db: Db, mode: 'PASSIVE' | 'TRUNCATE'): { frames: number; done: number; error: string | null } {
  try {
    const r = (db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[])[0]!;
    return { frames: r.log, done: r.checkpointed, error: r.busy ? 'busy' : null };
  } catch (err) {
    return { frames: -1, done: -1, error: (err as Error).message };
  }
}
