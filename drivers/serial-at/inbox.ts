// Received messages: +CMTI → AT+CMGR, the AT+CMGL listing at start and after recovery, status
// reports (+CDS / +CDSI), and direct delivery (+CMT). Each stored message is handed to listeners once
// per process until it is deleted, so a re-listing after recovery does not repeat it; an undecodable
// PDU is reported (logged, `undecodable`) and skipped, never thrown.
//
// Storages: +CMTI/+CDSI name the storage the message went to ("SM", "ME", …, TS 27.005 §3.4.1), and
// AT+CMGR/CMGL/CMGD work on the read storage <mem1> chosen with AT+CPMS (§3.2.2). Every read, listing
// and delete therefore runs in the storage it concerns (`inStorage`), and a storage once named is
// listed at every start. Stored status reports are handed over once and deleted: they are not
// complaints, and left stored they would be reported again at every listing and fill the storage.
import type { Clock } from '../../common/clock.js';
import type { SerialAtErrorCode } from './errors.js';
import type { AtResult, ExchangeSpec } from './exchange.js';
import { redactNumber, type Logger } from '../../common/log.js';
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
  /** Runs `fn` with <mem1> set to `storage` (undefined: as it is), one storage user at a time. */
  inStorage: <T>(storage: string | undefined, fn: () => Promise<T>) => Promise<T>;
  /** The read storage the module reported at initialisation (AT+CPMS?), if known. */
  defaultStorage: () => string | undefined;
  commandTimeoutMs: number;
  emitSms: (m: IncomingSms) => void;
  emitUndecodable: (m: UndecodableSms) => void;
  emitStatusReport: (r: SmsStatusReport & { at: number }) => void;
}

const key = (storage: string, index: number) => `${storage}|${index}`;

export class Inbox {
  /** storage|index → PDU of messages already handed over and not yet deleted. */
  #handed = new Map<string, string>();
  /** Storages named by the module (+CMTI, +CDSI, AT+CPMS?): all are listed at start. */
  #storages = new Set<string>();
  constructor(private readonly d: InboxDeps) {}

  forget(storage: string | undefined, index: number): void {
    this.#handed.delete(key(storage || this.#label(), index));
  }

  /** A storage the module uses (e.g. <mem3> from AT+CPMS?): listed at every start. */
  noteStorage(storage: string): void {
    this.#storages.add(storage);
  }

  #label(): string {
    return this.d.defaultStorage() ?? 'SM';
  }

  async collectStored(): Promise<void> {
    // +CMGL carries no storage name: list each storage known, selected first (the module's own
    // default needs no AT+CPMS; before it is known, the listing is of whatever <mem1> is, called SM).
    const dflt = this.d.defaultStorage();
    const storages = [dflt, ...[...this.#storages].filter((s) => s !== dflt)];
    for (const storage of storages) {
      let listed;
      try {
        listed = await this.d.inStorage(storage, () => this.d.list());
      } catch (err) {
        // One storage the module refuses to select must not hide the others.
        this.d.log.warn({ storage, err: String(err) }, 'listing a message storage failed');
        continue;
      }
      for (const s of listed) this.#handOver(s, storage ?? this.#label(), 'listing');
    }
  }

  /** Deletes a stored status report once handed over; failures only cost a re-listing. */
  #dropReport(storage: string, index: number): void {
    void this.d
      .inStorage(storage, () => this.d.exec({ command: `AT+CMGD=${index}`, timeoutMs: this.d.commandTimeoutMs }))
      .then((r) => {
        if (r.ok) this.#handed.delete(key(storage, index));
      })
      .catch((err: unknown) => this.d.log.warn({ index, err: String(err) }, 'deleting a status report failed'));
  }

  /** Handles the SMS-related URCs; returns false for the others. */
  onUrc(u: Urc): boolean {
    switch (u.type) {
      case 'cmti':
        if (u.storage) this.#storages.add(u.storage);
        void this.#read(u.storage || this.#label(), u.index).catch((err: unknown) => this.d.log.warn({ err: String(err) }, 'reading a new message failed'));
        return true;
      case 'cdsi':
        if (u.storage) this.#storages.add(u.storage);
        void this.#readReport(u.storage || this.#label(), u.index).catch((err: unknown) => this.d.log.warn({ err: String(err) }, 'reading a status report failed'));
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
    const k = key(storage, s.index);
    if (this.#handed.get(k) === s.pdu) return;
    const at = this.d.clock.now();
    const d = tryDecodeIncoming(s.pdu, s.length);
    if (!d.ok) {
      this.d.log.warn({ index: s.index, code: d.error.code, field: d.error.detail.field }, 'undecodable message skipped');
      this.#handed.set(k, s.pdu);
      this.d.emitUndecodable({ index: s.index, storage, pdu: s.pdu, code: d.error.code, field: d.error.detail.field, at });
      return;
    }
    this.#handed.set(k, s.pdu);
    if (d.pdu.type === 'status-report') {
      this.d.emitStatusReport({ ...d.pdu, at });
      this.#dropReport(storage, s.index);
      return;
    }
    this.d.log.info({ index: s.index, from: redactNumber(d.pdu.originator.value), parts: d.pdu.concat?.total ?? 1 }, 'message received');
    this.d.emitSms({ index: s.index, storage, source, message: d.pdu, pdu: s.pdu, at });
  }

  async #read(storage: string, index: number): Promise<void> {
    const r = await this.d.inStorage(storage, () => this.d.exec({ command: `AT+CMGR=${index}`, timeoutMs: this.d.commandTimeoutMs, rawLines: true }));
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

  async #readReport(storage: string, index: number): Promise<void> {
    const r = await this.d.inStorage(storage, () => this.d.exec({ command: `AT+CMGR=${index}`, timeoutMs: this.d.commandTimeoutMs, rawLines: true }));
    const s = r.ok ? parseCmgr(index, r.lines) : undefined;
    if (!s) return;
    const d = tryDecodeIncoming(s.pdu);
    if (d.ok && d.pdu.type === 'status-report') {
      this.#handed.set(key(storage, index), s.pdu);
      this.d.emitStatusReport({ ...d.pdu, at: this.d.clock.now() });
    }
    // Status reports are not complaints; the stored copy has no further use.
    this.#dropReport(storage, index);
  }
}
