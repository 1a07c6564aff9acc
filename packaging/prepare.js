#!/usr/bin/env node
// `npm install`'s "prepare" step: build dist/ once, so `npm start` works on a fresh clone — and only when
// a source changed since the build in dist/ (packaging/source-hash.js), so a later `npm install` is quick.
// Without the development dependencies (`npm install --omit=dev`, as a package build does) nothing can be
// built: an existing dist/ is kept, and without one the step says what to run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildSourceHash, builtSourceHash, root } from './source-hash.js';

const dist = path.join(root, 'dist');
const hash = buildSourceHash();
if (builtSourceHash() === hash && fs.existsSync(path.join(dist, 'firmware-agent', 'cli', 'main.js'))) {
  process.stderr.write('prepare: dist/ is current with the sources, not rebuilt (npm run build forces a build)\n');
  process.exit(0);
}
const hasTsx = fs.existsSync(path.join(root, 'node_modules', 'tsx', 'package.json'));
if (!hasTsx) {
  if (fs.existsSync(path.join(dist, 'firmware-agent', 'cli', 'main.js'))) {
    process.stderr.write('prepare: development dependencies are not installed; keeping the existing dist/ (it may be older than the sources)\n');
    process.exit(0);
  }
  process.stderr.write('prepare: no dist/ and no development dependencies to build it: run `npm install` (with dev dependencies), then `npm run build`\n');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'packaging', 'build.ts')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
