// Ticket service: creates tickets, applies workflow actions, lists and searches them.
//
// Invariants:
// - Each create or action is one SQLite transaction (synchronous=FULL): the ticket row, its search
//   entry, its audit record and whatever the change hooks write (the network outbox) commit together
//   or not at all. The HTTP layer answers only after the commit.
// - An illegal transition throws before anything is written.
// - Listeners that react after the fact (live events, SMS notices) run only after the commit.
import { v7 as uuidv7 } from 'uuid';
import { AuditLog } from '../audit/audit.js';
import type { WorkCalendar } from '../calendar/workdays.js';
import { AppError } from '../errors.js';
import type { RegionTable } from '../regions/regions.js';
import { indexText, matchExpression } from '../search/segment.js';
import type { Db } from '../store/db.js';
import { localDay } from '../calendar/time.js';
import {
  type Channel,
  type ReviewOutcome,
  type Satisfaction,
  type TicketAction,
  type TicketStatus,
  type TicketType,
  openStatuses,
  subtypes,
} from './codes.js';
import { type TicketRow, type TicketView, type ViewContext, toView } from './model.js';
import { sequenceAllocator } from './number.js';
import { plan, planPeer } from './workflow.js';
import { type Actor } from '../accounts/actor.js';

export interface CreateTicketInput {
  type: TicketType;
  subtype?: string | null;
  domain: string;
  channel: Channel;
  region: string;
  caller: { phone?: string | null; name?: string | null; anonymous?: boolean };
  confidential?: boolean;
  urgent?: boolean;
  subject: string;
  description: string;
  location?: string | null;
  involved?: { plate?: string; company?: string } | null;
  callId?: string | null;
}

export interface ActionInput {
  department?: number;
  dueAt?: string;
  reason?: string;
  text?: string;
  satisfaction?: Satisfaction;
  note?: string;
  into?: string;
  /** review (复核): approved, or returned to the department. */
  outcome?: ReviewOutcome;
}

export interface TicketChange {
  ticket: TicketRow;
  /**
   * 'receive': a ticket transferred here from another box (network, actor role 'peer').
   * 'amend': the description completed outside the workflow by a channel (amendDescription).
   */
  action: TicketAction | 'create' | 'receive' | 'amend' | 'handover';
  from: TicketStatus | null;
  to: TicketStatus;
  actor: Actor;
  at: Date;
  auditId: number;
  note: string | null;
}

/** A ticket handed over by another box (network), as this box stores it. */
export interface TransferredTicket {
  id: string;
  number: string;
  type: TicketType;
  subtype: string | null;
  domain: string;
  channel: Channel;
  region: string;
  callerPhone: string | null;
  callerName: string | null;
  anonymous: boolean;
  confidential: boolean;
  urgent: boolean;
  subject: string;
  description: string;
  location: string | null;
  involved: { plate?: string; company?: string } | null;
  dueAt: string | null;
  createdAt: string;
  /** Address of the box that took the call. */
  originRegion: string;
}

export type PeerUpdate =
  | { event: 'result'; kind: 'answer' | 'reply'; text: string; handlerRegion: string }
  | { event: 'visit'; satisfaction: Satisfaction; note: string | null };

export interface ListFilter {
  q?: string;
  status?: TicketStatus[];
  type?: TicketType;
  domain?: string;
  department?: number;
  overdue?: boolean;
  dueSoon?: boolean;
  mine?: boolean;
  caller?: string;
  urgent?: boolean;
  /** The return-visit worklist (回访): replied tickets, and tickets answered at once not yet visited. */
  awaitingVisit?: boolean;
  /** The review worklist (复核): replied complaints a department here answered whose result is not approved yet. */
  awaitingReview?: boolean;
  page?: number;
  pageSize?: number;
}

export interface ListResult {
  items: TicketView[];
  page: number;
  pageSize: number;
  /** Number of matches, counted up to `totalCap`; `totalCapped` says the real number is larger. */
  total: number;
  totalCapped: boolean;
}

