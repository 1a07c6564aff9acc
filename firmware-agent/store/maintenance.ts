// Store upkeep off the request path: FTS5 index merges and WAL checkpoints.
//
// With SQLite's defaults both happen inside whichever write transaction crosses a threshold, so a
// random ticket create pays tens of milliseconds for them (the create p99 grows with the store). The box
// turns the automatic versions off (automerge=0 in migration 202611281700, wal_autocheckpoint=0 here) and
// does the same work in small steps on a timer. Each step is bounded: `merge` with a page budget, and a
// PASSIVE checkpoint that never waits for readers or writers.
import type { Db } from './db.js';

export interface MaintenanceOptions {
  /** How often a step runs, in ms. */
  intervalMs?: number;
  /** Pages of FTS merge work per step (FTS5 'merge' command). */
  mergePages?: number;
  /** FTS5 tables to merge. */
  ftsTables?: string[];
  onError?: (err: unknown) => void;
}

export interface Maintenance {
  /** Runs one step now (tests, shutdown). */
  step(): void;
  stop(): void;
}

export function startMaintenance(db: Db, opts: MaintenanceOptions = {}): Maintenance {
  const tables = opts.ftsTables ?? ['tickets_fts'];
  const pages = opts.mergePages ?? 100;
  db.pragma('wal_autocheckpoint = 0');
  const merges = tables.map((t) => db.prepare(`INSERT INTO ${t} (${t}, rank) VALUES ('merge', ?)`));
  let lastChanges = -1;
  const step = () => {
    // total_changes() moves only when something was written: an idle box does no work.
    const changes = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    if (changes === lastChanges) return;
    for (const m of merges) m.run(pages);
    db.pragma('wal_checkpoint(PASSIVE)');
    lastChanges = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  };
  const timer = setInterval(() => {
    try {
      step();
    } catch (err) {
      opts.onError?.(err);
    }
  }, opts.intervalMs ?? 2000);
  timer.unref();
  return {
    step,
    stop() {
      clearInterval(timer);
      db.pragma('wal_autocheckpoint = 1000');
    },
  };
}
