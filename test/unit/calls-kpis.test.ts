// Call KPIs computed from call records: 10秒接通率, abandonment, ASA, AHT, per hour and per day.
import t from 'tap';
import { callKpis } from '../../firmware-agent/calls/kpis.js';
import { openDb } from '../../firmware-agent/store/db.js';

const base = Date.UTC(2026, 10, 30, 1, 0, 0); // 09:00 China time

t.test('KPIs count only queued calls for answer and abandonment rates, bucketed by local hour and day', async (t) => {
  const db = openDb({ file: ':memory:' });
  t.teardown(() => db.close());
  const ins = db.prepare(`INSERT INTO calls (id, channel, caller, called, presentation, status, outcome, route,
    arrived_at, queued_at, agent_answered_at, ended_at) VALUES (?, 'sim', '13800000000', '12328', 'allowed', ?, ?, ?, ?, ?, ?, ?)`);
  const s = 1000;
  // 09:xx: answered in 5 s (talk 100 s), answered in 30 s (talk 200 s), abandoned after 40 s, a distress transfer.
  ins.run('a', 'ended', 'answered', 'queue', base, base + 20 * s, base + 25 * s, base + 125 * s);
  ins.run('b', 'ended', 'answered', 'queue', base + 60 * s, base + 80 * s, base + 110 * s, base + 310 * s);
  ins.run('c', 'ended', 'abandoned', 'queue', base + 120 * s, base + 140 * s, null, base + 180 * s);
  ins.run('d', 'ended', 'transferred', 'distress', base + 200 * s, null, null, base + 205 * s);
  // 10:xx: answered at once; a failed call (driver crash).
  ins.run('e', 'ended', 'answered', 'queue', base + 3600 * s, base + 3610 * s, base + 3612 * s, base + 3712 * s);
  ins.run('f', 'failed', 'failed', null, base + 3700 * s, null, null, base + 3701 * s);

  const r = callKpis(db, { from: base, to: base + 86_400_000, bucket: 'hour', timezone: 'Asia/Shanghai' });
  t.equal(r.total.offered, 6);
  t.equal(r.total.queued, 4);
  t.equal(r.total.answered, 3);
  t.equal(r.total.answeredWithin10s, 2);
  t.equal(r.total.answeredWithin10sRate, 0.5);
  t.equal(r.total.abandoned, 1);
  t.equal(r.total.abandonRate, 0.25);
  t.equal(r.total.asaMs, Math.round((5 + 30 + 2) * s / 3));
  t.equal(r.total.ahtMs, Math.round((100 + 200 + 100) * s / 3));
  t.equal(r.total.transferred, 1);
  t.equal(r.total.failed, 1);
  t.same(r.buckets.map((b) => [b.start, b.offered]), [
    ['2026-11-30T09:00', 4],
    ['2026-11-30T10:00', 2],
  ]);
  const daily = callKpis(db, { from: base - 3_600_000, to: base + 86_400_000, bucket: 'day', timezone: 'Asia/Shanghai' });
  t.same(daily.buckets.map((b) => [b.start, b.offered]), [['2026-11-30', 6]]);
  const empty = callKpis(db, { from: 0, to: 1000, bucket: 'day', timezone: 'Asia/Shanghai' });
  t.equal(empty.total.answeredWithin10sRate, null, 'no calls: no rate, not 0');
});
