// Report periods and score weights (issue 15 §2): properties of parsePeriod / previousPeriod /
// yearAgoPeriod over generated input, worked examples, and the composite score's arithmetic.
import t from 'tap';
import fc from 'fast-check';
import { addDays, isDay } from '../../firmware-agent/calendar/time.js';
import { PeriodError, daysBetween, maxCustomDays, parsePeriod, periodAt, previousPeriod, yearAgoPeriod } from '../../firmware-agent/stats/period.js';
import { compositeScore, defaultWeights, kpiKeys, parseWeights, ratio, reviewNotReported } from '../../firmware-agent/stats/kpis.js';

const day = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

t.test('worked examples', async (t) => {
  t.same(parsePeriod({ period: 'month', at: '2026-02' }), { kind: 'month', from: '2026-02-01', to: '2026-03-01', label: '2026-02' });
  t.same(parsePeriod({ period: 'quarter', at: '2026-Q4' }).to, '2027-01-01');
  t.same(parsePeriod({ period: 'week', at: '2026-W01' }).from, '2025-12-29', 'ISO week 1 holds 4 January');
  t.same(parsePeriod({ period: 'week', at: '2026-W53' }).from, '2026-12-28', '2026 has 53 ISO weeks');
  t.throws(() => parsePeriod({ period: 'week', at: '2027-W53' }), { code: 'period-invalid' }, '2027 has 52');
  t.same(parsePeriod({ from: '2026-11-01', to: '2026-11-15' }), { kind: 'custom', from: '2026-11-01', to: '2026-11-16', label: '2026-11-01..2026-11-15' });
  t.throws(() => parsePeriod({}), { code: 'period-invalid' }, 'a month needs at');
  t.same(parsePeriod({ at: '2026-05' }).kind, 'month', 'month is the default kind');
  t.same(previousPeriod(parsePeriod({ period: 'month', at: '2026-03' })).from, '2026-02-01');
  t.same(previousPeriod(parsePeriod({ period: 'year', at: '2026' })).from, '2025-01-01');
  t.same(yearAgoPeriod(parsePeriod({ period: 'day', at: '2028-02-29' })), { kind: 'day', from: '2027-02-28', to: '2027-03-01', label: '2027-02-28..2027-02-28' });
  t.same(yearAgoPeriod(parsePeriod({ period: 'week', at: '2027-W10' })).label, '2026-W10');
  t.same(yearAgoPeriod(parsePeriod({ period: 'week', at: '2021-W52' })).label, '2020-W52');
  for (const bad of [{ period: 'month', at: '2026-00' }, { period: 'day', at: '2026-02-30' }, { period: 'quarter', at: '2026-Q5' }, { period: 'year', at: '26' }, { period: 'fortnight', at: '2026' }, { period: 'custom', from: '2026-01-01' }]) {
    t.throws(() => parsePeriod(bad), { code: 'period-invalid' }, JSON.stringify(bad));
  }
});

t.test('without `at`, the period of each kind that holds the given day (the box’s today)', async (t) => {
  t.equal(periodAt('week', '2026-12-05'), '2026-W49');
  t.equal(periodAt('week', '2027-01-01'), '2026-W53', 'a Friday in January can belong to the last ISO week of the year before');
  t.equal(periodAt('week', '2024-12-30'), '2025-W01', 'and a Monday in December to the first of the next');
  t.equal(periodAt('quarter', '2026-12-05'), '2026-Q4');
  t.same(parsePeriod({ period: 'month' }, '2026-12-05'), { kind: 'month', from: '2026-12-01', to: '2027-01-01', label: '2026-12' });
  t.throws(() => parsePeriod({ period: 'custom' }, '2026-12-05'), { code: 'period-invalid' }, 'a custom range still needs its days');
  fc.assert(
    // Away from the ends of the years the API takes (2000–2099): 2000-01-01 belongs to 1999-W52.
    fc.property(day.filter((d) => d >= '2000-01-10' && d <= '2099-12-20'), fc.constantFrom('day', 'week', 'month', 'quarter', 'year'), (today, kind) => {
      const p = parsePeriod({ period: kind }, today);
      return p.kind === kind && p.from <= today && today < p.to && p.label === periodAt(kind, today);
    }),
  );
});

