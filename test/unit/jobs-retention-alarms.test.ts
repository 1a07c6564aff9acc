// The retention job prunes the alarm history (issue 12): alarms cleared more than
// jobs.retention.alarmsKeepDays ago (365 by default), this box's and those reported by the boxes below; an
// active alarm stays however old it is. A real store (migrations applied), a fixed clock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { defaultConfig } from '../../firmware-agent/config/model.js';
import { validateConfig, withDefaults } from '../../firmware-agent/config/schema.js';
import { pruneBox } from '../../firmware-agent/jobs/retention.js';
import { openDb } from '../../firmware-agent/store/db.js';

const now = new Date('2026-12-04T03:45:00Z');
const day = 86_400_000;
const ago = (days: number) => new Date(now.getTime() - days * day).toISOString();
const settings = { ...defaultConfig.jobs.retention, alarmsKeepDays: 30 };

/** An alarm raised `raisedDays` ago and cleared `clearedDays` ago (null: still active), here and from below. */
interface Row {
  raisedDays: number;
  clearedDays: number | null;
}

function fill(db: ReturnType<typeof openDb>, rows: Row[]): void {
  const mine = db.prepare(
    "INSERT INTO alarms (key, source, severity, message, raised_at, last_seen_at, cleared_at) VALUES (?, 'threshold', 'warning', 'm', ?, ?, ?)",
  );
  const below = db.prepare(
    "INSERT INTO net_alarms (origin, key, raised_at, severity, message, cleared_at, reported_at, received_at) VALUES ('623001', ?, ?, 'warning', 'm', ?, ?, ?)",
  );
  rows.forEach((r, i) => {
    const cleared = r.clearedDays === null ? null : ago(r.clearedDays);
    // At most one active row per key (the partial unique index): each row its own key.
    mine.run(`k${i}`, ago(r.raisedDays), cleared ?? ago(r.raisedDays), cleared);
    below.run(`k${i}`, ago(r.raisedDays), cleared, ago(r.raisedDays), ago(r.raisedDays));
  });
}

function store(t: { teardown(fn: () => void): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-retention-alarms-'));
  const db = openDb({ file: path.join(dir, 'edgebox.sqlite') });
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { db, recordings: path.join(dir, 'recordings') };
}

t.test('cleared alarms older than alarmsKeepDays go; recent and active ones stay', async (t) => {
  const { db, recordings } = store(t);
  fill(db, [
    { raisedDays: 400, clearedDays: 399 },
    { raisedDays: 40, clearedDays: 31 },
    { raisedDays: 40, clearedDays: 29 },
    { raisedDays: 1000, clearedDays: null },
    { raisedDays: 1, clearedDays: 0 },
  ]);
  const r = await pruneBox(db, recordings, settings, now);
  t.equal(r.alarms, 2);
  t.equal(r.alarmsBelow, 2);
  const keys = (db.prepare('SELECT key FROM alarms ORDER BY key').all() as { key: string }[]).map((x) => x.key);
  t.same(keys, ['k2', 'k3', 'k4'], 'cleared 29 days ago, active for 1000 days, cleared today');
  t.same((db.prepare('SELECT key FROM net_alarms ORDER BY key').all() as { key: string }[]).map((x) => x.key), ['k2', 'k3', 'k4']);
  t.same(await pruneBox(db, recordings, settings, now).then((x) => [x.alarms, x.alarmsBelow]), [0, 0], 'a second run finds nothing');
});

t.test('property: what remains is exactly the active alarms and those cleared within the period', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ raisedDays: fc.integer({ min: 0, max: 800 }), clearedDays: fc.option(fc.integer({ min: 0, max: 800 }), { nil: null }) }), { maxLength: 40 }),
      fc.integer({ min: 1, max: 400 }),
      async (raw, keep) => {
        const rows = raw.map((r) => ({ raisedDays: r.raisedDays, clearedDays: r.clearedDays === null ? null : Math.min(r.clearedDays, r.raisedDays) }));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-retention-alarms-p-'));
        const db = openDb({ file: path.join(dir, 'edgebox.sqlite') });
        try {
          fill(db, rows);
          await pruneBox(db, path.join(dir, 'recordings'), { ...settings, alarmsKeepDays: keep }, now);
          const expected = rows.map((r, i) => (r.clearedDays === null || r.clearedDays <= keep ? `k${i}` : null)).filter((k) => k !== null).sort();
          const left = (db.prepare('SELECT key FROM alarms ORDER BY key').all() as { key: string }[]).map((x) => x.key);
          const leftBelow = (db.prepare('SELECT key FROM net_alarms ORDER BY key').all() as { key: string }[]).map((x) => x.key);
          return JSON.stringify(left) === JSON.stringify(expected) && JSON.stringify(leftBelow) === JSON.stringify(expected);
        } finally {
          db.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    ),
    { numRuns: 40 },
  );
  t.pass('held');
});

t.test('alarmsKeepDays: 365 by default, added to an older configuration, 1–3650 days', async (t) => {
  t.equal(defaultConfig.jobs.retention.alarmsKeepDays, 365);
  const older = structuredClone(defaultConfig) as unknown as { jobs: { retention: Record<string, unknown> } };
  delete older.jobs.retention.alarmsKeepDays;
  t.equal((validateConfig(withDefaults(older as unknown as Record<string, unknown>)) as typeof defaultConfig).jobs.retention.alarmsKeepDays, 365);
  for (const bad of [0, 3651, 1.5, '30']) {
    const c = structuredClone(defaultConfig) as unknown as { jobs: { retention: Record<string, unknown> } };
    c.jobs.retention.alarmsKeepDays = bad;
    t.throws(() => validateConfig(c), { code: 'config-invalid' }, `refused: ${JSON.stringify(bad)}`);
  }
});
