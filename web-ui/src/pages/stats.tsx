// Statistics pages (issue 15 §2–§4): the period report — the eight KPIs and the composite score, volumes by
// JT/T 1019.5 channel, type, sub-type, industry, region (province → city → county drill-down) and
// department with share, 同比 and 环比 — its charts (trend against the previous period, composition, calls by
// hour of day), exports and print layout, and the list of tickets behind any figure. A department user gets
// its own department only: the server scopes it, and the page offers nothing the server would refuse.
// The period and the drill-down live in the address, so a figure's page can be linked, reloaded and printed.
// ECharts comes from ../charts.js, imported on first use (its own chunk, loaded by these pages only).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, qs } from '../api.js';
import type { ChartHandle, ChartOption } from '../charts.js';
import { ErrorBox, Link, StatusBadge, TypeLabel } from '../components.js';
import { type Key, L, errText, fmtTime, getLang, t } from '../i18n.js';
import { navigate, useLocation } from '../router.js';
import { supervisorRoles, useApp } from '../state.js';
import { CallFiguresCard, type CallFigures, WeightsEditor } from './stats-report-parts.js';

// ---- the API's shapes (docs/statistics.md) ----
export interface Period {
  kind: string;
  from: string;
  to: string;
  label: string;
}
export type Filter = Record<string, string | number | boolean>;
export interface Figure {
  key: string;
  zh: string;
  count: number;
  share: number | null;
  previous: number;
  momChange: number | null;
  yearAgo: number;
  yoyChange: number | null;
  filter: Filter;
}
interface DeptFigure {
  department: number;
  name: string;
  count: number;
  onTime: { numerator: number; denominator: number; rate: number | null };
  returns: number;
  overdue: number;
  filter: Filter;
  overdueFilter: Filter;
}
export type Kpi = { available: true; numerator: number; denominator: number; rate: number | null; filter?: Filter } | { available: false; reason: string; reasonZh?: string };
export interface Score {
  value: number | null;
  weights: Record<string, number>;
  counted: string[];
  usesDefaultWeights: boolean;
}
interface Report {
  period: Period;
  previous: Period;
  yearAgo: Period;
  scope: { department: number } | null;
  total: Figure;
  tables: {
    channel: Figure[];
    type: Figure[];
    subtype: Figure[];
    domain: Figure[];
    region: { parent: string | null; level: 'province' | 'city' | 'county'; rows: Figure[] };
    department: DeptFigure[];
  };
  kpis: Record<string, Kpi>;
  score: Score;
  /** Telephone figures of the period and the previous one; null in a department's report. */
  calls: { current: CallFigures; previous: CallFigures } | null;
}
interface Trend {
  unit: 'day' | 'week';
  period: Period;
  previousPeriod: Period;
  current: { from: string; to: string; count: number }[];
  previous: { from: string; to: string; count: number }[];
}
interface Hourly {
  daysWithCalls: number;
  hours: { hour: number; arrived: number; queued: number; answered: number; abandoned: number }[];
}

export const kpiKeys = [
  'inquiryImmediateAnswerRate',
  'nonComplaintOnTimeRate',
  'immediateAnswerSatisfactionRate',
  'dispatchedVisitRate',
  'badReviewRectificationRate',
  'complaintOnTimeRate',
  'complaintReviewRate',
  'complaintVisitSatisfactionRate',
] as const;
export const kpiNames: Record<string, [string, string]> = {
  inquiryImmediateAnswerRate: ['信息咨询类即时答复率', 'Inquiries answered at once'],
  nonComplaintOnTimeRate: ['非投诉举报类限时办结率', 'Non-complaints settled on time'],
  immediateAnswerSatisfactionRate: ['即时答复满意率', 'Satisfaction with instant answers'],
  dispatchedVisitRate: ['转办工单回访率', 'Dispatched tickets visited'],
  badReviewRectificationRate: ['差评整改率', 'Bad reviews rectified'],
  complaintOnTimeRate: ['投诉举报类限时办结率', 'Complaints settled on time'],
  complaintReviewRate: ['投诉举报类复核率', 'Complaints reviewed (复核)'],
  complaintVisitSatisfactionRate: ['投诉举报类回访满意率', 'Complaint visit satisfaction'],
};
const jtNames: Record<string, string> = {
  'phone-12328': '12328 telephone', website: 'Website', wechat: 'WeChat', weibo: 'Weibo', sms: 'SMS', app: 'Mobile app', email: 'E-mail', fax: 'Fax', other: 'Other',
};
export const kpiName = (k: string) => (kpiNames[k] ?? [k, k])[getLang() === 'zh' ? 0 : 1];

