#!/usr/bin/env node
// `npm test`: every tap test, with the type checks beside them. The LAST line is exactly `N passed, N failed` (each of the
// two type checks counts as one) for CI tooling to read; skipped and todo counts, when any, go on the line before it.
// Exits non-zero when anything failed.
// Before anything else it makes sure the Debian packages the suite needs are installed (see below).
// Extra arguments are passed to tap, e.g. `npm test -- test/unit/tickets-workflow.test.ts`;
// `--no-typecheck` and `--no-deps` skip those steps.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const tapBin = path.join(root, 'node_modules', 'tap', 'dist', 'esm', 'run.mjs');

function run(cmd, args, onLine) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const text = tail + chunk.toString('utf8');
      const lines = text.split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) onLine?.(line);
    });
    child.on('close', (code, signal) => {
      if (tail) onLine?.(tail);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/**
 * tap's closing comment, `# { total: N, pass: N, fail: N, todo: N, skip: N }`: keys other than total and
 * pass appear only when non-zero, in an order that has changed between tap versions, so read them by name.
 */
function parseTapCounts(line) {
  const m = /^# \{ (total: \d+(?:, \w+: \d+)*) \}$/.exec(line.trim());
  if (!m) return null;
  const c = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 };
  for (const part of m[1].split(', ')) {
    const [key, value] = part.split(': ');
    c[key] = Number(value);
  }
  return c;
}

let passed = 0;
let failed = 0;
const extra = process.argv.slice(2);

// The Debian packages the suite needs (provisioning/install-debian-deps.sh, the list .ci/run installs): as
// root, install what is missing; as anyone else, stop at once and print the one command that installs them.
if (!extra.includes('--no-deps')) {
  const script = path.join('provisioning', 'install-debian-deps.sh');
  const check = spawnSync('bash', [script, '--check'], { cwd: root, encoding: 'utf8' });
  if (check.status !== 0) {
    process.stdout.write(check.stdout);
    if (process.getuid?.() === 0) {
      console.log(`# installing the missing Debian packages (bash ${script})`);
      const install = spawnSync('bash', [script], { cwd: root, stdio: 'inherit' });
      if (install.status !== 0) {
        console.log(`bash ${script} failed (exit ${install.status})`);
        console.log('0 passed, 1 failed');
        process.exit(1);
      }
    } else {
      console.log(`npm test needs Debian packages this machine lacks. Run:\n\n  sudo bash ${script}\n`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
  }
}

// Two programs: the box, drivers and tests (Node types), and the web UI (DOM types, Preact's JSX) — Vite strips
// types without checking them, so this is the only place the UI's types are checked. Each counts as one test.
// They run beside tap, at the lowest priority: tsc takes about 27 s of CPU, which the suite's waits on real
// time leave free (17 s of wall time saved against checking first), and never slows a test that is timing
// something. Their output is printed after tap's.
const typeChecks = extra.includes('--no-typecheck')
  ? []
  : ['tsconfig.json', 'web-ui/tsconfig.json'].map((project) => {
      const child = spawn(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', project], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        os.setPriority(child.pid, 19);
      } catch {
        // not allowed to lower it here: it only runs at the same priority
      }
      let output = '';
      child.stdout.on('data', (c) => (output += c));
      child.stderr.on('data', (c) => (output += c));
      const code = new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
      return { project, code, output: () => output };
    });

// One prompt cache for every box the suite starts (each has its own data directory), private to this user:
// boxes then synthesise each IVR prompt once per machine instead of once per test (calls/prompts.ts).
if (!process.env.EDGEBOX_PROMPT_CACHE) {
  const cache = path.join(os.homedir(), '.cache', 'edgebox-test', 'prompts');
  fs.mkdirSync(cache, { recursive: true, mode: 0o700 });
  fs.chmodSync(cache, 0o700);
  process.env.EDGEBOX_PROMPT_CACHE = cache;
}

// Box and CLI processes run the built box (bin/edgebox.js) when dist/ was built from exactly these sources —
// as `npm ci` leaves a clean clone — and the sources through tsx otherwise (test/helpers/process.ts): the built
// box starts in half the CPU time, and it is what ships. EDGEBOX_TEST_BIN set by the caller is kept.
if (!process.env.EDGEBOX_TEST_BIN) {
  // Loaded here, not at the top, and optional: the checks above also run in a tree that holds little more than
  // the runner (the package test's Debian root).
  const hashes = await import('../packaging/source-hash.js').catch(() => null);
  const built = hashes !== null && hashes.builtSourceHash() === hashes.buildSourceHash() && fs.existsSync(path.join(root, 'dist', 'firmware-agent', 'cli', 'main.js'));
  if (built) process.env.EDGEBOX_TEST_BIN = path.join(root, 'bin', 'edgebox.js');
  console.log(built ? '# box processes: the built box (dist/ is current)' : '# box processes: the sources (dist/ is older than them; `npm run build` to test the built box)');
}

let summary = null;
// tap's runner loads @tapjs/processinfo into every test process, and it tracks each module the test loads (its
// text and line lengths, for coverage and `tap --changed`, neither of which this suite uses): excluding every
// file from that tracking saves about 0.15 s of CPU per test process (a one-file unit test: 1.16 → 1.02 s).
process.env._TAPJS_PROCESSINFO_EXCLUDE_ ??= '/./';
// Passwords at a test cost (firmware-agent/accounts/passwords.ts): the suite makes about a thousand accounts and
// logins, each 0.1-0.3 s of scrypt at the box's cost. hardening-accounts.test.ts checks the full cost.
process.env.EDGEBOX_TEST_FAST_PASSWORD_HASH ??= '1';
// Route schemas compiled on first use only, without the warm-up a box runs after it listens (firmware-agent/http/
// lazy-compilers.ts): about 0.7 s of CPU in each of the suite's box processes.
process.env.EDGEBOX_TEST_LAZY_SCHEMAS ??= '1';
// tap's Test class is built with the plugins package.json names (tap.plugin: the suite turns off typescript, mock
// and others). `npm ci` installs it built with tap's defaults. tap notices and rebuilds it when it starts, but the
// runner has by then loaded the defaults, and it gives this run's test processes the default plugins' loaders: a
// second TypeScript loader and the module-mocking loader, in every test process and every process those start.
// That made a clean clone's first `npm test` about 1.6 times slower than the next (issue 14). So the class is built
// here first when it does not match. Optional, like the checks above: a tree without tap's packages skips it.
const tapPlugins = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `const { TapConfig } = await import('@tapjs/config');
     const wanted = (await TapConfig.load()).pluginSignature;
     const built = (await import('node:fs')).readFileSync(new URL(import.meta.resolve('@tapjs/test/test-built')), 'utf8');
     process.stdout.write(/^export const signature = \`([^\`]*)\`;/m.exec(built)?.[1] === wanted ? 'current' : 'stale');`,
  ],
  { cwd: root, encoding: 'utf8' },
);
if (tapPlugins.stdout === 'stale') {
  console.log("# tap: building its Test class with this project's plugins (package.json tap.plugin) before the run");
  const build = spawnSync(process.execPath, [tapBin, 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) console.log(`# tap build failed (exit ${build.status}); the run goes on with tap's default plugins:\n${build.stdout}${build.stderr}`.replace(/\n(?!$)/g, '\n# '));
}
const tapArgs = extra.filter((a) => a !== '--no-typecheck' && a !== '--no-deps');
// Which tests failed, by file and subtest path: printed again just before the last line, because CI often
// keeps only the tail of a 10,000-line log.
const failures = [];
const openSubtests = [];
const tapCode = await run(process.execPath, [tapBin, '--reporter=tap', ...tapArgs], (line) => {
  const counts = parseTapCounts(line);
  if (counts) summary = counts;
  const subtest = /^( *)# Subtest: (.*)$/.exec(line);
  if (subtest) {
    const depth = subtest[1].length / 4;
    openSubtests.length = depth;
    openSubtests[depth] = subtest[2];
    return;
  }
  const notOk = /^( *)not ok \d+ - (.*?)(?: # time=.*)?$/.exec(line);
  if (notOk) {
    const depth = notOk[1].length / 4;
    const path = [...openSubtests.slice(0, depth), notOk[2]];
    // A parent fails when a child did: keep only the deepest entry of each chain.
    const last = failures.at(-1);
    if (!last || !isPrefix(path, last)) failures.push(path);
  }
});
function isPrefix(shorter, longer) {
  return shorter.length < longer.length && shorter.every((part, i) => part === longer[i]);
}
for (const check of typeChecks) {
  const code = await check.code;
  console.log(`# type check (tsc --noEmit -p ${check.project}): ${code === 0 ? 'ok' : `failed (exit ${code})`}`);
  if (check.output()) process.stdout.write(check.output());
  if (code === 0) passed += 1;
  else {
    failed += 1;
    failures.push([`type check ${check.project}`]);
  }
}
if (summary) {
  passed += summary.pass;
  failed += summary.fail;
  if (summary.fail === 0 && tapCode !== 0) failed += 1; // tap failed for a reason outside the counts
} else {
  failed += 1; // tap died before it could summarise
}
if (summary && (summary.skip || summary.todo)) {
  console.log(`# ${summary.skip} skipped, ${summary.todo} todo`);
}
if (failures.length > 0) {
  console.log(`# failed (${failures.length}):`);
  for (const f of failures.slice(0, 40)) console.log(`#   ${f.join(' › ')}`);
  if (failures.length > 40) console.log(`#   … and ${failures.length - 40} more`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || tapCode !== 0 ? 1 : 0;
