// The deadline sweep (issue 12 §5), run by the jobs table:
// - due soon (within tickets.dueSoonWorkingDays working days): a notice to the department that holds the
//   ticket — a row in `deadline_notices` (its inbox lists them, GET /api/deadline-notices), an audit
//   record, and an SMS to the department's phone when it has one — once per ticket and due date;
// - overdue: the automatic 督办 — the same `escalate` action a supervisor takes (the department sees the
//   ticket highlighted, supervisors see it escalated, and the network's transaction hook reports the change
//   to every level above, the notice upward) — once per due date: a ticket escalated since it fell due
//   (by a supervisor or by an earlier sweep) is left alone.
// Each notice commits with its audit record and its SMS outbox row; the SMS goes out after the commit.
import type { AuditLog } from '../audit/audit.js';
import type { WorkCalendar } from '../calendar/workdays.js';
import type { Db } from '../store/db.js';
import type { TicketService } from './service.js';
import type { Actor } from '../accounts/actor.js';
import type { Logger } from '../../common/log.js';

/** Where a department's SMS goes: the SMS channel's durable outbox (enqueue inside the transaction, kick after). */
export interface NoticeSms {
  enqueue(m: { recipient: string; text: string; kind: 'alert'; ticketNumber?: string | null }): number | null;
  kick(): void;
}

export interface SweepDeps {
  db: Db;
  tickets: TicketService;
  audit: AuditLog;
  calendar: WorkCalendar;
  dueSoonWorkingDays: () => number;
  timezone: string;
  /** The SMS outbox, when the box has a modem. */
  sms: () => NoticeSms | null;
  log?: Pick<Logger, 'warn'>;
}

export interface SweepResult {
  dueSoon: number;
  smsQueued: number;
  escalated: number;
  /** Tickets left for the next run (more than `limit` of a kind). */
  remaining: number;
  failed: { number: string; error: string }[];
}

export const sweepActor: Actor = { id: null, name: 'deadline-sweep', role: 'system' };

interface DueRow {
  number: string;
  due_at: string;
  department_id: number;
  department_phone: string | null;
}

const open = "('dispatched', 'accepted')";

const formatters = new Map<string, Intl.DateTimeFormat>();

export function localTime(iso: string, timezone: string): string {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('zh-CN', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
    formatters.set(timezone, f);
  }
  const parts = f.formatToParts(new Date(iso));
  const get = (k: string) => parts.find((p) => p.type === k)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/**
 * Gives the event loop a turn once the sweep has held it for `sliceMs`: an escalation costs a few
 * milliseconds (the action, its audit, the network's report), and a backlog of hundreds — a box back after a
 * long holiday, or the first start on a migrated store — must not stall calls and requests for seconds.
 */
function timeSlicer(sliceMs: number): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}

