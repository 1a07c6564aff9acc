// Statistics pages for supervisors and admins (issue 15 §5–§7): the boxes below side by side (a province's
// cities, the ministry's provinces) ranked by score with late figures marked, agent performance (绩效, with
// the 质检 scores when the API carries them), and the capacity planner (Erlang C seats, Erlang B trunks)
// pre-filled from the last four weeks' busy hour, with its table of seats → service level.
import type { AgentFigures, CapacityView, ChildFigures } from '../../../firmware-agent/stats/view-types';
import { useEffect, useState } from 'preact/hooks';
import { qs } from '../api.js';
import type { ChartOption } from '../charts.js';
import { ErrorBox, Field } from '../components.js';
import { t } from '../i18n.js';
import { type Period, StatsShell, kpiKeys, kpiName, num, pct, useGet } from './stats.js';
import { Chart } from './stats-charts.js';
import { PeriodPicker, type PeriodSel, usePeriod } from './stats-period.js';

/** A box below (GET /api/stats/children). */
type ChildBox = ChildFigures;

const lateColour = '#a0aec0';

/** The period picker and the print button of a page. */
function PeriodToolbar({ sel }: { sel: PeriodSel }) {
  return (
    <div class="row wrap toolbar no-print">
      <PeriodPicker sel={sel} />
      <span class="spacer" />
      <button type="button" onClick={() => window.print()}>{t('stPrint')}</button>
    </div>
  );
}

function childrenOption(boxes: ChildBox[]): ChartOption {
  const sorted = [...boxes].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9));
  const name = (b: ChildBox) => (b.late ? `${b.name}（${t('stLate')}）` : b.name);
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 36, bottom: 28, containLabel: true },
    xAxis: { type: 'category', data: sorted.map(name), axisLabel: { interval: 0 } },
    yAxis: [
      { type: 'value', name: t('stScore'), min: 0, max: 100 },
      { type: 'value', name: t('stTotal'), minInterval: 1 },
    ],
    series: [
      {
        name: t('stScore'),
        type: 'bar',
        itemStyle: { color: '#1461b8' },
        data: sorted.map((b) => ({ value: b.score.value, itemStyle: { color: b.late ? lateColour : '#1461b8' } })),
        label: { show: true, position: 'top', formatter: (p: { value: number | null }) => (p.value == null ? '' : p.value.toFixed(1)) },
      },
      { name: t('stTotal'), type: 'bar', yAxisIndex: 1, itemStyle: { color: '#e07b24' }, data: sorted.map((b) => ({ value: b.total, itemStyle: { color: b.late ? '#cbd5e0' : '#e07b24' } })) },
    ],
  };
}