t.test('every valid request gives a non-empty period of well-formed days, and its 环比 ends where it starts', async () => {
  const req = fc.oneof(
    day.map((at) => ({ period: 'day', at })),
    fc.tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 53 })).map(([y, w]) => ({ period: 'week', at: `${y}-W${String(w).padStart(2, '0')}` })),
    fc.tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => ({ period: 'month', at: `${y}-${String(m).padStart(2, '0')}` })),
    fc.tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 4 })).map(([y, q]) => ({ period: 'quarter', at: `${y}-Q${q}` })),
    fc.integer({ min: 2000, max: 2099 }).map((y) => ({ period: 'year', at: String(y) })),
    fc.tuple(day, fc.integer({ min: 0, max: maxCustomDays - 1 })).map(([from, n]) => ({ from, to: addDays(from, n) })),
  );
  fc.assert(
    fc.property(req, (req) => {
      const q = req as { period?: string; at?: string; from?: string; to?: string };
      let p;
      try {
        p = parsePeriod(q);
      } catch (e) {
        // Only week 53 of a 52-week year and custom ranges past 2099 may be refused.
        if (!(e instanceof PeriodError)) throw e;
        return (q.period === 'week' && q.at!.endsWith('W53')) || (!q.period && Number(q.to!.slice(0, 4)) > 2099);
      }
      const len = daysBetween(p.from, p.to);
      const prev = previousPeriod(p);
      const ago = yearAgoPeriod(p);
      const lens: Record<string, [number, number]> = { day: [1, 1], week: [7, 7], month: [28, 31], quarter: [90, 92], year: [365, 366], custom: [1, maxCustomDays] };
      return (
        isDay(p.from) && isDay(p.to) && len >= lens[p.kind]![0] && len <= lens[p.kind]![1] &&
        prev.to === p.from && daysBetween(prev.from, prev.to) >= lens[p.kind]![0] && daysBetween(prev.from, prev.to) <= lens[p.kind]![1] &&
        (p.kind === 'month' || p.kind === 'quarter' || p.kind === 'year' ? true : daysBetween(prev.from, prev.to) === len) &&
        isDay(ago.from) && ago.from < ago.to && daysBetween(ago.from, p.from) >= 357 && daysBetween(ago.from, p.from) <= 371
      );
    }),
    { numRuns: 2000 },
  );
});

// Day-shaped strings of any digits (0951-06-42, 9825-57-63): they pass a route's `\d{4}-\d{2}-\d{2}` pattern,
// so the parser meets them; an impossible one once threw RangeError out of isDay (a 500, CI seed 221106).
const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((a) => a.join(''));
const dayShaped = fc.tuple(digits(4), digits(2), digits(2)).map(([y, m, d]) => `${y}-${m}-${d}`);
const text = fc.oneof(fc.string({ maxLength: 12 }), dayShaped, day);

t.test('impossible days are not days, and never throw', async (t) => {
  for (const s of ['0951-06-42', '9825-57-63', '2026-02-30', '2026-13-01', '0000-00-00']) t.equal(isDay(s), false, s);
  fc.assert(fc.property(dayShaped, (s) => isDay(s) === (!Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s))), { numRuns: 3000 });
});

t.test('arbitrary strings never throw anything but PeriodError', async () => {
  fc.assert(
    fc.property(fc.record({ period: fc.option(fc.oneof(fc.string(), fc.constantFrom('day', 'week', 'month', 'quarter', 'year', 'custom')), { nil: undefined }), at: fc.option(text, { nil: undefined }), from: fc.option(text, { nil: undefined }), to: fc.option(text, { nil: undefined }) }), (q) => {
      try {
        const p = parsePeriod(q);
        return isDay(p.from) && isDay(p.to) && p.from < p.to;
      } catch (e) {
        return e instanceof PeriodError;
      }
    }),
    { numRuns: 3000 },
  );
});

t.test('custom ranges: inclusive end, bounded length, refused backwards', async () => {
  fc.assert(
    fc.property(day, fc.integer({ min: -40, max: maxCustomDays + 40 }), (from, n) => {
      const to = addDays(from, n);
      const q = { from, to };
      const ok = n >= 0 && n < maxCustomDays && Number(to.slice(0, 4)) <= 2099;
      try {
        const p = parsePeriod(q);
        return ok && p.to === addDays(to, 1) && daysBetween(p.from, p.to) === n + 1;
      } catch (e) {
        return !ok && e instanceof PeriodError;
      }
    }),
  );
});

t.test('composite score: weighted mean of the available rates; weights parsed strictly', async (t) => {
  const kpis = Object.fromEntries(kpiKeys.map((k) => [k, k === 'complaintReviewRate' ? reviewNotReported : { available: true as const, ...ratio(1, 2) }])) as Parameters<typeof compositeScore>[0];
  t.equal(compositeScore(kpis).value, 50, 'every available KPI at 50% → 50');
  t.notOk(compositeScore(kpis).counted.includes('complaintReviewRate'));
  const empty = Object.fromEntries(kpiKeys.map((k) => [k, { available: true as const, ...ratio(0, 0) }])) as Parameters<typeof compositeScore>[0];
  t.equal(compositeScore(empty).value, null, 'nothing counted: no score');
  t.same(parseWeights('complaintOnTimeRate:40'), { ...defaultWeights, complaintOnTimeRate: 40 });
  for (const bad of ['x:1', 'complaintOnTimeRate', 'complaintOnTimeRate:-1', 'complaintOnTimeRate:1e3', 'complaintOnTimeRate:1000']) t.throws(() => parseWeights(bad), { name: 'RangeError' }, bad);
  fc.assert(
    fc.property(fc.array(fc.record({ n: fc.nat(50), d: fc.nat(50) }), { minLength: 8, maxLength: 8 }), fc.array(fc.nat(100), { minLength: 8, maxLength: 8 }), (rs, ws) => {
      const k = Object.fromEntries(kpiKeys.map((key, i) => [key, { available: true as const, ...ratio(Math.min(rs[i]!.n, rs[i]!.d), rs[i]!.d) }])) as Parameters<typeof compositeScore>[0];
      const w = Object.fromEntries(kpiKeys.map((key, i) => [key, ws[i]!])) as typeof defaultWeights;
      const s = compositeScore(k, w);
      return s.value === null ? s.counted.length === 0 : s.value >= 0 && s.value <= 100;
    }),
  );
});
