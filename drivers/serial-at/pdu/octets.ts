// Bounds-checked reading of a PDU. Every read names the TS 23.040 field it is for, so a truncated
// PDU produces an error that says which field ran out instead of an `undefined` deep in a decoder.
import { SerialAtError, SerialAtErrorCodes } from '../errors.js';

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.trim();
  if (clean.length % 2 !== 0) {
    throw new SerialAtError(SerialAtErrorCodes.PduTruncated, 'PDU hex has an odd number of digits', {
      field: 'hex',
      length: clean.length,
    });
  }
  if (!/^[0-9A-Fa-f]*$/.test(clean)) {
    throw new SerialAtError(SerialAtErrorCodes.PduMalformed, 'PDU is not hexadecimal', { field: 'hex' });
  }
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

export class OctetReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  u8(field: string): number {
    const v = this.bytes[this.pos];
    if (v === undefined) {
      throw new SerialAtError(SerialAtErrorCodes.PduTruncated, `PDU ends before ${field}`, {
        field,
        offset: this.pos,
      });
    }
    this.pos += 1;
    return v;
  }

  take(n: number, field: string): Uint8Array {
    if (n < 0 || this.pos + n > this.bytes.length) {
      throw new SerialAtError(SerialAtErrorCodes.PduTruncated, `PDU ends inside ${field}`, {
        field,
        offset: this.pos,
        wanted: n,
        available: this.bytes.length - this.pos,
      });
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  rest(): Uint8Array {
    const out = this.bytes.subarray(this.pos);
    this.pos = this.bytes.length;
    return out;
  }
}
