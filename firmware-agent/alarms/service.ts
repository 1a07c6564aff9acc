// The alarm service: raises and clears alarms with their history, and on each raise or clear, in the same
// transaction: the audit record, the SMS to the duty technician (through the SMS channel's durable outbox,
// at most once per alarm key and hour), and the alarm.report to the upstream (through the network's
// durable outbox). Listeners ('raised', 'cleared') run after the commit.
//
// This is the API for other subsystems (the jobs table raises `job-failed:<name>` when a job fails and
// clears it when the job next succeeds): see docs/technician.md §Alarms.
import { EventEmitter } from 'node:events';
import type { AuditLog } from '../audit/audit.js';
import type { AlarmsConfig } from '../config/model.js';
import type { Db } from '../store/db.js';
import type { Actor } from '../accounts/actor.js';
import { type Alarm, type AlarmInput, AlarmError, checkAlarmInput, checkAlarmKey } from './model.js';
import { type Decision, type Figures, Hysteresis, evaluate, ruleKeys } from './rules.js';
import { AlarmStore } from './store.js';
import type { Logger } from '../../common/log.js';

/** Where an SMS to the duty technician goes: the SMS channel's outbox (enqueue inside the transaction, kick after). */
export interface AlarmSms {
  enqueue(m: { recipient: string; text: string; kind: 'alert' }): number | null;
  kick(): void;
}

/** Where an alarm report to the upstream goes: the network's outbox (inside the transaction). */
export type AlarmUpstream = (alarm: Alarm, at: Date) => void;

export interface AlarmServiceDeps {
  db: Db;
  audit: AuditLog;
  now: () => Date;
  config: () => Readonly<AlarmsConfig>;
  /** The box's name and region for the SMS text. */
  identity: () => { name: string; region: string };
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

const smsEveryMs = 3_600_000;
export const alarmActor: Actor = { id: null, name: 'alarms', role: 'system' };

export interface AlarmEvents {
  raised: [Alarm];
  cleared: [Alarm];
}

export class AlarmService extends EventEmitter<AlarmEvents> {
  readonly store: AlarmStore;
  readonly #hysteresis = new Hysteresis();
  sms: AlarmSms | null = null;
  upstream: AlarmUpstream | null = null;

  constructor(readonly deps: AlarmServiceDeps) {
    super();
    this.store = new AlarmStore(deps.db);
  }

  /**
   * Raises an alarm for another subsystem (source 'api'), or refreshes its figure when it is active.
   * Throws AlarmError (code alarm-input-invalid) naming the bad field; a key the threshold rules own
   * ('disk-free', 'trunk-down', …) is refused too.
   */
  raiseAlarm(input: AlarmInput, actor: Actor = alarmActor): Alarm {
    const clean = checkAlarmInput(input);
    if (ruleKeys.has(clean.key)) throw new AlarmError('key', `alarm key ${clean.key} belongs to a threshold rule`);
    return this.#raise(clean, 'api', actor);
  }

  /** Clears the active alarm of `key`; null when none was active (clearing twice is harmless). */
  clearAlarm(key: string, reason = 'cleared', actor: Actor = alarmActor): Alarm | null {
    checkAlarmKey(key);
    if (typeof reason !== 'string' || reason.length > 200) throw new AlarmError('reason', 'reason must be a string of up to 200 characters');
    return this.#clear(key, reason, actor);
  }

  active(): Alarm[] {
    return this.store.active();
  }

  /** Applies one health sample's figures to the threshold rules. Returns what it decided. */
  evaluate(figures: Figures): Decision[] {
    const active = new Set(this.store.active().filter((a) => a.source === 'threshold').map((a) => a.key));
    const decisions = evaluate(figures, this.deps.config(), this.#hysteresis, active);
    for (const d of decisions) {
      try {
        if (d.action === 'raise') this.#raise({ key: d.key, message: d.message, messageZh: d.messageZh, severity: d.severity, value: d.value, threshold: d.threshold }, 'threshold', alarmActor);
        else this.#clear(d.key, d.message, alarmActor);
      } catch (err) {
        this.deps.log.error({ err, key: d.key }, `alarm ${d.action} could not be stored; the next sample tries again`);
      }
    }
    return decisions;
  }

  #raise(input: Required<AlarmInput>, source: Alarm['source'], actor: Actor): Alarm {
    const at = this.deps.now();
    const r = this.deps.db.transaction(() => {
      const r = this.store.raise(input, source, at);
      if (!r.raised) return { ...r, smsQueued: false };
      const a = r.alarm;
      this.deps.audit.append(actor, at, { entity: 'alarm', entityId: a.key, action: 'raise', data: { id: a.id, severity: a.severity, message: a.message, value: a.value, threshold: a.threshold } });
      const smsQueued = this.#smsTechnician(a, at);
      if (this.deps.config().reportUpstream) this.upstream?.(a, at);
      return { ...r, smsQueued };
    })();
    if (r.smsQueued) this.sms?.kick();
    if (r.raised) {
      const a = r.alarm;
      this.deps.log.warn({ key: a.key, severity: a.severity, value: a.value, threshold: a.threshold }, `alarm raised: ${a.message}`);
      this.emit('raised', a);
    }
    return r.alarm;
  }

  #clear(key: string, reason: string, actor: Actor): Alarm | null {
    const at = this.deps.now();
    const alarm = this.deps.db.transaction(() => {
      const a = this.store.clear(key, reason, at);
      if (!a) return null;
      this.deps.audit.append(actor, at, { entity: 'alarm', entityId: key, action: 'clear', data: { id: a.id, reason } });
      if (this.deps.config().reportUpstream) this.upstream?.(a, at);
      return a;
    })();
    if (alarm) {
      this.deps.log.info({ key, reason }, 'alarm cleared');
      this.emit('cleared', alarm);
    }
    return alarm;
  }

  /** Queues the SMS for a raised alarm when a technician is on duty and the key had none this hour. */
  #smsTechnician(a: Alarm, at: Date): boolean {
    const to = this.deps.config().dutyTechnicianPhone;
    if (!to || !this.sms) return false;
    const last = this.store.lastSms(a.key);
    if (last && at.getTime() - Date.parse(last) < smsEveryMs) return false;
    const id = this.deps.identity();
    const level = a.severity === 'critical' ? '严重告警' : '告警';
    const text = `【12328${level}】${id.name}(${id.region}) ${a.messageZh ?? a.message} [${a.key}]`;
    const outboxId = this.sms.enqueue({ recipient: to, text: text.slice(0, 300), kind: 'alert' });
    this.store.recordSms(a.key, at, outboxId);
    return true;
  }
}
