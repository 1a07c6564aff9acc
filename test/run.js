#!/usr/bin/env node
// `npm test`: type check, then every tap test. Ends with one plain line `N passed, N failed`
// (the type check counts as one), and exits non-zero when anything failed.
// Extra arguments are passed to tap, e.g. `npm test -- test/unit/tickets-workflow.test.ts`.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const tscBin = require.resolve('typescript/bin/tsc');
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

let passed = 0;
let failed = 0;
const extra = process.argv.slice(2);

if (!extra.includes('--no-typecheck')) {
  console.log('# type check (tsc --noEmit)');
  const tscCode = await run(process.execPath, [tscBin, '--noEmit', '-p', 'tsconfig.json']);
  if (tscCode === 0) passed += 1;
  else failed += 1;
}

let summary = null;
const tapArgs = extra.filter((a) => a !== '--no-typecheck');
const tapCode = await run(process.execPath, [tapBin, '--reporter=tap', ...tapArgs], (line) => {
  const m = /^# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?(?:, skip: (\d+))?(?:, todo: (\d+))?/.exec(line.trim());
  if (m) summary = { total: +m[1], pass: +m[2], fail: +(m[3] ?? 0), skip: +(m[4] ?? 0), todo: +(m[5] ?? 0) };
});
if (summary) {
  passed += summary.pass;
  failed += summary.fail;
  if (summary.fail === 0 && tapCode !== 0) failed += 1; // tap failed for a reason outside the counts
} else {
  failed += 1; // tap died before it could summarise
}
const skipped = summary ? summary.skip + summary.todo : 0;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || tapCode !== 0 ? 1 : 0;
