// Statistics pages (issue 15 §2–§4): the period report — the eight KPIs and the composite score, volumes by
// JT/T 1019.5 channel, type, sub-type, industry, region (province → city → county drill-down) and
// department with share, 同比 and 环比 — its charts (trend against the previous period, composition, calls by
// hour of day), exports and print layout, and the list of tickets behind any figure. A department user gets
// its own department only: the server scopes it, and the page offers nothing the server would refuse.
// The period and the drill-down live in the address, so a figure's page can be linked, reloaded and printed.
// The period picker is stats-period.tsx, the charts stats-charts.tsx (ECharts imported on first use).
import type { Figure, Hourly, KpiValue, Report, Score, TicketFilter, Trend } from '../../../firmware-agent/stats/view-types';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, qs } from '../api.js';
import { ErrorBox, Link } from '../components.js';
import { type Key, L, errText, getLang, t } from '../i18n.js';
import { supervisorRoles, useApp } from '../state.js';
import { CallFiguresCard, WeightsEditor } from './stats-report-parts.js';
import { Chart, barOption, hourlyOption, pieOption, trendOption } from './stats-charts.js';
import { PeriodPicker, setQuery, usePeriod } from './stats-period.js';

// ---- the API's shapes (docs/statistics.md): the server's own types, one file for both sides ----
export type { Figure, Hourly, Period, Score, Trend } from '../../../firmware-agent/stats/view-types';
/** What a ticket link of a figure carries (GET /api/stats/tickets). */
export type Filter = TicketFilter;
/** A KPI as the report gives it; a box below's may lack the filter. */
export type Kpi = KpiValue & { filter?: TicketFilter };

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
  const regionPath = useRegionPath(region);

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
          <RegionCard region={r.tables.region} path={regionPath} />
          <DepartmentTable rows={r.tables.department} />
        </div>
      )}
    </StatsShell>
  );
}

/** The region the report is narrowed to, from the province down (the crumbs above the region table). */
function useRegionPath(region: string): { code: string; name: string }[] {
  const [path, setPath] = useState<{ code: string; name: string }[]>([]);
  useEffect(() => {
    if (!region) return setPath([]);
    void get<{ path: { code: string; name: string }[] }>(`/api/regions/${region}`).then((x) => setPath(x.path), () => setPath([]));
  }, [region]);
  return path;
}

/** Figures by region, one level below the one shown, each a drill-down (a county is the last level). */
function RegionCard({ region, path }: { region: Report['tables']['region']; path: { code: string; name: string }[] }) {
  return (
    <div class="card region-card">
      <div class="row wrap crumbs" id="region-crumbs">
        <button class="link" onClick={() => setQuery({ region: undefined }, ['department'])}>{t('stAllRegions')}</button>
        {path.map((p) => (
          <span key={p.code}>› <button class="link" data-region={p.code} onClick={() => setQuery({ region: p.code }, ['department'])}>{p.name}</button></span>
        ))}
      </div>
      <div class="grid2">
        <FigureTable
          id="table-region"
          title={`${t('stByRegion')} · ${t(region.level === 'province' ? 'province' : region.level === 'city' ? 'city' : 'county')}`}
          rows={region.rows}
          name={(f) => f.zh}
          drill={region.level === 'county' ? undefined : (f) => setQuery({ region: f.key }, ['department'])}
        />
        {region.rows.some((f) => f.count) ? (
          <Chart id="chart-region" option={barOption(region.rows.filter((f) => f.count).map((f) => ({ name: f.zh, value: f.count })), t('stCount'))} height={240} />
        ) : null}
      </div>
    </div>
  );
}

/** Figures by department: count, on-time rate, returns and overdue, each count a link to its tickets. */
function DepartmentTable({ rows }: { rows: Report['tables']['department'] }) {
  return (
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
          {rows.map((d) => (
            <tr key={d.department} data-department={d.department}>
              <td>{d.name}</td>
              <td class="num"><Link href={ticketsHref(d.filter)} class="figure">{num(d.count)}</Link></td>
              <td class="num">{pct(d.onTime.rate, 1)} <span class="small muted">({d.onTime.numerator}/{d.onTime.denominator})</span></td>
              <td class="num">{num(d.returns)}</td>
              <td class="num"><Link href={ticketsHref(d.overdueFilter)} class="figure">{num(d.overdue)}</Link></td>
            </tr>
          ))}
          {rows.length === 0 ? (
            <tr><td colSpan={5} class="muted">{t('stNoData')}</td></tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
