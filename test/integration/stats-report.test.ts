// Statistics (issue 15 §1, §2, §4, §5, §6): a fixture month (September 2026) in a real store, every KPI and
// volume computed by hand here, 同比/环比, the tickets behind every figure, role scoping, the province view
// of the boxes below, agent figures, and the .xlsx export read back by an independent reader (python3's
// zipfile + XML parser) with the same figures as the JSON API.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { localTime } from '../../firmware-agent/calendar/time.js';
import { computeDailyStats } from '../../firmware-agent/stats/daily.js';
import { kpiKeys } from '../../firmware-agent/stats/kpis.js';
import { staff, startTestBox, type Client } from '../helpers/box.js';

const tz = 'Asia/Shanghai';
const now = new Date('2026-10-20T04:00:00Z');
const at = (day: string, h = 10, m = 0) => localTime(day, tz, h, m);

t.test('a fixture month: KPIs, volumes, 同比/环比, drill-down, scoping, export', async (t) => {
  const tb = await startTestBox({ now: () => now, region: '623000' });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const db = tb.box.db;
  const cal = tb.box.calendar;
  const agentId = (db.prepare("SELECT id FROM users WHERE username = 'agent1'").get() as { id: number }).id;
  const A = s.dept.id;
  const B = s.other.id;

  let seq = 0;
  interface Fx {
    type: string;
    subtype?: string;
    channel: string;
    region?: string;
    created: Date;
    due?: Date | null;
    status?: string;
    dept?: number;
    answered?: boolean;
    dispatched?: boolean;
    replied?: Date;
    closed?: Date;
    satisfaction?: string;
    reopen?: number;
    transferredTo?: string;
    mergedInto?: string;
    by?: number;
    /** 复核 outcome of the current result. */
    review?: 'approved' | 'returned';
  }
  const insert = db.prepare(
    `INSERT INTO tickets (id, number, type, subtype, domain, channel, region, subject, description, status, department_id, due_at,
       answer_text, satisfaction, reopen_count, merged_into, created_by, created_at, updated_at, dispatched_at, replied_at, closed_at, transferred_to, review_outcome, reviewed_at)
     VALUES (@id, @number, @type, @subtype, 'taxi', @channel, @region, '拒载', '描述', @status, @dept, @due, @answer, @satisfaction, @reopen,
       @merged, @by, @created, @created, @dispatched, @replied, @closed, @transferred, @review, @reviewed)`,
  );
  const add = (f: Fx): string => {
    seq += 1;
    const number = `6230002026090${String(seq).padStart(6, '0')}`;
    insert.run({
      id: `fx-${seq}`,
      number,
      type: f.type,
      subtype: f.subtype ?? null,
      channel: f.channel,
      region: f.region ?? '623001',
      status: f.status ?? (f.closed ? 'closed' : f.replied ? 'replied' : f.dispatched ? 'dispatched' : 'received'),
      dept: f.dept ?? null,
      due: f.due === null ? null : (f.due ?? cal.addWorkingDays(f.created, 5).dueAt).toISOString(),
      answer: f.answered ? '已即时答复' : null,
      satisfaction: f.satisfaction ?? null,
      reopen: f.reopen ?? 0,
      merged: f.mergedInto ?? null,
      by: f.by ?? null,
      created: f.created.toISOString(),
      dispatched: f.dispatched ? new Date(f.created.getTime() + 3_600_000).toISOString() : null,
      replied: f.replied?.toISOString() ?? null,
      closed: f.closed?.toISOString() ?? null,
      transferred: f.transferredTo ?? null,
      review: f.review ?? null,
      reviewed: f.review && f.replied ? new Date(f.replied.getTime() + 3_600_000).toISOString() : null,
    });
    return number;
  };

  // Overdue by one working day across a holiday: received the day before National Day; one working day
  // later is the 8th of October (1–7 October are holidays), and the reply came one working day after that.
  const beforeHoliday = at('2026-09-30');
  const due4 = cal.addWorkingDays(beforeHoliday, 1).dueAt;
  t.ok(due4.getTime() > at('2026-10-07').getTime(), `one working day after 30 Sep skips the holiday: ${due4.toISOString()}`);
  const late4 = cal.addWorkingDays(due4, 1).dueAt;

  // 1 — the very first instant of the month, answered at once, satisfied.
  add({ type: 'inquiry', channel: 'phone', created: localTime('2026-09-01', tz), answered: true, closed: at('2026-09-01', 0, 5), satisfaction: 'satisfied', by: agentId });
  // 2 — answered at once, unsatisfied, never reopened: a bad review not rectified.
  add({ type: 'inquiry', channel: 'web', created: at('2026-09-02'), answered: true, closed: at('2026-09-02', 10, 4), satisfaction: 'unsatisfied', by: agentId });
  // 3 — dispatched to A, replied on time, not visited.
  const n3 = add({ type: 'inquiry', channel: 'wechat', created: at('2026-09-03'), dept: A, dispatched: true, replied: at('2026-09-04') });
  // 4 — dispatched to A, replied one working day late across the holiday, neutral.
  add({ type: 'suggestion', channel: 'sms', created: beforeHoliday, due: due4, dept: A, dispatched: true, replied: late4, satisfaction: 'neutral' });
  // 5 — from 12345 (JT/T "other"), dispatched to B, still open, past its due time at `now`.
  add({ type: 'suggestion', subtype: 'praise', channel: '12345', created: at('2026-09-10'), due: at('2026-09-17'), dept: B, dispatched: true });
  // 6 — complaint to A, replied on time, visited unsatisfied, reopened: a rectified bad review. Its result
  // was not reviewed (复核): in the review rate's denominator only.
  add({ type: 'complaint', subtype: 'complaint', channel: 'phone', region: '620102', created: at('2026-09-11'), dept: A, dispatched: true, replied: at('2026-09-14'), satisfaction: 'unsatisfied', reopen: 1 });
  // 7 — report (举报) to B, replied on time, its result approved by the centre's review (复核), satisfied.
  const n7 = add({ type: 'complaint', subtype: 'report', channel: 'phone', region: '620102', created: at('2026-09-12'), dept: B, dispatched: true, replied: at('2026-09-15'), review: 'approved', satisfaction: 'satisfied' });
  // 8 — merged into 7: counted in the volumes, in none of the KPIs (its approved review neither).
  add({ type: 'complaint', subtype: 'complaint', channel: 'phone', region: '620102', created: at('2026-09-12', 11), status: 'merged', mergedInto: n7, dispatched: true, replied: at('2026-09-12', 11, 30), review: 'approved', closed: at('2026-09-12', 12), satisfaction: 'unsatisfied' });
  // 9 — sent to another box for handling: volumes only (the review there is the handling box's).
  add({ type: 'complaint', channel: 'phone', region: '620102', created: at('2026-09-20'), transferredTo: '620100', status: 'dispatched', dispatched: true, replied: at('2026-10-15'), review: 'approved' });
  // 10 — still open, due after `now`: not yet in any on-time denominator.
  add({ type: 'inquiry', channel: 'phone', region: '620102', created: at('2026-09-30', 23, 59), due: at('2026-10-30') });
  // Outside the month: August (环比), September 2025 (同比), the first instant of October (dispatched to A,
  // open, due after `now`: October's only department row, neither late nor on time).
  add({ type: 'inquiry', channel: 'letter', created: at('2026-08-15') });
  add({ type: 'inquiry', channel: 'phone', created: at('2025-09-10') });
  add({ type: 'inquiry', channel: 'phone', created: at('2025-09-11') });
  add({ type: 'inquiry', channel: 'phone', created: localTime('2026-10-01', tz), dept: A, dispatched: true, due: at('2026-10-30') });
  // Department A sent ticket 3 back once.
  db.prepare("INSERT INTO audit (at, actor_name, entity, entity_id, action) VALUES (?, 'taxi1', 'ticket', ?, 'return')").run(at('2026-09-03', 12).toISOString(), n3);

  const res = await s.supervisor.get('/api/stats/report?period=month&at=2026-09');
  t.equal(res.statusCode, 200, res.body);
  const r = res.json();
  t.same([r.period.from, r.period.to, r.previous.from, r.yearAgo.from], ['2026-09-01', '2026-10-01', '2026-08-01', '2025-09-01']);

  // KPIs by hand (docs/statistics.md): base = tickets 1–10 except 8 (merged).
  const kpi = (k: string) => [r.kpis[k].numerator, r.kpis[k].denominator, r.kpis[k].rate];
  t.same(kpi('inquiryImmediateAnswerRate'), [2, 4, 0.5], 'inquiries 1,2,3,10; answered at once 1,2');
  t.same(kpi('nonComplaintOnTimeRate'), [3, 5, 0.6], 'settled or overdue 1,2,3,4,5; on time 1,2,3 (4 one working day late, 5 overdue open)');
  t.same(kpi('immediateAnswerSatisfactionRate'), [1, 2, 0.5], 'answered at once and visited 1,2; satisfied 1');
  t.same(kpi('dispatchedVisitRate'), [3, 4, 0.75], 'dispatched here and replied 3,4,6,7; visited 4,6,7');
  t.same(kpi('badReviewRectificationRate'), [1, 2, 0.5], 'bad reviews 2,6; reopened 6');
  t.same(kpi('complaintOnTimeRate'), [2, 2, 1], 'complaints 6,7 (8 merged, 9 transferred out)');
  t.same(kpi('complaintVisitSatisfactionRate'), [1, 2, 0.5], 'visited complaints 6,7; satisfied 7');
  t.same(kpi('complaintReviewRate'), [1, 2, 0.5], 'complaints replied by a department here 6,7 (8 merged, 9 transferred out); approved 7');
  // Score: Σ w·rate / Σ w over the eight KPIs with the default weights.
  const expected = (15 * 0.5 + 15 * 0.6 + 10 * 0.5 + 10 * 0.75 + 10 * 0.5 + 15 * 1 + 10 * 0.5 + 15 * 0.5) / 100;
  t.equal(r.score.value, Math.round(expected * 10000) / 100);
  t.equal(r.score.usesDefaultWeights, true);
  const weighted = (await s.supervisor.get('/api/stats/kpis?period=month&at=2026-09&weights=complaintOnTimeRate:0,inquiryImmediateAnswerRate:100')).json();
  const e2 = (100 * 0.5 + 15 * 0.6 + 10 * 0.5 + 10 * 0.75 + 10 * 0.5 + 10 * 0.5 + 15 * 0.5) / 170;
  t.equal(weighted.score.value, Math.round(e2 * 10000) / 100, 'configured weights');

  // The daily figures a box sends upstream (stats/daily.ts) follow the same definitions: September's days
  // added up, as a province adds them, give the month's report.
  const sum = Object.fromEntries(kpiKeys.map((k) => [k, [0, 0]])) as Record<string, [number, number]>;
  for (let d = 1; d <= 30; d++) {
    const daily = computeDailyStats(db, '623000', `2026-09-${String(d).padStart(2, '0')}`, tz, now);
    for (const k of kpiKeys) sum[k] = [sum[k]![0] + daily.kpis[k].numerator, sum[k]![1] + daily.kpis[k].denominator];
  }
  for (const k of kpiKeys) t.same(sum[k], [r.kpis[k].numerator, r.kpis[k].denominator], `${k}: the days sent upstream add up to the month`);

  // Volumes, share, 同比, 环比.
  t.same([r.total.count, r.total.previous, r.total.yearAgo, r.total.momChange, r.total.yoyChange], [10, 1, 2, 9, 4]);
  const ch = Object.fromEntries(r.tables.channel.map((f: { key: string }) => [f.key, f]));
  t.same([ch['phone-12328'].count, ch['phone-12328'].share, ch['phone-12328'].yearAgo, ch['phone-12328'].yoyChange, ch['phone-12328'].momChange], [6, 0.6, 2, 2, null]);
  t.same([ch.other.count, ch.other.previous, ch.other.momChange], [1, 1, 0], '12345 and letters count as other');
  t.same([ch.website.count, ch.wechat.count, ch.sms.count, ch.weibo.count, ch.fax.count], [1, 1, 1, 0, 0]);
  t.equal(r.tables.channel.length, 9, 'all nine JT/T 1019.5 channels');
  const ty = Object.fromEntries(r.tables.type.map((f: { key: string; count: number }) => [f.key, f.count]));
  t.same(ty, { inquiry: 4, suggestion: 2, complaint: 4 });
  const sub = Object.fromEntries(r.tables.subtype.map((f: { key: string; count: number }) => [f.key, f.count]));
  t.same([sub['complaint/complaint'], sub['complaint/report'], sub['suggestion/praise']], [2, 1, 1]);
  t.same(r.tables.region.rows.map((f: { key: string; zh: string; count: number }) => [f.key, f.zh, f.count]), [['620000', '甘肃省', 10]]);
  const cities = (await s.supervisor.get('/api/stats/report?period=month&at=2026-09&region=620000')).json();
  t.same(cities.tables.region.rows.map((f: { key: string; count: number }) => [f.key, f.count]), [['620100', 5], ['623000', 5]], 'province → cities');
  const counties = (await s.supervisor.get('/api/stats/report?period=month&at=2026-09&region=623000')).json();
  t.same(counties.tables.region.rows.map((f: { key: string; zh: string; count: number }) => [f.key, f.zh, f.count]), [['623001', '合作市', 5]], 'city → counties');

  const dep = Object.fromEntries(r.tables.department.map((d: { department: number }) => [d.department, d]));
  t.same([dep[A].count, dep[A].onTime.numerator, dep[A].onTime.denominator, dep[A].returns, dep[A].overdue], [3, 2, 3, 1, 1]);
  t.same([dep[B].count, dep[B].onTime.numerator, dep[B].onTime.denominator, dep[B].returns, dep[B].overdue], [2, 1, 2, 0, 1]);
  // A department whose only ticket is open and not yet due: zeros, not nulls (sum() over NULL comparisons).
  const october = (await s.supervisor.get('/api/stats/report?period=month&at=2026-10')).json();
  t.same(october.tables.department.map((d: { department: number; count: number; overdue: number; returns: number; onTime: { numerator: number; denominator: number; rate: number | null } }) => [d.department, d.count, d.overdue, d.returns, d.onTime.numerator, d.onTime.denominator, d.onTime.rate]), [[A, 1, 0, 0, 0, 0, null]]);

  // Every figure's filter lists exactly the tickets it counts.
  const listed = async (c: Client, filter: Record<string, unknown>) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, String(x));
    const l = await c.get(`/api/stats/tickets?${qs}&pageSize=100`);
    if (l.statusCode !== 200) throw new Error(l.body);
    return l.json().total as number;
  };
  for (const table of ['channel', 'type', 'subtype', 'domain'] as const) {
    for (const f of r.tables[table]) t.equal(await listed(s.supervisor, f.filter), f.count, `${table} ${f.key}: the list behind the figure`);
  }
  for (const f of [...cities.tables.region.rows, ...counties.tables.region.rows, r.total]) t.equal(await listed(s.supervisor, f.filter), f.count, `region ${f.key}`);
  for (const d of r.tables.department) {
    t.equal(await listed(s.supervisor, d.filter), d.count, `department ${d.department}`);
    t.equal(await listed(s.supervisor, d.overdueFilter), d.overdue, `department ${d.department} overdue`);
  }

  // Role scoping: a department sees its own tickets only; agents and technicians see no statistics.
  const mine = (await s.taxi.get('/api/stats/report?period=month&at=2026-09')).json();
  t.same([mine.scope.department, mine.total.count, mine.tables.department.length], [A, 3, 1]);
  t.same(kpi.call(null, 'complaintOnTimeRate'), [2, 2, 1]);
  t.same([mine.kpis.nonComplaintOnTimeRate.numerator, mine.kpis.nonComplaintOnTimeRate.denominator], [1, 2], 'A: 3 on time, 4 late');
  const foreign = await s.taxi.get(`/api/stats/report?period=month&at=2026-09&department=${B}`);
  t.equal(foreign.statusCode, 403);
  t.equal(foreign.json().error.code, 'stats-department-scope');
  t.equal((await s.taxi.get(`/api/stats/tickets?from=2026-09-01&to=2026-10-01&department=${B}`)).statusCode, 403);
  t.equal((await s.taxi.get('/api/stats/tickets?from=2026-09-01&to=2026-10-01')).json().total, 3, 'the list is scoped too');
  for (const c of [s.agent, s.tech]) t.equal((await c.get('/api/stats/report?period=month&at=2026-09')).json().error.code, 'forbidden-role');
  t.equal((await s.taxi.get('/api/stats/agents?period=month&at=2026-09')).json().error.code, 'forbidden-role');

  // Bad input: documented codes, never a 500.
  for (const q of ['period=month&at=2026-13', 'period=week&at=2026-W54', 'period=custom&from=2026-09-10&to=2026-09-01', 'weights=nosuch:3', 'period=year&at=1999']) {
    const b = await s.supervisor.get(`/api/stats/report?${q}`);
    t.equal(b.statusCode, 400, q);
    t.match(b.json().error.code, /^stats-(period|weights)-invalid$|^validation-failed$/, q);
  }

  // Agent performance: tickets 1 and 2 were received by agent1; one answered call, 2 min; 30 s wrap-up.
  db.prepare("INSERT INTO calls (id, channel, called, presentation, status, outcome, arrived_at, queued_at, agent_answered_at, ended_at) VALUES ('c1', 'e1', '12328', 'allowed', 'ended', 'answered', ?, ?, ?, ?)").run(
    at('2026-09-05').getTime(), at('2026-09-05').getTime() + 5000, at('2026-09-05').getTime() + 8000, at('2026-09-05').getTime() + 128_000);
  db.prepare("INSERT INTO call_legs (call_id, kind, target, started_at, ended_at) VALUES ('c1', 'agent', ?, ?, ?)").run(String(agentId), at('2026-09-05').getTime() + 8000, at('2026-09-05').getTime() + 128_000);
  db.prepare("INSERT INTO agent_state_log (agent_id, state, at) VALUES (?, 'wrap-up', ?), (?, 'ready', ?)").run(agentId, at('2026-09-05').getTime() + 128_000, agentId, at('2026-09-05').getTime() + 158_000);
  const ag = (await s.supervisor.get('/api/stats/agents?period=month&at=2026-09')).json().agents.find((a: { agent: number }) => a.agent === agentId);
  t.same([ag.callsAnswered, ag.talkSeconds, ag.wrapUpSeconds, ag.ticketsReceived, ag.instantAnswers, ag.satisfaction.numerator, ag.satisfaction.denominator], [1, 120, 30, 2, 2, 1, 2]);

  // Export: CSV with a BOM; .xlsx read back by python3's zipfile + ElementTree.
  const csv = await s.supervisor.get('/api/stats/report.csv?period=month&at=2026-09');
  t.equal(csv.statusCode, 200);
  t.equal(csv.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf', 'UTF-8 BOM');
  t.match(csv.body, /12328电话,6,0\.6,0,,2,2/);
  const x = await s.supervisor.get('/api/stats/report?period=month&at=2026-09&format=xlsx');
  t.equal(x.statusCode, 200);
  t.match(x.headers['content-type'], /spreadsheetml/);
  const file = path.join(tb.dir, 'report.xlsx');
  fs.writeFileSync(file, x.rawPayload);
  const py = spawnSync('python3', [path.join(import.meta.dirname, '../fixtures/stats-xlsx-read.py'), file], { encoding: 'utf8' });
  t.equal(py.status, 0, py.stderr);
  const sheets = JSON.parse(py.stdout) as Record<string, { cells: (string | number | null)[][]; formats: string[] }>;
  t.same(Object.keys(sheets), ['考核指标', '渠道', '类型', '子类型', '行业', '区域', '部门', '话务'], 'one sheet per table');
  // 话务: the one call (3 s in the queue, 120 s with the agent) beside August's none.
  t.same(sheets['话务']!.cells.slice(1), [
    ['本期 2026-09', 1, 1, 1, 1, 0, 0, 3, 120],
    ['上期 2026-08-01..2026-08-31', 0, 0, 0, null, 0, null, null, null],
  ]);
  t.ok(sheets['话务']!.formats.includes('0.00%') && sheets['话务']!.formats.includes('0.0'), 'rates as percentages, times in seconds');
  const kSheet = sheets['考核指标']!.cells;
  t.same(kSheet[0], ['指标', '分子', '分母', '比率', '说明']);
  t.same(kSheet[1], ['信息咨询类即时答复率', 2, 4, 0.5], 'trailing empty cell not stored');
  t.same(kSheet[7], ['投诉举报类复核率', 1, 2, 0.5]);
  t.equal(kSheet[9]![3], r.score.value / 100, 'composite score as a percentage');
  const cSheet = sheets['渠道']!.cells;
  t.same(cSheet[1], ['12328电话', 6, 0.6, 0, null, 2, 2]);
  t.same(cSheet[10], ['合计', 10, 1, 1, 9, 2, 4]);
  t.ok(sheets['渠道']!.formats.includes('0.00%'), 'share formatted as a percentage');
  const dSheet = sheets['部门']!.cells;
  t.same(dSheet.slice(1).map((row) => row.slice(1)), r.tables.department.map((d: { count: number; onTime: { numerator: number; denominator: number; rate: number }; returns: number; overdue: number }) => [d.count, d.onTime.numerator, d.onTime.denominator, d.onTime.rate, d.returns, d.overdue]));

  // The province view of the boxes below: 兰州 sent every day, 临夏 stopped after the 10th.
  const up = db.prepare('INSERT INTO net_stats (region, day, computed_at, body) VALUES (?, ?, ?, ?)');
  for (let d = 1; d <= 30; d++) {
    const day = `2026-09-${String(d).padStart(2, '0')}`;
    // 兰州 reports 复核 (a version with the review step): 1 of 2 reviewed on the 2nd; 临夏 does not.
    const review = { complaintReviewRate: { numerator: d === 2 ? 1 : 0, denominator: d === 2 ? 2 : 0 } };
    up.run('620100', day, now.toISOString(), JSON.stringify({ region: '620100', day, volumes: { total: 3 }, kpis: { inquiryImmediateAnswerRate: { numerator: d === 1 ? 9 : 0, denominator: d === 1 ? 10 : 0 }, ...review } }));
    if (d <= 10) up.run('622900', day, now.toISOString(), JSON.stringify({ region: '622900', day, volumes: { total: 1 }, kpis: { inquiryImmediateAnswerRate: { numerator: d === 1 ? 1 : 0, denominator: d === 1 ? 2 : 0 } } }));
  }
  const kids = (await s.supervisor.get('/api/stats/children?period=month&at=2026-09')).json();
  t.same(
    kids.boxes.map((b: { region: string; rank: number; late: boolean; total: number; daysReceived: number; score: { value: number } }) => [b.region, b.rank, b.late, b.total, b.daysReceived, b.score.value]),
    [
      // (15 · 0.9 + 10 · 0.5) / 25 = 74
      ['620100', 1, false, 90, 30, 74],
      ['622900', 2, true, 10, 10, 50],
    ],
  );
  const byRegion = Object.fromEntries(kids.boxes.map((b: { region: string }) => [b.region, b]));
  t.same(byRegion['620100'].kpis.complaintReviewRate, { available: true, numerator: 1, denominator: 2, rate: 0.5 }, 'the 复核 pair carried up is added like the others');
  t.equal(byRegion['622900'].kpis.complaintReviewRate.available, false, 'a box that never sent it: not reported, left out of its score');
});
