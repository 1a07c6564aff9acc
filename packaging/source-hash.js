// The hash of everything `npm run build` reads: the daemon, drivers and CLI sources, the web UI sources, the
// build scripts and the package and compiler settings. dist/build.json records it, so `npm install`
// (packaging/prepare.js) rebuilds only when a source changed. Plain JavaScript: prepare runs where the
// development dependencies (tsx) may be absent. Content, not mtimes (a git checkout does not keep them).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const inputs = ['common', 'firmware-agent', 'drivers', 'web-ui', 'packaging', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const skipped = new Set(['dist', 'node_modules']);

function files(rel, out) {
  const abs = path.join(root, rel);
  let st;
  try {
    st = fs.statSync(abs);
  } catch {
    return out;
  }
  if (st.isFile()) out.push(rel);
  else if (st.isDirectory()) {
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      if (skipped.has(e.name) || e.name.startsWith('.')) continue;
      files(path.join(rel, e.name), out);
    }
  }
  return out;
}

export function buildSourceHash() {
  const h = createHash('sha256');
  for (const rel of inputs.flatMap((i) => files(i, [])).sort()) {
    h.update(rel);
    h.update('\0');
    h.update(fs.readFileSync(path.join(root, rel)));
    h.update('\0');
  }
  return h.digest('hex');
}

/** The hash the current dist/ was built from, or null. */
export function builtSourceHash(dist = path.join(root, 'dist')) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dist, 'build.json'), 'utf8')).sourceHash ?? null;
  } catch {
    return null;
  }
}