// ---- formatting ----
export const pct = (r: number | null | undefined, digits = 2) => (r == null ? '—' : `${(r * 100).toFixed(digits)}%`);
const signed = (r: number | null) => (r == null ? '—' : `${r > 0 ? '+' : ''}${(r * 100).toFixed(1)}%`);
export const num = (n: number | null | undefined, digits = 0) => (n == null || !Number.isFinite(n) ? '—' : n.toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
export const tf = (k: Key, vars: Record<string, string | number>) => t(k).replace(/\{(\w+)\}/g, (_, v: string) => String(vars[v] ?? ''));

/** The link to the tickets behind a figure. */
export const ticketsHref = (f: Filter) => `/stats/tickets${qs(f)}`;

// ---- period in the address ----
export type PeriodKind = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'custom';
const kinds: PeriodKind[] = ['day', 'week', 'month', 'quarter', 'year', 'custom'];
const kindLabel: Record<PeriodKind, Key> = { day: 'stDay', week: 'stWeek', month: 'stMonth', quarter: 'stQuarter', year: 'stYear', custom: 'stCustom' };

/** Today in the box's time zone (a browser elsewhere, or with a wrong clock zone, still sees the box's days). */
const today = (timezone: string) => new Date().toLocaleDateString('sv-SE', { timeZone: timezone });
function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const wd = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - wd + 3);
  const y = d.getUTCFullYear();
  const w = 1 + Math.round((d.getTime() - Date.UTC(y, 0, 4)) / 86_400_000 / 7 - ((new Date(Date.UTC(y, 0, 4)).getUTCDay() + 6) % 7) / 7 + 3 / 7);
  return `${y}-W${String(w).padStart(2, '0')}`;
}
function defaultAt(kind: PeriodKind, day: string): string {
  if (kind === 'day') return day;
  if (kind === 'week') return isoWeek(day);
  if (kind === 'month') return day.slice(0, 7);
  if (kind === 'quarter') return `${day.slice(0, 4)}-Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`;
  return day.slice(0, 4);
}

export interface PeriodSel {
  period: PeriodKind;
  at?: string;
  from?: string;
  to?: string;
}
export function usePeriod(): { sel: PeriodSel; query: URLSearchParams; periodQs: Record<string, string> } {
  const { query } = useLocation();
  const day = today(useApp().timezone);
  const k = (query.get('period') ?? 'month') as PeriodKind;
  const period = kinds.includes(k) ? k : 'month';
  const sel: PeriodSel =
    period === 'custom'
      ? { period, from: query.get('from') ?? addDay(day, -29), to: query.get('to') ?? day }
      : { period, at: query.get('at') ?? defaultAt(period, day) };
  const periodQs: Record<string, string> = period === 'custom' ? { period, from: sel.from!, to: sel.to! } : { period, at: sel.at! };
  return { sel, query, periodQs };
}
function addDay(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Replaces some query parameters of the current address (others kept, empty ones dropped). */
export function setQuery(changes: Record<string, string | undefined>, keep: string[] = []): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  for (const k of [...q.keys()]) if (!['period', 'at', 'from', 'to', ...keep, ...Object.keys(changes)].includes(k)) q.delete(k);
  const s = q.toString();
  navigate(location.pathname + (s ? `?${s}` : ''));
}

