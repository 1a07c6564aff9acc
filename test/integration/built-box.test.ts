// The shipped path: `npm run build` output run by bin/edgebox.js, with no TypeScript loader anywhere. The
// build goes into a temporary tree (bin/edgebox.js, dist/, the checkout's node_modules) — or, when npm test
// found the checkout's dist/ current (EDGEBOX_TEST_BIN), that dist/ is linked in — the box starts
// from it with the E1 driver, and its span worker must be the built worker-main.js, run without tsx, that
// answers the telco simulator on the D-channel.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { statusPathOf } from '../../drivers/e1-pri/probe.js';
import { TelcoSim } from '../../drivers/e1-pri/telco-sim/telco.js';
import { root, startBoxProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

const cmdline = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

t.test('the built box runs without tsx, serves the prebuilt UI, and forks the built E1 span worker', async (t) => {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-built-'));
  t.teardown(() => fs.rmSync(tree, { recursive: true, force: true }));
  if (process.env.EDGEBOX_TEST_BIN === path.join(root, 'bin', 'edgebox.js')) {
    // npm test found the checkout's dist/ built from these sources (as npm ci leaves it): that build, not another.
    fs.symlinkSync(path.join(root, 'dist'), path.join(tree, 'dist'));
  } else {
    const build = spawnSync(process.execPath, ['--import', 'tsx', 'packaging/build.ts', '--out', path.join(tree, 'dist')], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    t.equal(build.status, 0, `npm run build: ${build.stderr}`);
  }
  fs.mkdirSync(path.join(tree, 'bin'));
  fs.copyFileSync(path.join(root, 'bin/edgebox.js'), path.join(tree, 'bin/edgebox.js'));
  fs.copyFileSync(path.join(root, 'package.json'), path.join(tree, 'package.json'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(tree, 'node_modules'));
  t.notOk(fs.readdirSync(path.join(tree, 'dist/drivers/e1-pri/child')).some((f) => f.endsWith('.ts')), 'no TypeScript in the build');
  t.ok(fs.existsSync(path.join(tree, 'dist/web-ui/dist/index.html')), 'the web UI is in the build');

  const data = path.join(tree, 'data');
  const dchannel = path.join(tree, 'e1.sock');
  // No loader inherited from the test runner: the built box must stand on its own.
  const run = await startBoxProcess(['--data', data, '--driver', 'e1-pri', '--dchannel', dchannel], {}, { bin: path.join(tree, 'bin/edgebox.js'), cwd: tree, unset: ['NODE_OPTIONS'] });
  const { url, child: box } = run;
  t.teardown(() => box.kill('SIGKILL'));
  const health = await fetch(`${url}/healthz`);
  t.equal(health.status, 200);
  const page = await fetch(`${url}/`);
  t.equal(page.status, 200, 'the prebuilt UI is served');
  t.match(await page.text(), /<div id="app"|<script type="module"/);
  t.notMatch(cmdline(box.pid!).join(' '), /tsx/, 'the box runs no TypeScript loader');

  const status = await waitFor('the span worker status', () => {
    try {
      return JSON.parse(fs.readFileSync(statusPathOf(dchannel), 'utf8')) as { pid: number };
    } catch {
      return undefined;
    }
  }, 60_000);
  const worker = cmdline(status.pid);
  t.match(worker.at(-1), /dist\/drivers\/e1-pri\/child\/worker-main\.js$/, 'the worker is the built .js');
  t.notMatch(worker.join(' '), /tsx/, 'run without tsx');
  const telco = await waitFor('the built worker to accept the telco', async () => {
    const sim = new TelcoSim({ dchannel });
    try {
      await sim.connect();
      return sim;
    } catch {
      sim.close();
      return undefined;
    }
  }, 60_000);
  t.teardown(() => telco.close());
  t.pass('the telco simulator is connected to the built worker');
  box.kill('SIGTERM');
  t.equal((await run.exited).code, 0, 'stops cleanly on SIGTERM');
});
