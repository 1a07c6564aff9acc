// Off-site backup copies (issue 12 §6): a city paired with its province sends its backup upstream, where it
// is kept per child box; a stranger's upload is refused before its body is read, and a damaged copy signed
// by the paired city is refused with exchange-backup-invalid. Real boxes, real HTTP between them.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { verifyBackup } from '../../firmware-agent/jobs/backup.js';
import { UpstreamClient } from '../../firmware-agent/network/client.js';
import { NetStore } from '../../firmware-agent/network/store.js';
import { api, pair, startBox, stopBox } from '../fixtures/network-fixture.js';

t.test('a city sends its nightly backup to its province, which keeps it per city', async (t) => {
  const province = await startBox({ role: 'province', region: '620000' });
  const city = await startBox({ role: 'city', region: '623000' });
  t.teardown(async () => {
    await stopBox(city);
    await stopBox(province);
    for (const b of [city, province]) fs.rmSync(b.dir, { recursive: true, force: true });
  });
  await pair(province, city);

  const run = await api(city, 'POST', '/api/admin/jobs/backup/run');
  t.equal(run.status, 200);
  t.equal(run.json.run.outcome, 'ok', run.json.run.error ?? '');
  const up = run.json.run.detail.upstream as { stored: string; bytes: number; kept: number };
  t.match(up, { stored: /^edgebox-\d{8}T\d{6}Z\.ebk$/, kept: 1 }, 'the province stored the copy');
  const local = fs.readFileSync(run.json.run.detail.file as string);
  t.equal(up.bytes, local.length);

  const list = await api(province, 'GET', '/api/network/offsite-backups');
  t.equal(list.status, 200);
  t.match(list.json.boxes, [{ region: '623000', files: [{ name: up.stored, bytes: local.length }] }]);
  const kept = path.join(province.dir, 'offsite', '623000', up.stored);
  t.ok(fs.readFileSync(kept).equals(local), 'byte for byte the city’s backup');
  t.equal(verifyBackup(kept).manifest.box?.region, '623000');

  const stranger = await fetch(`${province.url}/api/exchange/v1/backups`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: up.stored, data: local.toString('base64') }) });
  t.equal(stranger.status, 401, 'an unsigned upload is refused');
  t.equal(((await stranger.json()) as { error: { code: string } }).error.code, 'exchange-unsigned');

  // Signed by the paired city (its key, read from its store), but damaged: refused, nothing kept.
  const db = new Database(path.join(city.dir, 'edgebox.sqlite'), { readonly: true, fileMustExist: true });
  t.teardown(() => db.close());
  const client = new UpstreamClient({ store: new NetStore(db), address: () => '623000', now: () => new Date() });
  const damaged = Buffer.from(local);
  damaged[damaged.length - 100] = damaged[damaged.length - 100]! ^ 0xff;
  await t.rejects(client.sendBackup('edgebox-20990101T000000Z.ebk', damaged), { code: 'network-refused', detail: { refusal: 'exchange-backup-invalid' } });
  t.notOk(fs.existsSync(path.join(province.dir, 'offsite', '623000', 'edgebox-20990101T000000Z.ebk')), 'the damaged copy is not kept');
  const again = await client.sendBackup('edgebox-20990101T000000Z.ebk', local);
  t.match(again, { kept: 2, pruned: 0 }, 'a good copy under another name is kept beside the first');
});
