// User-data header (TS 23.040 §9.2.3.24). Only the concatenation elements are interpreted:
// IEI 0x00 (8-bit reference, §9.2.3.24.1) and IEI 0x08 (16-bit reference, §9.2.3.24.8).
import { SerialAtError, SerialAtErrorCodes } from '../errors.js';

export interface UdhElement {
  iei: number;
  data: Uint8Array;
}

export interface ConcatInfo {
  reference: number;
  /** 8 for IEI 0x00, 16 for IEI 0x08: the two reference spaces are distinct. */
  referenceBits: 8 | 16;
  total: number;
  sequence: number;
}

/** Parses the elements of a header whose UDHL octet has already been read. */
export function parseUdh(header: Uint8Array): UdhElement[] {
  const out: UdhElement[] = [];
  let i = 0;
  while (i < header.length) {
    const iei = header[i]!;
    const len = header[i + 1];
    if (len === undefined || i + 2 + len > header.length) {
      throw new SerialAtError(SerialAtErrorCodes.PduMalformed, 'UDH element overruns the header', {
        field: 'TP-UDH',
        iei,
      });
    }
    out.push({ iei, data: header.subarray(i + 2, i + 2 + len) });
    i += 2 + len;
  }
  return out;
}

/**
 * The concatenation element, if any. §9.2.3.24.1: a receiver ignores the element when the
 * sequence number is 0 or exceeds the total, or the total is 0 — the part is then shown alone.
 */
export function concatInfo(elements: UdhElement[]): ConcatInfo | undefined {
  for (const e of elements) {
    let c: ConcatInfo | undefined;
    if (e.iei === 0x00 && e.data.length === 3) {
      c = { reference: e.data[0]!, referenceBits: 8, total: e.data[1]!, sequence: e.data[2]! };
    } else if (e.iei === 0x08 && e.data.length === 4) {
      c = { reference: (e.data[0]! << 8) | e.data[1]!, referenceBits: 16, total: e.data[2]!, sequence: e.data[3]! };
    }
    if (c && c.total > 0 && c.sequence > 0 && c.sequence <= c.total) return c;
  }
  return undefined;
}

export function buildConcatUdh(c: ConcatInfo): Uint8Array {
  const ie =
    c.referenceBits === 16
      ? [0x08, 4, (c.reference >> 8) & 0xff, c.reference & 0xff, c.total, c.sequence]
      : [0x00, 3, c.reference & 0xff, c.total, c.sequence];
  return Uint8Array.from([ie.length, ...ie]);
}
