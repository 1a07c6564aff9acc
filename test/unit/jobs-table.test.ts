// The jobs table (jobs/table.ts) on a simulated clock and a hand-fired scheduler: every run is recorded
// with its outcome and duration, one run of a job at a time, failures are caught and reported, quiet jobs
// record only changes of outcome, and node-cron expressions are checked when a job is defined.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { JobTable, type Scheduler, storedRuns } from '../../firmware-agent/jobs/table.js';
import { openDb } from '../../firmware-agent/store/db.js';
import { tempDir } from '../helpers/box.js';

function fixture(t: { teardown(fn: () => unknown): void }) {
  const dir = tempDir();
  const db = openDb({ file: path.join(dir, 'edgebox.sqlite') });
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  let clock = new Date('2026-12-04T19:00:00.000Z');
  const fired = new Map<string, () => void>();
  const scheduler: Scheduler = {
    schedule(name, expression, _tz, fire) {
      fired.set(name, fire);
      return { nextRun: () => new Date(clock.getTime() + 60_000), stop: () => fired.delete(name) };
    },
  };
  const table = new JobTable({ db, now: () => clock, timezone: () => 'Asia/Shanghai', scheduler });
  return { db, table, fired, advance: (ms: number) => (clock = new Date(clock.getTime() + ms)), now: () => clock };
}

t.test('a scheduled run is recorded with its outcome, and a failure is caught, recorded and announced', async (t) => {
  const { db, table, fired, advance } = fixture(t);
  let fail = false;
  table.define({
    name: 'nightly',
    schedule: '15 3 * * *',
    description: 'test job',
    run: async () => {
      advance(1500);
      if (fail) throw new Error('disk on fire');
      return { files: 1 };
    },
  });
  const failed: string[] = [];
  const recovered: string[] = [];
  table.on('failed', (r) => failed.push(r.error!));
  table.on('recovered', (r) => recovered.push(r.name));
  t.equal(fired.size, 0, 'nothing is scheduled before start()');
  table.start();
  t.same([...fired.keys()], ['nightly']);
  const done = new Promise((resolve) => table.once('finished', resolve));
  fired.get('nightly')!();
  await done;
  let [job] = table.list();
  t.equal(job!.lastRun!.outcome, 'ok');
  t.equal(job!.lastRun!.reason, 'scheduled');
  t.same(job!.lastRun!.detail, { files: 1 });
  t.equal(job!.lastRun!.finishedAt, '2026-12-04T19:00:01.500Z', 'finish time from the table clock');
  t.equal(job!.nextRun, '2026-12-04T19:01:01.500Z');
  fail = true;
  const r = await table.run('nightly');
  t.equal(r.outcome, 'failed', 'the failure is an outcome, not a rejection');
  t.equal(r.error, 'disk on fire');
  t.same(failed, ['disk on fire']);
  fail = false;
  await table.run('nightly');
  t.same(recovered, ['nightly'], 'the next good run announces the recovery');
  [job] = table.list();
  t.equal(job!.runs, 3);
  t.equal(job!.failures, 1);
  t.same(table.history('nightly').map((h) => h.outcome), ['ok', 'failed', 'ok'], 'every run recorded, newest first');
  t.same(storedRuns(db).map((h) => [h.name, h.outcome]), [['nightly', 'ok']]);
  await table.stop();
  t.equal(fired.size, 0, 'stop() removes the schedules');
});

t.test('a job runs once at a time: asking again while it runs joins the run', async (t) => {
  const { table } = fixture(t);
  let runs = 0;
  let release!: () => void;
  table.define({ name: 'slow', schedule: '* * * * *', description: 'x', run: () => new Promise<{ n: number }>((resolve) => { runs++; release = () => resolve({ n: runs }); }) });
  const a = table.run('slow');
  const b = table.run('slow');
  t.equal(table.list()[0]!.running, true);
  release();
  const [ra, rb] = await Promise.all([a, b]);
  t.equal(runs, 1);
  t.equal(ra, rb);
  await t.rejects(table.run('nope'), { code: 'job-not-found' });
});

t.test('a quiet job records only changes of outcome (and manual runs)', async (t) => {
  const { table } = fixture(t);
  let fail = false;
  table.define({ name: 'often', schedule: '* * * * * *', description: 'x', quiet: true, run: () => { if (fail) throw new Error('no'); } });
  for (let i = 0; i < 5; i++) await table.run('often', 'scheduled');
  fail = true;
  for (let i = 0; i < 3; i++) await table.run('often', 'scheduled');
  fail = false;
  await table.run('often', 'scheduled');
  await table.run('often', 'manual');
  t.same(table.history('often').map((h) => `${h.reason}:${h.outcome}`), ['manual:ok', 'scheduled:ok', 'scheduled:failed', 'scheduled:ok']);
  t.equal(table.list()[0]!.runs, 10, 'every run counts in memory');
});

t.test('definitions are checked: names, duplicate names, cron expressions', async (t) => {
  const { table } = fixture(t);
  t.throws(() => table.define({ name: 'Bad Name', schedule: '* * * * *', description: 'x', run: () => undefined }), { code: 'job-definition-invalid' });
  t.throws(() => table.define({ name: 'ok-name', schedule: 'every day', description: 'x', run: () => undefined }), { code: 'job-definition-invalid' });
  table.define({ name: 'ok-name', schedule: '0 9 * * 1-5', description: 'x', run: () => undefined });
  t.throws(() => table.define({ name: 'ok-name', schedule: '0 9 * * *', description: 'x', run: () => undefined }), { code: 'job-definition-invalid', message: /twice/ });
  // Any string: either a clean definition error or accepted; never another exception.
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 40 }), (name, schedule) => {
      try {
        table.define({ name: `x${name}`, schedule, description: 'p', run: () => undefined });
        return true;
      } catch (err) {
        return (err as { code?: string }).code === 'job-definition-invalid';
      }
    }),
    { numRuns: 300 },
  );
});

t.test('the last recorded run survives a restart of the table', async (t) => {
  const { db, table, now } = fixture(t);
  table.define({ name: 'kept', schedule: '0 3 * * *', description: 'x', run: () => ({ n: 1 }) });
  await table.run('kept');
  const again = new JobTable({ db, now, timezone: () => 'UTC' });
  again.define({ name: 'kept', schedule: '0 3 * * *', description: 'x', run: () => undefined });
  t.same(again.list()[0]!.lastRun!.detail, { n: 1 });
  t.equal(again.list()[0]!.nextRun, null, 'not scheduled until started');
});
