// SMS-STATUS-REPORT (TS 23.040 §9.2.2.3), delivered by +CDS (TS 27.005 §3.4.1) when AT+CNMI ds=1.
import { SerialAtError, SerialAtErrorCodes } from '../errors.js';
import { encodeScAddress, encodeTpAddress, readTpAddress, type Address } from './address.js';
import type { OctetReader } from './octets.js';
import { encodeTimestamp, readTimestamp, type Timestamp } from './scts.js';

/** TP-ST classes, §9.2.3.15: 0x00-0x1F done, 0x20-0x3F SC still trying, 0x40-0x7F gave up. */
export type DeliveryOutcome = 'delivered' | 'pending' | 'failed';

export interface SmsStatusReport {
  type: 'status-report';
  smsc?: Address;
  messageReference: number;
  recipient: Address;
  scTimestamp: Timestamp;
  dischargeTime: Timestamp;
  status: number;
  outcome: DeliveryOutcome;
}

export function outcomeOf(st: number): DeliveryOutcome {
  if (st <= 0x1f) return 'delivered';
  if (st <= 0x3f) return 'pending';
  return 'failed';
}

export function readStatusReport(r: OctetReader, smsc: Address | undefined): SmsStatusReport {
  const first = r.u8('first octet');
  if ((first & 0x03) !== 0x02) {
    throw new SerialAtError(SerialAtErrorCodes.PduMalformed, 'not an SMS-STATUS-REPORT', { field: 'TP-MTI' });
  }
  const messageReference = r.u8('TP-MR');
  const recipient = readTpAddress(r, 'TP-RA');
  const scTimestamp = readTimestamp(r, 'TP-SCTS');
  const dischargeTime = readTimestamp(r, 'TP-DT');
  const status = r.u8('TP-ST');
  // TP-PI and the optional fields after it carry nothing the box uses; they are not read.
  return {
    type: 'status-report',
    ...(smsc ? { smsc } : {}),
    messageReference,
    recipient,
    scTimestamp,
    dischargeTime,
    status,
    outcome: outcomeOf(status),
  };
}

export function encodeStatusReport(p: {
  messageReference: number;
  recipient: string;
  scTimestamp: Date;
  dischargeTime: Date;
  offsetMinutes: number;
  status: number;
}): Uint8Array {
  return Uint8Array.from([
    ...encodeScAddress(undefined),
    0x06, // MTI 10, TP-MMS=1 (no more messages)
    p.messageReference & 0xff,
    ...encodeTpAddress(p.recipient, 'TP-RA'),
    ...encodeTimestamp(p.scTimestamp, p.offsetMinutes),
    ...encodeTimestamp(p.dischargeTime, p.offsetMinutes),
    p.status & 0xff,
  ]);
}
