// Property-based tests of the alarm API's inputs (firmware-agent/alarms/service.ts raiseAlarm/clearAlarm,
// the surface the jobs table and other subsystems call): any input is either stored clean or refused with
// AlarmError `alarm-input-invalid` naming a field — never another exception, never a half-written row —
// and the store keeps its invariant of at most one active alarm per key, whatever the sequence of calls.
// The SQLite store is real (in memory); only the SMS outbox is a recording stand-in (the layer below).
import fc from 'fast-check';
import t from 'tap';
import { AlarmError, checkAlarmInput } from '../../firmware-agent/alarms/model.js';
import { AlarmService } from '../../firmware-agent/alarms/service.js';
import { AuditLog } from '../../firmware-agent/audit/audit.js';
import { defaultConfig } from '../../firmware-agent/config/model.js';
import { openDb } from '../../firmware-agent/store/db.js';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const runs = Number(process.env.FUZZ_RUNS ?? 300);

// One store for every run (migrating a fresh one per run costs more than the property); each run starts
// from empty tables.
const db = openDb({ file: ':memory:' });
t.teardown(() => db.close());

function service(clock: { t: number }) {
  db.exec('DELETE FROM alarms; DELETE FROM alarm_sms;'); // the audit log is append-only: left as it grows
  const sent: { recipient: string; text: string }[] = [];
  const s = new AlarmService({
    db,
    audit: new AuditLog(db),
    now: () => new Date(clock.t),
    config: () => ({ ...defaultConfig.alarms, dutyTechnicianPhone: '13900139000' }),
    identity: () => ({ name: '甘南州12328', region: '623000' }),
    log: { info() {}, warn() {}, error() {} },
  });
  s.sms = { enqueue: (m) => (sent.push(m), sent.length), kick() {} };
  return { db, s, sent };
}

const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('job-failed:backup', 'job-failed:retention', 'store-write') },
  fc.constantFrom('job-failed:backup', 'job-failed:retention', 'store-write', 'disk-free', 'a', 'x'.repeat(80), 'x'.repeat(81), 'Job', 'job failed', '', '-x', 'job:备份'),
  fc.stringMatching(/^[a-z0-9][a-z0-9:._-]{0,12}$/),
  fc.string({ maxLength: 20 }),
);
const text = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('备份失败：磁盘已满', 'backup failed') }, fc.constantFrom('备份失败：磁盘已满', 'backup failed', '', '   ', 'a\nb', '\u0000', '\ud800', '😀', 'x'.repeat(500), 'x'.repeat(501)), fc.string({ maxLength: 40 }));
const weird = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }));
const input = fc.oneof(
  fc.record(
    {
      key,
      message: text,
      messageZh: fc.oneof(text, fc.constant(null)),
      severity: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('warning', 'critical') }, weird),
      value: fc.oneof({ weight: 4, arbitrary: fc.oneof(fc.double(), fc.constant(null)) }, weird),
      threshold: fc.oneof(fc.double(), fc.constant(null)),
      extra: weird,
    },
    { requiredKeys: ['key', 'message'] },
  ),
  fc.record({ key, message: text }),
  fc.anything({ maxDepth: 2 }),
);

t.test(`raiseAlarm: stored clean or refused with a named field (${runs} runs, seed ${seed})`, async (t) => {
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(input, (x) => {
      const clock = { t: Date.parse('2026-12-04T10:00:00Z') };
      const { db, s } = service(clock);
      try {
        const a = s.raiseAlarm(x as never);
        accepted++;
        const clean = checkAlarmInput(x);
        return a.key === clean.key && a.message === clean.message && a.clearedAt === null && s.active().length === 1;
      } catch (err) {
        if (!(err instanceof AlarmError) || err.code !== 'alarm-input-invalid' || !err.field) throw err;
        refused++;
        return (db.prepare('SELECT COUNT(*) AS n FROM alarms').get() as { n: number }).n === 0;
      }
    }),
    { seed, numRuns: runs },
  );
  t.ok(accepted > 0 && refused > 0, `both outcomes were reached (${accepted} accepted, ${refused} refused)`);
});

const call = fc.oneof(
  fc.record({ op: fc.constant('raise' as const), key: fc.constantFrom('job-failed:a', 'job-failed:b', 'store-write'), minutes: fc.integer({ min: 0, max: 90 }) }),
  fc.record({ op: fc.constant('clear' as const), key: fc.constantFrom('job-failed:a', 'job-failed:b', 'store-write', 'nothing'), minutes: fc.integer({ min: 0, max: 90 }) }),
);

t.test('any sequence of raises and clears: one active row per key, a history row per raise, at most one SMS per key and hour', async (t) => {
  fc.assert(
    fc.property(fc.array(call, { maxLength: 40 }), (calls) => {
      const clock = { t: Date.parse('2026-12-04T10:00:00Z') };
      const { db, s, sent } = service(clock);
      const model = new Map<string, boolean>();
      let raises = 0;
      const smsAt = new Map<string, number[]>();
      for (const c of calls) {
        clock.t += c.minutes * 60_000;
        if (c.op === 'raise') {
          const before = sent.length;
          const fresh = !model.get(c.key);
          s.raiseAlarm({ key: c.key, message: `${c.key} failed` });
          if (fresh) raises++;
          const last = smsAt.get(c.key)?.at(-1);
          const due = fresh && (last === undefined || clock.t - last >= 3_600_000);
          // An SMS goes exactly when a new raise finds none sent about the key within the hour.
          if ((sent.length > before) !== due) return false;
          if (due) smsAt.set(c.key, [...(smsAt.get(c.key) ?? []), clock.t]);
          model.set(c.key, true);
        } else {
          const r = s.clearAlarm(c.key, 'ok');
          if ((r !== null) !== !!model.get(c.key)) return false;
          model.set(c.key, false);
        }
      }
      const active = s.active().map((a) => a.key).sort();
      const expected = [...model].filter(([, v]) => v).map(([k]) => k).sort();
      if (JSON.stringify(active) !== JSON.stringify(expected)) return false;
      if ((db.prepare('SELECT COUNT(*) AS n FROM alarms').get() as { n: number }).n !== raises) return false;
      for (const times of smsAt.values()) for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! < 3_600_000) return false;
      return sent.every((m) => m.recipient === '13900139000' && m.text.startsWith('【12328'));
    }),
    { seed, numRuns: Math.max(50, Math.round(runs / 3)) },
  );
  t.pass('the store kept its invariants');
});
