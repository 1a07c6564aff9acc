import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { openConfig } from '../../firmware-agent/config/store.js';
import { ConfigError } from '../../firmware-agent/config/schema.js';
import { loadMigrations, migrate, openDb, StoreError } from '../../firmware-agent/store/db.js';
import { tempDir } from '../helpers/box.js';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { RegionTable } from '../../firmware-agent/regions/regions.js';

t.test('the store runs in WAL with synchronous=FULL and records its migrations', async (t) => {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDb({ file: path.join(dir, 'a.sqlite') });
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL');
  const applied = db.prepare('SELECT name FROM schema_migrations ORDER BY id').all() as { name: string }[];
  t.same(applied.map((a) => a.name), loadMigrations().map((m) => m.name));
  t.same(migrate(db, loadMigrations()), [], 'a second run applies nothing');
  db.prepare("INSERT INTO audit (at, actor_name, entity, entity_id, action) VALUES ('2026-01-01', 'x', 'ticket', '1', 'create')").run();
  t.throws(() => db.prepare("UPDATE audit SET note = 'x'").run(), /append-only/, 'the audit trail cannot be edited');
  t.throws(() => db.prepare('DELETE FROM audit').run(), /append-only/, 'nor deleted');
  db.close();
});

t.test('a database with a migration this build does not know is refused', async (t) => {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'b.sqlite');
  openDb({ file }).close();
  const db = openDb({ file, migrations: [...loadMigrations(), { id: '299912312359', name: '299912312359-future.sql', sql: 'CREATE TABLE future (x)' }] });
  db.close();
  const err = (() => {
    try {
      openDb({ file });
    } catch (e) {
      return e as StoreError;
    }
  })();
  t.ok(err instanceof StoreError, 'refused');
  t.equal(err?.code, 'store-unknown-migration');
  t.match(err?.message, /299912312359-future\.sql/, 'naming the unknown migration');
});

t.test('the configuration is created on first start, validated, and written atomically', async (t) => {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cfg = await openConfig(dir, { role: 'province', region: '620000' });
  t.equal(cfg.current().box.role, 'province');
  t.equal(cfg.current().http.port, 8328);
  t.ok(Object.isFrozen(cfg.current().tickets.deadlines), 'frozen');
  await cfg.update((d) => (d.tickets.deadlines.complaint = 20));
  const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  t.equal(onDisk.tickets.deadlines.complaint, 20);
  t.same(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
  await t.rejects(cfg.update((d) => (d.http.port = 70000)), ConfigError, 'a bad change is refused');
  t.equal(cfg.current().http.port, 8328, 'and not applied');

  onDisk.http.port = 'eighty';
  onDisk.tickets.speed = 3;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(onDisk));
  const err = await openConfig(dir).then(
    () => null,
    (e: ConfigError) => e,
  );
  t.equal(err?.code, 'config-invalid', 'a bad file stops the box');
  t.ok(err?.problems.some((p) => p.startsWith('http.port')), 'naming the bad value');
  t.ok(err?.problems.includes('tickets.speed: unknown setting'), 'and the unknown key');
  fs.writeFileSync(path.join(dir, 'config.json'), '{"box": ');
  await t.rejects(openConfig(dir), /not valid JSON/);
});

t.test('every error code is documented in docs/errors.md', async (t) => {
  const doc = fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const code of Object.keys(errorCatalogue)) t.ok(doc.includes(`\`${code}\``), code);
});

t.test('the region table is the GB/T 2260 province/city/county table', async (t) => {
  const r = RegionTable.load();
  t.equal(r.children(null).length, 31, '31 provincial divisions in mainland China');
  t.equal(r.fullName('623001'), '甘肃省甘南藏族自治州合作市');
  t.equal(r.fullName('110105'), '北京市朝阳区', 'the 市辖区 placeholder is left out of names');
  t.notOk(r.has('340171'), 'development zones are not divisions');
  t.ok(r.within('623001', '620000'));
  t.notOk(r.within('623001', '610000'));
});
