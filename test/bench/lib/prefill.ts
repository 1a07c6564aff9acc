// Fills a store with N tickets fast, straight into the real schema: tickets, their search words in
// tickets_fts, one 'create' audit record each, and ticket_sequence rows consistent with the numbers, so
// TicketService keeps allocating numbers after them. Raw INSERTs in big transactions with
// synchronous=OFF (restored to FULL afterwards): a million tickets in about a minute instead of the hours
// a million fsynced creates would take. Texts come from the pre-segmented pool in corpus.ts, so
// Intl.Segmenter is not called per row.
//
// Tickets are spread evenly over `spanDays` (a year by default) ending at `end`, oldest first, so per-day
// sequences stay far below 99,999 even at a million (about 2,700 a day) and the rowid order is the
// creation order, as in a real box. Older tickets are mostly closed or archived; recent ones are open.
import { v7 as uuidv7 } from 'uuid';
import type { WorkCalendar } from '../../../firmware-agent/calendar/workdays.js';
import { endOfLocalDay, localDay } from '../../../firmware-agent/calendar/time.js';
import { defaultConfig } from '../../../firmware-agent/config/model.js';
import type { Db } from '../../../firmware-agent/store/db.js';
import type { TicketStatus, TicketType } from '../../../firmware-agent/tickets/codes.js';
import { formatNumber, maxSequence } from '../../../firmware-agent/tickets/number.js';
import type { CreateTicketInput } from '../../../firmware-agent/tickets/service.js';
import { TicketGenerator, prng } from './corpus.js';

const dayMs = 86_400_000;

export const ticketColumns = [
  'id', 'number', 'type', 'subtype', 'domain', 'channel', 'region', 'caller_phone', 'caller_name', 'anonymous',
  'confidential', 'urgent', 'subject', 'description', 'location', 'involved', 'status', 'department_id', 'due_at',
  'calendar_uncertain', 'answer_text', 'reply_text', 'satisfaction', 'created_by', 'created_at', 'updated_at',
  'dispatched_at', 'replied_at', 'closed_at',
] as const;
export type TicketInsert = Record<(typeof ticketColumns)[number], string | number | null>;

export function insertTicketSql(): string {
  return `INSERT INTO tickets (${ticketColumns.join(', ')}) VALUES (${ticketColumns.map((c) => `@${c}`).join(', ')})`;
}

/** The row TicketService.create would insert for `input` (status received), without touching the store. */
export function receivedRow(input: CreateTicketInput, number: string, at: Date, dueAt: string, createdBy: number | null): TicketInsert {
  const subtype = input.subtype ?? (input.type === 'complaint' ? 'complaint' : null);
  const iso = at.toISOString();
  return {
    id: uuidv7({ msecs: at.getTime() }),
    number,
    type: input.type,
    subtype,
    domain: input.domain,
    channel: input.channel,
    region: input.region,
    caller_phone: input.caller.phone ?? null,
    caller_name: input.caller.name ?? null,
    anonymous: (input.caller.anonymous ?? !input.caller.phone) ? 1 : 0,
    confidential: (input.confidential ?? subtype === 'report') ? 1 : 0,
    urgent: input.urgent ? 1 : 0,
    subject: input.subject,
    description: input.description,
    location: input.location ?? null,
    involved: input.involved && Object.keys(input.involved).length > 0 ? JSON.stringify(input.involved) : null,
    status: 'received',
    department_id: null,
    due_at: dueAt,
    calendar_uncertain: 0,
    answer_text: null,
    reply_text: null,
    satisfaction: null,
    created_by: createdBy,
    created_at: iso,
    updated_at: iso,
    dispatched_at: null,
    replied_at: null,
    closed_at: null,
  };
}

export interface PrefillOptions {
  db: Db;
  calendar: WorkCalendar;
  generator: TicketGenerator;
  count: number;
  /** Region of the receiving centre: the first six digits of every number. */
  boxRegion: string;
  createdBy: number;
  departments: readonly number[];
  end?: Date;
  spanDays?: number;
  batch?: number;
  timezone?: string;
  onProgress?: (done: number) => void;
}

