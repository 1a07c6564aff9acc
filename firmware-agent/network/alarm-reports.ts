// alarm.report (docs/exchange.md, docs/technician.md §Alarms): a box tells every level above that one of
// its alarms was raised or cleared, so a province sees its cities' alarms and the ministry every box's.
// The origin is the envelope's `from` (the door checks that the pushing peer holds it); the body names the
// alarm by key and raise time. The receiver keeps the latest state per (origin, key, raisedAt): a clear
// that arrives is final, and a repeated or older report never reopens a cleared alarm.
import type { Db } from '../store/db.js';
import type { Envelope } from './messages.js';

export interface AlarmReportBody {
  key: string;
  severity: 'warning' | 'critical';
  /** English description, as the origin's history shows it. */
  message: string;
  /** Chinese description, when the origin has one (optional: absent from older senders). */
  messageZh?: string | null;
  value: number | null;
  threshold: number | null;
  raisedAt: string;
  clearedAt: string | null;
}

const iso = { type: 'string', minLength: 10, maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}T' } as const;
const num = { anyOf: [{ type: 'number' }, { type: 'null' }] } as const;

/** Keys as firmware-agent/alarms/model.ts allows them. */
export const alarmKeyPattern = '^[a-z0-9][a-z0-9:._-]{0,79}$';

export const alarmReportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'severity', 'message', 'value', 'threshold', 'raisedAt', 'clearedAt'],
  properties: {
    key: { type: 'string', pattern: alarmKeyPattern },
    severity: { enum: ['warning', 'critical'] },
    message: { type: 'string', minLength: 1, maxLength: 500 },
    messageZh: { anyOf: [{ type: 'string', minLength: 1, maxLength: 500 }, { type: 'null' }] },
    value: num,
    threshold: num,
    raisedAt: iso,
    clearedAt: { anyOf: [iso, { type: 'null' }] },
  },
} as const;

export interface BelowAlarm {
  origin: string;
  key: string;
  severity: string;
  message: string;
  messageZh: string | null;
  value: number | null;
  threshold: number | null;
  raisedAt: string;
  clearedAt: string | null;
  reportedAt: string;
  receivedAt: string;
}

const statements = new WeakMap<Db, ReturnType<typeof prepare>>();
function prepare(db: Db) {
  return {
    upsert: db.prepare(
      `INSERT INTO net_alarms (origin, key, raised_at, severity, message, message_zh, value, threshold, cleared_at, reported_at, received_at)
       VALUES (@origin, @key, @raisedAt, @severity, @message, @messageZh, @value, @threshold, @clearedAt, @reportedAt, @receivedAt)
       ON CONFLICT (origin, key, raised_at) DO UPDATE SET severity = excluded.severity, message = excluded.message, message_zh = excluded.message_zh,
         value = excluded.value, threshold = excluded.threshold, cleared_at = COALESCE(net_alarms.cleared_at, excluded.cleared_at),
         reported_at = excluded.reported_at, received_at = excluded.received_at
       WHERE net_alarms.cleared_at IS NULL AND excluded.reported_at >= net_alarms.reported_at`,
    ),
  };
}

/** Applies one alarm.report (inside the batch's transaction). */
export function applyAlarmReport(db: Db, env: Envelope, at: Date): void {
  let s = statements.get(db);
  if (!s) statements.set(db, (s = prepare(db)));
  const b = env.body as AlarmReportBody;
  s.upsert.run({
    origin: env.from,
    key: b.key,
    raisedAt: b.raisedAt,
    severity: b.severity,
    message: b.message,
    messageZh: b.messageZh ?? null,
    value: b.value,
    threshold: b.threshold,
    clearedAt: b.clearedAt,
    reportedAt: env.at,
    receivedAt: at.toISOString(),
  });
}

/** The alarms of the boxes below: active ones first, then the latest cleared ones. */
export function belowAlarms(db: Db, o: { active?: boolean; limit?: number } = {}): BelowAlarm[] {
  const rows = db
    .prepare(
      `SELECT origin, key, severity, message, message_zh AS messageZh, value, threshold, raised_at AS raisedAt, cleared_at AS clearedAt, reported_at AS reportedAt, received_at AS receivedAt
       FROM net_alarms ${o.active ? 'WHERE cleared_at IS NULL' : ''}
       ORDER BY cleared_at IS NOT NULL, raised_at DESC LIMIT ?`,
    )
    .all(o.limit ?? 200);
  return rows as BelowAlarm[];
}
