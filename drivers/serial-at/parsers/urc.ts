// Unsolicited result codes (TS 27.007 / TS 27.005) the driver acts on. Two of them (+CMT, +CDS)
// take two lines: a header and then the PDU (TS 27.005 §3.4.1, PDU mode), so classification keeps
// state between lines.

export type Urc =
  | { type: 'cmti'; storage: string; index: number } // new message stored (27.005 §3.4.1)
  | { type: 'cdsi'; storage: string; index: number } // status report stored
  | { type: 'cmt'; length: number; pdu: string } // message routed directly
  | { type: 'cds'; length: number; pdu: string } // status report routed directly
  | { type: 'ring' } // V.250 RING, or +CRING: VOICE (27.007 §6.11)
  | { type: 'clip'; number: string; toa: number; validity: 0 | 1 | 2 } // 27.007 §7.6
  | { type: 'call-ended'; reason: 'no-carrier' | 'busy' | 'no-answer' }
  | { type: 'dtmf'; digit: string }
  | { type: 'creg'; stat: number } // 27.007 §7.2 unsolicited form
  | { type: 'modem-restarted'; text: string } // RDY / +CFUN: 1 / SMS Ready … after a reset
  | { type: 'tts'; status: number } // +CTTS: <status> (SIMCom) / +QTTS: <status> (Quectel); 0 = speech ended
  // A file the module played into the call ended: +QPSND: 0 (Quectel) / +AUDIOSTATE: audio play stop (SIMCom).
  | { type: 'module-play-ended' }
  // The module's own recording stopped: +RECSTATE: crec stop (SIMCom) / +QAUDRIND: 0,<err> (Quectel).
  | { type: 'module-record-ended'; error: number };

/** Splits a parameter list honouring double quotes (27.007 §4.1 string parameters). */
export function splitParams(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of s) {
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function int(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  return Number(s);
}

const DTMF = /^[0-9*#A-D]$/;

export class UrcParser {
  #awaitingPdu: { type: 'cmt' | 'cds'; length: number } | undefined;

  /** True while the next line is the PDU of a two-line URC and must not go anywhere else. */
  get expectsPdu(): boolean {
    return this.#awaitingPdu !== undefined;
  }

  /** Returns a URC, `'partial'` if the line starts a two-line URC, or undefined when not a URC. */
  parse(line: string): Urc | 'partial' | undefined {
    if (this.#awaitingPdu) {
      const head = this.#awaitingPdu;
      this.#awaitingPdu = undefined;
      return { type: head.type, length: head.length, pdu: line.trim() };
    }
    const m = /^(\+[A-Z]+):\s*(.*)$/.exec(line);
    if (!m) {
      switch (line.trim()) {
        case 'RING':
          return { type: 'ring' };
        case 'NO CARRIER':
          return { type: 'call-ended', reason: 'no-carrier' };
        case 'BUSY':
          return { type: 'call-ended', reason: 'busy' };
        case 'NO ANSWER':
          return { type: 'call-ended', reason: 'no-answer' };
        case 'RDY':
        case 'SMS Ready':
        case 'Call Ready':
          return { type: 'modem-restarted', text: line.trim() };
        default:
          return undefined;
      }
    }
    const [, name, rest = ''] = m;
    const p = splitParams(rest);
    switch (name) {
      case '+CMTI':
      case '+CDSI': {
        const index = int(p[1]);
        if (index === undefined) return undefined;
        return { type: name === '+CMTI' ? 'cmti' : 'cdsi', storage: p[0] ?? '', index };
      }
      case '+CMT':
      case '+CDS': {
        // +CMT: [<alpha>],<length>   +CDS: <length>
        const length = int(name === '+CMT' ? p[p.length - 1] : p[0]);
        if (length === undefined) return undefined;
        this.#awaitingPdu = { type: name === '+CMT' ? 'cmt' : 'cds', length };
        return 'partial';
      }
      case '+CRING':
        return p[0]?.startsWith('VOICE') ? { type: 'ring' } : undefined;
      case '+CLIP': {
        const toa = int(p[1]) ?? 129;
        const v = int(p[5]);
        const validity = v === 1 || v === 2 ? v : 0;
        return { type: 'clip', number: p[0] ?? '', toa, validity };
      }
      case '+DTMF': {
        const d = (p[0] ?? '').toUpperCase();
        return DTMF.test(d) ? { type: 'dtmf', digit: d } : undefined;
      }
      case '+QTONEDET': {
        // Quectel reports the ASCII code of the tone (Quectel AT manual, +QTONEDET).
        const code = int(p[0]);
        const d = code === undefined ? '' : String.fromCharCode(code);
        return DTMF.test(d) ? { type: 'dtmf', digit: d } : undefined;
      }
      case '+CREG': {
        // The unsolicited form has <stat> first (+CREG: <stat>[,<lac>,<ci>]); the reply to
        // AT+CREG? has <n>,<stat>. The channel only asks here when no AT+CREG? is running.
        const stat = int(p[0]);
        return stat === undefined ? undefined : { type: 'creg', stat };
      }
      case '+CTTS':
      case '+QTTS': {
        const status = int(p[0]);
        return status === undefined ? undefined : { type: 'tts', status };
      }
      case '+QPSND':
        return p[0] === '0' ? { type: 'module-play-ended' } : undefined;
      case '+AUDIOSTATE':
        return /^audio play stop$/i.test(rest.trim()) ? { type: 'module-play-ended' } : undefined;
      case '+RECSTATE':
        return /^crec stop$/i.test(rest.trim()) ? { type: 'module-record-ended', error: 0 } : undefined;
      case '+QAUDRIND': {
        const err = int(p[1]);
        return p[0] === '0' ? { type: 'module-record-ended', error: err ?? 0 } : undefined;
      }
      case '+CFUN':
        return p[0] === '1' ? { type: 'modem-restarted', text: line.trim() } : undefined;
      default:
        return undefined;
    }
  }
}
