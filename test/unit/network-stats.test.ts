// Daily statistics: volumes by type, domain and channel and the scoring method's ticket KPIs, each with
// numerator and denominator, over the tickets received on one local day.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { systemActor } from '../../firmware-agent/accounts/service.js';
import { type Box } from '../../firmware-agent/app.js';
import { startTestBox } from '../helpers/box.js';
import { addDays, localDay, localTime } from '../../firmware-agent/calendar/time.js';
import { newEnvelope } from '../../firmware-agent/network/messages.js';
import { NetworkService } from '../../firmware-agent/network/service.js';
import { computeDailyStats } from '../../firmware-agent/stats/daily.js';
import { computeKpis, kpiKeys } from '../../firmware-agent/stats/kpis.js';
import { waitFor } from '../helpers/wait.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-stats-'));
let box: Box;
t.before(async () => {
  box = (await startTestBox({ login: false, dataDir: dir, role: 'city', region: '623000', flags: { 'net-idle-ms': '60000' } })).box;
});
t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

t.test('a day’s tickets are counted by type, domain and channel, with the report’s KPIs an upstream can add up', async (t) => {
  const base = { caller: { phone: '13800138000' }, region: '623001', description: '详细情况' };
  const inquiry = (subject: string, channel: 'phone' | 'sms') => box.tickets.create({ ...base, type: 'inquiry', domain: 'bus', channel, subject }, systemActor);
  const a = inquiry('公交线路咨询', 'phone');
  inquiry('末班车时间', 'sms');
  const c = box.tickets.create({ ...base, type: 'complaint', domain: 'taxi', channel: 'phone', subject: '出租车拒载' }, systemActor);
  const d = box.tickets.create({ ...base, type: 'complaint', domain: 'taxi', channel: 'phone', subject: '出租车拒载（重复来电）' }, systemActor);
  const e = box.tickets.create({ ...base, type: 'complaint', domain: 'taxi', channel: 'phone', subject: '出租车绕路' }, systemActor);
  box.tickets.act(a.number, 'answer', { text: '请乘坐1路' }, systemActor);
  box.tickets.act(a.number, 'visit', { satisfaction: 'neutral' }, systemActor);
  const dept = box.accounts.createDepartment({ name: '运管所' }, systemActor);
  for (const n of [c.number, e.number]) box.tickets.act(n, 'dispatch', { department: dept.id }, systemActor);
  box.tickets.act(d.number, 'merge', { into: c.number }, systemActor);
  box.tickets.act(e.number, 'accept', {}, systemActor);
  box.tickets.act(e.number, 'reply', { text: '已处理' }, systemActor);
  box.tickets.act(e.number, 'review', { outcome: 'approved' }, systemActor);

  const day = localDay(new Date(), 'Asia/Shanghai');
  const now = new Date();
  const s = computeDailyStats(box.db, '623000', day, 'Asia/Shanghai', now);
  t.equal(s.volumes.total, 5, 'the merged ticket counts in the volumes');
  t.same(s.volumes.byType, { complaint: 3, inquiry: 2 });
  t.same(s.volumes.byDomain, { bus: 2, taxi: 3 });
  t.same(s.volumes.byChannel, { phone: 4, sms: 1 });
  t.same(s.kpis.inquiryImmediateAnswerRate, { numerator: 1, denominator: 2, rate: 0.5 });
  t.same(s.kpis.immediateAnswerSatisfactionRate, { numerator: 1, denominator: 1, rate: 1 }, '基本满意 counts as satisfied');
  t.same(s.kpis.dispatchedVisitRate, { numerator: 0, denominator: 1, rate: 0 }, 'over the replied dispatched tickets (e), not every dispatched one (c)');
  t.same(s.kpis.complaintOnTimeRate, { numerator: 1, denominator: 1, rate: 1 }, 'e replied on time; c open and not due; d merged');
  t.same(s.kpis.complaintReviewRate, { numerator: 1, denominator: 1, rate: 1 }, 'e reviewed and approved');
  // The same definitions as the box's own report: the day's pairs are computeKpis over the day.
  const own = computeKpis(box.db, { fromIso: localTime(day, 'Asia/Shanghai').toISOString(), toIso: localTime(addDays(day, 1), 'Asia/Shanghai').toISOString(), now });
  for (const k of kpiKeys) {
    const o = own[k];
    t.same(s.kpis[k], o.available ? { numerator: o.numerator, denominator: o.denominator, rate: o.rate } : null, `${k} as in the report`);
  }
  const other = computeDailyStats(box.db, '623000', '2020-01-01', 'Asia/Shanghai', new Date());
  t.equal(other.volumes.total, 0, 'another day counts nothing');
});

