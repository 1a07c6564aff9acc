// Statistics API input surface (issue 15 §3): generated query strings on every /api/stats route are
// answered 200 or with a documented error code, never a 500; the capacity planner from the box's own call
// history and from entered figures.
import t from 'tap';
import fc from 'fast-check';
import fs from 'node:fs';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { localTime } from '../../firmware-agent/calendar/time.js';
import { plan } from '../../firmware-agent/stats/erlang.js';
import { staff, startTestBox } from '../helpers/box.js';

const documented = fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const now = new Date('2026-11-20T04:00:00Z');

t.test('generated query parameters: 200 or a documented refusal', async (t) => {
  const tb = await startTestBox({ now: () => now });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const value = fc.oneof(
    fc.constantFrom('day', 'week', 'month', 'quarter', 'year', 'custom', 'xlsx', 'csv', 'json', '2026-11', '2026-Q4', '2026-W47', '2026', '2026-11-03', '620000', '623000', '1', '-1', '0', 'true'),
    fc.string({ maxLength: 14 }),
    fc.integer({ min: -5, max: 100000 }).map(String),
    fc.date({ min: new Date('1990-01-01'), max: new Date('2110-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  );
  const key = fc.constantFrom('period', 'at', 'from', 'to', 'weights', 'region', 'department', 'format', 'jtChannel', 'regionPrefix', 'overdue', 'page', 'pageSize', 'days', 'callsPerHour', 'aht', 'targetSl', 'blocking', 'nosuch');
  const path = fc.constantFrom('/api/stats/report', '/api/stats/report.csv', '/api/stats/kpis', '/api/stats/tickets', '/api/stats/agents', '/api/stats/children', '/api/stats/capacity');
  // Mostly well-formed requests with a few generated extras, so both answers and refusals are exercised.
  const base = fc.constantFrom<[string, string][]>(
    [],
    [['period', 'month'], ['at', '2026-11']],
    [['period', 'week'], ['at', '2026-W46']],
    [['from', '2026-11-01'], ['to', '2026-11-10']],
    [['period', 'quarter'], ['at', '2026-Q4'], ['region', '620000']],
  );
  const who = fc.constantFrom(s.supervisor, s.taxi, tb.admin);
  let ok = 0;
  await fc.assert(
    fc.asyncProperty(path, base, fc.array(fc.tuple(key, value), { maxLength: 3 }), who, async (p, b, params, c) => {
      const qs = new URLSearchParams([...b, ...params]).toString();
      const res = await c.get(`${p}?${qs}`);
      if (res.statusCode === 200) {
        ok += 1;
        return true;
      }
      const code = res.json().error?.code as string | undefined;
      if (res.statusCode >= 500 || !code || !(code in errorCatalogue) || !documented.includes(`\`${code}\``)) throw new Error(`${p}?${qs} → ${res.statusCode} ${res.body}`);
      return res.statusCode === errorCatalogue[code as keyof typeof errorCatalogue].status;
    }),
    { numRuns: 400 },
  );
  t.ok(ok > 20, `${ok} of 400 generated requests were answered`);
});

t.test('capacity planner: the busy hour from the box’s calls, and entered figures', async (t) => {
  const tb = await startTestBox({ now: () => now });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const db = tb.box.db;
  // Two days, each with 6 queued calls at 10:xx local and 2 at 15:xx; answered after 5 s, 170 s of talk.
  const ins = db.prepare("INSERT INTO calls (id, channel, called, presentation, status, outcome, arrived_at, queued_at, agent_answered_at, ended_at) VALUES (?, 'e1', '12328', 'allowed', 'ended', 'answered', ?, ?, ?, ?)");
  let n = 0;
  for (const day of ['2026-11-17', '2026-11-18']) {
    for (const [h, k] of [[10, 6], [15, 2]] as const) {
      for (let i = 0; i < k; i++) {
        const at = localTime(day, 'Asia/Shanghai', h, i * 5).getTime();
        ins.run(`cap-${n++}`, at, at + 1000, at + 6000, at + 176_000);
      }
    }
  }
  const res = await s.supervisor.get('/api/stats/capacity?days=28');
  t.equal(res.statusCode, 200, res.body);
  const c = res.json();
  t.equal(c.busyHour.hourOfDay, 10);
  t.equal(c.busyHour.callsPerHour, 6, '12 calls at 10:xx over 2 days');
  t.equal(c.busyHour.talkSeconds, 170);
  const expected = plan({ callsPerHour: 6, ahtSeconds: c.busyHour.ahtSeconds });
  t.equal(c.plan.seats.seats, expected.seats.seats);
  t.equal(c.plan.trunks.trunks, expected.trunks.trunks);
  const entered = (await s.supervisor.get('/api/stats/capacity?callsPerHour=200&aht=180&targetSeconds=20&targetSl=0.8')).json();
  t.equal(entered.plan.seats.seats, 14, '200 calls/h × 180 s at 80/20 → 14 seats (published tables)');
  const bad = await s.supervisor.get('/api/stats/capacity?callsPerHour=1e9&aht=180');
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().error.code, 'erlang-input-invalid');
  t.equal((await s.taxi.get('/api/stats/capacity')).json().error.code, 'forbidden-role');
});

t.test('the report’s telephone figures (话务), the default period in the box’s time zone, and the session’s time zone', async (t) => {
  // 18:00 UTC on 30 November is 02:00 on 1 December in Shanghai: the box's month is December.
  const late = new Date('2026-11-30T18:00:00Z');
  const tb = await startTestBox({ now: () => late });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  t.equal((await s.supervisor.get('/api/session')).json().timezone, 'Asia/Shanghai');
  const ins = tb.box.db.prepare(
    "INSERT INTO calls (id, channel, called, presentation, status, outcome, arrived_at, queued_at, agent_answered_at, ended_at) VALUES (?, 'e1', '12328', 'allowed', 'ended', ?, ?, ?, ?, ?)",
  );
  const at = (day: string, h: number) => localTime(day, 'Asia/Shanghai', h, 0).getTime();
  // December: answered after 5 s, 5 s and 30 s in the queue, one abandoned; November: one answered.
  for (const [i, wait] of [5, 5, 30].entries()) {
    const a = at('2026-12-01', 1) + i * 60_000;
    ins.run(`dec-${i}`, 'answered', a, a + 1000, a + 1000 + wait * 1000, a + 1000 + wait * 1000 + 120_000);
  }
  const ab = at('2026-12-01', 1) + 600_000;
  ins.run('dec-abandoned', 'abandoned', ab, ab + 1000, null, ab + 50_000);
  const nov = at('2026-11-29', 10);
  ins.run('nov-0', 'answered', nov, nov + 1000, nov + 3000, nov + 60_000);

  const r = (await s.supervisor.get('/api/stats/report?period=month')).json();
  t.equal(r.period.label, '2026-12', 'no `at`: the box’s current month, not the UTC one');
  t.match(r.calls.current, { offered: 4, queued: 4, answered: 3, answeredWithin10s: 2, answeredWithin10sRate: 0.5, abandoned: 1, abandonRate: 0.25, asaMs: 13_333 });
  t.match(r.calls.previous, { offered: 1, answered: 1, answeredWithin10sRate: 1 });
  t.equal((await s.taxi.get('/api/stats/report?period=month')).json().calls, null, 'a department’s report has no call figures');
  const csv = (await s.supervisor.get('/api/stats/report.csv?period=month')).body;
  t.match(csv, /话务（2026-12）/);
  t.match(csv, /本期 2026-12,4,4,3,0\.5,1,0\.25,13\.3,/);
  t.equal((await s.supervisor.get('/api/stats/trend?period=week')).json().period.label, '2026-W49', 'every statistics route takes the same default');
});

t.test('stored score weights: supervisors and admins change them (audited), every score uses them when a request gives none', async (t) => {
  const tb = await startTestBox({ now: () => now });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const defaults = (await s.supervisor.get('/api/stats/weights')).json();
  t.equal(defaults.usesDefaultWeights, true);
  t.same(defaults.weights, defaults.defaults);
  for (const c of [s.agent, s.taxi, s.tech]) {
    t.equal((await c.get('/api/stats/weights')).json().error.code, 'forbidden-role');
    t.equal((await c.put('/api/stats/weights', { weights: { complaintReviewRate: 50 } })).json().error.code, 'forbidden-role');
  }
  const keys = Object.keys(defaults.weights) as string[];
  // fast-check over the body: 200 and stored exactly as merged, or a documented refusal that stores nothing.
  const weight = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 999 }) },
    { weight: 1, arbitrary: fc.double({ min: -5, max: 1200, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(0.01, 12.5, 999.99, -1, 1000, '10', null) },
  );
  const body = fc.oneof(
    { weight: 4, arbitrary: fc.record({ weights: fc.dictionary(fc.constantFrom(...keys), weight, { minKeys: 1, maxKeys: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ weights: fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), weight, { maxKeys: 3 }) }) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  );
  const stored = async () => (await tb.admin.get('/api/stats/weights')).json().weights as Record<string, number>;
  let applied = 0;
  await fc.assert(
    fc.asyncProperty(body, fc.constantFrom(s.supervisor, tb.admin), async (b, c) => {
      const before = await stored();
      const res = await c.put('/api/stats/weights', b);
      if (res.statusCode === 200) {
        applied += 1;
        const expected = { ...before, ...(b as { weights: Record<string, number> }).weights };
        t.same(res.json().weights, expected);
        t.same(await stored(), expected, 'stored as answered');
        return;
      }
      const code = res.json().error?.code as string;
      t.ok(res.statusCode < 500 && code in errorCatalogue && documented.includes(`\`${code}\``), `documented refusal ${res.statusCode} ${code}`);
      t.same(await stored(), before, 'a refusal stores nothing');
    }),
    { numRuns: 60 },
  );
  t.ok(applied > 5, `${applied} of 60 applied`);

  const allZero = Object.fromEntries(keys.map((k) => [k, 0]));
  const zero = await s.supervisor.put('/api/stats/weights', { weights: allZero });
  t.same([zero.statusCode, zero.json().error.code], [400, 'stats-weights-invalid'], 'not all zero');

  // Only 即时答复率 weighs: the stored weights make the score that rate; a request's weights still win.
  const only = Object.fromEntries(keys.map((k) => [k, k === 'inquiryImmediateAnswerRate' ? 1 : 0]));
  t.equal((await s.supervisor.put('/api/stats/weights', { weights: only })).statusCode, 200);
  const inquiry = (n: number, answered: boolean) =>
    tb.box.db
      .prepare(`INSERT INTO tickets (id, number, type, domain, channel, region, subject, description, status, answer_text, created_at, updated_at) VALUES (?, ?, 'inquiry', 'taxi', 'phone', '623001', 's', 'd', ?, ?, ?, ?)`)
      .run(`w-${n}`, `6230002026111000${String(n).padStart(3, '0')}`, answered ? 'closed' : 'received', answered ? '已答复' : null, '2026-11-10T02:00:00.000Z', '2026-11-10T02:00:00.000Z');
  inquiry(1, true);
  inquiry(2, true);
  inquiry(3, false);
  inquiry(4, false);
  const k = (await s.supervisor.get('/api/stats/kpis?period=month&at=2026-11')).json();
  t.same([k.score.value, k.score.usesDefaultWeights, k.score.counted], [50, false, ['inquiryImmediateAnswerRate']], 'the stored weights');
  const r = (await s.supervisor.get('/api/stats/report?period=month&at=2026-11')).json();
  t.equal(r.score.value, 50, 'the report too');
  const asked = (await s.supervisor.get('/api/stats/kpis?period=month&at=2026-11&weights=inquiryImmediateAnswerRate:0,complaintOnTimeRate:5')).json();
  t.equal(asked.score.value, null, 'a request’s weights over the stored ones (nothing left to count)');

  const audit = tb.box.db.prepare("SELECT actor_name, data FROM audit WHERE entity = 'config' AND entity_id = 'stats.weights' ORDER BY id DESC LIMIT 1").get() as { actor_name: string; data: string };
  t.equal(audit.actor_name, 'super1', 'the change is audited with who made it');
  t.same(JSON.parse(audit.data).value, only);
});
