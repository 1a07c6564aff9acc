// The statistics pages' charts: an ECharts box (ECharts from ../charts.js, imported on first use, its own
// chunk) and the options of the trend, composition, bar and hour-of-day charts.
import { useEffect, useRef } from 'preact/hooks';
import type { ChartHandle, ChartOption } from '../charts.js';
import { t } from '../i18n.js';
import type { Hourly, Trend } from './stats.js';

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

export function trendOption(tr: Trend): ChartOption {
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

export function pieOption(title: string, rows: { name: string; value: number }[]): ChartOption {
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

export function barOption(rows: { name: string; value: number }[], seriesName: string): ChartOption {
  return {
    color: palette,
    tooltip: { trigger: 'axis' },
    grid: { ...baseGrid, top: 12 },
    xAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: seriesName, type: 'bar', barMaxWidth: 48, data: rows.map((r) => r.value), label: { show: true, position: 'top' } }],
  };
}

export function hourlyOption(h: Hourly): ChartOption {
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
