// A ticket store for the benches, built the way the composition root (firmware-agent/app.ts) builds it:
// openDb (WAL, synchronous=FULL, migrations), the default domain table, the working-day calendar, the
// region table and a TicketService with the default deadlines. Plus a bench agent and a few departments,
// so created_by and department_id point at real rows as they would in a box.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkCalendar } from '../../../firmware-agent/calendar/workdays.js';
import { defaultConfig } from '../../../firmware-agent/config/model.js';
import { RegionTable } from '../../../firmware-agent/regions/regions.js';
import { type Db, openDb } from '../../../firmware-agent/store/db.js';
import { type Maintenance, startMaintenance } from '../../../firmware-agent/store/maintenance.js';
import { defaultDomains } from '../../../firmware-agent/tickets/codes.js';
import { TicketService } from '../../../firmware-agent/tickets/service.js';
import type { Actor } from '../../../firmware-agent/accounts/actor.js';

let regionTable: RegionTable | undefined;
export function regions(): RegionTable {
  regionTable ??= RegionTable.load();
  return regionTable;
}

/** The box's own region and the county-level codes under it, where the generated matters happen. */
export function benchRegions(): { box: string; matters: string[] } {
  const box = defaultConfig.box.region;
  const matters = regions()
    .children(box)
    .map((r) => r.code)
    .filter((c) => regions().has(c));
  return { box, matters: matters.length > 0 ? matters : [box] };
}

export interface BenchStore {
  dir: string;
  file: string;
  db: Db;
  tickets: TicketService;
  calendar: WorkCalendar;
  agent: Actor;
  departments: number[];
  /** The box's background upkeep (index merges, checkpoints); the bench runs its steps between samples. */
  maintenance: Maintenance;
  close(): void;
}

const live = new Set<string>();
let exitHook = false;

/**
 * A fresh temporary directory; `remove` deletes it (and is safe to call twice). Directories still there
 * when the process exits (an exception, or process.exit from a signal handler) are removed then.
 */
export function tempDir(prefix: string, root = os.tmpdir()): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(root, `edgebox-bench-${prefix}-`));
  live.add(dir);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const d of live) fs.rmSync(d, { recursive: true, force: true });
    });
  }
  return {
    dir,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      live.delete(dir);
    },
  };
}

export function openBenchStore(dir: string, now: () => Date = () => new Date()): BenchStore {
  const file = path.join(dir, 'edgebox.sqlite');
  const db = openDb({ file });
  // As in the box (firmware-agent/app.ts): index merges and checkpoints run on a timer, not in creates.
  const maintenance = startMaintenance(db, process.env.BENCH_WAL_PAGES ? { walPages: Number(process.env.BENCH_WAL_PAGES) } : {});
  const cfg = defaultConfig;
  const seed = db.prepare('INSERT OR IGNORE INTO domains (code, label_zh, label_en, parent, sort) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => defaultDomains.forEach((d, i) => seed.run(d.code, d.zh, d.en, d.parent ?? null, i)))();
  const at = now().toISOString();
  db.prepare(
    `INSERT OR IGNORE INTO users (username, password_hash, role, created_at) VALUES ('bench-agent', 'not-a-login', 'agent', ?)`,
  ).run(at);
  const agentId = (db.prepare(`SELECT id FROM users WHERE username = 'bench-agent'`).get() as { id: number }).id;
  const dept = db.prepare('INSERT OR IGNORE INTO departments (name, created_at) VALUES (?, ?)');
  for (const name of ['合作市交通运输局', '临潭县交通运输局', '夏河县交通运输局', '州道路运输管理局', '州公交公司', '州出租汽车管理所']) {
    dept.run(name, at);
  }
  const departments = (db.prepare('SELECT id FROM departments ORDER BY id').all() as { id: number }[]).map((d) => d.id);
  const calendar = new WorkCalendar(db, cfg.box.timezone);
  const tickets = new TicketService({
    db,
    calendar,
    regions: regions(),
    boxRegion: () => cfg.box.region,
    timezone: cfg.box.timezone,
    deadlines: () => cfg.tickets.deadlines,
    dueSoonWorkingDays: () => cfg.tickets.dueSoonWorkingDays,
    now,
  });
  return {
    dir,
    file,
    db,
    tickets,
    calendar,
    agent: { id: agentId, name: 'bench-agent', role: 'agent' },
    maintenance,
    departments,
    close: () => {
      maintenance.stop();
      if (db.open) db.close();
    },
  };
}
