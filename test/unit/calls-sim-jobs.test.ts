// SimJobs: a simulator run answers a job id at once; its progress and result are polled.
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { SimJobs } from '../../firmware-agent/calls/sim-jobs.js';

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

t.test('a job is running at once, reports progress, and keeps its result once done', async (t) => {
  const clock = new VirtualClock();
  let n = 0;
  const jobs = new SimJobs({ clock, newId: () => `job-${++n}` });
  const d = deferred<{ kpis: number }>();
  const job = jobs.start('traffic', async (c) => {
    c.progress({ placed: 1 });
    return d.promise;
  });
  t.equal(job.state, 'running');
  await Promise.resolve();
  await Promise.resolve();
  t.same(jobs.get(job.id)?.progress, { placed: 1 });
  await clock.advance(5000);
  d.resolve({ kpis: 7 });
  const v = (await jobs.settled(job.id))!;
  t.equal(v.state, 'done');
  t.same(v.result, { kpis: 7 });
  t.equal(v.endedAt! - v.startedAt, 5000);
  t.equal(jobs.get('job-9'), undefined);
});

t.test('a failing job is failed with its reason; cancel and close abort the run', async (t) => {
  const clock = new VirtualClock();
  const failures: string[] = [];
  const jobs = new SimJobs({ clock, onError: (err) => failures.push((err as Error).message) });
  const bad = jobs.start('call', async () => {
    throw new Error('trunk down');
  });
  const cancelled = jobs.start('traffic', (c) => new Promise((resolve) => c.signal.addEventListener('abort', () => resolve('partial'))));
  const stopped = jobs.start('call', (c) => new Promise((resolve) => c.signal.addEventListener('abort', () => resolve('hung up'))));
  t.equal(jobs.cancel(cancelled.id)?.state, 'running', 'cancelling answers at once; the job ends soon after');
  await jobs.close();
  t.equal(jobs.get(bad.id)?.state, 'failed');
  t.equal(jobs.get(bad.id)?.error, 'trunk down');
  t.same(failures, ['trunk down']);
  t.same([jobs.get(cancelled.id)?.state, jobs.get(cancelled.id)?.result], ['cancelled', 'partial']);
  t.equal(jobs.get(stopped.id)?.state, 'cancelled', 'the box stopping cancels running jobs');
  t.throws(() => jobs.start('call', async () => null), /stopping/, 'no new job once closed');
});

t.test('only the newest finished jobs are kept', async (t) => {
  const jobs = new SimJobs({ clock: new VirtualClock(), keep: 2 });
  const ids = [1, 2, 3].map((i) => jobs.start('call', async () => i).id);
  for (const id of ids) await jobs.settled(id);
  t.same(jobs.list().map((j) => j.result), [2, 3]);
  t.equal(jobs.get(ids[0]!), undefined);
  t.throws(() => new SimJobs({ clock: new VirtualClock(), keep: 0 }), /keep/);
});
