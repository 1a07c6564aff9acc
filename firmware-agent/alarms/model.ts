// Alarms: what they are and what a raiser may say. A key names one condition ('disk-free',
// 'job-failed:backup'); while an alarm of that key is active, raising it again only refreshes its figure.
// Input from other subsystems (the jobs table, tests) is validated here and refused with AlarmError
// `alarm-input-invalid`, naming the field: an alarm API that accepted garbage would put it on every
// technician's phone.
import { alarmKeyPattern } from '../network/alarm-reports.js';

export type Severity = 'warning' | 'critical';

export interface AlarmInput {
  /** Stable name, lower case: letters, digits and `:._-`, 1–80 characters (e.g. `job-failed:backup`). */
  key: string;
  /** English description (1–500 characters). */
  message: string;
  /** Chinese description for the banner and the SMS (1–500 characters); the English one is used without it. */
  messageZh?: string | null;
  severity?: Severity;
  value?: number | null;
  threshold?: number | null;
}

export interface Alarm {
  id: number;
  key: string;
  source: 'threshold' | 'api';
  severity: Severity;
  message: string;
  messageZh: string | null;
  value: number | null;
  threshold: number | null;
  raisedAt: string;
  lastSeenAt: string;
  clearedAt: string | null;
  clearReason: string | null;
}

export class AlarmError extends Error {
  readonly code = 'alarm-input-invalid';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'AlarmError';
  }
}

const keyRe = new RegExp(alarmKeyPattern);
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function checkAlarmKey(key: unknown): string {
  if (typeof key !== 'string' || !keyRe.test(key)) throw new AlarmError('key', `alarm key must match ${alarmKeyPattern}, got ${JSON.stringify(key)?.slice(0, 100)}`);
  return key;
}

function text(field: string, v: unknown): string {
  // Control characters would break an SMS or a log line; lone surrogates cannot be encoded in UCS-2 SMS.
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > 500 || /[\u0000-\u001f\u007f]/.test(v) || loneSurrogate.test(v)) {
    throw new AlarmError(field, `${field} must be 1–500 printable characters`);
  }
  return v.trim();
}

function figure(field: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new AlarmError(field, `${field} must be a finite number or null`);
  return v;
}

/** Validates what a raiser passes; returns a clean copy. Throws AlarmError naming the first bad field. */
export function checkAlarmInput(x: unknown): Required<AlarmInput> {
  if (!x || typeof x !== 'object' || Array.isArray(x)) throw new AlarmError('(input)', 'alarm input must be an object');
  const o = x as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['key', 'message', 'messageZh', 'severity', 'value', 'threshold'].includes(k)) {
      const name = JSON.stringify(k.slice(0, 40));
      throw new AlarmError(name, `${name}: unknown field`);
    }
  }
  const severity = o.severity ?? 'warning';
  if (severity !== 'warning' && severity !== 'critical') throw new AlarmError('severity', 'severity must be warning or critical');
  return {
    key: checkAlarmKey(o.key),
    message: text('message', o.message),
    messageZh: o.messageZh === undefined || o.messageZh === null ? null : text('messageZh', o.messageZh),
    severity,
    value: figure('value', o.value),
    threshold: figure('threshold', o.threshold),
  };
}
