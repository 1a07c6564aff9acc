// A store on a small tmpfs that fills up (issue 12 §7). The maintenance job is run as its schedule would
// run it (every second in a box), so the test controls when: no real waits.
// - Disk nearly full: the store refuses writes that would grow it with the documented store-full (507),
//   before the disk is full, after a TRUNCATE checkpoint emptied the WAL; reads keep working; an alarm.
// - Disk full before the step noticed: the same store-full refusals, never a 500.
// - Space returns: the step lifts the pressure and clears the alarm; then a burst bigger than the WAL may
//   grow, with no maintenance step at all: the WAL stays within its bound (an eighth of the free space),
//   because the auto-checkpoint is never off.
// Nothing acknowledged is lost and the store stays intact (PRAGMA integrity_check).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { jobsOf } from '../../firmware-agent/jobs/install.js';
import { maintenanceOf } from '../../firmware-agent/store/maintenance.js';
import { startTestBox } from '../helpers/box.js';

t.test('a full data disk refuses writes clearly and early, keeps reads, bounds the WAL, loses nothing, and recovers', async (t) => {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'full-disk-'));
  // Root can mount a tmpfs (npm test runs as root in CI); anything else is an error, not a skip.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mnt]);
  t.teardown(() => {
    execFileSync('umount', ['-l', mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  });
  const dir = path.join(mnt, 'data');
  const tb = await startTestBox({ dataDir: dir });
  t.teardown(() => tb.close());
  const wal = path.join(dir, 'edgebox.sqlite-wal');
  const walBytes = () => (fs.existsSync(wal) ? fs.statSync(wal).size : 0);
  const free = () => fs.statfsSync(mnt).bavail * fs.statfsSync(mnt).bsize;
  // On a disk that is already full the step's checkpoint can fail (the store cannot grow to take the WAL's
  // pages): that run fails, and says so; the step's figures are read from the maintenance itself.
  const step = async (mayFail = false) => {
    const r = await jobsOf(tb.box).run('store-maintenance', 'scheduled');
    if (!mayFail) t.equal(r.outcome, 'ok', `maintenance step: ${r.error ?? 'ok'}`);
    else if (r.outcome === 'failed') t.match(r.error, /checkpoint failed: .*full/, 'a failed step names the full disk');
    return maintenanceOf(tb.box.db)!.last!;
  };
  const alarm = () => tb.box.db.prepare("SELECT count(*) AS n FROM alarms WHERE key = 'store-disk-pressure' AND cleared_at IS NULL").pluck().get() as number;
  const create = (i: number) =>
    tb.admin.post('/api/tickets', {
      type: 'complaint',
      domain: 'taxi',
      channel: 'phone',
      region: '623000',
      caller: { phone: '13800138000' },
      subject: `出租车拒载 ${i}`,
      description: `火车站出租车拒载，第 ${i} 次反映。`.repeat(20),
    });
  const acknowledged: string[] = [];
  const burst = async (from: number, count: number, untilRefused: number) => {
    const statuses = new Map<number, number>();
    let refused = 0;
    let maxWal = 0;
    for (let i = from; i < from + count && refused < untilRefused; i++) {
      const r = await create(i);
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      maxWal = Math.max(maxWal, walBytes());
      if (r.statusCode === 201) acknowledged.push(r.json().number);
      else {
        refused += 1;
        t.equal(r.json().error.code, 'store-full', 'refused as store-full');
      }
    }
    return { statuses, refused, maxWal };
  };
  let b = await burst(0, 20, 1);
  t.equal(b.refused, 0);
  await step();

  // 1. Nearly full (1.5 MiB left, under the 2 MiB reserve of a 24 MiB disk): the step checkpoints first and
  //    pins the store's size; creates that need new pages are refused while the disk still has room.
  const filler = path.join(mnt, 'filler');
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 1536 * 1024)));
  let s = await step();
  t.equal(s.pressure, true, 'disk pressure noticed');
  t.equal(alarm(), 1, 'the store-disk-pressure alarm is raised');
  t.ok(walBytes() <= 64 * 1024, `the WAL was emptied by the checkpoint (${walBytes()} bytes)`);
  b = await burst(20, 2000, 20);
  t.comment(`under pressure: ${JSON.stringify([...b.statuses])}, largest WAL ${b.maxWal} bytes, ${free()} bytes still free`);
  t.notOk(b.statuses.has(500), 'never a 500');
  t.equal(b.refused, 20, 'writes that would grow the store are refused');
  t.ok(free() > 512 * 1024, 'refused before the disk was full');
  t.ok(b.maxWal <= (64 + 40) * 4120, 'the WAL stays at its pressure bound (64 pages and one transaction)');
  t.equal((await tb.admin.get(`/api/tickets/${acknowledged[0]}`)).statusCode, 200, 'reading still works');

  // 2. Full before a step noticed (300 KiB left): still the clear refusal, never a 500.
  fs.rmSync(filler);
  s = await step();
  t.equal(s.pressure, false);
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 300 * 1024)));
  b = await burst(2100, 2000, 20);
  t.comment(`full without a step: ${JSON.stringify([...b.statuses])}`);
  t.notOk(b.statuses.has(500), 'never a 500');
  t.ok(b.refused > 0, 'the full disk was met');
  s = await step(true);
  t.equal(s.pressure, true);

  // 3. Space returns: the next step lifts the pressure; a long burst with no maintenance step keeps the WAL
  //    within an eighth of the free space, and all of it is acknowledged.
  fs.rmSync(filler);
  s = await step(true);
  if (s.pressure) s = await step();
  t.equal(s.pressure, false, 'pressure lifted');
  t.equal(alarm(), 0, 'the alarm is cleared');
  const bound = s.walLimitPages;
  t.ok(bound * 4096 <= s.freeBytes / 8 + 4096, `WAL bound ${bound} pages is within an eighth of the free space the step saw`);
  b = await burst(5000, 400, 1);
  t.comment(`after recovery: ${JSON.stringify([...b.statuses])}, largest WAL ${b.maxWal} bytes (bound ${bound} pages)`);
  t.equal(b.refused, 0, '400 creates after the box recovered all succeed, with no maintenance step');
  t.ok(b.maxWal <= (bound + 40) * 4120, 'the WAL never outgrew its bound');

  const db = tb.box.db;
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'the store is intact');
  const have = new Set((db.prepare('SELECT number FROM tickets').all() as { number: string }[]).map((r) => r.number));
  t.equal(acknowledged.filter((n) => !have.has(n)).length, 0, `all ${acknowledged.length} acknowledged tickets are in the store`);
});