export function PeriodPicker({ sel, keep = [] }: { sel: PeriodSel; keep?: string[] }) {
  const day = today(useApp().timezone);
  const [draft, setDraft] = useState<PeriodSel>(sel);
  useEffect(() => setDraft(sel), [sel.period, sel.at, sel.from, sel.to]);
  const apply = (d: PeriodSel) => setQuery(d.period === 'custom' ? { period: d.period, at: undefined, from: d.from, to: d.to } : { period: d.period, at: d.at, from: undefined, to: undefined }, keep);
  const at = draft.at ?? '';
  const input = (type: 'date' | 'week' | 'month' | 'number', value: string, onValue: (v: string) => void, label: string, id?: string) => (
    <input type={type} value={value} aria-label={label} id={id} onChange={(e) => onValue((e.target as HTMLInputElement).value)} />
  );
  return (
    <form class="row wrap period-picker" id="period-picker" onSubmit={(e) => (e.preventDefault(), apply(draft))}>
      <span class="lbl">{t('stPeriod')}</span>
      <span class="tabs inline" role="group">
        {kinds.map((k) => (
          <button
            type="button"
            key={k}
            class={draft.period === k ? 'on' : ''}
            data-kind={k}
            onClick={() => {
              const d: PeriodSel = k === 'custom' ? { period: k, from: sel.from ?? addDay(day, -29), to: sel.to ?? day } : { period: k, at: defaultAt(k, day) };
              setDraft(d);
              apply(d);
            }}
          >
            {t(kindLabel[k])}
          </button>
        ))}
      </span>
      {draft.period === 'day' && input('date', at, (v) => setDraft({ ...draft, at: v }), t('stDay'), 'period-at')}
      {draft.period === 'week' && input('week', at, (v) => setDraft({ ...draft, at: v }), t('stWeek'), 'period-at')}
      {draft.period === 'month' && input('month', at, (v) => setDraft({ ...draft, at: v }), t('stMonth'), 'period-at')}
      {draft.period === 'year' && input('number', at, (v) => setDraft({ ...draft, at: v }), t('stYear'), 'period-at')}
      {draft.period === 'quarter' && (
        <>
          {input('number', at.slice(0, 4), (v) => setDraft({ ...draft, at: `${v}-${at.slice(5) || 'Q1'}` }), t('stYear'), 'period-at')}
          <select aria-label={t('stQuarter')} id="period-quarter" value={at.slice(5)} onChange={(e) => setDraft({ ...draft, at: `${at.slice(0, 4)}-${(e.target as HTMLSelectElement).value}` })}>
            {['Q1', 'Q2', 'Q3', 'Q4'].map((q) => <option key={q} value={q}>{q}</option>)}
          </select>
        </>
      )}
      {draft.period === 'custom' && (
        <>
          {input('date', draft.from ?? '', (v) => setDraft({ ...draft, from: v }), t('stFrom'), 'period-from')}
          <span>—</span>
          {input('date', draft.to ?? '', (v) => setDraft({ ...draft, to: v }), t('stTo'), 'period-to')}
        </>
      )}
      <button type="submit" class="primary" id="period-apply">{t('stShow')}</button>
    </form>
  );
}

// ---- charts ----
const loadCharts = () => import('../charts.js');

/** An ECharts chart; ECharts is loaded on first use. `data-points` on the box says how many points are drawn. */
export function Chart({ option, id, height = 260, onClick }: { option: ChartOption; id: string; height?: number; onClick?: (p: { dataIndex: number; seriesIndex: number; name: string }) => void }) {
  const el = useRef<HTMLDivElement>(null);
  const handle = useRef<ChartHandle | null>(null);
  const latest = useRef(option);
  const click = useRef(onClick);
  latest.current = option;
  click.current = onClick;
  const json = JSON.stringify(option);
  useEffect(() => {
    let live = true;
    void loadCharts().then((m) => {
      if (!live || !el.current) return;
      handle.current = m.mount(el.current, latest.current, (p) => click.current?.(p));
    });
    return () => {
      live = false;
      handle.current?.dispose();
      handle.current = null;
    };
  }, []);
  useEffect(() => handle.current?.update(option), [json]);
  return <div class="chart" id={id} ref={el} style={{ height: `${height}px` }} />;
}

