// TP-Data-Coding-Scheme (TS 23.038 §4). Only the alphabet matters to the driver; message class
// and indication flags are reported as they are.
import { SerialAtError, SerialAtErrorCodes } from '../errors.js';

export type Alphabet = 'gsm7' | '8bit' | 'ucs2';

export interface DataCoding {
  raw: number;
  alphabet: Alphabet;
  messageClass?: 0 | 1 | 2 | 3;
}

export function decodeDcs(raw: number): DataCoding {
  const group = raw >> 4;
  const cls = (raw & 0x03) as 0 | 1 | 2 | 3;
  if (group <= 0x07) {
    // General data coding (00xx) and automatic-deletion group (01xx) share the layout.
    if (raw & 0x20) {
      throw new SerialAtError(SerialAtErrorCodes.PduMalformed, 'compressed user data is not supported', {
        field: 'TP-DCS',
        dcs: raw,
      });
    }
    const bits = (raw >> 2) & 0x03;
    // "11" is reserved and is to be treated as the default alphabet (§4).
    const alphabet: Alphabet = bits === 1 ? '8bit' : bits === 2 ? 'ucs2' : 'gsm7';
    return raw & 0x10 ? { raw, alphabet, messageClass: cls } : { raw, alphabet };
  }
  if (group === 0x0c || group === 0x0d) return { raw, alphabet: 'gsm7' }; // MWI, default alphabet
  if (group === 0x0e) return { raw, alphabet: 'ucs2' }; // MWI, UCS2
  if (group === 0x0f) return { raw, alphabet: raw & 0x04 ? '8bit' : 'gsm7', messageClass: cls };
  return { raw, alphabet: 'gsm7' }; // reserved groups 1000..1011: default alphabet
}

export function encodeDcs(alphabet: Alphabet): number {
  return alphabet === 'ucs2' ? 0x08 : alphabet === '8bit' ? 0x04 : 0x00;
}
