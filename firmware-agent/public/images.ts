// Photo checks for the public intake: the type is decided by the file's magic bytes (never by a name or a
// declared type), the structure is walked and checked, and metadata is dropped by rewriting the file
// without its metadata parts — no pixel is decoded, so no image decoder is exposed to hostile files and no
// native library is needed (none is in the tree):
// - JPEG: SOI, then marker segments up to SOS; APP1–APP13 and APP15 (EXIF, XMP, IPTC/Photoshop, …) and COM
//   are dropped; APP0 (JFIF) and APP14 (Adobe, needed for the colour transform) are kept; the entropy-coded
//   data from SOS to EOI is copied as it is. Anything after EOI is dropped.
// - PNG: signature, then chunks with their CRC checked; only IHDR, PLTE, IDAT, IEND and the rendering chunks
//   tRNS, gAMA, cHRM, sRGB, pHYs are kept (tEXt, zTXt, iTXt, eXIf, tIME, iCCP and anything unknown are dropped).
import { crc32 } from 'node:zlib';

export type PhotoType = 'image/jpeg' | 'image/png';

export class PhotoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PhotoError';
  }
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_KEEP = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'gAMA', 'cHRM', 'sRGB', 'pHYs']);

export function sniff(b: Buffer): PhotoType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIG)) return 'image/png';
  return null;
}

/** The photo without its metadata, and its type. Throws PhotoError for anything else or a broken file. */
export function cleanPhoto(b: Buffer): { type: PhotoType; bytes: Buffer } {
  const type = sniff(b);
  if (type === 'image/jpeg') return { type, bytes: stripJpeg(b) };
  if (type === 'image/png') return { type, bytes: stripPng(b) };
  throw new PhotoError('not a JPEG or PNG file');
}

export function stripJpeg(b: Buffer): Buffer {
  const out: Buffer[] = [b.subarray(0, 2)];
  let i = 2;
  let frame = false;
  for (;;) {
    if (i + 4 > b.length) throw new PhotoError('JPEG ends inside its headers');
    if (b[i] !== 0xff) throw new PhotoError('JPEG marker expected');
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0xd9 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      throw new PhotoError('JPEG marker out of place');
    }
    const len = b.readUInt16BE(i + 2);
    if (len < 2 || i + 2 + len > b.length) throw new PhotoError('JPEG segment length out of range');
    const seg = b.subarray(i, i + 2 + len);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) frame = true;
    if (marker === 0xda) {
      if (!frame) throw new PhotoError('JPEG scan before its frame header');
      // Entropy-coded data runs to EOI (FFD9); FF00 stuffing and RSTn/other markers in later scans are kept.
      const end = b.lastIndexOf(Buffer.from([0xff, 0xd9]));
      if (end < i + 2 + len) throw new PhotoError('JPEG has no end marker');
      out.push(b.subarray(i, end + 2));
      return Buffer.concat(out);
    }
    const metadata = (marker >= 0xe1 && marker <= 0xed) || marker === 0xef || marker === 0xfe;
    if (!metadata) out.push(seg);
    i += 2 + len;
  }
}

export function stripPng(b: Buffer): Buffer {
  const out: Buffer[] = [PNG_SIG];
  let i = 8;
  let first = true;
  for (;;) {
    if (i + 12 > b.length) throw new PhotoError('PNG ends inside a chunk');
    const len = b.readUInt32BE(i);
    if (len > b.length - i - 12) throw new PhotoError('PNG chunk length out of range');
    const name = b.toString('latin1', i + 4, i + 8);
    if (!/^[A-Za-z]{4}$/.test(name)) throw new PhotoError('PNG chunk name invalid');
    const crc = b.readUInt32BE(i + 8 + len);
    if (crc32(b.subarray(i + 4, i + 8 + len)) !== crc) throw new PhotoError(`PNG chunk ${name} fails its CRC`);
    if (first && name !== 'IHDR') throw new PhotoError('PNG does not start with IHDR');
    first = false;
    if (PNG_KEEP.has(name)) out.push(b.subarray(i, i + 12 + len));
    i += 12 + len;
    if (name === 'IEND') return Buffer.concat(out);
  }
}
