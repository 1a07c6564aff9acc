// Period reports (issue 15 §2): volumes of the tickets received in a period by channel (JT/T 1019.5),
// type, sub-type, industry (domain), region (one level of the province → city → county drill-down) and
// department, each row with its count, share, 同比 and 环比, and the KPIs and composite score of the
// period. Every figure carries the filter of the tickets behind it; GET /api/stats/tickets lists them.
import { localTime } from '../calendar/time.js';
import { callKpis } from '../calls/kpis.js';
import type { RegionTable } from '../regions/regions.js';
import type { Db } from '../store/db.js';
import { channels as boxChannels, defaultDomains, subtypes, ticketTypes } from '../tickets/codes.js';
import { compositeScore, computeKpis, defaultWeights, type KpiKey, type KpiValue } from './kpis.js';
import { previousPeriod, yearAgoPeriod, type Period } from './period.js';
import type { CallKpi, DepartmentFigure, Figure, FigureTicket, Report, TicketFilter } from './view-types.js';

export type { DepartmentFigure, Figure, Report, TicketFilter } from './view-types.js';

/** The channels of JT/T 1019.5 and the box's channel codes each one counts. */
export const jtChannels: readonly { code: string; zh: string; en: string; box: readonly string[] }[] = [
  { code: 'phone-12328', zh: '12328电话', en: '12328 telephone', box: ['phone'] },
  { code: 'website', zh: '网站', en: 'Website', box: ['web'] },
  { code: 'wechat', zh: '微信', en: 'WeChat', box: ['wechat'] },
  { code: 'weibo', zh: '微博', en: 'Weibo', box: [] },
  { code: 'sms', zh: '短信', en: 'SMS', box: ['sms'] },
  { code: 'app', zh: '手机客户端', en: 'Mobile app', box: [] },
  { code: 'email', zh: '电子邮件', en: 'E-mail', box: [] },
  { code: 'fax', zh: '传真', en: 'Fax', box: [] },
  { code: 'other', zh: '其他', en: 'Other', box: ['12345', 'walk-in', 'letter'] },
];

/** Box channel codes mapped to a JT/T channel other than 'other' (fixed code-table slugs, safe to inline in SQL). */
const mapped = jtChannels.filter((j) => j.code !== 'other').flatMap((j) => j.box);

/** Which tickets a figure counts; the query parameters of GET /api/stats/tickets. */




export interface ReportInput {
  period: Period;
  timezone: string;
  now: Date;
  regions: RegionTable;
  /** Drill-down: the region whose children the region table lists (null: provinces). */
  regionParent?: string | null;
  department?: number | null;
  weights?: Record<KpiKey, number>;
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;
const change = (now: number, before: number) => (before > 0 ? round4((now - before) / before) : null);

/** SQL condition and parameters for a filter (without the date range). */
export function filterSql(f: Omit<TicketFilter, 'from' | 'to'>): { where: string; params: Record<string, unknown> } {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  if (f.jtChannel) {
    const j = jtChannels.find((x) => x.code === f.jtChannel);
    if (!j) parts.push('0');
    else if (j.code === 'other') parts.push(`channel NOT IN (${mapped.map((c) => `'${c}'`).join(', ')})`);
    else parts.push(j.box.length ? `channel IN (${j.box.map((c) => `'${c}'`).join(', ')})` : '0');
  }
  if (f.type) (parts.push('type = @type'), (params.type = f.type));
  if (f.subtype) (parts.push('subtype = @subtype'), (params.subtype = f.subtype));
  if (f.domain) (parts.push('domain = @domain'), (params.domain = f.domain));
  if (f.regionPrefix) (parts.push('substr(region, 1, @rpLen) = @rp'), (params.rp = f.regionPrefix), (params.rpLen = f.regionPrefix.length));
  // `+` keeps the created_at range index (a period is far narrower than a department's whole history).
  if (f.department !== undefined) (parts.push('+department_id = @department'), (params.department = f.department));
  if (f.overdue) {
    parts.push(`status != 'merged' AND department_id IS NOT NULL AND due_at IS NOT NULL AND (coalesce(replied_at, closed_at) > due_at OR (coalesce(replied_at, closed_at) IS NULL AND due_at < @now))`);
  }
  return { where: parts.join(' AND '), params };
}

export function rangeIso(from: string, to: string, tz: string): { fromIso: string; toIso: string } {
  return { fromIso: localTime(from, tz).toISOString(), toIso: localTime(to, tz).toISOString() };
}

/** One row per combination of the report's dimensions with its count (a period's tickets read once). */
interface Combo {
  channel: string;
  type: string;
  sub: string;
  domain: string;
  /** Region code prefix at the drill-down level, null outside the parent region. */
  rk: string | null;
  n: number;
}

function combos(db: Db, regionKey: string, p: Period, tz: string, scope: string, params: Record<string, unknown>): Combo[] {
  const r = rangeIso(p.from, p.to, tz);
  return db
    .prepare(
      `SELECT channel, type, coalesce(subtype, '') AS sub, domain, ${regionKey} AS rk, count(*) AS n
         FROM tickets WHERE created_at >= @from AND created_at < @to${scope ? ` AND ${scope}` : ''}
        GROUP BY channel, type, sub, domain, rk`,
    )
    .all({ ...params, from: r.fromIso, to: r.toIso }) as Combo[];
}

/** Counts per group key, folded from the combinations. */
function counts(rows: Combo[], key: (c: Combo) => string | null): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of rows) {
    const k = String(key(c));
    m.set(k, (m.get(k) ?? 0) + c.n);
  }
  return m;
}

