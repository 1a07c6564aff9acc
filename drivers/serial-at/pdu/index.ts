// PDU codec entry points. Decoding never throws anything but SerialAtError; callers that must not
// crash on a bad PDU use `tryDecodeIncoming` and get a typed result instead.
import { SerialAtError, SerialAtErrorCodes, isSerialAtError } from '../errors.js';
import { readScAddress } from './address.js';
import { readDeliver, type SmsDeliver } from './deliver.js';
import { hexToBytes, OctetReader } from './octets.js';
import { readStatusReport, type SmsStatusReport } from './status-report.js';

export type IncomingPdu = SmsDeliver | SmsStatusReport;

/**
 * Decodes what the modem hands over for a received message (+CMGR, +CMGL, +CDS): SCA then an
 * SMS-DELIVER or SMS-STATUS-REPORT (TP-MTI 00 / 10 in the SC→MS direction, §9.2.3.1).
 * `tpduLength`, when the modem states it, is checked against the data.
 */
export function decodeIncoming(hex: string, tpduLength?: number): IncomingPdu {
  const bytes = hexToBytes(hex);
  const r = new OctetReader(bytes);
  const smsc = readScAddress(r);
  if (tpduLength !== undefined && r.remaining < tpduLength) {
    throw new SerialAtError(SerialAtErrorCodes.PduTruncated, 'PDU shorter than the length the modem announced', {
      field: 'length',
      announced: tpduLength,
      available: r.remaining,
    });
  }
  const first = bytes[r.pos];
  if (first === undefined) {
    throw new SerialAtError(SerialAtErrorCodes.PduTruncated, 'PDU has no TPDU', { field: 'first octet' });
  }
  switch (first & 0x03) {
    case 0x00:
      return readDeliver(r, smsc);
    case 0x02:
      return readStatusReport(r, smsc);
    default:
      throw new SerialAtError(SerialAtErrorCodes.PduMalformed, 'unexpected TP-MTI for a received message', {
        field: 'TP-MTI',
        mti: first & 0x03,
      });
  }
}

export type DecodeResult = { ok: true; pdu: IncomingPdu } | { ok: false; error: SerialAtError };

export function tryDecodeIncoming(hex: string, tpduLength?: number): DecodeResult {
  try {
    return { ok: true, pdu: decodeIncoming(hex, tpduLength) };
  } catch (err) {
    if (isSerialAtError(err)) return { ok: false, error: err };
    // Anything else is a codec bug; still typed, so one bad message never stops the driver.
    return {
      ok: false,
      error: new SerialAtError(SerialAtErrorCodes.PduMalformed, 'PDU decoder failed', { field: 'unknown' }, { cause: err }),
    };
  }
}

export { bytesToHex, hexToBytes } from './octets.js';
export { encodeDeliver, decodeDeliverBytes, type SmsDeliver, type DeliverInput } from './deliver.js';
export { encodeSubmit, decodeSubmitBytes, splitText, chooseAlphabet, type SubmitPart, type SubmitOptions, type SmsSubmit } from './submit.js';
export { encodeStatusReport, type SmsStatusReport, type DeliveryOutcome } from './status-report.js';
export type { Address, AddressInput, TypeOfNumber } from './address.js';
export type { ConcatInfo, UdhElement } from './udh.js';
export type { Timestamp } from './scts.js';
export type { Alphabet } from './dcs.js';
export { gsm7Length, isGsm7, packSeptets, unpackSeptets, textToSeptets, septetsToText } from './gsm7.js';
