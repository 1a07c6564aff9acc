// Every unit test file of test/unit in one process, except the fuzz files (named *fuzz*), which run in their own
// as before. A unit test needs no server, fork or real time of its own, so what each file cost on its own was
// mostly starting a process: node, tap's runner hooks and tsx, about 0.5–1 s of CPU, more than most of these
// files take to run (issue 14: 86 files in 86 processes, about 85 s of CPU; in one, about 30 s).
//
// A file still runs alone: `npm test -- test/unit/queue-acd.test.ts`. Here its tests are the root's, in file
// order; a failure's `at:` names the file. Each file is imported inside the first test, so the root has a test
// running while the imports queue theirs and does not end between two imports.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'unit');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts') && !f.includes('fuzz'))
  .sort();

t.test(`test/unit: ${files.length} files in one process`, async (t) => {
  for (const f of files) await import(path.join(dir, f));
  t.ok(files.length > 0, files.join(' '));
});
