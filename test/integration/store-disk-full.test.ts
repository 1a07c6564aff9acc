// A store on a small tmpfs that fills up mid-burst (issue 12 §7): every create answers 201 or the
// documented store-full refusal (never a 500), reads keep working, the box recovers by itself once space is
// freed (its maintenance step checkpoints and restarts the WAL), nothing acknowledged is lost and the store
// stays intact (PRAGMA integrity_check).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startTestBox } from '../helpers/box.js';
import { waitFor } from './network-fixture.js';

t.test('a full data disk refuses writes clearly, keeps reads, loses nothing, and recovers', async (t) => {
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
  for (let i = 0; i < 20; i++) {
    const r = await create(i);
    t.equal(r.statusCode, 201);
    acknowledged.push(r.json().number);
  }
  // Fill the disk but for a little room, then keep creating until the store refuses.
  const filler = path.join(mnt, 'filler');
  const free = () => fs.statfsSync(mnt).bavail * fs.statfsSync(mnt).bsize;
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 300 * 1024)));
  const statuses = new Map<number, number>();
  let refused = 0;
  for (let i = 20; i < 2000 && refused < 20; i++) {
    const r = await create(i);
    statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
    if (r.statusCode === 201) acknowledged.push(r.json().number);
    else {
      refused += 1;
      t.equal(r.json().error.code, 'store-full', 'refused as store-full');
    }
  }
  t.comment(`statuses while the disk filled: ${JSON.stringify([...statuses])}`);
  t.notOk(statuses.has(500), 'never a 500');
  t.ok(refused > 0, 'the full disk was met');
  const read = await tb.admin.get(`/api/tickets/${acknowledged[0]}`);
  t.equal(read.statusCode, 200, 'reading still works on a full disk');

  // Space returns: the box writes again by itself, for good (not only the next few tickets).
  fs.rmSync(filler);
  // The box recovers by itself (its store maintenance checkpoints and restarts the WAL), within seconds.
  await waitFor('a create succeeds again', async () => {
    const r = await create(2999);
    if (r.statusCode === 201) acknowledged.push(r.json().number);
    else t.equal(r.json().error.code, 'store-full', 'until then, still the clear refusal');
    return r.statusCode === 201;
  }, 30_000, 250);
  // A burst that fits in the space freed. (A burst larger than the free space between two maintenance steps
  // still fills the disk with WAL: bounding the WAL under disk pressure is open work, issue 12 §7.)
  let ok = 0;
  for (let i = 0; i < 50; i++) {
    const r = await create(3000 + i);
    if (r.statusCode === 201) {
      ok += 1;
      acknowledged.push(r.json().number);
    } else t.fail(`after space returned: ${r.statusCode} ${r.body}`);
  }
  t.equal(ok, 50, '50 creates after the box recovered all succeed');
  const db = tb.box.db;
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'the store is intact');
  const have = new Set((db.prepare('SELECT number FROM tickets').all() as { number: string }[]).map((r) => r.number));
  t.equal(acknowledged.filter((n) => !have.has(n)).length, 0, `all ${acknowledged.length} acknowledged tickets are in the store`);
});
