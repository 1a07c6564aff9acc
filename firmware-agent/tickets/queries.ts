// Ticket lists: the filters of the ticket pages, the department's portal and the supervisor's queues, and
// full-text search (FTS5), one page at a time with a capped total.
import type { Actor } from '../accounts/actor.js';
import { matchExpression } from '../search/segment.js';
import type { Db } from '../store/db.js';
import { SqlFilter } from '../store/filter.js';
import { openStatuses } from './codes.js';
import { type TicketRow, type ViewContext, toView } from './model.js';
import type { ListFilter, ListResult } from './types.js';

const totalCap = 1000;
/** Replied complaints whose result came from a department here and is not approved yet (workflow.ts complaintResult). */
export const awaitingReviewSql =
  "(t.status = 'replied' AND t.type = 'complaint' AND t.dispatched_at IS NOT NULL AND t.transferred_to IS NULL AND t.replied_at IS NOT NULL AND coalesce(t.review_outcome, '') != 'approved')";

/** The tickets `viewer` may see that match `filter` (the caller refuses technicians). */
export function listTickets(db: Db, filter: ListFilter, viewer: Actor, ctx: ViewContext, reviewRequired: boolean): ListResult {
  const f = new SqlFilter();
  if (viewer.role === 'department') f.where('t.department_id = @dept', { dept: viewer.departmentId ?? -1 });
  else f.equal('t.department_id', 'dept', filter.department);
  f.oneOf('t.status', 'st', filter.status).equal('t.type', 'type', filter.type).equal('t.domain', 'domain', filter.domain);
  if (filter.caller) {
    // A viewer who may not see a confidential reporter's phone may not match on it either: otherwise
    // `?caller=<phone>` would confirm who reported a matter. Such tickets behave as if they had no phone.
    f.where(ctx.hideConfidential ? 't.caller_phone = @caller AND t.confidential = 0' : 't.caller_phone = @caller', { caller: filter.caller });
  }
  if (filter.urgent !== undefined) f.where('t.urgent = @urgent', { urgent: filter.urgent ? 1 : 0 });
  if (filter.awaitingVisit) {
    // Same rule as the workflow's visit action (tickets/workflow.ts): an immediate answer closed the
    // ticket, but its satisfaction (即时答复满意率) is still to be asked.
    f.where("(t.status = 'replied' OR (t.status = 'closed' AND t.answer_text IS NOT NULL AND t.replied_at IS NULL AND t.satisfaction IS NULL))");
    // With the review policy, a complaint waits for its approved review before the visit (workflow.ts).
    if (reviewRequired) f.where(`NOT (${awaitingReviewSql})`);
  }
  if (filter.awaitingReview) f.where(awaitingReviewSql);
  if (filter.mine) f.where('t.created_by = @me', { me: viewer.id ?? -1 });
  const openList = openStatuses
    .filter((s) => s !== 'visited')
    .map((s) => `'${s}'`)
    .join(', ');
  const now = ctx.now.toISOString();
  if (filter.overdue === true) f.where(`t.status IN (${openList}) AND t.due_at < @now`, { now });
  else if (filter.overdue === false) f.where(`NOT (t.status IN (${openList}) AND t.due_at < @now)`, { now });
  if (filter.dueSoon) f.where(`t.status IN (${openList}) AND t.due_at >= @now2 AND t.due_at <= @soon`, { now2: now, soon: ctx.dueSoonBefore.toISOString() });
  const match = filter.q ? matchExpression(filter.q) : null;
  const pageSize = Math.min(Math.max(filter.pageSize ?? 20, 1), 100);
  const page = Math.max(filter.page ?? 1, 1);
  let from = 'tickets t';
  let order = 't.rowid DESC';
  if (match) {
    // Driving the query from the FTS index, newest first, lets SQLite stop after one page even
    // when a common word matches hundreds of thousands of tickets.
    from = 'tickets_fts f JOIN tickets t ON t.rowid = f.rowid';
    f.first('tickets_fts MATCH @match', { match });
    order = 'f.rowid DESC';
  }
  const whereSql = f.sql();
  const rows = db
    .prepare(
      `SELECT t.*, d.name AS department_name FROM ${from} LEFT JOIN departments d ON d.id = t.department_id
       ${whereSql} ORDER BY ${order} LIMIT @limit OFFSET @offset`,
    )
    .all({ ...f.params, limit: pageSize, offset: (page - 1) * pageSize }) as TicketRow[];
  const { n } = db
    .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${from} ${whereSql} LIMIT ${totalCap + 1})`)
    .get(f.params) as { n: number };
  return {
    items: rows.map((r) => toView(r, ctx)),
    page,
    pageSize,
    total: Math.min(n, totalCap),
    totalCapped: n > totalCap,
  };
}
