// `npm run build`: the shipped box. The daemon, drivers and CLI compiled by tsc into dist/ (the same tree as
// the sources), the files they read beside them (migrations, the region table, the record-writer thread),
// and the web UI built by Vite into dist/web-ui/dist. Built into dist.new/ and swapped in, so a failed build
// leaves the previous one in place. `npm install` runs it once (the "prepare" script).
//   node --import tsx packaging/build.ts [--out DIR]     (DIR instead of dist/; a test builds into a temp tree)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWebUi, uiDistDir } from './build-ui.js';
import { buildSourceHash } from './source-hash.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? path.resolve(process.argv[outArg + 1]!) : path.join(root, 'dist');
const next = `${out}.new`;
const require = createRequire(import.meta.url);

/** Files other than TypeScript sources that the built modules read relative to themselves. */
function copyAssets(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) n += copyAssets(rel);
    else if (/\.(sql|json|js|mjs|cjs|br)$/.test(e.name)) {
      fs.mkdirSync(path.join(next, dir), { recursive: true });
      fs.copyFileSync(path.join(root, rel), path.join(next, rel));
      n++;
    }
  }
  return n;
}

const started = Date.now();
const sourceHash = buildSourceHash();
fs.rmSync(next, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', next], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) {
  fs.rmSync(next, { recursive: true, force: true });
  process.stderr.write('build: tsc failed\n');
  process.exit(1);
}
const assets = copyAssets('firmware-agent') + copyAssets('drivers');
// JSON-schema validators as ajv standalone code, so the box does not compile them when it starts
// (firmware-agent/schema/compiled.ts).
const compiled = await import('../firmware-agent/schema/compiled.js');
for (const m of compiled.declaringModules) await import(`../firmware-agent/${m}.js`);
const compiledOut = path.join(next, path.relative(root, compiled.compiledDir));
fs.mkdirSync(compiledOut, { recursive: true });
for (const d of compiled.declared.values()) fs.writeFileSync(path.join(compiledOut, `${d.name}.cjs`), await compiled.standaloneSource(d));
await buildWebUi({ log: (m) => process.stderr.write(`build: ${m}\n`) });
fs.cpSync(uiDistDir, path.join(next, 'web-ui', 'dist'), { recursive: true });
// firmware-agent/version.ts reads ../package.json relative to itself: give the build its own copy.
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
fs.writeFileSync(path.join(next, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', private: true }, null, 2)}\n`);
// sourceHash: what prepare compares to skip a rebuild (the hash is taken before tsc ran, so a source edited
// during the build makes the next `npm install` build again).
fs.writeFileSync(path.join(next, 'build.json'), `${JSON.stringify({ version: pkg.version, builtAt: new Date().toISOString(), sourceHash })}\n`);
const old = `${out}.old-${process.pid}`;
if (fs.existsSync(out)) fs.renameSync(out, old);
fs.renameSync(next, out);
fs.rmSync(old, { recursive: true, force: true });
process.stderr.write(`build: dist/ ready (${assets} asset files, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
