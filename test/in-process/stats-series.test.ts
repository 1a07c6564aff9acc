// Chart series (issue 15 §3): GET /api/stats/trend (tickets per day or ISO week over a period and the one
// before) and GET /api/stats/hourly (calls per local hour of day), checked against counts done here one
// ticket / one call at a time over generated periods; the cut into buckets as a property; role scoping;
// generated query strings answered 200 or with a documented code, never a 500.
import t from 'tap';
import fc from 'fast-check';
import fs from 'node:fs';
import { addDays, localDay, localTime } from '../../firmware-agent/calendar/time.js';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { buckets } from '../../firmware-agent/stats/series.js';
import { staff, startTestBox } from '../helpers/box.js';

const tz = 'Asia/Shanghai';
const now = new Date('2026-11-20T04:00:00Z');
const documented = fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const day = fc.integer({ min: 0, max: 400 }).map((n) => addDays('2025-10-01', n));

t.test('buckets: contiguous, cover the period, days up to 62 days, ISO weeks beyond', async (t) => {
  fc.assert(
    fc.property(day, fc.integer({ min: 1, max: 731 }), (from, len) => {
      const to = addDays(from, len);
      const { unit, ranges } = buckets({ from, to });
      if (unit !== (len > 62 ? 'week' : 'day')) return false;
      if (ranges[0]![0] !== from || ranges.at(-1)![1] !== to) return false;
      return ranges.every(([a, b], i) => {
        const span = Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
        const contiguous = i === 0 || ranges[i - 1]![1] === a;
        // A week bucket other than the first starts on a Monday; every one but the last ends on one.
        const monday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay() === 1;
        const weekOk = unit === 'day' ? span === 1 : span >= 1 && span <= 7 && (i === 0 || monday(a)) && (i === ranges.length - 1 || monday(b));
        return contiguous && weekOk;
      });
    }),
    { numRuns: 300 },
  );
});