const palette = ['#1461b8', '#e07b24', '#2f855a', '#c0392b', '#6b46c1', '#b7791f', '#2c7a7b', '#718096', '#d53f8c'];
const baseGrid = { left: 48, right: 16, top: 36, bottom: 28, containLabel: true };

function trendOption(tr: Trend): ChartOption {
  const n = Math.max(tr.current.length, tr.previous.length);
  const label = (i: number) => {
    const b = tr.current[i];
    return b ? b.from.slice(5) : `+${i + 1}`;
  };
  return {
    color: palette,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: baseGrid,
    xAxis: { type: 'category', data: Array.from({ length: n }, (_, i) => label(i)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: `${t('stThisPeriod')} ${tr.period.label}`, type: 'line', data: tr.current.map((b) => b.count), symbolSize: 5 },
      { name: `${t('stPrevious')} ${tr.previousPeriod.label}`, type: 'line', data: tr.previous.map((b) => b.count), lineStyle: { type: 'dashed' }, symbolSize: 4 },
    ],
  };
}

function pieOption(title: string, rows: { name: string; value: number }[]): ChartOption {
  return {
    color: palette,
    title: { text: title, left: 'center', top: 0, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    series: [
      {
        type: 'pie',
        radius: ['24%', '46%'],
        center: ['50%', '58%'],
        data: rows.filter((r) => r.value > 0),
        label: { formatter: '{b}\n{d}%', fontSize: 11, overflow: 'none' },
        labelLine: { length: 8, length2: 6 },
      },
    ],
  };
}

function barOption(rows: { name: string; value: number }[], seriesName: string): ChartOption {
  return {
    color: palette,
    tooltip: { trigger: 'axis' },
    grid: { ...baseGrid, top: 12 },
    xAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: seriesName, type: 'bar', barMaxWidth: 48, data: rows.map((r) => r.value), label: { show: true, position: 'top' } }],
  };
}

function hourlyOption(h: Hourly): ChartOption {
  return {
    color: ['#2f855a', '#c0392b', '#1461b8'],
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: baseGrid,
    xAxis: { type: 'category', data: h.hours.map((x) => `${String(x.hour).padStart(2, '0')}:00`) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: t('stAnswered'), type: 'bar', stack: 'q', data: h.hours.map((x) => x.answered) },
      { name: t('stAbandoned'), type: 'bar', stack: 'q', data: h.hours.map((x) => x.abandoned) },
      { name: t('stArrived'), type: 'line', data: h.hours.map((x) => x.arrived), symbolSize: 4 },
    ],
  };
}

// ---- the shell: tabs of the statistics pages ----
export function StatsShell({ children, tab }: { children: ComponentChildren; tab: 'report' | 'children' | 'agents' | 'capacity' | 'tickets' }) {
  const { user } = useApp();
  const { periodQs } = usePeriod();
  const sup = supervisorRoles.includes(user.role);
  const tabs: [string, Key, string][] = [['report', 'stReport', '/stats']];
  if (sup) tabs.push(['children', 'stChildren', '/stats/children'], ['agents', 'stAgents', '/stats/agents'], ['capacity', 'stCapacity', '/stats/capacity']);
  return (
    <div class="pad stats-page">
      <nav class="tabs no-print" id="stats-tabs">
        {tabs.map(([k, label, href]) => (
          <Link key={k} href={href + (k === 'capacity' ? '' : qs(periodQs))} class={tab === k ? 'on' : ''} id={`stats-tab-${k}`}>
            {t(label)}
          </Link>
        ))}
      </nav>
      {children}
    </div>
  );
}

