// What each workflow action writes on a ticket beyond its new status (the transition itself is workflow.ts's
// pure table): the columns to set, the note and data its audit record carries. Runs inside the action's
// transaction (tickets/service.ts act); refusals that depend on the input (an unknown department, a due date
// in the past, an invalid merge target) throw before anything is written.
import type { Actor } from '../accounts/actor.js';
import { AppError } from '../errors.js';
import type { TicketAction, TicketStatus } from './codes.js';
import type { TicketCore } from './core.js';
import type { TicketRow } from './model.js';
import type { ActionInput } from './types.js';

/** The review columns of a result not reviewed yet. */
export const noReview = { review_outcome: null, reviewed_at: null, review_note: null } as const;

export interface ActionChanges {
  set: Record<string, unknown>;
  note: string | null;
  data: Record<string, unknown>;
}

export function actionChanges(core: TicketCore, action: TicketAction, row: TicketRow, input: ActionInput, to: TicketStatus, actor: Actor, at: Date): ActionChanges {
  const iso = at.toISOString();
  const from = row.status;
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
      const dept = input.department !== undefined ? (core.stmts.department.get(input.department) as { id: number; name: string; disabled: number } | undefined) : undefined;
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
      const due = core.deps.calendar.addWorkingDays(at, core.deps.deadlines()[row.type]);
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
      const target = input.into ? (core.stmts.byNumber.get(input.into) as TicketRow | undefined) : undefined;
      if (!target || target.number === row.number || target.status === 'merged' || target.status === 'archived') {
        throw new AppError('merge-target-invalid', `cannot merge ${row.number} into ${input.into}`, { into: input.into });
      }
      set.merged_into = target.number;
      set.department_id = null;
      data.into = target.number;
      core.audit.append(actor, at, {
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
  return { set, note, data };
}