/** Inserts `count` tickets; returns how long it took in ms. */
export function prefillTickets(o: PrefillOptions): number {
  const started = performance.now();
  const { db, calendar, generator } = o;
  const tz = o.timezone ?? defaultConfig.box.timezone;
  const deadlines = defaultConfig.tickets.deadlines;
  const end = (o.end ?? new Date()).getTime();
  const span = (o.spanDays ?? 365) * dayMs;
  const step = o.count > 0 ? span / o.count : 0;
  const batch = o.batch ?? 20_000;
  const rand = prng(2260);

  const insertTicket = db.prepare(insertTicketSql());
  const insertFts = db.prepare('INSERT INTO tickets_fts (rowid, words) VALUES (?, ?)');
  const insertAudit = db.prepare(
    `INSERT INTO audit (at, actor_id, actor_name, actor_role, entity, entity_id, action, from_status, to_status, data)
     VALUES (?, ?, 'bench-agent', 'agent', 'ticket', ?, 'create', NULL, 'received', ?)`,
  );
  const lastSeq = db.prepare('SELECT last FROM ticket_sequence WHERE region = ? AND day = ?').pluck();
  const saveSeq = db.prepare(
    `INSERT INTO ticket_sequence (region, day, last) VALUES (?, ?, ?)
     ON CONFLICT (region, day) DO UPDATE SET last = max(last, excluded.last)`,
  );

  // Day boundaries and due dates are computed once per local day, not per row (Intl formatting is slow).
  let day = '';
  let dayEnds = -Infinity;
  let seq = 0;
  const dueCache = new Map<string, string>();
  const due = (type: TicketType, at: Date): string => {
    const key = `${day}|${type}`;
    let d = dueCache.get(key);
    if (d === undefined) {
      d = calendar.addWorkingDays(at, deadlines[type]).dueAt.toISOString();
      dueCache.set(key, d);
    }
    return d;
  };

  const sync = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('synchronous = OFF');
  // A box merges its search index as it grows (store/maintenance.ts); the prefill's 20k-row transactions
  // would leave one large segment each. FTS5's own crisis merges (at 16 segments, the SQLite default the
  // box raises to 1000 in migration 202612041935) keep the prefilled index in the shape a grown box has.
  const crisis = (n: number) => db.exec(`INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('crisismerge', ${Math.trunc(n)})`);
  crisis(16);
  try {
    let done = 0;
    while (done < o.count) {
      const n = Math.min(batch, o.count - done);
      db.transaction(() => {
        for (let i = 0; i < n; i++) {
          const t = end - span + (done + i) * step;
          const at = new Date(Math.floor(t));
          if (t > dayEnds) {
            if (day) saveSeq.run(o.boxRegion, day, seq);
            day = localDay(at, tz);
            dayEnds = endOfLocalDay(day, tz).getTime();
            seq = (lastSeq.get(o.boxRegion, day) as number | undefined) ?? 0;
          }
          seq += 1;
          if (seq > maxSequence) throw new Error(`prefill: more than ${maxSequence} tickets on ${day}; raise spanDays`);
          const g = generator.next();
          const row = receivedRow(g.input, formatNumber(o.boxRegion, day, seq), at, due(g.input.type, at), o.createdBy);
          settle(row, end - t, rand, o.departments);
          const rowid = Number(insertTicket.run(row).lastInsertRowid);
          insertFts.run(rowid, g.words);
          insertAudit.run(row.created_at, o.createdBy, row.number, JSON.stringify({ type: row.type, domain: row.domain, channel: row.channel }));
        }
        if (day) saveSeq.run(o.boxRegion, day, seq);
      })();
      done += n;
      o.onProgress?.(done);
    }
  } finally {
    db.pragma(`synchronous = ${sync}`);
    crisis(1000);
  }
  // No ANALYZE: a box never runs it, so the planner must do without statistics here too.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return performance.now() - started;
}

/** Moves a received ticket along the workflow according to its age, as a year of handling would have. */
export function settle(row: TicketInsert, ageMs: number, rand: () => number, departments: readonly number[]): void {
  const created = Date.parse(row.created_at as string);
  const later = (days: number) => new Date(created + days * dayMs).toISOString();
  const ageDays = ageMs / dayMs;
  const r = rand();
  let status: TicketStatus;
  if (row.type !== 'complaint' && r < 0.7) {
    // Most inquiries and suggestions are answered during the call (即时答复).
    status = ageDays > 30 && r < 0.6 ? 'archived' : 'closed';
    row.answer_text = '已当场答复来电人。';
    row.closed_at = later(0.01);
  } else if (ageDays < 2) {
    status = r < 0.5 ? 'received' : 'dispatched';
  } else if (ageDays < 20) {
    status = (['dispatched', 'accepted', 'replied', 'closed'] as const)[Math.floor(rand() * 4)]!;
  } else {
    status = r < 0.02 ? 'accepted' : r < 0.5 ? 'closed' : 'archived';
  }
  row.status = status;
  if (status !== 'received' && row.answer_text === null && departments.length > 0) {
    row.department_id = departments[Math.floor(rand() * departments.length)]!;
    row.dispatched_at = later(0.1);
    if (status === 'replied' || status === 'closed' || status === 'archived') {
      row.reply_text = '经核实，已对当事驾驶员进行批评教育并责令整改。';
      row.replied_at = later(5);
    }
    if (status === 'closed' || status === 'archived') {
      row.satisfaction = rand() < 0.85 ? 'satisfied' : 'neutral';
      row.closed_at = later(7);
    }
  }
  row.updated_at = (row.closed_at ?? row.replied_at ?? row.dispatched_at ?? row.created_at) as string;
}
