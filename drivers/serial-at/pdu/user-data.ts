// TP-UDL and TP-UD (TS 23.040 §9.2.3.16, §9.2.3.24). For the 7-bit alphabet TP-UDL counts septets
// including the header and its fill bits; for 8-bit and UCS2 it counts octets.
import { SerialAtError, SerialAtErrorCodes } from '../errors.js';
import type { Alphabet } from './dcs.js';
import { packSeptets, septetsToText, textToSeptets, unpackSeptets } from './gsm7.js';
import type { OctetReader } from './octets.js';
import { decodeUcs2, encodeUcs2 } from './ucs2.js';
import { concatInfo, parseUdh, type ConcatInfo, type UdhElement } from './udh.js';

export interface UserData {
  udh: UdhElement[];
  concat?: ConcatInfo;
  text: string;
  /** The payload after the header, for 8-bit messages (text is then latin1, for display only). */
  payload: Uint8Array;
}

export function readUserData(r: OctetReader, alphabet: Alphabet, udhi: boolean): UserData {
  const udl = r.u8('TP-UDL');
  const octets = alphabet === 'gsm7' ? Math.ceil((udl * 7) / 8) : udl;
  if ((alphabet === 'gsm7' && udl > 160) || (alphabet !== 'gsm7' && udl > 140)) {
    throw new SerialAtError(SerialAtErrorCodes.PduMalformed, 'TP-UDL exceeds 140 octets', { field: 'TP-UDL', udl });
  }
  const ud = r.take(octets, 'TP-UD');
  let udh: UdhElement[] = [];
  let headerOctets = 0;
  if (udhi) {
    const udhl = ud[0];
    if (udhl === undefined || udhl + 1 > ud.length) {
      throw new SerialAtError(SerialAtErrorCodes.PduMalformed, 'TP-UDHL overruns TP-UD', { field: 'TP-UDHL' });
    }
    udh = parseUdh(ud.subarray(1, 1 + udhl));
    headerOctets = udhl + 1;
  }
  const concat = concatInfo(udh);
  if (alphabet === 'gsm7') {
    // The text starts at the first septet boundary after the header (fill bits, §9.2.3.24).
    const headerSeptets = Math.ceil((headerOctets * 8) / 7);
    const septets = unpackSeptets(ud, udl).slice(headerSeptets);
    const text = septetsToText(septets);
    return { udh, ...(concat ? { concat } : {}), text, payload: Uint8Array.from(septets) };
  }
  const payload = ud.subarray(headerOctets);
  const text = alphabet === 'ucs2' ? decodeUcs2(payload) : Buffer.from(payload).toString('latin1');
  return { udh, ...(concat ? { concat } : {}), text, payload };
}

/** Encodes TP-UDL + TP-UD for one part. `header` is the complete UDH including its UDHL octet. */
export function encodeUserData(alphabet: Alphabet, text: string, header?: Uint8Array): Uint8Array {
  const h = header ?? new Uint8Array(0);
  if (alphabet === 'gsm7') {
    const headerSeptets = Math.ceil((h.length * 8) / 7);
    const septets = [...new Array<number>(headerSeptets).fill(0), ...textToSeptets(text)];
    const packed = packSeptets(septets);
    packed.set(h, 0); // header octets overwrite the zero placeholder septets; the rest are fill bits
    return Uint8Array.from([septets.length, ...packed]);
  }
  const body = alphabet === 'ucs2' ? encodeUcs2(text) : Buffer.from(text, 'latin1');
  return Uint8Array.from([h.length + body.length, ...h, ...body]);
}
