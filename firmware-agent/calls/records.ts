// Call records: one row per call, keyed by the trunk's call id, with its legs and linked tickets.
//
// Invariants:
// - A record is written when the call is offered, before the IVR does anything, so a call that the box
//   crashes on is still on record (and marked `failed` by `recoverUnfinished` at the next start).
// - A record only moves forward: once `ended` or `failed` it is never reopened (updates are guarded by
//   status in SQL, so a late event for a finished call cannot rewrite it).
// - Progress writes go through a write-behind queue (writer.ts) committed every 200 ms; every read flushes
//   first. Ticket links are written through at once.
// - Phone numbers are stored in full (the centre needs them for callbacks); logs redact them.
import type { Db } from '../store/db.js';
import type { CallOffered } from '../../drivers/trunk/types.js';
import type { CallRow, CallView, CallerHistory, LegRow } from './view-types.js';
import { WriteBehind, type WriteOp } from './writer.js';

export type { CallRow, CallStatus, CallView, CallerHistory, LegRow } from './view-types.js';




export type CallUpdate = Partial<
  Pick<
    CallRow,
    | 'route'
    | 'menu_choice'
    | 'ticket_type'
    | 'skill'
    | 'status'
    | 'outcome'
    | 'ivr_answered_at'
    | 'queued_at'
    | 'agent_answered_at'
    | 'transferred_at'
    | 'transferred_to'
    | 'abandoned_at'
    | 'ended_at'
    | 'hangup_cause'
    | 'hangup_q850'
    | 'hangup_party'
    | 'agent_id'
    | 'station'
    | 'recording_file'
    | 'voicemail_file'
    | 'callback_id'
    | 'after_hours'
  >
> & { prompts?: string[] };

const updatable = new Set([
  'route',
  'menu_choice',
  'ticket_type',
  'skill',
  'status',
  'outcome',
  'ivr_answered_at',
  'queued_at',
  'agent_answered_at',
  'transferred_at',
  'transferred_to',
  'abandoned_at',
  'ended_at',
  'hangup_cause',
  'hangup_q850',
  'hangup_party',
  'agent_id',
  'station',
  'recording_file',
  'voicemail_file',
  'callback_id',
  'after_hours',
  'prompts',
]);



// Write statements, run by the write-behind (possibly in its writer thread, on its own connection).
const sql = {
  insert: `INSERT INTO calls (id, channel, caller, called, presentation, legacy, after_hours, status, arrived_at)
    VALUES (@callId, @channel, @caller, @called, @presentation, @legacy, 0, 'ivr', @at)`,
  legStart: 'INSERT INTO call_legs (id, call_id, kind, target, started_at) VALUES (?, ?, ?, ?, ?)',
  legEnd: 'UPDATE call_legs SET ended_at = ?, outcome = ? WHERE id = ? AND ended_at IS NULL',
  legsEndOpen: 'UPDATE call_legs SET ended_at = ?, outcome = ? WHERE call_id = ? AND ended_at IS NULL',
  link: `INSERT OR IGNORE INTO call_tickets (call_id, ticket_number, linked_at, linked_by)
    SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM calls WHERE id = ?)`,
  fail: `UPDATE calls SET status = 'failed', outcome = 'failed', ended_at = @at, hangup_cause = @reason
    WHERE id = @id AND status NOT IN ('ended', 'failed')`,
};

function updateOp(callId: string, fields: CallUpdate): WriteOp | undefined {
  const keys = Object.keys(fields).filter((k) => updatable.has(k)).sort();
  if (keys.length === 0) return undefined;
  const params: Record<string, unknown> = { __id: callId };
  for (const k of keys) {
    const v = (fields as Record<string, unknown>)[k];
    params[k] = k === 'prompts' ? JSON.stringify(v) : (v ?? null);
  }
  return {
    sql: `UPDATE calls SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @__id AND status NOT IN ('ended', 'failed')`,
    params,
  };
}

export class CallRecords {
  readonly #s;

  readonly writer: WriteBehind;
  #nextLeg: number;