export function StatsChildren() {
  const { sel, periodQs } = usePeriod();
  const { data, error } = useGet<{ period: Period; role: string; boxes: ChildBox[] }>(`/api/stats/children${qs(periodQs)}`);
  const boxes = data ? [...data.boxes].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9)) : [];
  return (
    <StatsShell tab="children">
      <PeriodToolbar sel={sel} />
      <ErrorBox error={error} />
      {!data ? null : boxes.length === 0 ? (
        <p class="muted" id="children-none">{t('stNoChildren')}</p>
      ) : (
        <div id="stats-children" data-period={data.period.label}>
          <h2 class="stats-title">{t('stChildren')} · {data.period.label}</h2>
          <div class="card chart-card">
            <Chart id="chart-children" option={childrenOption(boxes)} height={300} />
          </div>
          <div class="card stats-table">
            <table class="list stat-figures" id="children-table">
              <thead>
                <tr>
                  <th>{t('stRank')}</th>
                  <th>{t('stBox')}</th>
                  <th class="num">{t('stScore')}</th>
                  <th class="num">{t('stTotal')}</th>
                  {kpiKeys.map((k) => <th key={k} class="num kpi-head">{kpiName(k)}</th>)}
                  <th>{t('stDaysReceived')}</th>
                </tr>
              </thead>
              <tbody>
                {boxes.map((b) => (
                  <tr key={b.region} data-region={b.region} class={b.late ? 'late' : ''}>
                    <td class="num">{b.rank ?? '—'}</td>
                    <td>
                      {b.name} <span class="small muted mono">{b.region}</span>
                      {b.late ? <b class="tag-late" title={`${t('stLastDay')}: ${b.lastDay ?? '—'}`}>{t('stLate')}</b> : null}
                    </td>
                    <td class="num">{b.score.value == null ? '—' : b.score.value.toFixed(2)}</td>
                    <td class="num">{num(b.total)}</td>
                    {kpiKeys.map((k) => {
                      const v = b.kpis[k];
                      return <td key={k} class="num">{v?.available ? pct(v.rate, 1) : '—'}</td>;
                    })}
                    <td>{b.daysReceived}/{b.daysExpected} <span class="small muted">{b.lastDay ?? ''}</span></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </StatsShell>
  );
}

/** An agent's row (GET /api/stats/agents). */
type AgentRow = AgentFigures;

const hms = (s: number) => {
  const x = Math.round(s);
  return `${Math.floor(x / 3600)}:${String(Math.floor((x % 3600) / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
};

export function StatsAgents() {
  const { sel, periodQs } = usePeriod();
  const { data, error } = useGet<{ period: Period; agents: AgentRow[] }>(`/api/stats/agents${qs(periodQs)}`);
  const agents = data?.agents ?? [];
  const hasQa = agents.some((a) => a.qa);
  const option: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 28, containLabel: true },
    xAxis: { type: 'category', data: agents.map((a) => a.name), axisLabel: { interval: 0, rotate: agents.length > 8 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: t('stCallsAnswered'), type: 'bar', data: agents.map((a) => a.callsAnswered) },
      { name: t('stTicketsReceived'), type: 'bar', data: agents.map((a) => a.ticketsReceived) },
    ],
  };
  return (
    <StatsShell tab="agents">
      <PeriodToolbar sel={sel} />
      <ErrorBox error={error} />
      {data ? (
        <div id="stats-agents" data-period={data.period.label}>
          <h2 class="stats-title">{t('stAgents')} · {data.period.label}</h2>
          {agents.length ? (
            <div class="card chart-card">
              <Chart id="chart-agents" option={option} height={240} />
            </div>
          ) : null}
          <div class="card stats-table">
            <table class="list stat-figures" id="agents-table">
              <thead>
                <tr>
                  <th>{t('stAgent')}</th>
                  <th class="num">{t('stCallsAnswered')}</th>
                  <th class="num">{t('stTalk')}</th>
                  <th class="num">{t('stWrapUp')}</th>
                  <th class="num">{t('stTicketsReceived')}</th>
                  <th class="num">{t('stInstant')}</th>
                  <th class="num">{t('stSatisfaction')}</th>
                  {hasQa ? <th class="num">{t('stQaCount')}</th> : null}
                  {hasQa ? <th class="num">{t('stQa')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {agents.map((a) => (
                  <tr key={a.agent} data-agent={a.agent}>
                    <td>{a.name}</td>
                    <td class="num">{num(a.callsAnswered)}</td>
                    <td class="num">{hms(a.talkSeconds)}</td>
                    <td class="num">{hms(a.wrapUpSeconds)}</td>
                    <td class="num">{num(a.ticketsReceived)}</td>
                    <td class="num">{num(a.instantAnswers)}</td>
                    <td class="num">{pct(a.satisfaction.rate, 1)} <span class="small muted">({a.satisfaction.numerator}/{a.satisfaction.denominator})</span></td>
                    {hasQa ? <td class="num">{num(a.qa?.inspected ?? 0)}</td> : null}
                    {hasQa ? <td class="num qa-score">{a.qa?.averageScore == null ? '—' : num(a.qa.averageScore, 1)}</td> : null}
                  </tr>
                ))}
                {agents.length === 0 ? (
                  <tr><td colSpan={9} class="muted">{t('stNoData')}</td></tr>
                ) : null}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </StatsShell>
  );
}

/** GET /api/stats/capacity (firmware-agent/stats/view-types.ts). */
type Capacity = CapacityView;

interface PlanForm {
  callsPerHour: string;
  aht: string;
  targetSl: string;
  targetSeconds: string;
  blocking: string;
}

function slOption(plan: NonNullable<Capacity['plan']>): ChartOption {
  return {
    color: ['#1461b8', '#e07b24'],
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 40, top: 36, bottom: 28, containLabel: true },
    xAxis: { type: 'category', name: t('stSeats'), data: plan.table.map((r) => String(r.seats)) },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      {
        name: t('stServiceLevel'),
        type: 'line',
        data: plan.table.map((r) => Math.round(r.serviceLevel * 1000) / 10),
        markLine: { silent: true, symbol: 'none', data: [{ yAxis: Math.round(plan.input.targetServiceLevel * 1000) / 10, name: t('stTargetSl') }], lineStyle: { type: 'dashed', color: '#c0392b' } },
      },
      { name: t('stOccupancy'), type: 'line', data: plan.table.map((r) => (r.occupancy === null ? null : Math.round(r.occupancy * 1000) / 10)), lineStyle: { type: 'dotted' } },
    ],
  };
}

export function StatsCapacity() {
  const [form, setForm] = useState<PlanForm | null>(null);
  const historyUrl = '/api/stats/capacity?days=28';
  const [asked, setAsked] = useState(historyUrl);
  const fromHistory = useGet<Capacity>(historyUrl);
  const entered = useGet<Capacity>(asked === historyUrl ? null : asked);
  const history = fromHistory.data;
  const { data, error } = asked === historyUrl ? fromHistory : entered;
  // Pre-fill once from the last four weeks' busy hour (or the defaults when there were no calls).
  useEffect(() => {
    if (!history || form) return;
    const b = history.busyHour;
    setForm({
      callsPerHour: b && b.callsPerHour > 0 ? String(Math.round(b.callsPerHour * 100) / 100) : '',
      aht: b?.ahtSeconds != null ? String(Math.round(b.ahtSeconds)) : '',
      targetSl: '0.8',
      targetSeconds: '10',
      blocking: '0.01',
    });
  }, [history]);
  const b = history?.busyHour ?? null;
  const plan = data?.plan ?? null;
  const field = (k: keyof PlanForm, label: string, step: string) => (
    <Field label={label}>
      <input type="number" step={step} min="0" id={`cap-${k}`} value={form?.[k] ?? ''} onInput={(e) => form && setForm({ ...form, [k]: (e.target as HTMLInputElement).value })} />
    </Field>
  );
  return (
    <StatsShell tab="capacity">
      <h2 class="stats-title">{t('stCapacity')}</h2>
      <div class="card" id="busy-hour">
        <h3>{t('stBusyHour')}</h3>
        {b && b.hourOfDay != null ? (
          <p>
            {b.from} — {b.to} · {t('stHourOfDay')} <b id="busy-hour-of-day">{String(b.hourOfDay).padStart(2, '0')}:00</b> · {t('stCallsPerHour')} <b>{num(b.callsPerHour, 1)}</b> · {t('stAht')}{' '}
            <b>{num(b.ahtSeconds, 0)}</b> · {t('stPatience')} <b>{num(b.patienceSeconds, 0)}</b>
          </p>
        ) : history ? (
          <p class="muted" id="busy-hour-none">{t('stNoHistory')}</p>
        ) : null}
      </div>
      <form
        class="card grid3 no-print"
        id="capacity-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!form) return;
          setAsked(`/api/stats/capacity${qs({ days: 28, callsPerHour: form.callsPerHour, aht: form.aht, targetSl: form.targetSl, targetSeconds: form.targetSeconds, blocking: form.blocking })}`);
        }}
      >
        {field('callsPerHour', t('stCallsPerHour'), 'any')}
        {field('aht', t('stAht'), 'any')}
        {field('targetSl', t('stTargetSl'), '0.01')}
        {field('targetSeconds', t('stTargetSeconds'), '1')}
        {field('blocking', t('stBlocking'), '0.001')}
        <div class="field"><span class="lbl">&nbsp;</span><button type="submit" class="primary" id="cap-plan">{t('stPlan')}</button></div>
      </form>
      <ErrorBox error={error} />
      {data && !plan ? <p class="muted">{t('stNoHistory')}</p> : null}
      {plan ? (
        <div id="capacity-plan">
          <div class="tiles">
            <div class="tile"><span class="tile-label">{t('stTraffic')}</span><span class="tile-count">{num(plan.trafficErlangs, 2)}</span></div>
            <div class="tile" id="cap-seats"><span class="tile-label">{t('stSeatsNeeded')}</span><span class="tile-count">{plan.seats.seats}</span><span class="small muted">{t('stServiceLevel')} {pct(plan.seats.serviceLevel, 1)} · {t('stOccupancy')} {pct(plan.seats.occupancy, 1)}</span></div>
            <div class="tile"><span class="tile-label">{t('stPWait')}</span><span class="tile-count">{pct(plan.seats.probabilityWait, 1)}</span><span class="small muted">{t('stAsa')} {num(plan.seats.asaSeconds, 1)}</span></div>
            <div class="tile" id="cap-trunks"><span class="tile-label">{t('stTrunksNeeded')}</span><span class="tile-count">{plan.trunks.trunks}</span><span class="small muted">{t('stBlocking')} {pct(plan.trunks.blocking, 2)} · {num(plan.trunks.trafficErlangs, 2)} E</span></div>
          </div>
          <div class="grid2">
            <div class="card stats-table">
              <table class="list stat-figures" id="capacity-table">
                <thead>
                  <tr>
                    <th class="num">{t('stSeats')}</th>
                    <th class="num">{t('stServiceLevel')}</th>
                    <th class="num">{t('stPWait')}</th>
                    <th class="num">{t('stAsa')}</th>
                    <th class="num">{t('stOccupancy')}</th>
                  </tr>
                </thead>
                <tbody>
                  {plan.table.map((r) => (
                    <tr key={r.seats} data-seats={r.seats} class={r.seats === plan.seats.seats ? 'chosen' : ''}>
                      <td class="num">{r.seats}</td>
                      <td class="num">{pct(r.serviceLevel, 1)}</td>
                      <td class="num">{pct(r.probabilityWait, 1)}</td>
                      <td class="num">{num(r.asaSeconds, 1)}</td>
                      <td class="num">{pct(r.occupancy, 1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div class="card chart-card">
              <Chart id="chart-capacity" option={slOption(plan)} height={280} />
            </div>
          </div>
        </div>
      ) : null}
    </StatsShell>
  );
}
