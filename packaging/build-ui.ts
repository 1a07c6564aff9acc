// Builds web-ui/ with Vite into web-ui/dist when its sources changed since the last build. A build step,
// never run by the box: `npm run build` runs it (and copies the result into dist/), and tap runs it before
// the tests (package.json "tap.before") so browser tests always see the current sources.
// The build is keyed by a hash of every source file (not mtimes, which a git checkout or a copy does not
// preserve); dist/build.json records it. A build goes to a temporary directory that is renamed into place,
// so two builds at once (two test runs) do not corrupt each other's output.
//   node --import tsx packaging/build-ui.ts [--force]
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const webUiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web-ui');
export const uiDistDir = path.join(webUiDir, 'dist');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else out.push(p);
  }
  return out;
}

export function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of sourceFiles(webUiDir).sort()) {
    h.update(path.relative(webUiDir, f));
    h.update('\0');
    h.update(fs.readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

export function isBuildCurrent(hash = sourceHash()): boolean {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(uiDistDir, 'build.json'), 'utf8')) as { sourceHash?: string };
    return stamp.sourceHash === hash && fs.existsSync(path.join(uiDistDir, 'index.html'));
  } catch {
    return false;
  }
}

/** Builds the UI if its sources changed (or `force`); returns true when it built. */
export async function buildWebUi(opts: { force?: boolean; log?: (msg: string) => void } = {}): Promise<boolean> {
  const hash = sourceHash();
  if (!opts.force && isBuildCurrent(hash)) return false;
  opts.log?.('building web-ui with Vite');
  const tmp = path.join(webUiDir, `.dist-${process.pid}-${Date.now()}`);
  const { build } = await import('vite');
  try {
    await build({ configFile: path.join(webUiDir, 'vite.config.ts'), root: webUiDir, logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true } });
    precompress(path.join(tmp, 'assets'));
    fs.writeFileSync(path.join(tmp, 'build.json'), JSON.stringify({ sourceHash: hash, builtAt: new Date().toISOString() }));
    if (!opts.force && isBuildCurrent(hash)) return false; // another process finished the same build first
    const old = `${uiDistDir}.old-${process.pid}`;
    if (fs.existsSync(uiDistDir)) fs.renameSync(uiDistDir, old);
    fs.renameSync(tmp, uiDistDir);
    fs.rmSync(old, { recursive: true, force: true });
    return true;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Writes name.gz and name.br beside every JS/CSS asset (served by @fastify/static's preCompressed). */
function precompress(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) {
    if (!/\.(js|css)$/.test(f)) continue;
    const p = path.join(dir, f);
    const buf = fs.readFileSync(p);
    fs.writeFileSync(`${p}.gz`, zlib.gzipSync(buf, { level: 9 }));
    fs.writeFileSync(`${p}.br`, zlib.brotliCompressSync(buf));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await buildWebUi({ force: process.argv.includes('--force'), log: (m) => process.stderr.write(`${m}\n`) });
  process.stderr.write(built ? `web UI built into ${uiDistDir}\n` : 'web UI is current\n');
}