export function buildReport(db: Db, input: ReportInput): Report {
  const { period, timezone: tz, now } = input;
  const prev = previousPeriod(period);
  const ago = yearAgoPeriod(period);
  const scope = input.department != null ? filterSql({ department: input.department }) : { where: '', params: {} };
  const params = { ...scope.params, now: now.toISOString() };
  const base: TicketFilter = { from: period.from, to: period.to, ...(input.department != null ? { department: input.department } : {}) };

  // Region drill-down: one level below the parent, grouped by the code prefix of that level.
  const parent = input.regionParent ?? null;
  const parentRegion = parent ? input.regions.get(parent) : undefined;
  const level: 'province' | 'city' | 'county' = !parentRegion ? 'province' : parentRegion.level === 'province' ? 'city' : 'county';
  const len = level === 'province' ? 2 : level === 'city' ? 4 : 6;
  const parentPrefix = !parentRegion ? '' : parentRegion.level === 'province' ? parent!.slice(0, 2) : parent!.slice(0, 4);
  const regionKey = `CASE WHEN substr(region, 1, ${parentPrefix.length}) = '${parentPrefix}' THEN substr(region, 1, ${len}) END`;
  const [cRows, pRows, aRows] = [period, prev, ago].map((pp) => combos(db, regionKey, pp, tz, scope.where, params)) as [Combo[], Combo[], Combo[]];
  const table = (keyOf: (c: Combo) => string | null, rowsOf: (seen: Set<string>) => { key: string; zh: string; filter: Partial<TicketFilter>; members?: string[] }[]): Figure[] => {
    const [c, p, a] = [cRows, pRows, aRows].map((rows) => counts(rows, keyOf)) as [Map<string, number>, Map<string, number>, Map<string, number>];
    const seen = new Set<string>([...c.keys(), ...p.keys(), ...a.keys()]);
    const rows = rowsOf(seen);
    const sum = (m: Map<string, number>, keys: string[]) => keys.reduce((s, k) => s + (m.get(k) ?? 0), 0);
    const total = [...c.values()].reduce((s, n) => s + n, 0);
    return rows.map((r) => {
      const keys = r.members ?? [r.key];
      const count = sum(c, keys);
      const previous = sum(p, keys);
      const yearAgo = sum(a, keys);
      return {
        key: r.key,
        zh: r.zh,
        count,
        share: total > 0 ? round4(count / total) : null,
        previous,
        momChange: change(count, previous),
        yearAgo,
        yoyChange: change(count, yearAgo),
        filter: { ...base, ...r.filter },
      };
    });
  };

  const totalRow = table(() => 'all', () => [{ key: 'all', zh: '合计', filter: {} }])[0]!;
  const known = <T extends { code: string; zh: string }>(list: readonly T[], seen: Set<string>, field: keyof TicketFilter) => {
    const rows = list.map((l) => ({ key: l.code, zh: l.zh, filter: { [field]: l.code } as Partial<TicketFilter> }));
    for (const k of seen) if (k !== 'null' && !list.some((l) => l.code === k)) rows.push({ key: k, zh: k, filter: { [field]: k } as Partial<TicketFilter> });
    return rows;
  };

  const regionRows = table((c) => c.rk, (seen) =>
    [...seen]
      .filter((k) => k !== 'null')
      .sort()
      .map((prefix) => {
        const code = prefix.padEnd(6, '0');
        return { key: code, zh: input.regions.get(code)?.name ?? code, members: [prefix], filter: { regionPrefix: prefix } };
      }),
  );

  const jt = table((c) => c.channel, (seen) =>
    jtChannels.map((j) => ({
      key: j.code,
      zh: j.zh,
      members: j.code === 'other' ? [...seen].filter((k) => !mapped.includes(k)) : [...j.box],
      filter: { jtChannel: j.code },
    })),
  );

  const subtypeList = Object.entries(subtypes).flatMap(([type, list]) => list.map((s) => ({ code: `${type}/${s.code}`, zh: s.zh })));
  const subtypeRows = table((c) => `${c.type}/${c.sub}`, (seen) => {
    const rows: { key: string; zh: string; filter: Partial<TicketFilter> }[] = subtypeList.map((s) => ({ key: s.code, zh: s.zh, filter: { type: s.code.split('/')[0]!, subtype: s.code.split('/')[1]! } as Partial<TicketFilter> }));
    for (const k of seen) {
      const [type, sub] = k.split('/') as [string, string];
      if (sub && !rows.some((r) => r.key === k)) rows.push({ key: k, zh: sub, filter: { type, subtype: sub } });
    }
    return rows;
  });

  const kpiRange = rangeIso(period.from, period.to, tz);
  const kpis = computeKpis(db, { ...kpiRange, now, where: scope.where || undefined, params: scope.params });
  const withFilter = {} as Report['kpis'];
  for (const [k, v] of Object.entries(kpis) as [KpiKey, KpiValue][]) withFilter[k] = { ...v, filter: base };

  return {
    period,
    previous: prev,
    yearAgo: ago,
    timezone: tz,
    computedAt: now.toISOString(),
    scope: input.department != null ? { department: input.department } : null,
    total: totalRow,
    tables: {
      channel: jt,
      type: table((c) => c.type, (seen) => known(ticketTypes, seen, 'type')),
      subtype: subtypeRows,
      domain: table((c) => c.domain, (seen) => known(defaultDomains, seen, 'domain')),
      region: { parent, level, rows: regionRows },
      department: departmentFigures(db, input, base, scope),
    },
    kpis: withFilter,
    score: compositeScore(kpis, input.weights ?? defaultWeights),
    calls: input.department != null ? null : { current: periodCalls(db, period, tz), previous: periodCalls(db, prev, tz) },
  };
}