export interface TicketServiceDeps {
  db: Db;
  calendar: WorkCalendar;
  regions: RegionTable;
  /** The receiving centre's region (first 6 digits of every ticket number). */
  boxRegion: () => string;
  timezone: string;
  deadlines: () => Record<TicketType, number>;
  dueSoonWorkingDays: () => number;
  /** Policy: a complaint a department replied to is visited or closed only after an approved review (复核). */
  complaintReviewRequired?: () => boolean;
  now?: () => Date;
}

const totalCap = 1000;
/** Replied complaints whose result came from a department here and is not approved yet (workflow.ts complaintResult). */
const awaitingReviewSql =
  "(t.status = 'replied' AND t.type = 'complaint' AND t.dispatched_at IS NOT NULL AND t.transferred_to IS NULL AND t.replied_at IS NOT NULL AND coalesce(t.review_outcome, '') != 'approved')";
/** The review columns of a result not reviewed yet. */
const noReview = { review_outcome: null, reviewed_at: null, review_note: null } as const;

export class TicketService {
  readonly audit: AuditLog;
  readonly #db: Db;
  readonly #now: () => Date;
  readonly #nextNumber: (region: string, day: string) => string;
  readonly #txHooks: ((change: TicketChange) => void)[] = [];
  readonly #listeners: ((change: TicketChange) => void)[] = [];
  readonly #stmts;

