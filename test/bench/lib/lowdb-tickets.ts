// The naive baseline of design §3: tickets kept in a lowdb JSON file, the whole file rewritten on every
// write (stock JSONFile adapter: temp file + rename, no fsync, so the baseline is if anything flattered).
// Same validation, deadline and numbering rules as TicketService.create, and an audit record per create,
// so the work per ticket is the same; only the storage differs. Search is what such a store would do:
// scan newest first for the words as substrings.
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import path from 'node:path';
import type { WorkCalendar } from '../../../firmware-agent/calendar/workdays.js';
import { localDay } from '../../../firmware-agent/calendar/time.js';
import { defaultConfig } from '../../../firmware-agent/config/model.js';
import type { RegionTable } from '../../../firmware-agent/regions/regions.js';
import { defaultDomains } from '../../../firmware-agent/tickets/codes.js';
import { formatNumber, maxSequence } from '../../../firmware-agent/tickets/number.js';
import type { CreateTicketInput } from '../../../firmware-agent/tickets/service.js';
import type { TicketGenerator } from './corpus.js';
import { type TicketInsert, receivedRow, settle } from './prefill.js';
import { prng } from './corpus.js';

interface AuditEntry {
  at: string;
  actor: string;
  entity: 'ticket';
  entityId: string;
  action: 'create';
  to: 'received';
}

interface Data {
  sequence: Record<string, number>;
  tickets: (TicketInsert & { rowid: number })[];
  audit: AuditEntry[];
}

export interface LowdbWriteTiming {
  /** Whole create, until the file is renamed into place. */
  totalMs: number;
  /** The synchronous part (JSON.stringify of the whole store): the event loop is blocked this long. */
  blockingMs: number;
}

export class LowdbTickets {
  readonly #db: Low<Data>;
  readonly #domains = new Set(defaultDomains.map((d) => d.code));
  readonly #tz = defaultConfig.box.timezone;
  readonly file: string;

  constructor(
    dir: string,
    private readonly deps: { calendar: WorkCalendar; regions: RegionTable; boxRegion: string; now?: () => Date },
  ) {
    this.file = path.join(dir, 'tickets.json');
    this.#db = new Low<Data>(new JSONFile<Data>(this.file), { sequence: {}, tickets: [], audit: [] });
  }

  get size(): number {
    return this.#db.data.tickets.length;
  }

  /** Fills the store with `count` settled tickets spread over a year, written with one file write. */
  async prefill(generator: TicketGenerator, count: number, departments: readonly number[]): Promise<void> {
    const rand = prng(2260);
    const end = Date.now();
    const span = 365 * 86_400_000;
    const data = this.#db.data;
    const dueCache = new Map<string, string>();
    for (let i = 0; i < count; i++) {
      const t = end - span + (i * span) / count;
      const at = new Date(Math.floor(t));
      const day = localDay(at, this.#tz);
      const g = generator.next();
      const key = `${day}|${g.input.type}`;
      let due = dueCache.get(key);
      if (due === undefined) {
        due = this.deps.calendar.addWorkingDays(at, defaultConfig.tickets.deadlines[g.input.type]).dueAt.toISOString();
        dueCache.set(key, due);
      }
      const seq = (data.sequence[day] ?? 0) + 1;
      data.sequence[day] = seq;
      const row = receivedRow(g.input, formatNumber(this.deps.boxRegion, day, seq), at, due, 1);
      settle(row, end - t, rand, departments);
      data.tickets.push({ ...row, rowid: data.tickets.length + 1 });
      data.audit.push({ at: row.created_at as string, actor: 'bench-agent', entity: 'ticket', entityId: row.number as string, action: 'create', to: 'received' });
    }
    await this.#db.write();
  }

  async create(input: CreateTicketInput): Promise<LowdbWriteTiming> {
    const start = process.hrtime.bigint();
    if (!this.deps.regions.has(input.region)) throw new Error(`unknown region ${input.region}`);
    if (!this.#domains.has(input.domain)) throw new Error(`unknown domain ${input.domain}`);
    const at = (this.deps.now ?? (() => new Date()))();
    const day = localDay(at, this.#tz);
    const due = this.deps.calendar.addWorkingDays(at, defaultConfig.tickets.deadlines[input.type]);
    const data = this.#db.data;
    const seq = (data.sequence[day] ?? 0) + 1;
    if (seq > maxSequence) throw new Error(`more than ${maxSequence} tickets on ${day}`);
    data.sequence[day] = seq;
    const row = receivedRow(input, formatNumber(this.deps.boxRegion, day, seq), at, due.dueAt.toISOString(), 1);
    data.tickets.push({ ...row, rowid: data.tickets.length + 1 });
    data.audit.push({ at: row.created_at as string, actor: 'bench-agent', entity: 'ticket', entityId: row.number as string, action: 'create', to: 'received' });
    const writing = this.#db.write(); // stringifies synchronously, then writes asynchronously
    const blockingMs = Number(process.hrtime.bigint() - start) / 1e6;
    await writing;
    return { totalMs: Number(process.hrtime.bigint() - start) / 1e6, blockingMs };
  }

  /** Newest first, every query word a substring of subject or description; page of 20 and a count capped at 1001. */
  search(q: string): { items: number; total: number } {
    const terms = q.split(/\s+/).filter(Boolean);
    const ts = this.#db.data.tickets;
    let items = 0;
    let total = 0;
    for (let i = ts.length - 1; i >= 0 && total <= 1000; i--) {
      const t = ts[i]!;
      const text = `${t.subject as string}\n${t.description as string}`;
      if (terms.every((w) => text.includes(w))) {
        total += 1;
        if (items < 20) items += 1;
      }
    }
    return { items, total };
  }
}