  constructor(
    readonly db: Db,
    writer?: WriteBehind,
    /** Told of each ticket linked to a stored call (the ticket service names the call on the ticket). */
    private readonly ticketLinked?: (ticketNumber: string, callId: string) => void,
  ) {
    this.writer = writer ?? new WriteBehind(db);
    this.#nextLeg = ((db.prepare('SELECT MAX(id) AS m FROM call_legs').get() as { m: number | null }).m ?? 0) + 1;
    this.#s = {
      get: db.prepare('SELECT * FROM calls WHERE id = ?'),
      legs: db.prepare('SELECT * FROM call_legs WHERE call_id = ? ORDER BY id'),
      tickets: db.prepare('SELECT ticket_number, linked_at, linked_by FROM call_tickets WHERE call_id = ? ORDER BY linked_at'),
      unfinished: db.prepare(`SELECT id FROM calls WHERE status NOT IN ('ended', 'failed')`),
      historyCalls: db.prepare(
        'SELECT id, arrived_at, route, outcome, agent_id FROM calls WHERE caller = ? AND id != ? ORDER BY arrived_at DESC LIMIT ?',
      ),
      historyTickets: db.prepare(
        'SELECT number, type, status, subject, created_at FROM tickets WHERE caller_phone = ? ORDER BY created_at DESC LIMIT ?',
      ),
    };
  }

  arrived(offered: CallOffered, legacy: boolean): void {
    const { callId, channel, caller, called, presentation, at } = offered;
    this.writer.enqueue({ sql: sql.insert, params: { callId, channel, caller, called, presentation, at, legacy: legacy ? 1 : 0 } });
  }

  /** Update a call still in progress; a finished record is left alone (the guard is in SQL). */
  update(callId: string, fields: CallUpdate): void {
    const op = updateOp(callId, fields);
    if (op) this.writer.enqueue(op);
  }

  legStart(callId: string, kind: string, target: string | null, at: number): number {
    const id = this.#nextLeg++;
    this.writer.enqueue({ sql: sql.legStart, params: [id, callId, kind, target, at] });
    return id;
  }

  legEnd(legId: number | undefined, at: number, outcome: string): void {
    if (legId !== undefined) this.writer.enqueue({ sql: sql.legEnd, params: [at, outcome, legId] });
  }

  /** Close the call: final fields and every open leg (committed together with the other queued writes). */
  finish(callId: string, at: number, fields: CallUpdate, legOutcome = 'ended'): void {
    this.writer.enqueue(
      { sql: sql.legsEndOpen, params: [at, legOutcome, callId] },
      updateOp(callId, { ...fields, status: 'ended', ended_at: at })!,
    );
  }

  /** Calls in flight when the driver failed (T9): recorded as failed, open legs closed — committed at once. */
  failMany(callIds: string[], at: number, reason: string): void {
    for (const id of callIds) {
      this.writer.enqueue({ sql: sql.legsEndOpen, params: [at, 'failed', id] }, { sql: sql.fail, params: { id, at, reason } });
    }
    this.writer.flush();
  }

  /** Commit queued progress now (reads do this themselves). */
  flush(): void {
    this.writer.flush();
  }

  /** At start: calls left unfinished by a previous run (power cut, crash) are recorded as failed. */
  recoverUnfinished(at: number): string[] {
    this.writer.flush();
    const ids = (this.#s.unfinished.all() as { id: string }[]).map((r) => r.id);
    if (ids.length) this.failMany(ids, at, 'box-restarted');
    return ids;
  }

  get(callId: string): CallView | undefined {
    this.writer.flush();
    const call = this.#s.get.get(callId) as CallRow | undefined;
    if (!call) return undefined;
    return {
      call: { ...call, promptList: JSON.parse(call.prompts) as string[] },
      legs: this.#s.legs.all(callId) as LegRow[],
      tickets: this.#s.tickets.all(callId) as CallView['tickets'],
    };
  }

  /** Link a ticket to a call (an agent's ticket, or the IVR's voicemail ticket). Idempotent; committed at once. */
  linkTicket(callId: string, ticketNumber: string, by: string, at: number): boolean {
    // Behind the call's own queued writes (the row may not be committed yet), in the same batch.
    this.writer.enqueue({ sql: sql.link, params: [callId, ticketNumber, at, by, callId] });
    this.writer.flush();
    if (this.#s.get.get(callId) === undefined) return false;
    // The ticket's own field is the ticket service's to write (it owns the tickets table).
    this.ticketLinked?.(ticketNumber, callId);
    return true;
  }

  /** The caller's earlier calls and tickets, for the agent's screen pop. */
  history(caller: string | null, exceptCallId: string, limit = 10): CallerHistory {
    if (!caller) return { calls: [], tickets: [] };
    // No flush: earlier calls are long committed, and the screen pop must not wait for an fsync.
    return {
      calls: this.#s.historyCalls.all(caller, exceptCallId, limit) as CallerHistory['calls'],
      tickets: this.#s.historyTickets.all(caller, limit) as CallerHistory['tickets'],
    };
  }

  list(filter: { from?: number; to?: number; caller?: string; agentId?: number; limit?: number; offset?: number }): CallRow[] {
    this.writer.flush();
    const where: string[] = [];
    const p: Record<string, unknown> = {};
    if (filter.from !== undefined) (where.push('arrived_at >= @from'), (p.from = filter.from));
    if (filter.to !== undefined) (where.push('arrived_at < @to'), (p.to = filter.to));
    if (filter.caller) (where.push('caller = @caller'), (p.caller = filter.caller));
    if (filter.agentId !== undefined) (where.push('agent_id = @agentId'), (p.agentId = filter.agentId));
    p.limit = Math.min(filter.limit ?? 50, 500);
    p.offset = filter.offset ?? 0;
    return this.db
      .prepare(
        `SELECT * FROM calls ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY arrived_at DESC LIMIT @limit OFFSET @offset`,
      )
      .all(p) as CallRow[];
  }
}

/** The file of a call's recording (`call`: the conversation) or voicemail (`vm`), its id made a safe file name. */
export function recordingFile(dir: string, kind: 'call' | 'vm', callId: string): string {
  return `${dir}/${kind}-${callId.replace(/[^\w.-]/g, '_')}.wav`;
}
