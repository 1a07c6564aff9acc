// Parsers for the information responses the facade reads. Pure functions; each returns undefined
// (never throws) on a line it cannot read, so one garbled reply never stops the driver.
import { splitParams } from './parsers/urc.js';

export interface SignalQuality {
  /** <rssi> 0..31, null when the modem says 99 (not known). TS 27.007 §8.5. */
  rssi: number | null;
  /** Received power in dBm: -113 + 2·rssi. */
  dbm: number | null;
  /** <ber> 0..7, null for 99. */
  ber: number | null;
}

export function parseCsq(lines: string[]): SignalQuality | undefined {
  const l = lines.find((x) => x.startsWith('+CSQ:'));
  if (!l) return undefined;
  const [r, b] = splitParams(l.slice(5)).map((x) => Number(x));
  if (r === undefined || !Number.isInteger(r)) return undefined;
  const rssi = r === 99 || r < 0 || r > 31 ? null : r;
  const ber = b === undefined || b === 99 || !Number.isInteger(b) ? null : b;
  return { rssi, dbm: rssi === null ? null : -113 + 2 * rssi, ber };
}

export type RegistrationState = 'not-registered' | 'home' | 'searching' | 'denied' | 'unknown' | 'roaming';
const REG: RegistrationState[] = ['not-registered', 'home', 'searching', 'denied', 'unknown', 'roaming'];

export interface Registration {
  stat: number;
  state: RegistrationState;
  registered: boolean;
}

/** +CREG: <n>,<stat>[,<lac>,<ci>] (TS 27.007 §7.2, the reply to AT+CREG?). */
export function parseCreg(lines: string[]): Registration | undefined {
  const l = lines.find((x) => x.startsWith('+CREG:'));
  if (!l) return undefined;
  const p = splitParams(l.slice(6));
  const stat = Number(p[1]);
  if (!Number.isInteger(stat)) return undefined;
  return registrationOf(stat);
}

export function registrationOf(stat: number): Registration {
  const state = REG[stat] ?? 'unknown';
  return { stat, state, registered: stat === 1 || stat === 5 };
}

/** ATI (V.250 §6.1.3): the module's identification lines (manufacturer, model, revision) joined with spaces. */
export function parseAti(lines: string[]): string | null {
  const text = lines.map((l) => l.trim()).filter((l) => l && l !== 'ATI').join(' ');
  return text || null;
}

/** AT+CGSN (TS 27.007 §5.4): the IMEI, 14–17 digits (some modules prefix `+CGSN:` or quote it). */
export function parseCgsn(lines: string[]): string | null {
  return lines.map((l) => l.replace(/^\+CGSN:\s*/, '').replace(/"/g, '').trim()).find((l) => /^\d{14,17}$/.test(l)) ?? null;
}

/** +COPS: <mode>[,<format>,"<oper>"[,<AcT>]] (TS 27.007 §7.3): the operator's name, null when not registered. */
export function parseCops(lines: string[]): string | null {
  const m = lines.map((l) => /^\+COPS:\s*\d+(?:\s*,\s*\d+\s*,\s*"([^"]*)")?/.exec(l)).find(Boolean);
  return m?.[1] ? m[1] : null;
}

/** +CPIN: <code> (TS 27.007 §8.3): READY, SIM PIN, SIM PUK, … */
export function parseCpin(lines: string[]): string | undefined {
  const l = lines.find((x) => x.startsWith('+CPIN:'));
  return l ? l.slice(6).trim() : undefined;
}

/** +CMGS: <mr> (TS 27.005 §3.5.1). */
export function parseCmgs(lines: string[]): number | undefined {
  const l = lines.find((x) => x.startsWith('+CMGS:'));
  if (!l) return undefined;
  const mr = Number(splitParams(l.slice(6))[0]);
  return Number.isInteger(mr) ? mr : undefined;
}

export interface StoredPdu {
  index: number;
  /** <stat> 0 received unread, 1 received read, 2 stored unsent, 3 stored sent (TS 27.005 §3.1). */
  stat: number;
  length: number;
  pdu: string;
}

/** +CMGR: <stat>,[<alpha>],<length> then the PDU line (TS 27.005 §3.4.3, PDU mode). */
export function parseCmgr(index: number, lines: string[]): StoredPdu | undefined {
  const i = lines.findIndex((x) => x.startsWith('+CMGR:'));
  if (i < 0) return undefined;
  const p = splitParams(lines[i]!.slice(6));
  const pdu = lines[i + 1];
  const stat = Number(p[0]);
  const length = Number(p[p.length - 1]);
  if (pdu === undefined || !Number.isInteger(length)) return undefined;
  return { index, stat, length, pdu: pdu.trim() };
}

/**
 * +CMGL: <index>,<stat>,[<alpha>],<length> then the PDU line, repeated (TS 27.005 §3.4.2).
 * A header whose PDU line is missing (or is itself a header) is reported in `broken`.
 */
export function parseCmgl(lines: string[]): { messages: StoredPdu[]; broken: number } {
  const messages: StoredPdu[] = [];
  let broken = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.startsWith('+CMGL:')) continue;
    const p = splitParams(l.slice(6));
    const index = Number(p[0]);
    const stat = Number(p[1]);
    const length = Number(p[p.length - 1]);
    const pdu = lines[i + 1];
    if (!Number.isInteger(index) || !Number.isInteger(length) || pdu === undefined || pdu.startsWith('+CMGL:')) {
      broken += 1;
      continue;
    }
    messages.push({ index, stat, length, pdu: pdu.trim() });
    i += 1;
  }
  return { messages, broken };
}

/**
 * Whether a +CMS ERROR is worth retrying. TS 27.005 §3.2.5: 0..127 are TS 24.011 RP causes
 * (§8.2.5.4 / Table 8.4); 300..500 are ME/TA errors.
 */
export function isTransientCms(code: number | null): boolean {
  if (code === null) return true;
  // RP causes: 38 network out of order, 41 temporary failure, 42 congestion, 47 resources
  // unavailable, 98/111 protocol errors; 331 no network service, 332 network timeout,
  // 340 no +CNMA expected (modem confused), 500 unknown error, 512+ manufacturer-specific.
  return [38, 41, 42, 47, 98, 111, 331, 332, 340, 500].includes(code) || code >= 512;
}
