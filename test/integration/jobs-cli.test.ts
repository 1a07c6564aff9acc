// `edgebox jobs` and `edgebox jobs run NAME`: against the box running on the data directory (through its
// control socket), and directly on the store when no box runs.
import fs from 'node:fs';
import t from 'tap';
import { tempDir } from '../helpers/box.js';
import { runCli, startBoxProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

t.test('edgebox jobs lists and runs jobs of the running box, and works on the store when none runs', async (t) => {
  const dir = tempDir('edgebox-jobs-cli-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const box = await startBoxProcess(['--data', dir]);
  t.teardown(() => box.child.kill('SIGKILL'));
  // The startup runs of the box (deadline sweep, calendar check) are recorded once it listens.
  const list = await waitFor('the jobs table answers', () => {
    const r = runCli(['jobs', '--json', '--data', dir]);
    const j = r.stdout ? (JSON.parse(r.stdout) as { jobs?: { name: string; lastRun: { outcome: string } | null; nextRun: string | null }[] }) : null;
    return j?.jobs?.find((x) => x.name === 'deadline-sweep')?.lastRun ? j : null;
  }, 60_000, 200);
  const names = list.jobs!.map((j) => j.name);
  for (const n of ['store-maintenance', 'deadline-sweep', 'backup', 'retention', 'calendar-check', 'daily-stats', 'network-retention']) t.ok(names.includes(n), `${n} listed`);
  t.ok(list.jobs!.every((j) => j.nextRun), 'every job has its next run while the box runs');

  const run = runCli(['jobs', 'run', 'backup', '--json', '--data', dir]);
  t.equal(run.code, 0, run.stderr);
  t.match(JSON.parse(run.stdout), { name: 'backup', reason: 'manual', outcome: 'ok' }, 'run in the running box');
  const human = runCli(['jobs', '--data', dir]);
  t.match(human.stdout, /backup\s+15 3 \* \* \*\s+next \S+\s+last ok/, 'the table for people');
  const unknown = runCli(['jobs', 'run', 'nope', '--data', dir]);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /no job nope/);

  box.child.kill('SIGTERM');
  await box.exited;
  const offline = runCli(['jobs', '--json', '--data', dir]);
  const stored = JSON.parse(offline.stdout) as { running: boolean; runs: { name: string; reason: string }[] };
  t.equal(stored.running, false);
  t.match(stored.runs.find((r) => r.name === 'backup'), { reason: 'manual' }, 'recorded runs are listed with no box running');
  const direct = runCli(['jobs', 'run', 'retention', '--json', '--data', dir]);
  t.equal(direct.code, 0, direct.stderr);
  t.match(JSON.parse(direct.stdout), { name: 'retention', outcome: 'ok' }, 'run on the store directly');
});