/** GETs `url` whenever it changes; the answer, or the error in the current language. */
export function useGet<T>(url: string | null, rev = 0): { data: T | null; error: string | null } {
  const [state, setState] = useState<{ data: T | null; error: string | null; url: string | null }>({ data: null, error: null, url: null });
  useEffect(() => {
    if (!url) return;
    let live = true;
    get<T>(url).then(
      (data) => live && setState({ data, error: null, url }),
      (e) => live && setState({ data: null, error: errText(e), url }),
    );
    return () => {
      live = false;
    };
  }, [url, rev]);
  return { data: state.url === url ? state.data : null, error: state.url === url ? state.error : null };
}

// ---- the report page ----
function FigureTable({ id, title, rows, name, drill, hideEmpty }: { id: string; title: string; rows: Figure[]; name: (f: Figure) => ComponentChildren; drill?: (f: Figure) => void; hideEmpty?: boolean }) {
  const shown = hideEmpty ? rows.filter((r) => r.count || r.previous || r.yearAgo) : rows;
  return (
    <div class="card stats-table" id={id}>
      <h3>{title}</h3>
      <table class="list stat-figures">
        <thead>
          <tr>
            <th>{title}</th>
            <th class="num">{t('stCount')}</th>
            <th class="num">{t('stShare')}</th>
            <th class="num">{t('stPrevious')}</th>
            <th class="num">{t('stMom')}</th>
            <th class="num">{t('stYearAgo')}</th>
            <th class="num">{t('stYoy')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((f) => (
            <tr key={f.key} data-key={f.key}>
              <td>
                {name(f)}
                {drill ? (
                  <button class="link no-print drill" onClick={() => drill(f)} title={t('stDrill')}>›</button>
                ) : null}
              </td>
              <td class="num"><Link href={ticketsHref(f.filter)} class="figure">{num(f.count)}</Link></td>
              <td class="num">{pct(f.share, 1)}</td>
              <td class="num">{num(f.previous)}</td>
              <td class={`num ${(f.momChange ?? 0) > 0 ? 'up' : (f.momChange ?? 0) < 0 ? 'down' : ''}`}>{signed(f.momChange)}</td>
              <td class="num">{num(f.yearAgo)}</td>
              <td class={`num ${(f.yoyChange ?? 0) > 0 ? 'up' : (f.yoyChange ?? 0) < 0 ? 'down' : ''}`}>{signed(f.yoyChange)}</td>
            </tr>
          ))}
          {shown.length === 0 ? (
            <tr><td colSpan={7} class="muted">{t('stNoData')}</td></tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

export function KpiCards({ kpis, score, idPrefix = 'kpi' }: { kpis: Record<string, Kpi>; score: Score; idPrefix?: string }) {
  return (
    <div class="tiles kpis" id={`${idPrefix}-cards`}>
      <div class="tile score" id={`${idPrefix}-score`}>
        <span class="tile-label">{t('stScore')}</span>
        <span class="tile-count">{score.value == null ? '—' : score.value.toFixed(2)}</span>
        <span class="small muted">{score.usesDefaultWeights ? t('stDefaultWeights') : t('stCustomWeights')}</span>
      </div>
      {kpiKeys.map((k) => {
        const v = kpis[k];
        return (
          <div class="tile" key={k} id={`${idPrefix}-${k}`} data-kpi={k}>
            <span class="tile-label">{kpiName(k)}</span>
            {v?.available ? (
              <>
                <span class="tile-count">{pct(v.rate, 1)}</span>
                <span class="small muted">
                  {v.filter ? <Link href={ticketsHref(v.filter)} class="figure">{num(v.numerator)} / {num(v.denominator)}</Link> : `${num(v.numerator)} / ${num(v.denominator)}`}
                  {score.weights[k] != null ? ` · ${score.counted.includes(k) ? tf('stWeight', { w: num(score.weights[k]) }) : t('stNotScored')}` : ''}
                </span>
              </>
            ) : (
              <>
                <span class="tile-count muted">—</span>
                <span class="small muted">{v && !v.available ? (getLang() === 'zh' ? v.reasonZh ?? v.reason : v.reason) : t('stUnavailable')}</span>
              </>
            )}
          </div>
        );
      })}
    </div>
  );
}

export function StatsReport() {
  const { user, codes, departments } = useApp();
  const { sel, query, periodQs } = usePeriod();
  const sup = supervisorRoles.includes(user.role);
  const region = query.get('region') ?? '';
  const department = sup ? (query.get('department') ?? '') : '';
  const reportQs = { ...periodQs, region, department };
  // Bumped when the stored weights change: the same address, a new score.
  const [rev, setRev] = useState(0);
  const { data: r, error } = useGet<Report>(`/api/stats/report${qs(reportQs)}`, rev);
  const { data: trend } = useGet<Trend>(`/api/stats/trend${qs({ ...periodQs, department })}`);
  const { data: hourly } = useGet<Hourly>(sup && !department ? `/api/stats/hourly${qs(periodQs)}` : null);
  const [regionPath, setRegionPath] = useState<{ code: string; name: string }[]>([]);
  useEffect(() => {
    if (!region) return setRegionPath([]);
    void get<{ path: { code: string; name: string }[] }>(`/api/regions/${region}`).then((x) => setRegionPath(x.path), () => setRegionPath([]));
  }, [region]);

  const lang = getLang();
  const typeName = (code: string) => L(codes.types.find((x) => x.code === code), code);
  const subtypeName = (key: string) => {
    const [type, sub] = key.split('/') as [string, string];
    return `${typeName(type)} / ${L(codes.subtypes[type]?.find((x) => x.code === sub), sub)}`;
  };
  const domainName = (code: string, zh: string) => L(codes.domains.find((x) => x.code === code), zh);
  const channelName = (f: Figure) => (lang === 'zh' ? f.zh : (jtNames[f.key] ?? f.key));
  const keep = ['region', 'department'];

  return (
    <StatsShell tab="report">
      <div class="row wrap toolbar no-print">
        <PeriodPicker sel={sel} keep={keep} />
        <span class="spacer" />
        {sup ? (
          <select id="stats-department" aria-label={t('department')} value={department} onChange={(e) => setQuery({ department: (e.target as HTMLSelectElement).value }, ['region'])}>
            <option value="">{t('stAllDepartments')}</option>
            {departments.filter((d) => !d.disabled).map((d) => <option key={d.id} value={String(d.id)}>{d.name}</option>)}
          </select>
        ) : null}
        <a class="button" id="export-xlsx" href={`/api/stats/report.xlsx${qs(reportQs)}`} download>{t('stExportXlsx')}</a>
        <a class="button" id="export-csv" href={`/api/stats/report.csv${qs(reportQs)}`} download>{t('stExportCsv')}</a>
        <button type="button" id="stats-print" onClick={() => window.print()}>{t('stPrint')}</button>
      </div>
      <ErrorBox error={error} />
      {!r ? (
        error ? null : <p class="muted">{t('loading')}</p>
      ) : (
        <div id="stats-report" data-period={r.period.label}>
          <h2 class="stats-title">
            {t('stats')} · {r.period.label}
            {r.scope ? <span class="badge scope" id="stats-scope"> {t('stScopeDept')}{user.department ? `：${user.department.name}` : ''}</span> : null}
            <span class="small muted"> ({t('stPrevious')} {r.previous.label} · {t('stYearAgo')} {r.yearAgo.label})</span>
          </h2>
          <div class="tiles total">
            <div class="tile" id="stats-total">
              <span class="tile-label">{t('stTotal')}</span>
              <span class="tile-count"><Link href={ticketsHref(r.total.filter)} class="figure">{num(r.total.count)}</Link></span>
              <span class="small muted">{t('stMom')} {signed(r.total.momChange)} · {t('stYoy')} {signed(r.total.yoyChange)}</span>
            </div>
          </div>
          <div class="card">
            <h3>{t('stKpis')}</h3>
            <KpiCards kpis={r.kpis} score={r.score} />
          </div>
          {sup ? <WeightsEditor onSaved={() => setRev((n) => n + 1)} /> : null}
          {r.calls ? <CallFiguresCard calls={r.calls} previousLabel={r.previous.label} /> : null}
          <div class="chart-row">
            <div class="card chart-card">
              <h3>{t('stTrend')}</h3>
              {trend ? <Chart id="chart-trend" option={trendOption(trend)} /> : <p class="muted">{t('loading')}</p>}
            </div>
            <div class="card chart-card">
              <h3>{t('stComposition')}</h3>
              <div class="grid2">
                <Chart id="chart-type" option={pieOption(t('stByType'), r.tables.type.map((f) => ({ name: typeName(f.key), value: f.count })))} />
                <Chart id="chart-channel" option={pieOption(t('stByChannel'), r.tables.channel.map((f) => ({ name: channelName(f), value: f.count })))} />
              </div>
            </div>
          </div>
          {hourly ? (
            <div class="card chart-card">
              <h3>{t('stHourly')} <span class="small muted">({tf('stDaysWithCalls', { n: hourly.daysWithCalls })})</span></h3>
              <Chart id="chart-hourly" option={hourlyOption(hourly)} height={240} />
            </div>
          ) : null}
          <FigureTable id="table-channel" title={t('stByChannel')} rows={r.tables.channel} name={channelName} />
          <div class="grid2 tables2">
            <FigureTable id="table-type" title={t('stByType')} rows={r.tables.type} name={(f) => typeName(f.key)} />
            <FigureTable id="table-domain" title={t('stByDomain')} rows={r.tables.domain} name={(f) => domainName(f.key, f.zh)} hideEmpty />
          </div>
          <FigureTable id="table-subtype" title={t('stBySubtype')} rows={r.tables.subtype} name={(f) => subtypeName(f.key)} hideEmpty />
          <div class="card region-card">
            <div class="row wrap crumbs" id="region-crumbs">
              <button class="link" onClick={() => setQuery({ region: undefined }, ['department'])}>{t('stAllRegions')}</button>
              {regionPath.map((p) => (
                <span key={p.code}>› <button class="link" data-region={p.code} onClick={() => setQuery({ region: p.code }, ['department'])}>{p.name}</button></span>
              ))}
            </div>
            <div class="grid2">
              <FigureTable
                id="table-region"
                title={`${t('stByRegion')} · ${t(r.tables.region.level === 'province' ? 'province' : r.tables.region.level === 'city' ? 'city' : 'county')}`}
                rows={r.tables.region.rows}
                name={(f) => f.zh}
                drill={r.tables.region.level === 'county' ? undefined : (f) => setQuery({ region: f.key }, ['department'])}
              />
              {r.tables.region.rows.some((f) => f.count) ? (
                <Chart id="chart-region" option={barOption(r.tables.region.rows.filter((f) => f.count).map((f) => ({ name: f.zh, value: f.count })), t('stCount'))} height={240} />
              ) : null}
            </div>
          </div>
          <div class="card stats-table" id="table-department">
            <h3>{t('stByDepartment')}</h3>
            <table class="list stat-figures">
              <thead>
                <tr>
                  <th>{t('department')}</th>
                  <th class="num">{t('stCount')}</th>
                  <th class="num">{t('stOnTime')}</th>
                  <th class="num">{t('stReturns')}</th>
                  <th class="num">{t('stOverdue')}</th>
                </tr>
              </thead>
              <tbody>
                {r.tables.department.map((d) => (
                  <tr key={d.department} data-department={d.department}>
                    <td>{d.name}</td>
                    <td class="num"><Link href={ticketsHref(d.filter)} class="figure">{num(d.count)}</Link></td>
                    <td class="num">{pct(d.onTime.rate, 1)} <span class="small muted">({d.onTime.numerator}/{d.onTime.denominator})</span></td>
                    <td class="num">{num(d.returns)}</td>
                    <td class="num"><Link href={ticketsHref(d.overdueFilter)} class="figure">{num(d.overdue)}</Link></td>
                  </tr>
                ))}
                {r.tables.department.length === 0 ? (
                  <tr><td colSpan={5} class="muted">{t('stNoData')}</td></tr>
                ) : null}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </StatsShell>
  );
}

// ---- the tickets behind a figure ----
interface FigureTicket {
  number: string;
  type: string;
  subject: string;
  status: string;
  department: number | null;
  createdAt: string;
  dueAt: string | null;
  settledAt: string | null;
}

export function StatsTickets() {
  const { departments } = useApp();
  const { query } = useLocation();
  const filter = Object.fromEntries([...query.entries()].filter(([k]) => k !== 'page'));
  const page = Number(query.get('page') ?? '1') || 1;
  const { data, error } = useGet<{ total: number; page: number; pageSize: number; items: FigureTicket[] }>(`/api/stats/tickets${qs({ ...filter, page, pageSize: 20 })}`);
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  const go = (p: number) => navigate(`/stats/tickets${qs({ ...filter, page: p > 1 ? p : undefined })}`);
  // Back to the report of a period close to the list's range (a month when it is one, else the range itself).
  const back = filter.from && filter.to ? `/stats${qs({ period: 'custom', from: filter.from, to: addDay(filter.to, -1) })}` : '/stats';
  const conditions = Object.entries(filter).filter(([k]) => k !== 'from' && k !== 'to');
  return (
    <StatsShell tab="tickets">
      <div class="row">
        <h2 class="stats-title">{t('stTicketsBehind')}</h2>
        <span class="small muted" id="figure-filter">
          {filter.from} — {filter.to ? addDay(filter.to, -1) : ''} {conditions.map(([k, v]) => `· ${k}=${v}`).join(' ')}
        </span>
        <span class="spacer" />
        <Link href={back} class="no-print">{t('stBack')}</Link>
      </div>
      <ErrorBox error={error} />
      {data ? (
        <>
          <table class="list" id="figure-tickets" data-total={data.total}>
            <thead>
              <tr>
                <th>{t('number')}</th>
                <th>{t('type')}</th>
                <th>{t('subject')}</th>
                <th>{t('status')}</th>
                <th>{t('department')}</th>
                <th>{t('stReceivedAt')}</th>
                <th>{t('dueAt')}</th>
                <th>{t('stSettledAt')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((tk) => (
                <tr key={tk.number} data-number={tk.number}>
                  <td><Link href={`/tickets/${tk.number}`} class="mono">{tk.number}</Link></td>
                  <td><TypeLabel type={tk.type} /></td>
                  <td class="subject">{tk.subject}</td>
                  <td><StatusBadge status={tk.status} /></td>
                  <td>{departments.find((d) => d.id === tk.department)?.name ?? (tk.department ?? '')}</td>
                  <td>{fmtTime(tk.createdAt)}</td>
                  <td>{fmtTime(tk.dueAt)}</td>
                  <td>{fmtTime(tk.settledAt)}</td>
                </tr>
              ))}
              {data.items.length === 0 ? (
                <tr><td colSpan={8} class="muted">{t('none')}</td></tr>
              ) : null}
            </tbody>
          </table>
          <div class="row pager no-print">
            <button disabled={page <= 1} onClick={() => go(page - 1)} id="figure-prev">{t('stPrev')}</button>
            <span id="figure-page">{tf('stPage', { p: page, n: pages, t: data.total })}</span>
            <button disabled={page >= pages} onClick={() => go(page + 1)} id="figure-next">{t('stNext')}</button>
          </div>
        </>
      ) : error ? null : (
        <p class="muted">{t('loading')}</p>
      )}
    </StatsShell>
  );
}