t.test('a day’s call KPIs come from the calls that arrived that day, with numerators and denominators', async (t) => {
  const day = '2026-11-20';
  const at = (h: number, m: number, s = 0) => localTime(day, 'Asia/Shanghai', h, m, s).getTime();
  const call = box.db.prepare(
    `INSERT INTO calls (id, channel, called, presentation, status, outcome, route, arrived_at, queued_at, agent_answered_at, ended_at)
     VALUES (?, 'sim', '12328', 'allowed', 'ended', ?, ?, ?, ?, ?, ?)`,
  );
  call.run('c1', 'answered', 'queue', at(9, 0), at(9, 0, 10), at(9, 0, 14), at(9, 3)); // 4 s wait
  call.run('c2', 'answered', 'queue', at(9, 5), at(9, 5, 5), at(9, 5, 25), at(9, 8)); // 20 s wait
  call.run('c3', 'abandoned', 'queue', at(10, 0), at(10, 0, 5), null, at(10, 1));
  call.run('c4', 'transferred', 'distress', at(11, 0), null, null, at(11, 0, 20)); // IVR only: offered, not queued
  call.run('c5', 'answered', 'queue', at(23, 59, 59) + 999 + 1, at(23, 59, 59) + 2000, at(23, 59, 59) + 3000, null); // the next day
  const s = computeDailyStats(box.db, '623000', day, 'Asia/Shanghai', new Date());
  t.same(s.calls, {
    offered: 4,
    queued: 3,
    answered: 2,
    abandoned: 1,
    answeredWithin10sRate: { numerator: 1, denominator: 3, rate: 0.3333 },
    abandonmentRate: { numerator: 1, denominator: 3, rate: 0.3333 },
    averageSpeedOfAnswerSeconds: 12,
    answerWaitSeconds: 24,
  });
  const none = computeDailyStats(box.db, '623000', '2020-01-01', 'Asia/Shanghai', new Date());
  t.same(none.calls?.answeredWithin10sRate, { numerator: 0, denominator: 0, rate: null });
  t.equal(none.calls?.averageSpeedOfAnswerSeconds, null);
});

t.test('a receiver keeps the latest computation of a day, whatever order they arrive in', async (t) => {
  const net = new NetworkService({ db: box.db, tickets: box.tickets, regions: box.regions, role: () => 'province', region: () => '620000', now: () => new Date() });
  const body = (computedAt: string, total: number) => ({ region: '623000', day: '2026-11-21', computedAt, volumes: { total } });
  const later = newEnvelope('stats.daily', '623000', '^', new Date(), body('2026-11-28T16:05:00.000Z', 9));
  const earlier = newEnvelope('stats.daily', '623000', '^', new Date(), body('2026-11-22T16:05:00.000Z', 4));
  net.applyBatch([later, earlier], '623000');
  const row = box.db.prepare("SELECT body FROM net_stats WHERE region = '623000' AND day = '2026-11-21'").get() as { body: string };
  t.equal(JSON.parse(row.body).volumes.total, 9, 'the recomputation a week later stands');
});

t.test('the daily job computes the last seven days again once a day and queues them up', async (t) => {
  const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-stats-job-'));
  const b = (await startTestBox({ login: false, dataDir: dir2, role: 'city', region: '623000', flags: { 'net-idle-ms': '60000', 'net-stats-check-ms': '100', 'no-ui-build': true } })).box;
  t.teardown(async () => {
    await b.close();
    fs.rmSync(dir2, { recursive: true, force: true });
  });
  const today = localDay(new Date(), 'Asia/Shanghai');
  const expected = Array.from({ length: 7 }, (_, i) => addDays(today, i - 7));
  const days = () => (b.db.prepare('SELECT day FROM net_stats ORDER BY day').all() as { day: string }[]).map((r) => r.day);
  // The job's first run comes on a timer soon after start.
  await waitFor('the seven days of statistics', () => days().length >= 7);
  t.same(days(), expected, 'yesterday and the six days before it');
  const queued = () => (b.db.prepare("SELECT count(*) AS n FROM net_outbox WHERE kind = 'stats.daily' AND hop = 'up'").get() as { n: number }).n;
  t.equal(queued(), 7, 'one message per day, waiting for the upstream');
  const checks = () => (b.db.prepare("SELECT count(*) AS n FROM net_meta WHERE key LIKE 'stats-run:%'").get() as { n: number }).n;
  t.equal(checks(), 1, 'the run is recorded for today: later checks the same day skip it');
});
