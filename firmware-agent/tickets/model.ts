// The ticket as stored (row) and as shown (view), with the reporter-confidentiality rule applied.
import type { Channel, ReviewOutcome, Satisfaction, TicketStatus, TicketType } from './codes.js';
import { openStatuses } from './codes.js';

export interface TicketRow {
  rowid: number;
  id: string;
  number: string;
  type: TicketType;
  subtype: string | null;
  domain: string;
  channel: Channel;
  region: string;
  caller_phone: string | null;
  caller_name: string | null;
  anonymous: number;
  confidential: number;
  urgent: number;
  subject: string;
  description: string;
  location: string | null;
  involved: string | null;
  status: TicketStatus;
  department_id: number | null;
  department_name?: string | null;
  due_at: string | null;
  calendar_uncertain: number;
  answer_text: string | null;
  reply_text: string | null;
  satisfaction: Satisfaction | null;
  visit_note: string | null;
  reopen_count: number;
  merged_into: string | null;
  call_id: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  /** Three-level network (migration 202611281500-network): the box that took the call, where the ticket was
   * transferred for handling, and the box that answered it. */
  origin_region?: string | null;
  transferred_to?: string | null;
  handler_region?: string | null;
  dispatched_at: string | null;
  replied_at: string | null;
  closed_at: string | null;
  /** Latest overdue escalation (督办, migration 202612020431-ticket-escalation). */
  escalated_at?: string | null;
  escalation_note?: string | null;
  /** Latest 复核 of the current result (migration 202612042246-ticket-review). */
  review_outcome?: ReviewOutcome | null;
  reviewed_at?: string | null;
  review_note?: string | null;
  version: number;
}

export type DeadlineState = 'on-time' | 'due-soon' | 'overdue' | 'met' | 'missed' | 'none';

export interface TicketView {
  id: string;
  number: string;
  type: TicketType;
  subtype: string | null;
  domain: string;
  channel: Channel;
  region: string;
  regionName: string | null;
  caller: { phone: string | null; name: string | null; anonymous: boolean; hidden: boolean };
  confidential: boolean;
  urgent: boolean;
  subject: string;
  description: string;
  location: string | null;
  involved: { plate?: string; company?: string } | null;
  status: TicketStatus;
  department: { id: number; name: string } | null;
  dueAt: string | null;
  deadline: { state: DeadlineState; uncertain: boolean };
  answer: string | null;
  reply: string | null;
  satisfaction: Satisfaction | null;
  visitNote: string | null;
  reopenCount: number;
  mergedInto: string | null;
  callId: string | null;
  /** Set on a ticket another box took and transferred here (流转): that box's region. */
  originRegion: string | null;
  /** Set on a ticket this box transferred elsewhere: the matter's region, and the box that answered. */
  transferredTo: string | null;
  handlerRegion: string | null;
  createdAt: string;
  updatedAt: string;
  dispatchedAt: string | null;
  repliedAt: string | null;
  closedAt: string | null;
  escalation: { at: string; note: string | null } | null;
  /** The centre's latest review (复核) of the current result of a complaint. */
  review: { outcome: ReviewOutcome; at: string; note: string | null } | null;
  version: number;
}

export interface ViewContext {
  now: Date;
  /** Instant before which an open ticket's due date counts as "due soon". */
  dueSoonBefore: Date;
  /** Hide a confidential reporter's identity (departments; upstream unless policy allows). */
  hideConfidential: boolean;
  regionName: (code: string) => string | undefined;
}

export function deadlineState(row: Pick<TicketRow, 'status' | 'due_at' | 'replied_at' | 'closed_at'>, ctx: Pick<ViewContext, 'now' | 'dueSoonBefore'>): DeadlineState {
  if (!row.due_at || row.status === 'merged') return 'none';
  const due = Date.parse(row.due_at);
  if ((openStatuses as readonly string[]).includes(row.status) && row.status !== 'visited') {
    if (ctx.now.getTime() > due) return 'overdue';
    return due <= ctx.dueSoonBefore.getTime() ? 'due-soon' : 'on-time';
  }
  const done = row.replied_at ?? row.closed_at;
  if (!done) return 'none';
  return Date.parse(done) <= due ? 'met' : 'missed';
}

export function toView(row: TicketRow, ctx: ViewContext): TicketView {
  const hidden = ctx.hideConfidential && row.confidential === 1;
  return {
    id: row.id,
    number: row.number,
    type: row.type,
    subtype: row.subtype,
    domain: row.domain,
    channel: row.channel,
    region: row.region,
    regionName: ctx.regionName(row.region) ?? null,
    caller: {
      phone: hidden ? null : row.caller_phone,
      name: hidden ? null : row.caller_name,
      anonymous: row.anonymous === 1,
      hidden,
    },
    confidential: row.confidential === 1,
    urgent: row.urgent === 1,
    subject: row.subject,
    description: row.description,
    location: row.location,
    involved: row.involved ? (JSON.parse(row.involved) as TicketView['involved']) : null,
    status: row.status,
    department: row.department_id !== null ? { id: row.department_id, name: row.department_name ?? '' } : null,
    dueAt: row.due_at,
    deadline: { state: deadlineState(row, ctx), uncertain: row.calendar_uncertain === 1 },
    answer: row.answer_text,
    reply: row.reply_text,
    satisfaction: row.satisfaction,
    visitNote: row.visit_note,
    reopenCount: row.reopen_count,
    mergedInto: row.merged_into,
    callId: row.call_id,
    originRegion: row.origin_region ?? null,
    transferredTo: row.transferred_to ?? null,
    handlerRegion: row.handler_region ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    dispatchedAt: row.dispatched_at,
    repliedAt: row.replied_at,
    closedAt: row.closed_at,
    escalation: row.escalated_at ? { at: row.escalated_at, note: row.escalation_note ?? null } : null,
    review: row.review_outcome && row.reviewed_at ? { outcome: row.review_outcome, at: row.reviewed_at, note: row.review_note ?? null } : null,
    version: row.version,
  };
}