export async function sweepDeadlines(d: SweepDeps, now: Date, limit = 500, sliceMs = 10): Promise<SweepResult> {
  const turn = timeSlicer(sliceMs);
  const nowIso = now.toISOString();
  const soon = d.calendar.addWorkingDays(now, d.dueSoonWorkingDays()).dueAt.toISOString();
  const r: SweepResult = { dueSoon: 0, smsQueued: 0, escalated: 0, remaining: 0, failed: [] };

  // Overdue first: a ticket that is both is escalated, not told it is due soon.
  const overdue = d.db
    .prepare(
      `SELECT number, due_at FROM tickets
        WHERE status IN ${open} AND due_at IS NOT NULL AND due_at <= ? AND (escalated_at IS NULL OR escalated_at < due_at)
        ORDER BY due_at LIMIT ?`,
    )
    .all(nowIso, limit + 1) as { number: string; due_at: string }[];
  if (overdue.length > limit) r.remaining += overdue.length - limit;
  const record = d.db.prepare(
    `INSERT OR IGNORE INTO deadline_notices (ticket_number, kind, due_at, department_id, at, sms_outbox_id) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  // Between two turns a person may have handled a ticket: each one is checked again in its transaction.
  const stillOverdue = d.db.prepare(
    `SELECT 1 FROM tickets WHERE number = ? AND status IN ${open} AND due_at = ? AND (escalated_at IS NULL OR escalated_at < due_at)`,
  );
  for (const t of overdue.slice(0, limit)) {
    await turn();
    try {
      const escalated = d.db.transaction(() => {
        if (!stillOverdue.get(t.number, t.due_at)) return false;
        const v = d.tickets.act(t.number, 'escalate', { note: `系统自动督办：已超过办理时限 ${localTime(t.due_at, d.timezone)} (automatic escalation: overdue)` }, sweepActor);
        record.run(t.number, 'overdue', t.due_at, v.department?.id ?? null, nowIso, null);
        return true;
      })();
      if (escalated) r.escalated += 1;
    } catch (err) {
      r.failed.push({ number: t.number, error: (err as Error).message });
    }
  }

  const due = d.db
    .prepare(
      `SELECT t.number, t.due_at, t.department_id, dp.phone AS department_phone FROM tickets t
         JOIN departments dp ON dp.id = t.department_id
        WHERE t.status IN ${open} AND t.due_at > ? AND t.due_at <= ?
          AND NOT EXISTS (SELECT 1 FROM deadline_notices n WHERE n.ticket_number = t.number AND n.kind = 'due-soon' AND n.due_at = t.due_at)
        ORDER BY t.due_at LIMIT ?`,
    )
    .all(nowIso, soon, limit + 1) as DueRow[];
  if (due.length > limit) r.remaining += due.length - limit;
  const sms = d.sms();
  let kick = false;
  const stillDue = d.db.prepare(`SELECT 1 FROM tickets WHERE number = ? AND status IN ${open} AND due_at = ? AND department_id = ?`);
  for (const t of due.slice(0, limit)) {
    await turn();
    try {
      const noticed = d.db.transaction(() => {
        if (!stillDue.get(t.number, t.due_at, t.department_id)) return false;
        const phone = t.department_phone?.trim() || null;
        const text = `【12328】工单 ${t.number} 将于 ${localTime(t.due_at, d.timezone)} 到期，请及时办理并回复。`;
        const outboxId = phone && sms ? sms.enqueue({ recipient: phone, text, kind: 'alert', ticketNumber: t.number }) : null;
        record.run(t.number, 'due-soon', t.due_at, t.department_id, nowIso, outboxId);
        d.audit.append(sweepActor, now, {
          entity: 'ticket',
          entityId: t.number,
          action: 'due-soon-notice',
          note: text,
          data: { department: t.department_id, dueAt: t.due_at, sms: outboxId !== null },
        });
        if (outboxId !== null) {
          r.smsQueued += 1;
          kick = true;
        }
        return true;
      })();
      if (noticed) r.dueSoon += 1;
    } catch (err) {
      r.failed.push({ number: t.number, error: (err as Error).message });
    }
  }
  if (kick) sms?.kick();
  if (r.failed.length > 0) d.log?.warn({ failed: r.failed.slice(0, 5), count: r.failed.length }, 'deadline sweep: some tickets could not be handled');
  return r;
}

export interface DeadlineNotice {
  id: number;
  ticketNumber: string;
  kind: 'due-soon' | 'overdue';
  dueAt: string;
  departmentId: number | null;
  at: string;
  sms: boolean;
}

/** Notices, newest first; a department user sees its department's only. */
export function listNotices(db: Db, o: { departmentId?: number | null; limit: number }): DeadlineNotice[] {
  const rows = (
    o.departmentId !== undefined
      ? db.prepare('SELECT * FROM deadline_notices WHERE department_id IS ? ORDER BY id DESC LIMIT ?').all(o.departmentId, o.limit)
      : db.prepare('SELECT * FROM deadline_notices ORDER BY id DESC LIMIT ?').all(o.limit)
  ) as { id: number; ticket_number: string; kind: 'due-soon' | 'overdue'; due_at: string; department_id: number | null; at: string; sms_outbox_id: number | null }[];
  return rows.map((r) => ({ id: r.id, ticketNumber: r.ticket_number, kind: r.kind, dueAt: r.due_at, departmentId: r.department_id, at: r.at, sms: r.sms_outbox_id !== null }));
}
