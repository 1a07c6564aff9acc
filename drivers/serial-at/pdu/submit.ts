// SMS-SUBMIT (TS 23.040 §9.2.2.2) and splitting a text into concatenated parts
// (TS 23.040 §9.2.3.24.1; 153 septets or 67 UCS2 characters per part once the 6-octet header is in).
import { SerialAtError, SerialAtErrorCodes } from '../errors.js';
import { encodeScAddress, encodeTpAddress, readTpAddress, readScAddress, type Address, type AddressInput } from './address.js';
import { decodeDcs, encodeDcs, type Alphabet, type DataCoding } from './dcs.js';
import { GSM7_ESCAPE, gsm7Length, textToSeptets } from './gsm7.js';
import { bytesToHex, OctetReader } from './octets.js';
import { buildConcatUdh } from './udh.js';
import { encodeUserData, readUserData, type UserData } from './user-data.js';

export interface SubmitOptions {
  /** Set TP-SRR so the network sends an SMS-STATUS-REPORT (§9.2.3.5). Default true. */
  statusReport?: boolean;
  /** Relative validity in minutes (§9.2.3.12.1); default 24 h. */
  validityMinutes?: number;
  /** Send no TP-VP at all (TP-VPF 00, §9.2.3.3): the service centre's default validity applies. */
  noValidity?: boolean;
  /** Concatenation reference for multi-part texts (the caller keeps it unique per destination). */
  reference?: number;
  /** Use IEI 0x08 (16-bit reference) instead of IEI 0x00. */
  reference16?: boolean;
  /** Force an alphabet; by default GSM 7-bit when every character has a 7-bit encoding, else UCS2. */
  alphabet?: Alphabet;
  /** Service-centre address; default: the SIM's (SCA length 0). */
  smsc?: string;
}

export interface SubmitPart {
  /** Hex of SCA + TPDU, as written after the `> ` prompt of AT+CMGS. */
  hex: string;
  /** The `<length>` of AT+CMGS: TPDU octets, the SCA excluded (TS 27.005 §3.5.1). */
  tpduLength: number;
  sequence: number;
  total: number;
}

/** TS 23.040 §9.2.3.12.1, relative format. */
export function encodeRelativeValidity(minutes: number): number {
  if (minutes <= 12 * 60) return Math.max(0, Math.ceil(minutes / 5) - 1);
  if (minutes <= 24 * 60) return 143 + Math.ceil((minutes - 12 * 60) / 30);
  if (minutes <= 30 * 24 * 60) return 166 + Math.ceil(minutes / (24 * 60));
  return Math.min(255, 192 + Math.ceil(minutes / (7 * 24 * 60)));
}

/**
 * Splits text into per-part chunks that never cut an escape pair or a surrogate pair.
 * `headerOctets` is the UDH size of a multi-part message including UDHL: 6 with an 8-bit reference
 * (153 septets / 67 UCS2 characters per part), 7 with a 16-bit one (152 / 66).
 */
export function splitText(text: string, alphabet: Alphabet, headerOctets = 6): string[] {
  if (alphabet === 'gsm7') {
    const total = gsm7Length(text);
    if (total === null) {
      throw new SerialAtError(SerialAtErrorCodes.EncodeFailed, 'text has characters outside the GSM 7-bit alphabet');
    }
    if (total <= 160) return [text];
    const parts: string[] = [];
    let cur = '';
    let n = 0;
    for (const c of text) {
      const w = textToSeptets(c).length;
      if (n + w > 160 - Math.ceil((headerOctets * 8) / 7)) {
        parts.push(cur);
        cur = '';
        n = 0;
      }
      cur += c;
      n += w;
    }
    if (cur) parts.push(cur);
    return parts;
  }
  const units = alphabet === 'ucs2' ? 2 : 1;
  const single = 140 / units;
  const per = (140 - headerOctets) / units; // 67 UCS2 characters or 134 octets with an 8-bit reference
  if (text.length <= single) return [text];
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + Math.floor(per));
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1; // keep surrogate pairs whole
    parts.push(text.slice(i, end));
    i = end;
  }
  return parts;
}

export function chooseAlphabet(text: string): Alphabet {
  return gsm7Length(text) === null ? 'ucs2' : 'gsm7';
}

export function encodeSubmit(to: string | AddressInput, text: string, opts: SubmitOptions = {}): SubmitPart[] {
  const alphabet = opts.alphabet ?? chooseAlphabet(text);
  const chunks = splitText(text, alphabet, opts.reference16 ? 7 : 6);
  if (chunks.length > 255) {
    throw new SerialAtError(SerialAtErrorCodes.EncodeFailed, 'text needs more than 255 parts', { parts: chunks.length });
  }
  const sca = encodeScAddress(opts.smsc);
  const da = encodeTpAddress(to);
  const vp = encodeRelativeValidity(opts.validityMinutes ?? 24 * 60);
  const total = chunks.length;
  return chunks.map((chunk, idx) => {
    const header =
      total > 1
        ? buildConcatUdh({
            reference: opts.reference ?? 0,
            referenceBits: opts.reference16 ? 16 : 8,
            total,
            sequence: idx + 1,
          })
        : undefined;
    // MTI 01, TP-RD 0, TP-VPF 10 (relative) or 00 (none), TP-SRR, TP-UDHI.
    const first = 0x01 | (opts.noValidity ? 0 : 0x10) | (opts.statusReport === false ? 0 : 0x20) | (header ? 0x40 : 0);
    // TP-MR 0: the modem assigns the reference and reports it in +CMGS (TS 27.005 §3.5.1).
    const tpdu = Uint8Array.from([first, 0x00, ...da, 0x00, encodeDcs(alphabet), ...(opts.noValidity ? [] : [vp]), ...encodeUserData(alphabet, chunk, header)]);
    return {
      hex: bytesToHex(Uint8Array.from([...sca, ...tpdu])),
      tpduLength: tpdu.length,
      sequence: idx + 1,
      total,
    };
  });
}

export interface SmsSubmit extends UserData {
  type: 'submit';
  smsc?: Address;
  messageReference: number;
  destination: Address;
  protocolId: number;
  dcs: DataCoding;
  statusReportRequest: boolean;
  validity?: number;
}

/** Decodes an SMS-SUBMIT (SCA first). The simulator uses this to read what the driver sends. */
export function decodeSubmitBytes(bytes: Uint8Array, hasSca = true): SmsSubmit {
  const r = new OctetReader(bytes);
  const smsc = hasSca ? readScAddress(r) : undefined;
  const first = r.u8('first octet');
  if ((first & 0x03) !== 0x01) {
    throw new SerialAtError(SerialAtErrorCodes.PduMalformed, 'not an SMS-SUBMIT', { field: 'TP-MTI', mti: first & 3 });
  }
  const messageReference = r.u8('TP-MR');
  const destination = readTpAddress(r, 'TP-DA');
  const protocolId = r.u8('TP-PID');
  const dcs = decodeDcs(r.u8('TP-DCS'));
  const vpf = (first >> 3) & 0x03;
  let validity: number | undefined;
  if (vpf === 2) validity = r.u8('TP-VP');
  else if (vpf === 1 || vpf === 3) r.take(7, 'TP-VP'); // enhanced / absolute formats: skipped
  const ud = readUserData(r, dcs.alphabet, (first & 0x40) !== 0);
  return {
    type: 'submit',
    ...(smsc ? { smsc } : {}),
    messageReference,
    destination,
    protocolId,
    dcs,
    statusReportRequest: (first & 0x20) !== 0,
    ...(validity !== undefined ? { validity } : {}),
    ...ud,
  };
}

export { GSM7_ESCAPE };
