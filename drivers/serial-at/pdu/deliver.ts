// SMS-DELIVER (TS 23.040 §9.2.2.1), as the modem hands it over in PDU mode: the SC address
// (TS 27.005 §3.1) followed by the TPDU.
import { readScAddress, readTpAddress, encodeScAddress, encodeTpAddress, type Address, type AddressInput } from './address.js';
import { decodeDcs, encodeDcs, type Alphabet, type DataCoding } from './dcs.js';
import { OctetReader } from './octets.js';
import { encodeTimestamp, readTimestamp, type Timestamp } from './scts.js';
import { buildConcatUdh, type ConcatInfo } from './udh.js';
import { encodeUserData, readUserData, type UserData } from './user-data.js';

export interface SmsDeliver extends UserData {
  type: 'deliver';
  smsc?: Address;
  originator: Address;
  protocolId: number;
  dcs: DataCoding;
  timestamp: Timestamp;
  /** TP-MMS is *set to 0* when more messages are waiting (§9.2.3.2); this is the positive sense. */
  moreMessagesToSend: boolean;
  statusReportIndication: boolean;
  replyPath: boolean;
}

/** Decodes a TPDU whose first octet has MTI 00; `r` is positioned at that first octet. */
export function readDeliver(r: OctetReader, smsc: Address | undefined): SmsDeliver {
  const first = r.u8('first octet');
  const originator = readTpAddress(r, 'TP-OA');
  const protocolId = r.u8('TP-PID');
  const dcs = decodeDcs(r.u8('TP-DCS'));
  const timestamp = readTimestamp(r);
  const ud = readUserData(r, dcs.alphabet, (first & 0x40) !== 0);
  return {
    type: 'deliver',
    ...(smsc ? { smsc } : {}),
    originator,
    protocolId,
    dcs,
    timestamp,
    moreMessagesToSend: (first & 0x04) === 0,
    statusReportIndication: (first & 0x20) !== 0,
    replyPath: (first & 0x80) !== 0,
    ...ud,
  };
}

export function decodeDeliverBytes(bytes: Uint8Array): SmsDeliver {
  const r = new OctetReader(bytes);
  const smsc = readScAddress(r);
  return readDeliver(r, smsc);
}

export interface DeliverInput {
  from: string | AddressInput;
  text: string;
  alphabet: Alphabet;
  timestamp: Date;
  offsetMinutes: number;
  smsc?: string;
  concat?: ConcatInfo;
}

/** Builds an SMS-DELIVER PDU (with SCA). The driver never needs this; the simulator and tests do. */
export function encodeDeliver(d: DeliverInput): Uint8Array {
  const header = d.concat ? buildConcatUdh(d.concat) : undefined;
  // MTI 00, TP-MMS=1 (no more messages), TP-UDHI when there is a header.
  const first = 0x04 | (header ? 0x40 : 0);
  return Uint8Array.from([
    ...encodeScAddress(d.smsc),
    first,
    ...encodeTpAddress(d.from, 'TP-OA'),
    0x00,
    encodeDcs(d.alphabet),
    ...encodeTimestamp(d.timestamp, d.offsetMinutes),
    ...encodeUserData(d.alphabet, d.text, header),
  ]);
}
