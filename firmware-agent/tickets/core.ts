// What the parts of the ticket service share (service.ts: commands; peer.ts: other boxes' changes): the
// store, its prepared statements, the clock, the audit log and the transaction hooks.
import type { AuditLog } from '../audit/audit.js';
import type { WorkCalendar } from '../calendar/workdays.js';
import type { Db } from '../store/db.js';
import type { TicketType } from './codes.js';
import type { TicketChange } from './types.js';

export function ticketStatements(db: Db) {
  return {
    insert: db.prepare(`INSERT INTO tickets (id, number, type, subtype, domain, channel, region, caller_phone, caller_name,
        anonymous, confidential, urgent, subject, description, location, involved, status, due_at, calendar_uncertain,
        call_id, created_by, created_at, updated_at)
      VALUES (@id, @number, @type, @subtype, @domain, @channel, @region, @callerPhone, @callerName, @anonymous,
        @confidential, @urgent, @subject, @description, @location, @involved, 'received', @dueAt, @uncertain,
        @callId, @createdBy, @at, @at)`),
    fts: db.prepare('INSERT INTO tickets_fts (rowid, words) VALUES (?, ?)'),
    byNumber: db.prepare(
      'SELECT t.*, d.name AS department_name FROM tickets t LEFT JOIN departments d ON d.id = t.department_id WHERE t.number = ?',
    ),
    byRowid: db.prepare(
      'SELECT t.*, d.name AS department_name FROM tickets t LEFT JOIN departments d ON d.id = t.department_id WHERE t.rowid = ?',
    ),
    domain: db.prepare('SELECT code FROM domains WHERE code = ? AND disabled = 0'),
    department: db.prepare('SELECT id, name, disabled FROM departments WHERE id = ?'),
    setTransferred: db.prepare('UPDATE tickets SET transferred_to = ? WHERE rowid = ?'),
    linkCall: db.prepare('UPDATE tickets SET call_id = ? WHERE number = ? AND call_id IS NULL'),
  };
}

export type TicketStatements = ReturnType<typeof ticketStatements>;

export interface TicketCore {
  db: Db;
  now: () => Date;
  audit: AuditLog;
  stmts: TicketStatements;
  deps: { calendar: WorkCalendar; deadlines: () => Record<TicketType, number> };
  /** Runs the transaction hooks on a change, inside its transaction. */
  changed: (c: TicketChange) => void;
}
