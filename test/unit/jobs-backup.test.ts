import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { backupNow, listBackups } from '../../firmware-agent/jobs/backup.js';
import { openDb } from '../../firmware-agent/store/db.js';
import { tempDir } from '../helpers/box.js';

t.test('a backup is a consistent copy, and only the newest ones are kept', async (t) => {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDb({ file: path.join(dir, 'edgebox.sqlite') });
  t.teardown(() => db.close());
  db.prepare("INSERT INTO departments (name, created_at) VALUES ('市交通运输局', '2026-11-28')").run();
  const out = path.join(dir, 'backups');
  for (let i = 0; i < 4; i++) await backupNow(db, out, 3, new Date(Date.UTC(2026, 10, 20 + i, 19, 15)));
  const files = listBackups(out);
  t.same(files, ['edgebox-20261121T191500Z.sqlite', 'edgebox-20261122T191500Z.sqlite', 'edgebox-20261123T191500Z.sqlite'], 'the oldest is pruned');
  t.same(fs.readdirSync(out).filter((f) => f.endsWith('.partial')), [], 'no partial file is left');
  const copy = new Database(path.join(out, files.at(-1)!), { readonly: true });
  t.teardown(() => copy.close());
  t.equal((copy.prepare('SELECT name FROM departments').get() as { name: string }).name, '市交通运输局');
  t.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
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
