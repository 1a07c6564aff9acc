// The span worker's restart policy (host.ts) against a real child process that crashes right after it
// initialises: the backoff doubles up to its maximum, a worker that lived long enough resets it, and
// after maxRestarts consecutive crashes the host — and the driver — give up for good with a reason.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { SpanHost, type SpanHostEvents } from '../../drivers/e1-pri/host.js';
import { validateConfig } from '../../drivers/e1-pri/config.js';
import { E1PriDriver } from '../../drivers/e1-pri/driver.js';
import type { DriverFailed } from '../../drivers/trunk/types.js';

const CRASH_WORKER = fileURLToPath(new URL('../fixtures/e1/crash-worker.ts', import.meta.url));
type Exit = SpanHostEvents['exit'][0];

t.test('a worker that keeps crashing is restarted after doubling delays, then the host gives up', async (t) => {
  const cfg = validateConfig({ dchannel: '/nonexistent/d', restartBackoffMs: { initial: 20, max: 50 }, maxRestarts: 4 });
  const host = new SpanHost(cfg, CRASH_WORKER);
  t.teardown(() => host.stop());
  const exits: Exit[] = [];
  const attempts: number[] = [];
  host.on('restarted', (r) => attempts.push(r.attempt));
  host.on('error', () => {});
  const gaveUp = new Promise<void>((resolve) => host.on('exit', (x) => {
    exits.push(x);
    if (!x.willRestart) resolve();
  }));
  await host.start();
  await gaveUp;
  t.same(exits.map((x) => x.restartInMs), [20, 40, 50, 50, undefined], 'delays double from initial, capped at max; none after giving up');
  t.same(exits.map((x) => x.willRestart), [true, true, true, true, false]);
  t.same(exits.map((x) => x.code), [70, 70, 70, 70, 70]);
  t.same(attempts, [1, 2, 3, 4], 'four new workers were forked');
  t.match(exits[4]!.reason, /gave up after 5 consecutive crashes \(maxRestarts 4\)/);
  t.equal(host.running, false, 'no worker is left');
  await t.rejects(host.request({ op: 'probe' }), { code: 'E1_WORKER_DIED' }, 'commands fail at once');
});

t.test('a worker that lived longer than restartResetMs restarts after the initial delay again', async (t) => {
  const cfg = validateConfig({ dchannel: '/nonexistent/d', restartBackoffMs: { initial: 20, max: 1000 }, restartResetMs: 0, maxRestarts: 1 });
  const host = new SpanHost(cfg, CRASH_WORKER);
  t.teardown(() => host.stop());
  host.on('error', () => {});
  const exits: Exit[] = [];
  const three = new Promise<void>((resolve) => host.on('exit', (x) => {
    exits.push(x);
    if (exits.length === 3) resolve();
  }));
  await host.start();
  await three;
  await host.stop();
  t.same(exits.map((x) => [x.crashes, x.restartInMs]), [[1, 20], [1, 20], [1, 20]], 'each crash counts as the first, so maxRestarts 1 never gives up');
});

t.test('the driver reports failed with permanent:false while restarting, then permanent:true with the reason', async (t) => {
  const driver = new E1PriDriver({
    config: { dchannel: '/nonexistent/d', restartBackoffMs: { initial: 20, max: 40 }, maxRestarts: 2 },
    workerPath: CRASH_WORKER,
  });
  t.teardown(() => driver.stop());
  const failed: DriverFailed[] = [];
  let readies = 0;
  driver.on('ready', () => readies++);
  const permanent = new Promise<DriverFailed>((resolve) => driver.on('failed', (f) => {
    failed.push(f);
    if (f.permanent) resolve(f);
  }));
  await driver.start();
  const last = await permanent;
  t.same(failed.map((f) => f.permanent), [false, false, true]);
  t.match(last.reason, /span worker died \(code 70, signal null\); gave up after 3 consecutive crashes \(maxRestarts 2\)/);
  t.equal(readies, 3, 'ready at start and after each of the two restarts');
  await t.rejects(driver.probe(), { code: 'driver-failed' }, 'the driver refuses work after giving up, with a trunk error code');
});