function periodCalls(db: Db, p: Period, tz: string): CallKpi {
  const { fromIso, toIso } = rangeIso(p.from, p.to, tz);
  return callKpis(db, { from: Date.parse(fromIso), to: Date.parse(toIso), bucket: 'day', timezone: tz }).total;
}

function departmentFigures(db: Db, input: ReportInput, base: TicketFilter, scope: { where: string; params: Record<string, unknown> }): DepartmentFigure[] {
  const { fromIso, toIso } = rangeIso(input.period.from, input.period.to, input.timezone);
  const done = 'coalesce(t.replied_at, t.closed_at)';
  const rows = db
    .prepare(
      `SELECT t.department_id AS id, d.name AS name, count(*) AS n,
         -- A comparison with a NULL due time or reply is NULL, and sum() of NULLs alone is NULL, not 0.
         coalesce(sum(t.status != 'merged' AND (${done} IS NOT NULL OR (t.due_at IS NOT NULL AND t.due_at < @now))), 0) AS den,
         coalesce(sum(t.status != 'merged' AND ${done} IS NOT NULL AND (t.due_at IS NULL OR ${done} <= t.due_at)), 0) AS num,
         coalesce(sum(t.status != 'merged' AND t.due_at IS NOT NULL AND (${done} > t.due_at OR (${done} IS NULL AND t.due_at < @now))), 0) AS overdue,
         coalesce(sum((SELECT count(*) FROM audit a WHERE a.entity = 'ticket' AND a.entity_id = t.number AND a.action = 'return')), 0) AS returns
       -- Unary + keeps SQLite on the created_at range: by department it would read every dispatched ticket ever.
       FROM tickets t LEFT JOIN departments d ON d.id = t.department_id
       WHERE t.created_at >= @from AND t.created_at < @to AND +t.department_id IS NOT NULL
         ${scope.where ? `AND ${scope.where.replace("+department_id", "+t.department_id")}` : ''}
       GROUP BY t.department_id ORDER BY t.department_id`,
    )
    .all({ ...scope.params, from: fromIso, to: toIso, now: input.now.toISOString() }) as { id: number; name: string | null; n: number; den: number; num: number; overdue: number; returns: number }[];
  return rows.map((r) => ({
    department: r.id,
    name: r.name ?? String(r.id),
    count: r.n,
    onTime: { numerator: r.num, denominator: r.den, rate: r.den > 0 ? round4(r.num / r.den) : null },
    returns: r.returns,
    overdue: r.overdue,
    filter: { ...base, department: r.id },
    overdueFilter: { ...base, department: r.id, overdue: true },
  }));
}

/** Tickets matching a filter, newest first (the list behind a figure). */
export function listTickets(db: Db, f: TicketFilter, tz: string, now: Date, page: number, pageSize: number): { total: number; items: FigureTicket[] } {
  const { fromIso, toIso } = rangeIso(f.from, f.to, tz);
  const s = filterSql(f);
  const where = `created_at >= @from AND created_at < @to${s.where ? ` AND ${s.where}` : ''}`;
  const params = { ...s.params, from: fromIso, to: toIso, now: now.toISOString() };
  const total = (db.prepare(`SELECT count(*) AS n FROM tickets WHERE ${where}`).get(params) as { n: number }).n;
  const items = db
    .prepare(
      `SELECT number, type, subtype, domain, channel, region, status, department_id AS department, subject, created_at AS createdAt, due_at AS dueAt,
              coalesce(replied_at, closed_at) AS settledAt, satisfaction, reopen_count AS reopenCount
         FROM tickets WHERE ${where} ORDER BY created_at DESC, rowid DESC LIMIT @limit OFFSET @offset`,
    )
    .all({ ...params, limit: pageSize, offset: (page - 1) * pageSize }) as FigureTicket[];
  return { total, items };
}

export { boxChannels };
