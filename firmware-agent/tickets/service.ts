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
import { indexText } from '../search/segment.js';
import type { Db } from '../store/db.js';
import { localDay } from '../calendar/time.js';
import { type TicketAction, type TicketType, subtypes } from './codes.js';
import { actionChanges } from './actions.js';
import { type TicketCore, type TicketStatements, ticketStatements } from './core.js';
import { type TicketRow, type TicketView, type ViewContext, toView } from './model.js';
import { applyPeer, receiveTransferred } from './peer.js';
import { listTickets } from './queries.js';
import type { ActionInput, CreateTicketInput, ListFilter, ListResult, PeerUpdate, TicketChange, TransferredTicket } from './types.js';
import { sequenceAllocator } from './number.js';
import { plan } from './workflow.js';
import { type Actor } from '../accounts/actor.js';

export type { ActionInput, CreateTicketInput, ListFilter, ListResult, PeerUpdate, TicketChange, TransferredTicket } from './types.js';

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


export class TicketService {
  readonly audit: AuditLog;
  readonly #db: Db;
  readonly #now: () => Date;
  readonly #nextNumber: (region: string, day: string) => string;
  readonly #txHooks: ((change: TicketChange) => void)[] = [];
  readonly #listeners: ((change: TicketChange) => void)[] = [];
  readonly #stmts: TicketStatements;
  readonly #core: TicketCore;

  constructor(private readonly deps: TicketServiceDeps) {
    this.#db = deps.db;
    this.#now = deps.now ?? (() => new Date());
    this.audit = new AuditLog(deps.db);
    this.#nextNumber = sequenceAllocator(deps.db);
    const db = deps.db;
    this.#stmts = ticketStatements(db);
    this.#core = {
      db,
      now: this.#now,
      audit: this.audit,
      stmts: this.#stmts,
      deps,
      changed: (c) => {
        for (const hook of this.#txHooks) hook(c);
      },
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
      const { set, note, data } = actionChanges(this.#core, action, row, input, to, actor, at);
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

  // --- Changes made by other boxes (three-level network, firmware-agent/network): tickets/peer.ts.

  /** Stores a ticket transferred here from another box, keeping its id and number. Null when already held. */
  receiveTransferred(t: TransferredTicket, actor: Actor): TicketChange | null {
    return receiveTransferred(this.#core, t, actor);
  }

  /** Applies another box's handling result or return-visit outcome (workflow.planPeer decides the status). */
  applyPeer(ticketId: string, update: PeerUpdate, actor: Actor): TicketChange {
    return applyPeer(this.#core, ticketId, update, actor);
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
    return listTickets(this.#db, filter, viewer, this.viewContext(viewer), this.deps.complaintReviewRequired?.() ?? false);
  }
}
