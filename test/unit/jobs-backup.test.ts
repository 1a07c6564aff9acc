// Backup files (jobs/backup.ts): one file with a manifest, rotated; every damage is refused by a checksum;
// a backup from a newer build (a migration this build does not know) is refused.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import t from 'tap';
import { BackupError, backupNow, extractBackup, listBackups, readManifest, verifyBackup } from '../../firmware-agent/jobs/backup.js';
import { openDb } from '../../firmware-agent/store/db.js';
import { tempDir } from '../helpers/box.js';

async function fixture(t: { teardown(fn: () => unknown): void }) {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDb({ file: path.join(dir, 'edgebox.sqlite') });
  t.teardown(() => db.close());
  db.prepare("INSERT INTO departments (name, created_at) VALUES ('市交通运输局', '2026-11-28')").run();
  fs.writeFileSync(path.join(dir, 'config.json'), '{"box":{"region":"623000"}}\n');
  return { dir, db };
}

t.test('a backup is one file with a manifest; it rotates, and extracts to a consistent store and its settings', async (t) => {
  const { dir, db } = await fixture(t);
  const out = path.join(dir, 'backups');
  for (let i = 0; i < 4; i++) await backupNow({ db, dataDir: dir, dir: out, keep: 3, at: new Date(Date.UTC(2026, 10, 20 + i, 19, 15)) });
  const files = listBackups(out);
  t.same(files, ['edgebox-20261121T191500Z.ebk', 'edgebox-20261122T191500Z.ebk', 'edgebox-20261123T191500Z.ebk'], 'the oldest is pruned');
  t.same(fs.readdirSync(out).filter((f) => f.includes('.partial')), [], 'no partial file is left');
  const file = path.join(out, files.at(-1)!);
  const { manifest } = verifyBackup(file);
  t.equal(manifest.counts.departments, 1);
  t.same(manifest.files.map((f) => f.name), ['edgebox.sqlite', 'config.json']);
  t.ok(manifest.migrations.includes('202612041930-job-runs.sql'), 'the migrations are listed');
  const to = path.join(dir, 'restored');
  extractBackup(file, to);
  t.equal(fs.readFileSync(path.join(to, 'config.json'), 'utf8'), '{"box":{"region":"623000"}}\n');
  const copy = new Database(path.join(to, 'edgebox.sqlite'), { readonly: true });
  t.teardown(() => copy.close());
  t.equal((copy.prepare('SELECT name FROM departments').get() as { name: string }).name, '市交通运输局');
  t.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
});

t.test('any changed byte of a backup is refused by a checksum, never restored', async (t) => {
  const { dir, db } = await fixture(t);
  const r = await backupNow({ db, dataDir: dir, dir: path.join(dir, 'b'), keep: 0, at: new Date(Date.UTC(2026, 11, 1)) });
  const good = fs.readFileSync(r.file);
  const { dataOffset } = readManifest(r.file);
  const bad = path.join(dir, 'bad.ebk');
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, flip) => {
      const b = Buffer.from(good);
      b[at] = b[at]! ^ flip;
      fs.writeFileSync(bad, b);
      try {
        verifyBackup(bad);
        return false;
      } catch (err) {
        if (!(err instanceof BackupError)) throw err;
        // Damage in the data is a checksum mismatch; in the header or manifest it may also be malformed.
        return at >= dataOffset ? err.code === 'backup-checksum-mismatch' : ['backup-malformed', 'backup-checksum-mismatch'].includes(err.code);
      }
    }),
    { numRuns: 200 },
  );
  fs.writeFileSync(bad, good.subarray(0, good.length - 10));
  t.throws(() => verifyBackup(bad), { code: 'backup-checksum-mismatch' }, 'a cut-off backup is refused');
  t.doesNotThrow(() => verifyBackup(r.file), 'the original still verifies');
});

t.test('a backup made by a newer build is refused', async (t) => {
  const { dir, db } = await fixture(t);
  db.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES ('209901010000', '209901010000-from-the-future.sql', '2099-01-01')").run();
  const r = await backupNow({ db, dataDir: dir, dir: path.join(dir, 'b'), keep: 0, at: new Date(Date.UTC(2026, 11, 1)) });
  t.throws(() => verifyBackup(r.file), { code: 'backup-newer-build', message: /209901010000-from-the-future\.sql/ });
  t.same(verifyBackup(r.file, { allowNewer: true }).unknownMigrations, ['209901010000-from-the-future.sql']);
});

t.test('hardware health names a nearly full data disk', async (t) => {
  const { sampleSystem, systemWarnings } = await import('../../firmware-agent/health/system.js');
  const s = await sampleSystem(process.cwd(), new Date());
  t.ok(s.disk, 'the data directory is on a mounted disk');
  t.ok(s.memory.totalBytes > 0);
  const full = { ...s, disk: { mount: '/data', sizeBytes: 100e9, availableBytes: 500e6, usePercent: 99.5 } };
  t.match(systemWarnings(full)[0], /data disk \/data is 99\.5% full \(477 MiB free\)/);
  t.same(systemWarnings({ ...s, disk: { mount: '/', sizeBytes: 100e9, availableBytes: 50e9, usePercent: 50 }, cpuTemperatureC: null, memory: { totalBytes: 8e9, availableBytes: 4e9 } }), []);
});
