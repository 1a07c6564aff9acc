import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { applyIdentityFlags, IdentityError, identityInUse } from '../../firmware-agent/config/identity.js';
import { openConfig } from '../../firmware-agent/config/store.js';
import { RegionTable } from '../../firmware-agent/regions/regions.js';
import { openDb } from '../../firmware-agent/store/db.js';
import { tempDir } from '../helpers/box.js';

const regions = RegionTable.load();

t.test('identity flags: nothing to do on a first start or when they match config.json', async (t) => {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  t.same(await applyIdentityFlags(dir, { role: 'province', region: '620000' }, regions), [], 'no config.json yet: openConfig seeds it');
  t.notOk(fs.existsSync(path.join(dir, 'config.json')), 'and nothing is written here');
  await openConfig(dir, { role: 'province', region: '620000' });
  t.same(await applyIdentityFlags(dir, { role: 'province', region: '620000' }, regions), []);
  t.same(identityInUse(dir), [], 'no store yet, nothing in use');
});

t.test('identity flags: a box enrolled with a downstream peer or paired upstream keeps its identity', async (t) => {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  await openConfig(dir, { role: 'province', region: '620000' });
  const db = openDb({ file: path.join(dir, 'edgebox.sqlite') });
  db.prepare("INSERT INTO net_peers (public_key, region, box_id, role, enrolled_at) VALUES ('k', '623000', 'b', 'city', '2026-12-01T00:00:00Z')").run();
  db.close();
  t.same(identityInUse(dir), ['1 downstream box is enrolled with it']);
  await t.rejects(applyIdentityFlags(dir, { role: 'ministry' }, regions), IdentityError);
  await t.rejects(applyIdentityFlags(dir, { region: '440000' }, regions), /config\.json says this box is province 620000.*box\.region 620000 → 440000.*enrolled/);
  t.equal((await openConfig(dir)).current().box.region, '620000', 'config.json unchanged');
});

t.test('identity flags: an unused box takes the new role and region through the validated update', async (t) => {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  await openConfig(dir);
  openDb({ file: path.join(dir, 'edgebox.sqlite') }).close();
  const changes = await applyIdentityFlags(dir, { role: 'province', region: '620000' }, regions);
  t.same(changes, [
    { key: 'box.role', from: 'city', to: 'province' },
    { key: 'box.region', from: '623000', to: '620000' },
  ]);
  t.match((await openConfig(dir)).current().box, { role: 'province', region: '620000' });
  await t.rejects(applyIdentityFlags(dir, { region: '340171' }, regions), /not a GB\/T 2260 code/, 'a development-zone code is refused');
});
