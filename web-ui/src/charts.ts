// ECharts for the statistics pages only (issue 15 §3). The pages import this module dynamically, so ECharts
// is a chunk of its own that no other page loads. Only the chart types and components used here are
// registered; the SVG renderer keeps charts sharp when printed. Animation is off: a chart is a figure to read
// (and to print or screenshot as soon as it is drawn), not a show.
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export interface ChartHandle {
  update(option: ChartOption): void;
  dispose(): void;
}

/** Width a chart is drawn at when printed (A4 portrait less margins at 96 dpi is about 700 px). */
const printWidth = 680;

/** Draws `option` into `el` and follows its size; `onClick` gets the clicked item's data index and series. */
export function mount(el: HTMLElement, option: ChartOption, onClick?: (p: { dataIndex: number; seriesIndex: number; name: string }) => void): ChartHandle {
  const chart = echarts.init(el, null, { renderer: 'svg' });
  const set = (o: ChartOption) => {
    chart.setOption({ animation: false, aria: { enabled: true }, ...o }, true);
    // How many data points are drawn, for readers of the DOM (tests, assistive tools).
    const series = (o.series ?? []) as { data?: unknown[] }[];
    el.dataset.points = String(series.reduce((n, s) => n + (s.data?.filter((d) => d != null).length ?? 0), 0));
  };
  set(option);
  if (onClick) chart.on('click', (p) => onClick({ dataIndex: p.dataIndex, seriesIndex: p.seriesIndex ?? 0, name: p.name }));
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(el);
  const beforePrint = () => chart.resize({ width: Math.min(printWidth, el.clientWidth || printWidth) });
  const afterPrint = () => chart.resize();
  window.addEventListener('beforeprint', beforePrint);
  window.addEventListener('afterprint', afterPrint);
  return {
    update: set,
    dispose() {
      observer.disconnect();
      window.removeEventListener('beforeprint', beforePrint);
      window.removeEventListener('afterprint', afterPrint);
      chart.dispose();
    },
  };
}
