// Received messages: +CMTI → AT+CMGR, the AT+CMGL listing at start and after recovery, status
// reports (+CDS / +CDSI), and direct delivery (+CMT). Each stored message is handed to listeners once
// per process until it is deleted, so a re-listing after recovery does not repeat it; an undecodable
// PDU is reported (logged, `undecodable`) and skipped, never thrown.
import type { Clock } from './clock.js';
import type { SerialAtErrorCode } from './errors.js';
import type { AtResult, ExchangeSpec } from './exchange.js';
import { redactNumber, type Logger } from './log.js';
import type { Urc } from './parsers/urc.js';
import { tryDecodeIncoming, type SmsDeliver, type SmsStatusReport } from './pdu/index.js';
import { parseCmgr, type StoredPdu } from './responses.js';

export interface IncomingSms {
  /** Index in the modem's message storage: pass it to `delete()` once the message is stored. */
  index: number;
  storage: string;
  /** `notification` for +CMTI, `listing` for what was already stored at start or after recovery. */
  source: 'notification' | 'listing';
  message: SmsDeliver;
  /** The PDU exactly as read, for an audit copy. */
  pdu: string;
  at: number;
}

export interface UndecodableSms {
  index: number;
  storage: string;
  /** The stored PDU as read (hex, possibly not even that), kept as evidence by the caller. */
  pdu: string;
  code: SerialAtErrorCode;
  field: unknown;
  at: number;
}

export interface InboxDeps {
  clock: Clock;
  log: Logger;
  exec: (spec: ExchangeSpec) => Promise<AtResult>;
  list: () => Promise<StoredPdu[]>;
  commandTimeoutMs: number;
  emitSms: (m: IncomingSms) => void;
  emitUndecodable: (m: UndecodableSms) => void;
  emitStatusReport: (r: SmsStatusReport & { at: number }) => void;
}

export class Inbox {
  /** index → PDU of messages already handed over and not yet deleted. */
  #handed = new Map<number, string>();
  constructor(private readonly d: InboxDeps) {}

  forget(index: number): void {
    this.#handed.delete(index);
  }

  async collectStored(): Promise<void> {
    // Storage names are not in +CMGL; messages are listed from the preferred storage (AT+CPMS).
    for (const s of await this.d.list()) this.#handOver(s, 'SM', 'listing');
  }

  /** Handles the SMS-related URCs; returns false for the others. */
  onUrc(u: Urc): boolean {
    switch (u.type) {
      case 'cmti':
        void this.#read(u.storage, u.index).catch((err: unknown) => this.d.log.warn({ err: String(err) }, 'reading a new message failed'));
        return true;
      case 'cdsi':
        void this.#readReport(u.index).catch((err: unknown) => this.d.log.warn({ err: String(err) }, 'reading a status report failed'));
        return true;
      case 'cds':
      case 'cmt': {
        const d = tryDecodeIncoming(u.pdu, u.length);
        const at = this.d.clock.now();
        if (!d.ok) {
          this.d.log.warn({ urc: u.type, code: d.error.code, field: d.error.detail.field }, 'undecodable PDU in URC skipped');
          return true;
        }
        if (d.pdu.type === 'status-report') this.d.emitStatusReport({ ...d.pdu, at });
        // +CMT (direct delivery, not used with the default CNMI) is not stored: nothing to delete, index -1.
        else this.d.emitSms({ index: -1, storage: '', source: 'notification', message: d.pdu, pdu: u.pdu, at });
        return true;
      }
      default:
        return false;
    }
  }

  #handOver(s: StoredPdu, storage: string, source: IncomingSms['source']): void {
    if (this.#handed.get(s.index) === s.pdu) return;
    const at = this.d.clock.now();
    const d = tryDecodeIncoming(s.pdu, s.length);
    if (!d.ok) {
      this.d.log.warn({ index: s.index, code: d.error.code, field: d.error.detail.field }, 'undecodable message skipped');
      this.#handed.set(s.index, s.pdu);
      this.d.emitUndecodable({ index: s.index, storage, pdu: s.pdu, code: d.error.code, field: d.error.detail.field, at });
      return;
    }
    if (d.pdu.type === 'status-report') {
      this.d.emitStatusReport({ ...d.pdu, at });
      return;
    }
    this.#handed.set(s.index, s.pdu);
    this.d.log.info({ index: s.index, from: redactNumber(d.pdu.originator.value), parts: d.pdu.concat?.total ?? 1 }, 'message received');
    this.d.emitSms({ index: s.index, storage, source, message: d.pdu, pdu: s.pdu, at });
  }

  async #read(storage: string, index: number): Promise<void> {
    const r = await this.d.exec({ command: `AT+CMGR=${index}`, timeoutMs: this.d.commandTimeoutMs, rawLines: true });
    if (!r.ok) {
      // Not lost: the message stays stored and the next listing picks it up.
      this.d.log.warn({ index, failure: r.failure }, 'AT+CMGR failed');
      return;
    }
    const s = parseCmgr(index, r.lines);
    if (!s) {
      this.d.log.warn({ index }, 'AT+CMGR: no PDU in the answer');
      return;
    }
    this.#handOver(s, storage, 'notification');
  }

  async #readReport(index: number): Promise<void> {
    const r = await this.d.exec({ command: `AT+CMGR=${index}`, timeoutMs: this.d.commandTimeoutMs, rawLines: true });
    const s = r.ok ? parseCmgr(index, r.lines) : undefined;
    if (!s) return;
    const d = tryDecodeIncoming(s.pdu);
    if (d.ok && d.pdu.type === 'status-report') this.d.emitStatusReport({ ...d.pdu, at: this.d.clock.now() });
    // Status reports are not complaints; the stored copy has no further use.
    await this.d.exec({ command: `AT+CMGD=${index}`, timeoutMs: this.d.commandTimeoutMs });
  }
}
