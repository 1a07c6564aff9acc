// GSM 7-bit default alphabet and its extension table, 3GPP TS 23.038 §6.2.1 and §6.2.1.1, and the
// septet packing of TS 23.038 §6.1.2.1.1 (septets laid LSB-first into octets).
import { SerialAtError, SerialAtErrorCodes } from '../errors.js';

/** Index = septet value. 0x1B is the escape to the extension table (rendered here as U+001B). */
const DEFAULT_ALPHABET =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ' +
  ' !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Extension table (after ESC 0x1B), TS 23.038 §6.2.1.1. */
const EXTENSION: ReadonlyArray<[number, string]> = [
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
];

export const GSM7_ESCAPE = 0x1b;

const charToSeptet = new Map<string, number>();
const charToExtension = new Map<string, number>();
const extensionToChar = new Map<number, string>();
[...DEFAULT_ALPHABET].forEach((c, i) => {
  if (i !== GSM7_ESCAPE) charToSeptet.set(c, i);
});
for (const [code, c] of EXTENSION) {
  charToExtension.set(c, code);
  extensionToChar.set(code, c);
}

/** Number of septets `text` needs in the default alphabet, or null if a character has no encoding. */
export function gsm7Length(text: string): number | null {
  let n = 0;
  for (const c of text) {
    if (charToSeptet.has(c)) n += 1;
    else if (charToExtension.has(c)) n += 2;
    else return null;
  }
  return n;
}

export function isGsm7(text: string): boolean {
  return gsm7Length(text) !== null;
}

/** Text → septet values (extension characters become ESC + code). */
export function textToSeptets(text: string): number[] {
  const out: number[] = [];
  for (const c of text) {
    const s = charToSeptet.get(c);
    if (s !== undefined) {
      out.push(s);
      continue;
    }
    const e = charToExtension.get(c);
    if (e !== undefined) {
      out.push(GSM7_ESCAPE, e);
      continue;
    }
    throw new SerialAtError(SerialAtErrorCodes.EncodeFailed, 'character not in the GSM 7-bit alphabet', {
      codePoint: c.codePointAt(0),
    });
  }
  return out;
}

/** Septet values → text. An unknown extension code shows the default-table character, as TS 23.038 §6.2.1.1 asks. */
export function septetsToText(septets: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i]! & 0x7f;
    if (s === GSM7_ESCAPE) {
      const next = septets[i + 1];
      if (next === undefined) break; // a dangling escape at the end carries no character
      i += 1;
      out += extensionToChar.get(next & 0x7f) ?? DEFAULT_ALPHABET[next & 0x7f];
      continue;
    }
    out += DEFAULT_ALPHABET[s];
  }
  return out;
}

/** Packs septets LSB-first into ceil(n*7/8) octets (TS 23.038 §6.1.2.1.1). */
export function packSeptets(septets: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil((septets.length * 7) / 8));
  for (let i = 0; i < septets.length; i++) {
    const bit = i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    const v = septets[i]! & 0x7f;
    out[byte]! |= (v << shift) & 0xff;
    if (shift > 1) out[byte + 1]! |= v >> (8 - shift);
  }
  return out;
}

/** Unpacks `count` septets from packed octets; throws PduTruncated if the octets are too few. */
export function unpackSeptets(octets: Uint8Array, count: number): number[] {
  const needed = Math.ceil((count * 7) / 8);
  if (octets.length < needed) {
    throw new SerialAtError(SerialAtErrorCodes.PduTruncated, 'PDU ends inside TP-UD (7-bit)', {
      field: 'TP-UD',
      septets: count,
      needed,
      available: octets.length,
    });
  }
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const bit = i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    let v = octets[byte]! >> shift;
    if (shift > 1) v |= (octets[byte + 1] ?? 0) << (8 - shift);
    out.push(v & 0x7f);
  }
  return out;
}
