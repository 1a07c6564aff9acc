// Reassembly of concatenated SMS (TS 23.040 §9.2.3.24.1 / .8). Parts arrive in any order, possibly
// twice (a re-listing after a restart, or a network duplicate); a part may never arrive. After
// `timeoutMs` from the first part the message is handed over anyway, marked incomplete, so a
// complaint is never lost because its last part was.
//
// Parts are identified by (originator, reference space, reference, total): the 8-bit and 16-bit
// reference spaces are distinct, and a reference is only unique per sender.
import type { Clock, TimerHandle } from '../../common/clock.js';
import { redactNumber, silentLogger, type Logger } from '../../common/log.js';
import type { SmsDeliver, Timestamp } from './pdu/index.js';

export interface ReceivedPart {
  /** Storage index on the modem (-1 if not stored). */
  index: number;
  message: SmsDeliver;
  pdu: string;
}

export interface AssembledMessage {
  /** Stable key of the group (for logs and for linking a late part). */
  key: string;
  from: string;
  /** Present parts joined in order; missing parts contribute nothing. */
  text: string;
  /** One entry per part, null where a part is missing. */
  segments: Array<string | null>;
  complete: boolean;
  missing: number[];
  /** Every storage index that carried a part of this message (duplicates included): delete these once stored. */
  indexes: number[];
  /** The SC timestamp of the earliest part. */
  timestamp: Timestamp;
  pdus: string[];
}

interface Group {
  key: string;
  from: string;
  total: number;
  segments: Array<string | null>;
  indexes: number[];
  pdus: string[];
  timestamp: Timestamp;
  timer: TimerHandle | undefined;
}

export interface ConcatOptions {
  clock: Clock;
  /** How long to wait for missing parts after the first one arrives, ms. */
  timeoutMs: number;
  onMessage: (m: AssembledMessage) => void;
  logger?: Logger;
}

export class ConcatAssembler {
  #groups = new Map<string, Group>();
  readonly #log: Logger;
  constructor(private readonly o: ConcatOptions) {
    this.#log = o.logger ?? silentLogger;
  }

  get pending(): number {
    return this.#groups.size;
  }

  add(part: ReceivedPart): void {
    const m = part.message;
    const c = m.concat;
    if (!c || c.total === 1) {
      this.#deliver({
        key: `single|${part.index}|${m.timestamp.iso}`,
        from: m.originator.value,
        text: m.text,
        segments: [m.text],
        complete: true,
        missing: [],
        indexes: part.index >= 0 ? [part.index] : [],
        timestamp: m.timestamp,
        pdus: [part.pdu],
      });
      return;
    }
    const key = `${m.originator.value}|${c.referenceBits}|${c.reference}|${c.total}`;
    let g = this.#groups.get(key);
    if (!g) {
      g = {
        key,
        from: m.originator.value,
        total: c.total,
        segments: new Array<string | null>(c.total).fill(null),
        indexes: [],
        pdus: [],
        timestamp: m.timestamp,
        timer: undefined,
      };
      const group = g;
      g.timer = this.o.clock.setTimeout(() => this.#expire(group), this.o.timeoutMs);
      this.#groups.set(key, g);
    }
    if (part.index >= 0 && !g.indexes.includes(part.index)) g.indexes.push(part.index);
    if (g.segments[c.sequence - 1] !== null) {
      this.#log.debug({ from: redactNumber(g.from), sequence: c.sequence }, 'duplicate part ignored');
      return;
    }
    g.segments[c.sequence - 1] = m.text;
    g.pdus.push(part.pdu);
    if (m.timestamp.date < g.timestamp.date) g.timestamp = m.timestamp;
    if (g.segments.every((s) => s !== null)) this.#finish(g, true);
  }

  /** Hands over every group still waiting, as incomplete (used at shutdown). */
  flush(): void {
    for (const g of [...this.#groups.values()]) this.#finish(g, false);
  }

  #expire(g: Group): void {
    if (this.#groups.get(g.key) !== g) return;
    this.#log.warn({ from: redactNumber(g.from), missing: this.#missing(g) }, 'concatenated message incomplete after timeout');
    this.#finish(g, false);
  }

  #missing(g: Group): number[] {
    return g.segments.flatMap((s, i) => (s === null ? [i + 1] : []));
  }

  #finish(g: Group, complete: boolean): void {
    this.o.clock.clearTimeout(g.timer);
    this.#groups.delete(g.key);
    this.#deliver({
      key: g.key,
      from: g.from,
      text: g.segments.map((s) => s ?? '').join(''),
      segments: [...g.segments],
      complete,
      missing: this.#missing(g),
      indexes: [...g.indexes],
      timestamp: g.timestamp,
      pdus: [...g.pdus],
    });
  }

  #deliver(m: AssembledMessage): void {
    try {
      this.o.onMessage(m);
    } catch (err) {
      this.#log.error({ err: String(err) }, 'onMessage threw');
    }
  }
}