  constructor(private readonly deps: TicketServiceDeps) {
    this.#db = deps.db;
    this.#now = deps.now ?? (() => new Date());
    this.audit = new AuditLog(deps.db);
    this.#nextNumber = sequenceAllocator(deps.db);
    const db = deps.db;
    this.#stmts = {
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

  /** Runs inside every change's transaction (e.g. to write the network outbox). Must not do I/O. */
  addTransactionHook(hook: (change: TicketChange) => void): void {
    this.#txHooks.push(hook);
  }

  /** Called after a change has committed (live events, SMS notices). Errors are the listener's own. */
  onCommitted(listener: (change: TicketChange) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  viewContext(viewer: Actor): ViewContext {
    const now = this.#now();
    return {
      now,
      dueSoonBefore: this.deps.calendar.addWorkingDays(now, this.deps.dueSoonWorkingDays()).dueAt,
      hideConfidential: viewer.role === 'department' || viewer.role === 'peer',
      regionName: (code) => this.deps.regions.fullName(code),
    };
  }

  view(row: TicketRow, viewer: Actor): TicketView {
    return toView(row, this.viewContext(viewer));
  }

  create(input: CreateTicketInput, actor: Actor): TicketView {
    this.#validateCreate(input);
    const at = this.#now();
    const limit = this.deps.deadlines()[input.type];
    const due = this.deps.calendar.addWorkingDays(at, limit);
    const subtype = input.subtype ?? (input.type === 'complaint' ? 'complaint' : null);
    // A report of wrongdoing (举报) protects the reporter unless the agent says otherwise.
    const confidential = input.confidential ?? subtype === 'report';
    const anonymous = input.caller.anonymous ?? !input.caller.phone;
    const change = this.#db.transaction((): TicketChange => {
      const number = this.#nextNumber(this.deps.boxRegion(), localDay(at, this.deps.timezone));
      const r = this.#stmts.insert.run({
        id: uuidv7({ msecs: at.getTime() }),
        number,
        type: input.type,
        subtype,
        domain: input.domain,
        channel: input.channel,
        region: input.region,
        callerPhone: input.caller.phone ?? null,
        callerName: input.caller.name ?? null,
        anonymous: anonymous ? 1 : 0,
        confidential: confidential ? 1 : 0,
        urgent: input.urgent ? 1 : 0,
        subject: input.subject,
        description: input.description,
        location: input.location ?? null,
        involved: input.involved && Object.keys(input.involved).length > 0 ? JSON.stringify(input.involved) : null,
        dueAt: due.dueAt.toISOString(),
        uncertain: due.uncertain ? 1 : 0,
        callId: input.callId ?? null,
        createdBy: actor.id,
        at: at.toISOString(),
      });
      const rowid = Number(r.lastInsertRowid);
      this.#stmts.fts.run(
        rowid,
        indexText(input.subject, input.description, input.location, input.involved?.plate, input.involved?.company),
      );
      const ticket = this.#stmts.byRowid.get(rowid) as TicketRow;
      const auditId = this.audit.append(actor, at, {
        entity: 'ticket',
        entityId: number,
        action: 'create',
        toStatus: 'received',
        data: { type: input.type, subtype, domain: input.domain, channel: input.channel, region: input.region, urgent: !!input.urgent },
      });
      const c: TicketChange = { ticket, action: 'create', from: null, to: 'received', actor, at, auditId, note: null };
      for (const hook of this.#txHooks) hook(c);
      return c;
    }).immediate();
    this.#emit(change);
    return this.view(change.ticket, actor);
  }

  #validateCreate(input: CreateTicketInput): void {
    if (!this.deps.regions.has(input.region)) {
      throw new AppError('unknown-region', `region ${input.region} is not a GB/T 2260 code in the table`, { region: input.region });
    }
    if (!this.#stmts.domain.get(input.domain)) {
      throw new AppError('unknown-domain', `domain ${input.domain} is not in the code table`, { domain: input.domain });
    }
    if (input.subtype != null && !subtypes[input.type].some((s) => s.code === input.subtype)) {
      throw new AppError('unknown-subtype', `sub-type ${input.subtype} does not belong to ${input.type}`, {
        type: input.type,
        subtype: input.subtype,
        allowed: subtypes[input.type].map((s) => s.code),
      });
    }
  }

  #row(number: string): TicketRow {
    const row = this.#stmts.byNumber.get(number) as TicketRow | undefined;
    if (!row) throw new AppError('ticket-not-found', `no ticket ${number}`, { number });
    return row;
  }

  /** A ticket as `viewer` may see it; a department sees only tickets dispatched to it. */
  get(number: string, viewer: Actor): TicketView {
    const row = this.#row(number);
    this.#checkScope(row, viewer);
    return this.view(row, viewer);
  }

  getRow(number: string): TicketRow | undefined {
    return this.#stmts.byNumber.get(number) as TicketRow | undefined;
  }

  #checkScope(row: TicketRow, viewer: Actor): void {
    if (viewer.role === 'department' && row.department_id !== viewer.departmentId) {
      // Exactly the answer for a number that does not exist: a department cannot tell the two apart, so it
      // cannot probe which ticket numbers are in use (issue 13 finding 10).
      throw new AppError('ticket-not-found', `no ticket ${row.number}`, { number: row.number });
    }
    if (viewer.role === 'technician') throw new AppError('forbidden-role', 'technicians do not handle tickets');
  }

  auditTrail(number: string, viewer: Actor) {
    const row = this.#row(number);
    this.#checkScope(row, viewer);
    return this.audit.forEntity('ticket', number);
  }

  act(number: string, action: TicketAction, input: ActionInput, actor: Actor): TicketView {
    const change = this.#db.transaction((): TicketChange => {
      const row = this.#row(number);
      if (actor.role === 'department') this.#checkScope(row, actor);
      const from = row.status;
      const to = plan(
        {
          status: from,
          departmentId: row.department_id,
          satisfaction: row.satisfaction,
          answered: row.answer_text !== null && row.replied_at === null,
          complaintResult: row.type === 'complaint' && row.dispatched_at !== null && !row.transferred_to && row.replied_at !== null,
          reviewApproved: row.review_outcome === 'approved',
          reviewRequired: this.deps.complaintReviewRequired?.() ?? false,
        },
        action,
        actor,
        { ...(input.satisfaction ? { satisfaction: input.satisfaction } : {}), ...(input.outcome ? { outcome: input.outcome } : {}) },
      );
      const at = this.#now();
      const iso = at.toISOString();
      const set: Record<string, unknown> = { status: to };
      let note: string | null = input.note ?? null;
      const data: Record<string, unknown> = {};
      switch (action) {
        case 'answer':
          set.answer_text = input.text ?? '';
          set.closed_at = iso;
          note = input.text ?? null;
          break;
        case 'dispatch': {
          const dept = input.department !== undefined ? (this.#stmts.department.get(input.department) as { id: number; name: string; disabled: number } | undefined) : undefined;
          if (!dept || dept.disabled) throw new AppError('department-not-found', `no department ${input.department}`, { department: input.department });
          set.department_id = dept.id;
          set.dispatched_at = iso;
          if (input.dueAt !== undefined) {
            const due = Date.parse(input.dueAt);
            if (Number.isNaN(due) || due <= at.getTime()) throw new AppError('due-date-invalid', undefined, { dueAt: input.dueAt });
            set.due_at = new Date(due).toISOString();
            set.calendar_uncertain = 0;
          }
          set.escalated_at = null;
          set.escalation_note = null;
          data.department = { id: dept.id, name: dept.name };
          if (row.department_id !== null && row.department_id !== dept.id) data.previousDepartment = row.department_id;
          data.dueAt = set.due_at ?? row.due_at;
          break;
        }
        case 'accept':
          break;
        case 'return':
          set.department_id = null;
          note = input.reason ?? null;
          data.department = row.department_id;
          break;
        case 'reply':
          set.reply_text = input.text;
          set.replied_at = iso;
          Object.assign(set, noReview); // a new result waits for its own review
          note = input.text ?? null;
          break;
        case 'review':
          // 复核: the latest review of the current result; a returned one sends the ticket back to the
          // department, whose reply no longer counts (settled again only by its next reply, against the same due time).
          set.review_outcome = input.outcome ?? 'approved';
          set.reviewed_at = iso;
          set.review_note = input.note ?? null;
          if (to === 'dispatched') {
            set.replied_at = null;
            set.reply_text = null;
          }
          data.outcome = set.review_outcome;
          data.department = row.department_id;
          break;
        case 'visit':
          set.satisfaction = input.satisfaction;
          set.visit_note = input.note ?? null;
          data.satisfaction = input.satisfaction;
          if (to === 'closed' && from !== 'closed') set.closed_at = iso;
          break;
        case 'reopen': {
          set.reopen_count = row.reopen_count + 1;
          Object.assign(set, noReview);
          set.satisfaction = null;
          set.replied_at = null;
          set.reply_text = null;
          set.closed_at = null;
          if (to === 'received') set.answer_text = null;
          const due = this.deps.calendar.addWorkingDays(at, this.deps.deadlines()[row.type]);
          set.due_at = due.dueAt.toISOString();
          set.calendar_uncertain = due.uncertain ? 1 : 0;
          if (to === 'dispatched') set.dispatched_at = iso;
          data.previousSatisfaction = row.satisfaction;
          break;
        }
        case 'close':
          set.closed_at = iso;
          break;
        case 'escalate':
          // 督办: the department is urged; a new due date, when given, replaces the current one.
          set.escalated_at = iso;
          set.escalation_note = input.note ?? null;
          if (input.dueAt !== undefined) {
            const due = Date.parse(input.dueAt);
            if (Number.isNaN(due) || due <= at.getTime()) throw new AppError('due-date-invalid', undefined, { dueAt: input.dueAt });
            set.due_at = new Date(due).toISOString();
            set.calendar_uncertain = 0;
            data.previousDueAt = row.due_at;
            data.dueAt = set.due_at;
          }
          data.department = row.department_id;
          break;
        case 'archive':
          break;
        case 'merge': {
          const target = input.into ? (this.#stmts.byNumber.get(input.into) as TicketRow | undefined) : undefined;
          if (!target || target.number === row.number || target.status === 'merged' || target.status === 'archived') {
            throw new AppError('merge-target-invalid', `cannot merge ${row.number} into ${input.into}`, { into: input.into });
          }
          set.merged_into = target.number;
          set.department_id = null;
          data.into = target.number;
          this.audit.append(actor, at, {
            entity: 'ticket',
            entityId: target.number,
            action: 'merge-in',
            fromStatus: target.status,
            toStatus: target.status,
            note: `merged from ${row.number}`,
            data: { from: row.number },
          });
          break;
        }
      }
      set.updated_at = iso;
      const cols = Object.keys(set);
      this.#db
        .prepare(`UPDATE tickets SET ${cols.map((c) => `${c} = @${c}`).join(', ')}, version = version + 1 WHERE rowid = @rowid`)
        .run({ ...set, rowid: row.rowid });
      const ticket = this.#stmts.byRowid.get(row.rowid) as TicketRow;
      const auditId = this.audit.append(actor, at, {
        entity: 'ticket',
        entityId: number,
        action,
        fromStatus: from,
        toStatus: to,
        note,
        data: Object.keys(data).length > 0 ? data : null,
      });
      const c: TicketChange = { ticket, action, from, to, actor, at, auditId, note };
      for (const hook of this.#txHooks) hook(c);
      return c;
    }).immediate();
    this.#emit(change);
    return this.view(change.ticket, actor);
  }

  // --- Changes made by other boxes (three-level network, firmware-agent/network). They run inside the
  // caller's transaction (the network applies a message and records its id together), run the same
  // transaction hooks, and leave it to the caller to publish them after its commit.

  /** Stores a ticket transferred here from another box, keeping its id and number. Null when already held. */
  receiveTransferred(t: TransferredTicket, actor: Actor): TicketChange | null {
    return this.#db.transaction((): TicketChange | null => {
      if (this.#db.prepare('SELECT 1 FROM tickets WHERE id = ?').get(t.id)) return null;
      const at = this.#now();
      const due = t.dueAt ? { dueAt: new Date(t.dueAt), uncertain: false } : this.deps.calendar.addWorkingDays(at, this.deps.deadlines()[t.type]);
      const r = this.#db
        .prepare(
          `INSERT INTO tickets (id, number, type, subtype, domain, channel, region, caller_phone, caller_name, anonymous,
            confidential, urgent, subject, description, location, involved, status, due_at, calendar_uncertain, created_at,
            updated_at, origin_region)
           VALUES (@id, @number, @type, @subtype, @domain, @channel, @region, @callerPhone, @callerName, @anonymous,
            @confidential, @urgent, @subject, @description, @location, @involved, 'received', @dueAt, @uncertain, @createdAt,
            @at, @origin)`,
        )
        .run({
          id: t.id,
          number: t.number,
          type: t.type,
          subtype: t.subtype,
          domain: t.domain,
          channel: t.channel,
          region: t.region,
          callerPhone: t.callerPhone,
          callerName: t.callerName,
          anonymous: t.anonymous ? 1 : 0,
          confidential: t.confidential ? 1 : 0,
          urgent: t.urgent ? 1 : 0,
          subject: t.subject,
          description: t.description,
          location: t.location,
          involved: t.involved && Object.keys(t.involved).length > 0 ? JSON.stringify(t.involved) : null,
          dueAt: due.dueAt.toISOString(),
          uncertain: due.uncertain ? 1 : 0,
          createdAt: t.createdAt,
          at: at.toISOString(),
          origin: t.originRegion,
        });
      const rowid = Number(r.lastInsertRowid);
      this.#stmts.fts.run(rowid, indexText(t.subject, t.description, t.location, t.involved?.plate, t.involved?.company));
      const ticket = this.#stmts.byRowid.get(rowid) as TicketRow;
      const auditId = this.audit.append(actor, at, {
        entity: 'ticket',
        entityId: t.number,
        action: 'receive',
        toStatus: 'received',
        note: `transferred from ${t.originRegion}`,
        data: { origin: t.originRegion, region: t.region },
      });
      const c: TicketChange = { ticket, action: 'receive', from: null, to: 'received', actor, at, auditId, note: null };
      for (const hook of this.#txHooks) hook(c);
      return c;
    })();
  }

  /** Applies another box's handling result or return-visit outcome (workflow.planPeer decides the status). */
  applyPeer(ticketId: string, update: PeerUpdate, actor: Actor): TicketChange {
    return this.#db.transaction((): TicketChange => {
      const row = this.#db.prepare('SELECT t.*, d.name AS department_name FROM tickets t LEFT JOIN departments d ON d.id = t.department_id WHERE t.id = ?').get(ticketId) as
        | TicketRow
        | undefined;
      if (!row) throw new AppError('ticket-not-found', `no ticket with id ${ticketId}`, { id: ticketId });
      const state = { status: row.status, departmentId: row.department_id, satisfaction: row.satisfaction, answered: row.answer_text !== null && row.replied_at === null };
      const to = planPeer(state, update.event, update.event === 'visit' ? { satisfaction: update.satisfaction } : {});
      const at = this.#now();
      const iso = at.toISOString();
      const set: Record<string, unknown> =
        update.event === 'result'
          ? { status: to, reply_text: update.text, replied_at: iso, handler_region: update.handlerRegion }
          : { status: to, satisfaction: update.satisfaction, visit_note: update.note, ...(to === 'closed' && row.status !== 'closed' ? { closed_at: iso } : {}) };
      set.updated_at = iso;
      const cols = Object.keys(set);
      this.#db.prepare(`UPDATE tickets SET ${cols.map((c) => `${c} = @${c}`).join(', ')}, version = version + 1 WHERE rowid = @rowid`).run({ ...set, rowid: row.rowid });
      const ticket = this.#stmts.byRowid.get(row.rowid) as TicketRow;
      const action = update.event === 'result' ? 'reply' : 'visit';
      const note = update.event === 'result' ? update.text : update.note;
      const auditId = this.audit.append(actor, at, {
        entity: 'ticket',
        entityId: row.number,
        action,
        fromStatus: row.status,
        toStatus: to,
        note,
        data: update.event === 'result' ? { handler: update.handlerRegion, kind: update.kind } : { satisfaction: update.satisfaction },
      });
      const c: TicketChange = { ticket, action, from: row.status, to, actor, at, auditId, note };
      for (const hook of this.#txHooks) hook(c);
      return c;
    })();
  }

  /**
   * Rewrites a ticket's description outside the workflow: a channel adding what arrived late (the missing
   * part of a long SMS). Runs inside the caller's transaction like the network's changes: the search text is
   * rebuilt, the change audited under `audit.action` and passed to the transaction hooks as 'amend' (so it is
   * reported upward), and returned for the caller to publish after its commit. The status does not change.
   */
  amendDescription(
    number: string,
    describe: (current: string) => string,
    actor: Actor,
    audit: { action: string; note: string; data?: Record<string, unknown> },
  ): TicketChange {
    return this.#db.transaction((): TicketChange => {
      const row = this.#row(number);
      const description = describe(row.description);
      const at = this.#now();
      this.#db
        .prepare('UPDATE tickets SET description = ?, updated_at = ?, version = version + 1 WHERE rowid = ?')
        .run(description, at.toISOString(), row.rowid);
      const involved = row.involved ? (JSON.parse(row.involved) as { plate?: string; company?: string }) : null;
      this.#db.prepare('DELETE FROM tickets_fts WHERE rowid = ?').run(row.rowid);
      this.#stmts.fts.run(row.rowid, indexText(row.subject, description, row.location, involved?.plate, involved?.company));
      const ticket = this.#stmts.byRowid.get(row.rowid) as TicketRow;
      const auditId = this.audit.append(actor, at, {
        entity: 'ticket',
        entityId: number,
        action: audit.action,
        fromStatus: row.status,
        toStatus: row.status,
        note: audit.note,
        data: audit.data ?? null,
      });
      const c: TicketChange = { ticket, action: 'amend', from: row.status, to: row.status, actor, at, auditId, note: audit.note };
      for (const hook of this.#txHooks) hook(c);
      return c;
    })();
  }

  /**
   * Hands a received or returned ticket to a handler outside this box's departments and network (the 12345
   * exchange, firmware-agent/gov12345): it becomes dispatched with no department, audited as `audit.action`.
   * Centre roles only. Runs inside the caller's transaction (which queues the message that carries it),
   * passes the change to the transaction hooks as 'handover' and returns it for the caller to publish.
   */
  handOver(number: string, actor: Actor, audit: { action: string; note: string | null; data: Record<string, unknown> }): TicketChange {
    return this.#db.transaction((): TicketChange => {
      const row = this.#row(number);
      if (!['admin', 'supervisor', 'agent', 'system'].includes(actor.role)) {
        throw new AppError('forbidden-role', `role ${actor.role} may not hand a ticket over`, { action: audit.action, role: actor.role });
      }
      if (row.status !== 'received' && row.status !== 'returned') {
        throw new AppError('illegal-transition', `cannot ${audit.action} a ticket that is ${row.status}`, { action: audit.action, status: row.status });
      }
      const at = this.#now();
      const iso = at.toISOString();
      this.#db
        .prepare("UPDATE tickets SET status = 'dispatched', department_id = NULL, dispatched_at = ?, updated_at = ?, version = version + 1 WHERE rowid = ?")
        .run(iso, iso, row.rowid);
      const ticket = this.#stmts.byRowid.get(row.rowid) as TicketRow;
      const auditId = this.audit.append(actor, at, {
        entity: 'ticket',
        entityId: number,
        action: audit.action,
        fromStatus: row.status,
        toStatus: 'dispatched',
        note: audit.note,
        data: audit.data,
      });
      const c: TicketChange = { ticket, action: 'handover', from: row.status, to: 'dispatched', actor, at, auditId, note: audit.note };
      for (const hook of this.#txHooks) hook(c);
      return c;
    })();
  }

  /**
   * 流转: records that a ticket taken here belongs to the box serving `region`, audited as 'transfer-out'.
   * For the exchange's transaction hook on the ticket's creation, which queues the transfer message in the
   * same commit; returns the row as it now is.
   */
  markTransferred(row: TicketRow, region: string, at: Date): TicketRow {
    this.#stmts.setTransferred.run(region, row.rowid);
    this.audit.append({ id: null, name: 'system', role: 'system' }, at, {
      entity: 'ticket',
      entityId: row.number,
      action: 'transfer-out',
      fromStatus: row.status,
      toStatus: row.status,
      data: { to: region },
    });
    return { ...row, transferred_to: region };
  }

  /**
   * Names the call a ticket came from, if it names none yet (a ticket linked to a call after it was taken:
   * the IVR's voicemail ticket, an agent's link). The link itself is the call record's (call_tickets), which
   * the call centre writes and which stays the record of every call linked; this is the ticket's own field.
   */
  linkCall(number: string, callId: string): void {
    this.#stmts.linkCall.run(callId, number);
  }

  /** Tells the committed-change listeners about changes applied by receiveTransferred/applyPeer, after the caller's commit. */
  publishCommitted(changes: TicketChange[]): void {
    for (const c of changes) this.#emit(c);
  }

  #emit(change: TicketChange): void {
    for (const l of this.#listeners) {
      try {
        l(change);
      } catch {
        // A listener's failure must not turn a committed change into an error for the caller.
      }
    }
  }

  list(filter: ListFilter, viewer: Actor): ListResult {
    if (viewer.role === 'technician') throw new AppError('forbidden-role', 'technicians do not handle tickets');
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const ctx = this.viewContext(viewer);
    if (viewer.role === 'department') {
      where.push('t.department_id = @dept');
      params.dept = viewer.departmentId ?? -1;
    } else if (filter.department !== undefined) {
      where.push('t.department_id = @dept');
      params.dept = filter.department;
    }
    if (filter.status && filter.status.length > 0) {
      where.push(`t.status IN (${filter.status.map((_, i) => `@st${i}`).join(', ')})`);
      filter.status.forEach((s, i) => (params[`st${i}`] = s));
    }
    if (filter.type) {
      where.push('t.type = @type');
      params.type = filter.type;
    }
    if (filter.domain) {
      where.push('t.domain = @domain');
      params.domain = filter.domain;
    }
    if (filter.caller) {
      // A viewer who may not see a confidential reporter's phone may not match on it either: otherwise
      // `?caller=<phone>` would confirm who reported a matter. Such tickets behave as if they had no phone.
      where.push(ctx.hideConfidential ? 't.caller_phone = @caller AND t.confidential = 0' : 't.caller_phone = @caller');
      params.caller = filter.caller;
    }
    if (filter.urgent !== undefined) {
      where.push('t.urgent = @urgent');
      params.urgent = filter.urgent ? 1 : 0;
    }
    if (filter.awaitingVisit) {
      // Same rule as the workflow's visit action (tickets/workflow.ts): an immediate answer closed the
      // ticket, but its satisfaction (即时答复满意率) is still to be asked.
      where.push("(t.status = 'replied' OR (t.status = 'closed' AND t.answer_text IS NOT NULL AND t.replied_at IS NULL AND t.satisfaction IS NULL))");
      // With the review policy, a complaint waits for its approved review before the visit (workflow.ts).
      if (this.deps.complaintReviewRequired?.()) where.push(`NOT (${awaitingReviewSql})`);
    }
    if (filter.awaitingReview) where.push(awaitingReviewSql);
    if (filter.mine) {
      where.push('t.created_by = @me');
      params.me = viewer.id ?? -1;
    }
    const open = openStatuses.filter((s) => s !== 'visited');
    if (filter.overdue !== undefined || filter.dueSoon) {
      const openList = open.map((s) => `'${s}'`).join(', ');
      if (filter.overdue === true) {
        where.push(`t.status IN (${openList}) AND t.due_at < @now`);
        params.now = ctx.now.toISOString();
      } else if (filter.overdue === false) {
        where.push(`NOT (t.status IN (${openList}) AND t.due_at < @now)`);
        params.now = ctx.now.toISOString();
      }
      if (filter.dueSoon) {
        where.push(`t.status IN (${openList}) AND t.due_at >= @now2 AND t.due_at <= @soon`);
        params.now2 = ctx.now.toISOString();
        params.soon = ctx.dueSoonBefore.toISOString();
      }
    }
    const match = filter.q ? matchExpression(filter.q) : null;
    const pageSize = Math.min(Math.max(filter.pageSize ?? 20, 1), 100);
    const page = Math.max(filter.page ?? 1, 1);
    let from = 'tickets t';
    let order = 't.rowid DESC';
    if (match) {
      // Driving the query from the FTS index, newest first, lets SQLite stop after one page even
      // when a common word matches hundreds of thousands of tickets.
      from = 'tickets_fts f JOIN tickets t ON t.rowid = f.rowid';
      where.unshift('tickets_fts MATCH @match');
      params.match = match;
      order = 'f.rowid DESC';
    }
    const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.#db
      .prepare(
        `SELECT t.*, d.name AS department_name FROM ${from} LEFT JOIN departments d ON d.id = t.department_id
         ${whereSql} ORDER BY ${order} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit: pageSize, offset: (page - 1) * pageSize }) as TicketRow[];
    const { n } = this.#db
      .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${from} ${whereSql} LIMIT ${totalCap + 1})`)
      .get(params) as { n: number };
    return {
      items: rows.map((r) => toView(r, ctx)),
      page,
      pageSize,
      total: Math.min(n, totalCap),
      totalCapped: n > totalCap,
    };
  }
}
