// What one response line from the modem means, in the voice command state. Pure.
//
//  - final result codes (V.250 §5.7.2): OK, ERROR, CONNECT, VCON (voice connection: IS-101 and USR 5637
//    "#CLS=8" answer), NO CARRIER, BUSY, NO ANSWER, NO DIALTONE;
//  - RING (a V.250 §5.7 result code, repeated per ring burst);
//  - caller ID in formatted form (V.253 §9.2.3 +VCID=1): `DATE = MMDD`, `TIME = HHMM`, `NMBR = <number>`,
//    `NAME = <name>`, sent once between the first and the second RING. `NMBR = P` is a withheld number
//    (private), `NMBR = O` one the exchange does not know (out of area); some modems write `NMBR=` without
//    spaces, `MESG =` carries anything the modem could not decode.
// Numeric result codes (ATV0) are not recognised: the driver sends ATV1, and a bare digit is also the
// answer to a query such as AT+VLS?.
// Anything else is `other` (an echo, the answer to a query, noise).

export type LineMeaning =
  | { kind: 'final'; ok: boolean; code: 'OK' | 'ERROR' | 'CONNECT' | 'VCON' | 'NO CARRIER' | 'BUSY' | 'NO ANSWER' | 'NO DIALTONE' }
  | { kind: 'ring' }
  | { kind: 'cid-number'; number: string | null; presentation: 'allowed' | 'restricted' | 'unavailable' }
  | { kind: 'cid-other'; field: 'DATE' | 'TIME' | 'NAME' | 'MESG'; value: string }
  | { kind: 'other'; text: string };

const FINALS: Record<string, { ok: boolean; code: Extract<LineMeaning, { kind: 'final' }>['code'] }> = {
  OK: { ok: true, code: 'OK' },
  ERROR: { ok: false, code: 'ERROR' },
  CONNECT: { ok: true, code: 'CONNECT' },
  VCON: { ok: true, code: 'VCON' },
  'NO CARRIER': { ok: false, code: 'NO CARRIER' },
  BUSY: { ok: false, code: 'BUSY' },
  'NO ANSWER': { ok: false, code: 'NO ANSWER' },
  'NO DIALTONE': { ok: false, code: 'NO DIALTONE' },
  'NO DIAL TONE': { ok: false, code: 'NO DIALTONE' },
};

export function classifyLine(line: string): LineMeaning {
  const l = line.trim();
  const f = FINALS[l] ?? (/^CONNECT\b/.test(l) ? FINALS.CONNECT : undefined);
  if (f) return { kind: 'final', ...f };
  if (l === 'RING') return { kind: 'ring' };
  const cid = /^(DATE|TIME|NMBR|NAME|MESG|DDN_NMBR)\s*=\s*(.*)$/.exec(l);
  if (cid) {
    const field = cid[1]!;
    const value = cid[2]!.trim();
    if (field === 'NMBR' || field === 'DDN_NMBR') {
      if (value === 'P') return { kind: 'cid-number', number: null, presentation: 'restricted' };
      const digits = value.replace(/[^0-9+]/g, '').replace(/(?!^)\+/g, '');
      if (value === 'O' || digits.replace('+', '') === '') return { kind: 'cid-number', number: null, presentation: 'unavailable' };
      return { kind: 'cid-number', number: digits, presentation: 'allowed' };
    }
    return { kind: 'cid-other', field: field as 'DATE' | 'TIME' | 'NAME' | 'MESG', value };
  }
  return { kind: 'other', text: l };
}
