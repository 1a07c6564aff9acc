// The append-only audit trail (triggers in the schema refuse UPDATE and DELETE). Every change to a ticket,
// an account, a department, a code table, the calendar or the configuration writes one record, in the
// same transaction as the change.
import type { Db } from '../store/db.js';
import type { Actor } from '../accounts/actor.js';

export interface AuditEntry {
  entity: string;
  entityId: string;
  action: string;
  fromStatus?: string | null;
  toStatus?: string | null;
  note?: string | null;
  data?: Record<string, unknown> | null;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'data'>> {
  id: number;
  at: string;
  actor: { id: number | null; name: string; role: string | null };
  data: Record<string, unknown> | null;
}

interface Row {
  id: number;
  at: string;
  actor_id: number | null;
  actor_name: string;
  actor_role: string | null;
  entity: string;
  entity_id: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  note: string | null;
  data: string | null;
}

export class AuditLog {
  readonly #insert;
  readonly #byEntity;

  constructor(private readonly db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO audit (at, actor_id, actor_name, actor_role, entity, entity_id, action, from_status, to_status, note, data)
       VALUES (@at, @actorId, @actorName, @actorRole, @entity, @entityId, @action, @fromStatus, @toStatus, @note, @data)`,
    );
    this.#byEntity = db.prepare('SELECT * FROM audit WHERE entity = ? AND entity_id = ? ORDER BY id');
  }

  /** Appends one record; call inside the transaction of the change it describes. Returns its id. */
  append(actor: Actor, at: Date, e: AuditEntry): number {
    const r = this.#insert.run({
      at: at.toISOString(),
      actorId: actor.id,
      actorName: actor.name,
      actorRole: actor.role,
      entity: e.entity,
      entityId: e.entityId,
      action: e.action,
      fromStatus: e.fromStatus ?? null,
      toStatus: e.toStatus ?? null,
      note: e.note ?? null,
      data: e.data ? JSON.stringify(e.data) : null,
    });
    return Number(r.lastInsertRowid);
  }

  forEntity(entity: string, entityId: string): AuditRecord[] {
    return (this.#byEntity.all(entity, entityId) as Row[]).map(toRecord);
  }

  recent(limit = 100, before?: number): AuditRecord[] {
    const rows = before
      ? this.db.prepare('SELECT * FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?').all(before, limit)
      : this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit);
    return (rows as Row[]).map(toRecord);
  }
}

function toRecord(r: Row): AuditRecord {
  return {
    id: r.id,
    at: r.at,
    actor: { id: r.actor_id, name: r.actor_name, role: r.actor_role },
    entity: r.entity,
    entityId: r.entity_id,
    action: r.action,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    note: r.note,
    data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null,
  };
}
