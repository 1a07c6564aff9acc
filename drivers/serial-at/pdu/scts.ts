// TP-Service-Centre-Time-Stamp (TS 23.040 §9.2.3.11): seven octets of swapped-nibble BCD,
// YY MM DD hh mm ss TZ. TZ counts quarter hours; its sign is bit 3 of the octet (the high bit of the
// first, i.e. low-order, semi-octet).
import { SerialAtError, SerialAtErrorCodes } from '../errors.js';
import type { OctetReader } from './octets.js';

export interface Timestamp {
  /** The instant, as a UTC Date. */
  date: Date;
  /** Offset of the SC's local time from UTC, in minutes (+480 for China). */
  offsetMinutes: number;
  /** Local wall time with offset, e.g. `2026-11-28T21:05:09+08:00`. */
  iso: string;
}

function swappedBcd(o: number, field: string): number {
  const lo = o & 0x0f;
  const hi = o >> 4;
  if (lo > 9 || hi > 9) {
    throw new SerialAtError(SerialAtErrorCodes.PduMalformed, `${field} is not BCD`, { field, octet: o });
  }
  return lo * 10 + hi;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function readTimestamp(r: OctetReader, field = 'TP-SCTS'): Timestamp {
  const b = r.take(7, field);
  const [yy, mo, dd, hh, mi, ss] = [0, 1, 2, 3, 4, 5].map((i) => swappedBcd(b[i]!, field)) as [
    number, number, number, number, number, number,
  ];
  const tzOctet = b[6]!;
  const quarters = (tzOctet & 0x07) * 10 + (tzOctet >> 4);
  if (tzOctet >> 4 > 9) throw new SerialAtError(SerialAtErrorCodes.PduMalformed, `${field} zone is not BCD`, { field });
  const offsetMinutes = (tzOctet & 0x08 ? -1 : 1) * quarters * 15;
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59) {
    throw new SerialAtError(SerialAtErrorCodes.PduMalformed, `${field} is not a valid time`, { field });
  }
  // Two-digit years: phones in service today send 20xx; 90..99 only occur in old published examples.
  const year = yy >= 90 ? 1900 + yy : 2000 + yy;
  const local = Date.UTC(year, mo - 1, dd, hh, mi, ss);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const iso = `${year}-${pad(mo)}-${pad(dd)}T${pad(hh)}:${pad(mi)}:${pad(ss)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return { date: new Date(local - offsetMinutes * 60_000), offsetMinutes, iso };
}

const toSwapped = (n: number) => ((n % 10) << 4) | Math.floor(n / 10);

/** Encodes an instant as seen in a zone `offsetMinutes` from UTC (multiple of 15). */
export function encodeTimestamp(date: Date, offsetMinutes: number): Uint8Array {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const quarters = Math.round(Math.abs(offsetMinutes) / 15);
  const tz = (((quarters % 10) << 4) | Math.floor(quarters / 10)) | (offsetMinutes < 0 ? 0x08 : 0);
  return Uint8Array.from([
    toSwapped(local.getUTCFullYear() % 100),
    toSwapped(local.getUTCMonth() + 1),
    toSwapped(local.getUTCDate()),
    toSwapped(local.getUTCHours()),
    toSwapped(local.getUTCMinutes()),
    toSwapped(local.getUTCSeconds()),
    tz,
  ]);
}
