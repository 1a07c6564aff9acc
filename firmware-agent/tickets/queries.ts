// Ticket lists: the filters of the ticket pages, the department's portal and the supervisor's queues, and
// full-text search (FTS5), one page at a time with a capped total.
import type { Actor } from '../accounts/actor.js';
import { matchExpression } from '../search/segment.js';
import type { Db } from '../store/db.js';
import { openStatuses } from './codes.js';
import { type TicketRow, type ViewContext, toView } from './model.js';
import type { ListFilter, ListResult } from './types.js';

const totalCap = 1000;
/** Replied complaints whose result came from a department here and is not approved yet (workflow.ts complaintResult). */
export const awaitingReviewSql =
  "(t.status = 'replied' AND t.type = 'complaint' AND t.dispatched_at IS NOT NULL AND t.transferred_to IS NULL AND t.replied_at IS NOT NULL AND coalesce(t.review_outcome, '') != 'approved')";

/** The tickets `viewer` may see that match `filter` (the caller refuses technicians). */
export function listTickets(db: Db, filter: ListFilter, viewer: Actor, ctx: ViewContext, reviewRequired: boolean): ListResult {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
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
    if (reviewRequired) where.push(`NOT (${awaitingReviewSql})`);
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
  const rows = db
    .prepare(
      `SELECT t.*, d.name AS department_name FROM ${from} LEFT JOIN departments d ON d.id = t.department_id
       ${whereSql} ORDER BY ${order} LIMIT @limit OFFSET @offset`,
    )
    .all({ ...params, limit: pageSize, offset: (page - 1) * pageSize }) as TicketRow[];
  const { n } = db
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
