// Changes made by other boxes (three-level network, firmware-agent/network): a ticket transferred here, and
// the handling result or return-visit outcome of one this box sent. They run inside the caller's transaction
// (the network applies a message and records its id together), run the same transaction hooks, and leave it
// to the caller to publish them after its commit.
import type { Actor } from '../accounts/actor.js';
import { AppError } from '../errors.js';
import { indexText } from '../search/segment.js';
import type { TicketCore } from './core.js';
import type { TicketRow } from './model.js';
import type { PeerUpdate, TicketChange, TransferredTicket } from './types.js';
import { planPeer } from './workflow.js';

/** Stores a ticket transferred here from another box, keeping its id and number. Null when already held. */
export function receiveTransferred(core: TicketCore, t: TransferredTicket, actor: Actor): TicketChange | null {
  return core.db.transaction((): TicketChange | null => {
    if (core.db.prepare('SELECT 1 FROM tickets WHERE id = ?').get(t.id)) return null;
    const at = core.now();
    const due = t.dueAt ? { dueAt: new Date(t.dueAt), uncertain: false } : core.deps.calendar.addWorkingDays(at, core.deps.deadlines()[t.type]);
    const r = core.db
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
    core.stmts.fts.run(rowid, indexText(t.subject, t.description, t.location, t.involved?.plate, t.involved?.company));
    const ticket = core.stmts.byRowid.get(rowid) as TicketRow;
    const auditId = core.audit.append(actor, at, {
      entity: 'ticket',
      entityId: t.number,
      action: 'receive',
      toStatus: 'received',
      note: `transferred from ${t.originRegion}`,
      data: { origin: t.originRegion, region: t.region },
    });
    const c: TicketChange = { ticket, action: 'receive', from: null, to: 'received', actor, at, auditId, note: null };
    core.changed(c);
    return c;
  })();
}

/** Applies another box's handling result or return-visit outcome (workflow.planPeer decides the status). */
export function applyPeer(core: TicketCore, ticketId: string, update: PeerUpdate, actor: Actor): TicketChange {
  return core.db.transaction((): TicketChange => {
    const row = core.db.prepare('SELECT t.*, d.name AS department_name FROM tickets t LEFT JOIN departments d ON d.id = t.department_id WHERE t.id = ?').get(ticketId) as
      | TicketRow
      | undefined;
    if (!row) throw new AppError('ticket-not-found', `no ticket with id ${ticketId}`, { id: ticketId });
    const state = { status: row.status, departmentId: row.department_id, satisfaction: row.satisfaction, answered: row.answer_text !== null && row.replied_at === null };
    const to = planPeer(state, update.event, update.event === 'visit' ? { satisfaction: update.satisfaction } : {});
    const at = core.now();
    const iso = at.toISOString();
    const set: Record<string, unknown> =
      update.event === 'result'
        ? { status: to, reply_text: update.text, replied_at: iso, handler_region: update.handlerRegion }
        : { status: to, satisfaction: update.satisfaction, visit_note: update.note, ...(to === 'closed' && row.status !== 'closed' ? { closed_at: iso } : {}) };
    set.updated_at = iso;
    const cols = Object.keys(set);
    core.db.prepare(`UPDATE tickets SET ${cols.map((c) => `${c} = @${c}`).join(', ')}, version = version + 1 WHERE rowid = @rowid`).run({ ...set, rowid: row.rowid });
    const ticket = core.stmts.byRowid.get(row.rowid) as TicketRow;
    const action = update.event === 'result' ? 'reply' : 'visit';
    const note = update.event === 'result' ? update.text : update.note;
    const auditId = core.audit.append(actor, at, {
      entity: 'ticket',
      entityId: row.number,
      action,
      fromStatus: row.status,
      toStatus: to,
      note,
      data: update.event === 'result' ? { handler: update.handlerRegion, kind: update.kind } : { satisfaction: update.satisfaction },
    });
    const c: TicketChange = { ticket, action, from: row.status, to, actor, at, auditId, note };
    core.changed(c);
    return c;
  })();
}
