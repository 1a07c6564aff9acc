// The alarm history in SQLite (migration 202612041900-alarms.sql). One row per raise; an alarm is active
// while cleared_at is NULL; at most one active row per key (a partial unique index). Nothing here deletes.
import type { Db } from '../store/db.js';
import type { Alarm, AlarmInput, Severity } from './model.js';

interface Row {
  id: number;
  key: string;
  source: 'threshold' | 'api';
  severity: Severity;
  message: string;
  message_zh: string | null;
  value: number | null;
  threshold: number | null;
  raised_at: string;
  last_seen_at: string;
  cleared_at: string | null;
  clear_reason: string | null;
}

function view(r: Row): Alarm {
  return {
    id: r.id,
    key: r.key,
    source: r.source,
    severity: r.severity,
    message: r.message,
    messageZh: r.message_zh,
    value: r.value,
    threshold: r.threshold,
    raisedAt: r.raised_at,
    lastSeenAt: r.last_seen_at,
    clearedAt: r.cleared_at,
    clearReason: r.clear_reason,
  };
}

export class AlarmStore {
  readonly #s;

  constructor(readonly db: Db) {
    this.#s = {
      activeByKey: db.prepare('SELECT * FROM alarms WHERE key = ? AND cleared_at IS NULL'),
      insert: db.prepare(
        `INSERT INTO alarms (key, source, severity, message, message_zh, value, threshold, raised_at, last_seen_at)
         VALUES (@key, @source, @severity, @message, @messageZh, @value, @threshold, @at, @at)`,
      ),
      refresh: db.prepare('UPDATE alarms SET severity = @severity, message = @message, message_zh = @messageZh, value = @value, threshold = @threshold, last_seen_at = @at WHERE id = @id'),
      clear: db.prepare('UPDATE alarms SET cleared_at = ?, clear_reason = ? WHERE id = ?'),
      byId: db.prepare('SELECT * FROM alarms WHERE id = ?'),
      active: db.prepare('SELECT * FROM alarms WHERE cleared_at IS NULL ORDER BY raised_at DESC, id DESC'),
      history: db.prepare('SELECT * FROM alarms ORDER BY id DESC LIMIT ?'),
      smsAt: db.prepare('SELECT sent_at FROM alarm_sms WHERE key = ?'),
      smsSent: db.prepare('INSERT INTO alarm_sms (key, sent_at, outbox_id) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET sent_at = excluded.sent_at, outbox_id = excluded.outbox_id'),
    };
  }

  activeByKey(key: string): Alarm | null {
    const r = this.#s.activeByKey.get(key) as Row | undefined;
    return r ? view(r) : null;
  }

  /** Raises `input` (validated by the caller); an active alarm of the key is refreshed instead. */
  raise(input: Required<AlarmInput>, source: Alarm['source'], at: Date): { alarm: Alarm; raised: boolean } {
    const existing = this.#s.activeByKey.get(input.key) as Row | undefined;
    const p = { key: input.key, source, severity: input.severity, message: input.message, messageZh: input.messageZh, value: input.value, threshold: input.threshold, at: at.toISOString() };
    if (existing) {
      this.#s.refresh.run({ ...p, id: existing.id });
      return { alarm: view(this.#s.byId.get(existing.id) as Row), raised: false };
    }
    const id = Number(this.#s.insert.run(p).lastInsertRowid);
    return { alarm: view(this.#s.byId.get(id) as Row), raised: true };
  }

  /** Clears the active alarm of `key`; null when none is active. */
  clear(key: string, reason: string, at: Date): Alarm | null {
    const existing = this.#s.activeByKey.get(key) as Row | undefined;
    if (!existing) return null;
    this.#s.clear.run(at.toISOString(), reason, existing.id);
    return view(this.#s.byId.get(existing.id) as Row);
  }

  active(): Alarm[] {
    return (this.#s.active.all() as Row[]).map(view);
  }

  history(limit: number): Alarm[] {
    return (this.#s.history.all(limit) as Row[]).map(view);
  }

  /** When the duty technician last got an SMS about `key`, or null. */
  lastSms(key: string): string | null {
    return (this.#s.smsAt.get(key) as { sent_at: string } | undefined)?.sent_at ?? null;
  }

  recordSms(key: string, at: Date, outboxId: number | null): void {
    this.#s.smsSent.run(key, at.toISOString(), outboxId);
  }
}
