// Callback requests (回电): a caller who waited past the maximum asks to be called back. The task keeps the
// caller's place in the queue (its call's queued time) and is offered to the longest-idle agent like a call;
// the agent calls back from their own phone and marks the task done. Pending tasks survive a restart.
import type { Clock } from '../../common/clock.js';
import type { Db } from '../store/db.js';
import type { Acd, Agent } from './acd.js';
import type { LiveEvents } from './events.js';
import type { CallRecords } from './records.js';

export interface CallbackTask {
  id: string;
  call_id: string;
  caller: string;
  skill: string | null;
  ticket_type: string | null;
  queued_at: number;
  requested_at: number;
  status: 'pending' | 'assigned' | 'done' | 'cancelled';
  agent_id: number | null;
  done_at: number | null;
  ticket_number: string | null;
  /** When the task falls due (an after-hours caller: the next working day's opening); null: at once. */
  due_at: number | null;
  reason: CallbackReason;
}

/**
 * Why a callback task exists: the caller asked for it in the overflow menu; or it stands in for a message
 * the trunk could not record (`missed-call`, issue 10 C2); or a distress caller hung up before reaching a
 * person (`distress`, at the head of the queue).
 */
export type CallbackReason = 'overflow' | 'missed-call' | 'distress';

export class CallbackError extends Error {
  constructor(
    readonly code: 'callback-not-found' | 'callback-not-yours',
    message: string,
  ) {
    super(message);
    this.name = 'CallbackError';
  }
}

const sql = {
  insert: `INSERT INTO callback_tasks (id, call_id, caller, skill, ticket_type, queued_at, requested_at, status, due_at, reason, ticket_number)
    VALUES (@id, @callId, @caller, @skill, @ticketType, @queuedAt, @requestedAt, 'pending', @dueAt, @reason, @ticketNumber)`,
  assign: `UPDATE callback_tasks SET status = 'assigned', agent_id = ? WHERE id = ? AND status = 'pending'`,
  done: `UPDATE callback_tasks SET status = 'done', done_at = ?, ticket_number = ? WHERE id = ?`,
};

export class CallbackTasks {
  readonly #s;

  constructor(
    private readonly deps: { db: Db; acd: Acd; clock: Clock; events: LiveEvents; records: CallRecords },
  ) {
    const db = deps.db;
    this.#s = {
      get: db.prepare('SELECT * FROM callback_tasks WHERE id = ?'),
      open: db.prepare(`SELECT * FROM callback_tasks WHERE status IN ('pending', 'assigned') ORDER BY queued_at`),
      reopen: db.prepare(`UPDATE callback_tasks SET status = 'pending', agent_id = NULL WHERE status = 'assigned'`),
      list: db.prepare('SELECT * FROM callback_tasks WHERE status = ? ORDER BY queued_at LIMIT 500'),
    };
  }

  /** Written through at once: the caller is told the request is registered right after. */
  create(t: {
    id: string;
    callId: string;
    caller: string;
    skill: string | null;
    ticketType: string | null;
    queuedAt: number;
    requestedAt: number;
    dueAt?: number | null;
    reason?: CallbackReason;
    ticketNumber?: string | null;
  }): void {
    const row = { dueAt: null, reason: 'overflow', ticketNumber: null, ...t };
    // Behind the call row it refers to, committed with it in one transaction (one fsync) before returning.
    this.deps.records.writer.enqueue({ sql: sql.insert, params: row });
    this.deps.records.flush();
    this.#enqueue(t.id, t.skill, t.queuedAt, row.reason === 'distress');
  }

  /** A distress task goes ahead of every other entry, like the distress call it stands in for. */
  #enqueue(id: string, skill: string | null, queuedAt: number, distress = false): void {
    void this.deps.acd.enqueue(id, 'callback', skill, queuedAt, distress ? 'urgent' : false);
  }

  /** At start: tasks assigned to an agent when the box stopped go back to the queue, in their place. */
  restore(): number {
    this.#s.reopen.run();
    const open = this.#s.open.all() as CallbackTask[];
    for (const t of open) this.#enqueue(t.id, t.skill, t.queued_at, t.reason === 'distress');
    return open.length;
  }

  /** ACD hook: a task was matched with an agent. */
  assigned(id: string, agent: Agent): void {
    this.deps.records.writer.enqueue({ sql: sql.assign, params: [agent.id, id] });
    const t = this.#s.get.get(id) as CallbackTask | undefined;
    if (!t) return;
    this.deps.events.publish({
      type: 'callback.offered',
      at: this.deps.clock.now(),
      callbackId: id,
      agentId: agent.id,
      caller: t.caller,
      history: this.deps.records.history(t.caller, t.call_id),
      reason: t.reason,
      ticketNumber: t.ticket_number,
    });
  }

  /** The agent called back. Links the ticket (if any) to the original call, frees the agent. */
  complete(id: string, agentId: number, ticketNumber: string | null, agentName: string): CallbackTask {
    this.deps.records.flush();
    const t = this.#s.get.get(id) as CallbackTask | undefined;
    if (!t) throw new CallbackError('callback-not-found', `no callback task ${id}`);
    if (t.agent_id !== agentId || t.status !== 'assigned') {
      throw new CallbackError('callback-not-yours', 'this callback task is not assigned to you');
    }
    const now = this.deps.clock.now();
    // A missed-call task has its ticket from the start: completing it without naming another keeps that one.
    const ticket = ticketNumber ?? t.ticket_number;
    this.deps.records.writer.enqueue({ sql: sql.done, params: [now, ticket, id] });
    if (ticketNumber) this.deps.records.linkTicket(t.call_id, ticketNumber, agentName, now);
    else this.deps.records.flush();
    this.deps.acd.released(agentId, null);
    return this.#s.get.get(id) as CallbackTask;
  }

  list(status: CallbackTask['status'] = 'pending'): CallbackTask[] {
    return this.#s.list.all(status) as CallbackTask[];
  }
}
