// `npm test` (test/run.js) ends with exactly `N passed, N failed`: CI tooling reads the last line.
// It runs the runner on two fixture files, with a tap of its own, outside the outer tap's environment — and
// outside its directory: tap empties <project>/.tap/processinfo when it starts, under the outer run's feet (an
// inner run once died with '0 passed, 1 failed' in a full run). The inner project is a copy of the runner, its
// fixtures and its tap settings, with the project's node_modules linked in.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/box.js';
import { root } from '../helpers/process.js';

const project = tempDir('runner-project-');
t.teardown(() => fs.rmSync(project, { recursive: true, force: true }));
for (const f of ['test/run.js', 'packaging/source-hash.js', 'test/fixtures/runner/mixed.fixture.ts', 'test/fixtures/runner/failing.fixture.ts', 'test/helpers/test-process.mjs']) {
  fs.mkdirSync(path.dirname(path.join(project, f)), { recursive: true });
  fs.copyFileSync(path.join(root, f), path.join(project, f));
}
fs.symlinkSync(path.join(root, 'node_modules'), path.join(project, 'node_modules'));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { tap: Record<string, unknown> };
const { before: _before, ...tap } = pkg.tap; // the web UI build is the real project's
fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'runner-project', type: 'module', private: true, tap }));

function runner(fixture: string) {
  // The outer tap's variables would make the inner tap report to it instead of printing its summary.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^_?TAP/.test(k) && k !== 'NODE_OPTIONS'));
  const r = spawnSync(process.execPath, [path.join(project, 'test/run.js'), '--no-typecheck', '--no-deps', `test/fixtures/runner/${fixture}`], {
    cwd: project,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const lines = r.stdout.trimEnd().split('\n');
  // What the inner run printed, shown with a failed assertion.
  const output = { stdout: r.stdout.slice(-3000), stderr: r.stderr.slice(-3000) };
  return { code: r.status, last: lines.at(-1), before: lines.at(-2), output };
}

t.test('skipped and todo counts go on the line before the last', async (t) => {
  const r = runner('mixed.fixture.ts');
  t.equal(r.last, '2 passed, 0 failed', 'the last line is exactly the two counts', r.output);
  t.equal(r.before, '# 1 skipped, 1 todo', 'tap listed todo before skip; both are read');
  t.equal(r.code, 0);
});

t.test('a failure is counted and the exit code says so', async (t) => {
  const r = runner('failing.fixture.ts');
  t.equal(r.last, '1 passed, 1 failed', r.output);
  t.notMatch(r.before ?? '', /skipped/, 'no skipped line when nothing was skipped');
  t.equal(r.code, 1);
});
