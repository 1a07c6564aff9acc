// Call KPIs computed from call records: 10秒接通率, abandonment, ASA, AHT, per hour and per day.
import t from 'tap';
import { callKpis, callKpisFor } from '../../firmware-agent/calls/kpis.js';
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

t.test('handle time of a call the agent transfers out stops when the agent is released, not at the call end', async (t) => {
  const db = openDb({ file: ':memory:' });
  t.teardown(() => db.close());
  const call = db.prepare(`INSERT INTO calls (id, channel, caller, called, presentation, status, outcome, route,
    arrived_at, queued_at, agent_answered_at, transferred_at, ended_at) VALUES (?, 'sim', '13800000000', '12328', 'allowed', ?, ?, 'queue', ?, ?, ?, ?, ?)`);
  const leg = db.prepare('INSERT INTO call_legs (call_id, kind, target, started_at, ended_at, outcome) VALUES (?, ?, ?, ?, ?, ?)');
  const s = 1000;
  // Answered at 25 s; the agent transfers the caller to 12306 at 85 s (released: 60 s of handle time); the
  // caller then talks to 12306 until 400 s, which is not the agent's time.
  call.run('x', 'ended', 'transferred', base, base + 20 * s, base + 25 * s, base + 90 * s, base + 400 * s);
  leg.run('x', 'agent', '1', base + 25 * s, base + 85 * s, 'transferred');
  leg.run('x', 'transfer', '12306', base + 85 * s, base + 90 * s, 'connected');
  // A transfer that failed: back to the queue, a second agent answers and the caller hangs up:
  // 30 s with the first agent + 40 s with the second, not 200 s from the first answer to the end.
  call.run('y', 'ended', 'answered', base + 1000 * s, base + 1010 * s, base + 1015 * s, null, base + 1215 * s);
  leg.run('y', 'agent', '1', base + 1015 * s, base + 1045 * s, 'transferred');
  leg.run('y', 'transfer', '12345', base + 1045 * s, base + 1075 * s, 'busy');
  leg.run('y', 'agent', '2', base + 1175 * s, base + 1215 * s, 'hangup');
  // An agent still talking: not in the average yet.
  call.run('z', 'talking', null, base + 2000 * s, base + 2005 * s, base + 2010 * s, null, null);
  leg.run('z', 'agent', '3', base + 2010 * s, null, null);

  const r = callKpis(db, { from: base, to: base + 86_400_000, bucket: 'day', timezone: 'Asia/Shanghai' });
  t.equal(r.total.answered, 3);
  t.equal(r.total.ahtMs, Math.round(((85 - 25) + (30 + 40)) * s / 2));
  t.equal(callKpisFor(db, ['x']).ahtMs, 60 * s, 'a traffic run counts it the same way');
});