t.test('trend and hourly load against counts done one by one', async (t) => {
  const tb = await startTestBox({ now: () => now, region: '623000' });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const db = tb.box.db;

  // ~250 tickets at generated instants over 14 months, some sent to the taxi department; ~300 calls.
  const rand = fc.sample(fc.tuple(fc.integer({ min: 0, max: 420 * 24 * 60 - 1 }), fc.boolean()), { numRuns: 250, seed: 15 });
  const start = localTime('2025-09-15', tz).getTime();
  const tickets = rand.map(([min, dept], i) => ({ at: new Date(start + min * 60_000), dept: dept ? s.dept.id : null, i }));
  // Each ticket's and call's local day and hour, worked out once for the reference counts below.
  const hourFormat = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', hourCycle: 'h23' });
  const ticketDay = new Map(tickets.map((x) => [x, localDay(x.at, tz)]));
  const ins = db.prepare(
    `INSERT INTO tickets (id, number, type, domain, channel, region, subject, description, status, department_id, created_at, updated_at)
     VALUES (@id, @number, 'inquiry', 'taxi', 'phone', '623001', '咨询', '描述', 'received', @dept, @at, @at)`,
  );
  for (const x of tickets) ins.run({ id: `sr-${x.i}`, number: `623000202509${String(x.i).padStart(9, '0')}`, dept: x.dept, at: x.at.toISOString() });

  const callRand = fc.sample(fc.tuple(fc.integer({ min: 0, max: 90 * 24 * 60 - 1 }), fc.constantFrom('ivr', 'answered', 'abandoned', 'queued')), { numRuns: 300, seed: 16 });
  const callStart = localTime('2026-08-20', tz).getTime();
  const calls = callRand.map(([min, kind], i) => {
    const at = callStart + min * 60_000 + (i % 60) * 1000;
    return { at, kind, i, day: localDay(new Date(at), tz), hour: Number(hourFormat.format(new Date(at))) };
  });
  const insCall = db.prepare(
    `INSERT INTO calls (id, channel, called, presentation, status, outcome, arrived_at, queued_at, agent_answered_at, abandoned_at, ended_at)
     VALUES (@id, 'e1', '12328', 'allowed', 'ended', @outcome, @at, @queued, @answered, @abandoned, @ended)`,
  );
  for (const c of calls) {
    insCall.run({
      id: `hc-${c.i}`,
      outcome: c.kind === 'answered' ? 'answered' : c.kind === 'abandoned' ? 'abandoned' : 'announced',
      at: c.at,
      queued: c.kind === 'ivr' ? null : c.at + 20_000,
      answered: c.kind === 'answered' ? c.at + 25_000 : null,
      abandoned: c.kind === 'abandoned' ? c.at + 40_000 : null,
      ended: c.at + 200_000,
    });
  }

  const periodQ = fc.oneof(
    fc.tuple(day, fc.integer({ min: 1, max: 200 })).map(([from, n]) => ({ q: `period=custom&from=${from}&to=${addDays(from, n - 1)}`, from, to: addDays(from, n) })),
    fc.integer({ min: 0, max: 13 }).map((n) => {
      const m = new Date(Date.UTC(2025, 9 + n, 1)).toISOString().slice(0, 7);
      const next = new Date(Date.UTC(2025, 10 + n, 1)).toISOString().slice(0, 10);
      return { q: `period=month&at=${m}`, from: `${m}-01`, to: next };
    }),
  );
  const countIn = (from: string, to: string, dept: number | null) =>
    tickets.filter((x) => (dept === null || x.dept === dept) && ticketDay.get(x)! >= from && ticketDay.get(x)! < to).length;

  await fc.assert(
    fc.asyncProperty(periodQ, fc.boolean(), async (p, asDept) => {
      const res = await (asDept ? s.taxi : s.supervisor).get(`/api/stats/trend?${p.q}`);
      if (res.statusCode !== 200) throw new Error(`${p.q}: ${res.body}`);
      const r = res.json();
      const dept = asDept ? s.dept.id : null;
      if (asDept && r.scope?.department !== s.dept.id) return false;
      if (r.current.reduce((a: number, b: { count: number }) => a + b.count, 0) !== countIn(p.from, p.to, dept)) return false;
      if (r.previous[0].from !== r.previousPeriod.from || r.previous.at(-1).to !== r.previousPeriod.to) return false;
      return [...r.current, ...r.previous].every((b: { from: string; to: string; count: number }) => b.count === countIn(b.from, b.to, dept));
    }),
    { numRuns: 60 },
  );

  await fc.assert(
    fc.asyncProperty(periodQ, async (p) => {
      const res = await s.supervisor.get(`/api/stats/hourly?${p.q}`);
      if (res.statusCode !== 200) throw new Error(`${p.q}: ${res.body}`);
      const r = res.json();
      const inP = calls.filter((c) => c.day >= p.from && c.day < p.to);
      if (r.daysWithCalls !== new Set(inP.map((c) => c.day)).size) return false;
      return r.hours.every((h: { hour: number; arrived: number; queued: number; answered: number; abandoned: number }) => {
        const mine = inP.filter((c) => c.hour === h.hour);
        return (
          h.arrived === mine.length &&
          h.queued === mine.filter((c) => c.kind !== 'ivr').length &&
          h.answered === mine.filter((c) => c.kind === 'answered').length &&
          h.abandoned === mine.filter((c) => c.kind === 'abandoned').length
        );
      });
    }),
    { numRuns: 40 },
  );

  // A year is counted per ISO week; roles: a department reads only its own trend and no call load.
  const year = (await s.supervisor.get('/api/stats/trend?period=year&at=2026')).json();
  t.equal(year.unit, 'week');
  t.equal(year.current.reduce((a: number, b: { count: number }) => a + b.count, 0), countIn('2026-01-01', '2027-01-01', null));
  t.equal((await s.taxi.get(`/api/stats/trend?period=month&at=2026-10&department=${s.other.id}`)).json().error.code, 'stats-department-scope');
  t.equal((await s.taxi.get('/api/stats/hourly?period=month&at=2026-10')).json().error.code, 'forbidden-role');
  t.equal((await s.agent.get('/api/stats/trend?period=month&at=2026-10')).json().error.code, 'forbidden-role');
});

t.test('generated query strings: 200 or a documented refusal', async (t) => {
  const tb = await startTestBox({ now: () => now });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const value = fc.oneof(
    fc.constantFrom('day', 'week', 'month', 'quarter', 'year', 'custom', '2026-11', '2026-Q4', '2026-W47', '2026', '2026-11-03', '1', '-1', '0'),
    fc.string({ maxLength: 14 }),
    fc.date({ min: new Date('1990-01-01'), max: new Date('2110-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  );
  const key = fc.constantFrom('period', 'at', 'from', 'to', 'department', 'weights', 'nosuch');
  // Mostly well-formed requests with a few generated extras, so both answers and refusals are exercised.
  const base = fc.constantFrom<[string, string][]>([], [['period', 'month'], ['at', '2026-11']], [['period', 'week'], ['at', '2026-W46']], [['period', 'year'], ['at', '2026']], [['from', '2026-11-01'], ['to', '2026-11-10']]);
  let ok = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('/api/stats/trend', '/api/stats/hourly'), base, fc.array(fc.tuple(key, value), { maxLength: 2 }), fc.constantFrom(s.supervisor, s.taxi, tb.admin), async (p, b, params, c) => {
      const res = await c.get(`${p}?${new URLSearchParams([...b, ...params]).toString()}`);
      if (res.statusCode === 200) return (ok += 1) > 0;
      const code = res.json().error?.code as string | undefined;
      if (res.statusCode >= 500 || !code || !(code in errorCatalogue) || !documented.includes(`\`${code}\``)) throw new Error(`${p} ${JSON.stringify(params)} → ${res.statusCode} ${res.body}`);
      return res.statusCode === errorCatalogue[code as keyof typeof errorCatalogue].status;
    }),
    { numRuns: 300 },
  );
  t.ok(ok > 20, `${ok} of 300 generated requests were answered`);
});
