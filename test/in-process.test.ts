// Every test file of test/in-process in one process. These are integration tests of whole boxes run inside the
// test process (real SQLite files, real HTTP, the simulator or an in-process rig), which start no process of
// their own, open no pty, time nothing in real time and leave the process's environment alone, so one file
// cannot disturb the next. Run alone, each of them paid about 1 s of CPU to start node, tap's hooks and tsx and
// to load the box; here it is paid once (issue 14). Files that do any of those things live in test/integration
// and run in their own processes; the first test below holds this directory to that rule.
//
// A file still runs alone: `npm test -- test/in-process/kb-service.test.ts`. Here its tests are the root's, in
// file order; a failure's `at:` names the file. Each file is imported inside the second test, so the root has a
// test running while the imports queue theirs and does not end between two imports (as test/unit.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const testDir = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(testDir, 'in-process');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .sort();

/** What makes a test file need a process of its own, found in it or in a test module it imports. */
const ownProcess: [RegExp, string][] = [
  [/^import (?!type)[^\n]*'node:(child_process|worker_threads)'/m, 'starts processes or threads'],
  [/\bopenPtyPair\b|\bsocat\b/, 'opens a pty'],
  [/process\.env\.\w+ *(\?\?)?= *[^=]|process\.env\[[^\]]+\] *= *[^=]|delete process\.env/, "changes the process's environment"],
  [/process\.(on|once)\(|process\.umask\(\d/, "changes the process's handlers or umask"],
  [/playwright|chromium/, 'drives a browser'],
  [/\bscale: *\d|performance\.now\(\)/, 'times things in real time'],
];
/** Test modules that keep a per-process cache and clean it up at exit, as a shared process wants. */
const perProcessCaches = new Set(['helpers/prompts.ts', 'fixtures/dahdi-shim/build.ts']);

/** Every reason `file` (or a test module it imports, transitively) needs its own process. */
function needsOwnProcess(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const src = fs.readFileSync(file, 'utf8');
  const imports = [...src.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)]
    .map((m) => path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')))
    .filter((d) => d.startsWith(testDir + path.sep) && fs.existsSync(d));
  const own = perProcessCaches.has(path.relative(testDir, file)) ? [] : ownProcess.filter(([re]) => re.test(src)).map(([, why]) => `${path.relative(testDir, file)} ${why}`);
  return [...own, ...imports.flatMap((d) => needsOwnProcess(d, seen))];
}

t.test('test/in-process holds only files that can share a process', async (t) => {
  for (const f of files) t.same(needsOwnProcess(path.join(dir, f)), [], `${f}: nothing that needs a process of its own (else it belongs in test/integration)`);
});

t.test(`test/in-process: ${files.length} files in one process`, async (t) => {
  for (const f of files) await import(path.join(dir, f));
  t.ok(files.length > 0, files.join(' '));
});
