// UCS2 user data (TS 23.038 §6.2.3) as big-endian UTF-16. Phones send characters outside the BMP
// (emoji) as surrogate pairs even though the spec says UCS2; decoding them as UTF-16 keeps them.
import { SerialAtError, SerialAtErrorCodes } from '../errors.js';

export function encodeUcs2(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    out[i * 2] = u >> 8;
    out[i * 2 + 1] = u & 0xff;
  }
  return out;
}

export function decodeUcs2(bytes: Uint8Array): string {
  if (bytes.length % 2 !== 0) {
    throw new SerialAtError(SerialAtErrorCodes.PduMalformed, 'UCS2 user data has an odd number of octets', {
      field: 'TP-UD',
      octets: bytes.length,
    });
  }
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) out += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  return out;
}
