// TP addresses (TS 23.040 §9.1.2.5) and the RP service-centre address that precedes the TPDU in
// PDU-mode AT commands (TS 27.005 §3.1 <pdu>, TS 24.011 §8.2.5.1).
import { SerialAtError, SerialAtErrorCodes } from '../errors.js';
import { packSeptets, septetsToText, textToSeptets, unpackSeptets } from './gsm7.js';
import type { OctetReader } from './octets.js';

export type TypeOfNumber =
  | 'unknown'
  | 'international'
  | 'national'
  | 'network'
  | 'subscriber'
  | 'alphanumeric'
  | 'abbreviated'
  | 'reserved';

const TON: TypeOfNumber[] = [
  'unknown',
  'international',
  'national',
  'network',
  'subscriber',
  'alphanumeric',
  'abbreviated',
  'reserved',
];

export interface Address {
  /** Digits, with a leading `+` for international numbers; the text for alphanumeric senders. */
  value: string;
  ton: TypeOfNumber;
  /** Numbering plan identification, bits 3..0 of the type-of-address octet (1 = E.164). */
  npi: number;
}

// Semi-octet digits: 0-9, then * # a b c for 0xA-0xE (TS 23.040 §9.1.2.3); 0xF is the filler.
const BCD = '0123456789*#abc';

function decodeBcd(bytes: Uint8Array, digits: number, field: string): string {
  let out = '';
  for (let i = 0; i < digits; i++) {
    const b = bytes[i >> 1]!;
    const nibble = i % 2 === 0 ? b & 0x0f : b >> 4;
    const c = BCD[nibble];
    if (c === undefined) {
      throw new SerialAtError(SerialAtErrorCodes.PduMalformed, `filler digit inside ${field}`, { field });
    }
    out += c;
  }
  return out;
}

function encodeBcd(digits: string, field: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(digits.length / 2));
  for (let i = 0; i < digits.length; i++) {
    const v = BCD.indexOf(digits[i]!.toLowerCase());
    if (v < 0) {
      throw new SerialAtError(SerialAtErrorCodes.EncodeFailed, `not a dialable digit in ${field}`, { field });
    }
    out[i >> 1]! |= i % 2 === 0 ? v : v << 4;
  }
  if (digits.length % 2 === 1) out[out.length - 1]! |= 0xf0;
  return out;
}

function fromToa(toa: number, body: string): Address {
  const ton = TON[(toa >> 4) & 0x07]!;
  return { value: ton === 'international' && body !== '' ? `+${body}` : body, ton, npi: toa & 0x0f };
}

/** TP-OA / TP-DA / TP-RA: length in useful semi-octets, type-of-address, value. */
export function readTpAddress(r: OctetReader, field: string): Address {
  const semiOctets = r.u8(`${field} length`);
  const toa = r.u8(`${field} type`);
  const octets = r.take(Math.ceil(semiOctets / 2), field);
  if (((toa >> 4) & 0x07) === 5) {
    // Alphanumeric (TS 23.040 §9.1.2.5): GSM 7-bit packed; length counts semi-octets of payload.
    const septets = Math.floor((semiOctets * 4) / 7);
    return { value: septetsToText(unpackSeptets(octets, septets)), ton: 'alphanumeric', npi: toa & 0x0f };
  }
  return fromToa(toa, decodeBcd(octets, semiOctets, field));
}

/** The service-centre address of TS 24.011: length in octets (type octet included); 0 = none. */
export function readScAddress(r: OctetReader): Address | undefined {
  const len = r.u8('SCA length');
  if (len === 0) return undefined;
  const toa = r.u8('SCA type');
  const octets = r.take(len - 1, 'SCA');
  let digits = decodeBcd(octets, octets.length * 2 - ((octets[octets.length - 1] ?? 0) >> 4 === 0x0f ? 1 : 0), 'SCA');
  if (octets.length === 0) digits = '';
  return fromToa(toa, digits);
}

export interface AddressInput {
  value: string;
  /** Forces the type of number; by default `+` means international, digits mean unknown. */
  ton?: TypeOfNumber;
}

export function encodeTpAddress(input: string | AddressInput, field = 'TP-DA'): Uint8Array {
  const a = typeof input === 'string' ? { value: input } : input;
  if (a.ton === 'alphanumeric') {
    const septets = textToSeptets(a.value);
    const packed = packSeptets(septets);
    // Length in semi-octets of the packed payload.
    return Uint8Array.from([Math.ceil((septets.length * 7) / 4), 0xd0, ...packed]);
  }
  const international = a.value.startsWith('+') || a.ton === 'international';
  const digits = a.value.replace(/^\+/, '');
  if (digits.length === 0 || digits.length > 20) {
    throw new SerialAtError(SerialAtErrorCodes.EncodeFailed, `${field} must have 1..20 digits`, { field });
  }
  const ton = international ? 1 : a.ton === 'national' ? 2 : a.ton ? TON.indexOf(a.ton) : 0;
  // NPI 1 (ISDN/E.164) for dialable numbers.
  const toa = 0x80 | (ton << 4) | 0x01;
  return Uint8Array.from([digits.length, toa, ...encodeBcd(digits, field)]);
}

export function encodeScAddress(value: string | undefined): Uint8Array {
  if (!value) return Uint8Array.of(0); // 0 = use the SMSC stored on the SIM (AT+CSCA)
  const international = value.startsWith('+');
  const digits = value.replace(/^\+/, '');
  const bcd = encodeBcd(digits, 'SCA');
  return Uint8Array.from([bcd.length + 1, international ? 0x91 : 0x81, ...bcd]);
}
