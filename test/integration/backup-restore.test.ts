// Backup and restore (issue 12 §6). In process: the nightly job's backup taken during a burst of ticket
// creates, restored by `edgebox restore` into an empty data directory: every ticket acknowledged before the
// backup began is there, nothing that was never acknowledged is, and the store is intact. As processes:
// `edgebox backup` asks the running box through its control socket; a damaged copy is refused by its
// checksum and the box keeps running; `edgebox restore` stops the box, keeps the current store aside,
// restores and starts the box again the way it ran.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { restoreCommand, storeHolder } from '../../firmware-agent/cli/backup.js';
import { askBox } from '../../firmware-agent/jobs/control.js';
import { runBackup } from '../../firmware-agent/jobs/install.js';
import { complaint, startTestBox, tempDir } from '../helpers/box.js';
import { HttpClient, runCli, startBoxProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

const numbers = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return { numbers: (db.prepare('SELECT number FROM tickets').all() as { number: string }[]).map((r) => r.number), check: db.pragma('integrity_check', { simple: true }) };
  } finally {
    db.close();
  }
};

t.test('a backup taken during a burst of creates restores every acknowledged ticket into a new data directory', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const acked: string[] = [];
  let stop = false;
  let refused = 0;
  const burst = (async () => {
    for (let i = 0; !stop; i++) {
      const r = await tb.admin.post('/api/tickets', { ...complaint, subject: `出租车拒载 ${i}`, description: `第 ${i} 次反映，`.repeat(30) });
      if (r.statusCode === 201) acked.push(r.json().number);
      else refused++;
    }
  })();
  await waitFor('the burst is under way', () => acked.length >= 40, 60_000, 5);
  const before = acked.slice();
  const { result } = await runBackup(tb.box);
  const duringBackup = acked.length - before.length;
  stop = true;
  await burst;
  t.equal(refused, 0);
  t.comment(`${before.length} acknowledged before the backup began, ${duringBackup} while it ran, ${acked.length} in all`);

  const target = tempDir('edgebox-restore-');
  t.teardown(() => fs.rmSync(target, { recursive: true, force: true }));
  const code = await restoreCommand([result.file, '--data', target, '--json']);
  t.equal(code, 0, 'restored onto an empty data directory');
  const restored = numbers(path.join(target, 'edgebox.sqlite'));
  t.equal(restored.check, 'ok', 'the restored store is intact');
  const have = new Set(restored.numbers);
  t.same(before.filter((n) => !have.has(n)), [], `all ${before.length} tickets acknowledged before the backup are there`);
  const ackedSet = new Set(acked);
  t.same(restored.numbers.filter((n) => !ackedSet.has(n)), [], 'and only acknowledged tickets');
  t.equal(result.manifest.counts.tickets, restored.numbers.length, 'the manifest counts what the backup holds');
  t.ok(fs.existsSync(path.join(target, 'config.json')), 'the settings came with it');
});

t.test('edgebox backup asks the running box; a damaged backup is refused; edgebox restore stops, restores and restarts the box', async (t) => {
  const dir = tempDir('edgebox-restore-box-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const box = await startBoxProcess(['--data', dir]);
  t.teardown(() => box.child.kill('SIGKILL'));
  const api = new HttpClient(box.url);
  await api.login('admin', fs.readFileSync(path.join(dir, 'initial-admin-password'), 'utf8').trim());
  const create = async (i: number) => (await api.request('POST', '/api/tickets', { ...complaint, subject: `拒载 ${i}` })).json.number as string;
  const kept: string[] = [];
  for (let i = 0; i < 10; i++) kept.push(await create(i));
  await waitFor('the control socket', async () => (await askBox(dir, 'GET', '/jobs')) !== null, 30_000, 50);

  const b = runCli(['backup', '--data', dir, '--json']);
  t.equal(b.code, 0, b.stderr);
  const out = JSON.parse(b.stdout) as { file: string; manifest: { counts: { tickets: number } } };
  t.equal(path.dirname(out.file), path.join(dir, 'backups'), 'taken by the box into its backups directory');
  t.equal(out.manifest.counts.tickets, 10);
  const lost: string[] = [];
  for (let i = 10; i < 15; i++) lost.push(await create(i));

  const damaged = path.join(dir, 'damaged.ebk');
  const bytes = fs.readFileSync(out.file);
  bytes[bytes.length - 5000] = bytes[bytes.length - 5000]! ^ 0x55;
  fs.writeFileSync(damaged, bytes);
  const bad = runCli(['restore', damaged, '--data', dir]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /refused \(backup-checksum-mismatch\)/);
  t.equal((await api.request('GET', '/healthz')).status, 200, 'the box was not stopped for a damaged backup');

  const r = runCli(['restore', out.file, '--data', dir, '--json']);
  t.equal(r.code, 0, r.stderr);
  const done = JSON.parse(r.stdout) as { keptAside: string; started: string };
  t.equal((await box.exited).code, 0, 'the running box was stopped cleanly');
  t.match(done.started, /bin\/edgebox(-dev)?\.js start/, 'and started again the way it ran');
  t.ok(fs.existsSync(path.join(done.keptAside, 'edgebox.sqlite')), 'the previous store is kept aside');
  t.teardown(() => {
    const h = storeHolder(dir);
    if (h) process.kill(h.pid, 'SIGKILL');
  });
  await waitFor('the restarted box answers', async () => (await askBox(dir, 'GET', '/jobs').catch(() => null)) !== null, 60_000, 100);
  const h = storeHolder(dir);
  t.ok(h && h.pid !== box.child.pid, 'a new box process holds the store');
  const now = numbers(path.join(dir, 'edgebox.sqlite'));
  t.same(now.numbers.sort(), kept.sort(), 'the store is the backup: the 10 tickets, not the 5 made after it');
  t.same(numbers(path.join(done.keptAside, 'edgebox.sqlite')).numbers.length, 15, 'the kept-aside store still has all 15');
  process.kill(h!.pid, 'SIGTERM');
});
