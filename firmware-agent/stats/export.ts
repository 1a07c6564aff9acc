// Report export (issue 15 §4): one table per sheet in .xlsx (exceljs) with Chinese headers and number
// formats, and the same tables as CSV (UTF-8 with a BOM so Excel reads Chinese), tables one after another
// separated by a blank line and a title line.
// exceljs (≈200 modules, a second of loading on a small board) is loaded on the first .xlsx export, never at
// boot (issue 11: ready within 1 s).
import type ExcelJSType from 'exceljs';
import { kpiKeys, kpiLabels } from './kpis.js';
import type { Report } from './reports.js';

type Cell = string | number | null;
interface Table {
  sheet: string;
  columns: { header: string; fmt?: string }[];
  rows: Cell[][];
}

const pct = '0.00%';
const int = '#,##0';

export function reportTables(r: Report): Table[] {
  const figureCols = [
    { header: '项目' },
    { header: '数量', fmt: int },
    { header: '占比', fmt: pct },
    { header: '环比上期', fmt: int },
    { header: '环比增减', fmt: pct },
    { header: '同期', fmt: int },
    { header: '同比增减', fmt: pct },
  ];
  const figureRows = (rows: Report['tables']['channel']) => rows.map((f) => [f.zh, f.count, f.share, f.previous, f.momChange, f.yearAgo, f.yoyChange]);
  return [
    {
      sheet: '考核指标',
      columns: [{ header: '指标' }, { header: '分子', fmt: int }, { header: '分母', fmt: int }, { header: '比率', fmt: pct }, { header: '说明' }],
      rows: [
        ...kpiKeys.map((k): Cell[] => {
          const v = r.kpis[k];
          return v.available ? [kpiLabels[k], v.numerator, v.denominator, v.rate, null] : [kpiLabels[k], null, null, null, v.reasonZh];
        }),
        ['综合得分', null, null, r.score.value === null ? null : r.score.value / 100, r.score.usesDefaultWeights ? '默认权重' : '自定义权重'],
      ],
    },
    { sheet: '渠道', columns: figureCols, rows: [...figureRows(r.tables.channel), [r.total.zh, r.total.count, r.total.share, r.total.previous, r.total.momChange, r.total.yearAgo, r.total.yoyChange]] },
    { sheet: '类型', columns: figureCols, rows: figureRows(r.tables.type) },
    { sheet: '子类型', columns: figureCols, rows: figureRows(r.tables.subtype) },
    { sheet: '行业', columns: figureCols, rows: figureRows(r.tables.domain) },
    { sheet: '区域', columns: figureCols, rows: figureRows(r.tables.region.rows) },
    {
      sheet: '部门',
      columns: [{ header: '部门' }, { header: '工单数', fmt: int }, { header: '按时办结', fmt: int }, { header: '应办结', fmt: int }, { header: '按时办结率', fmt: pct }, { header: '退回次数', fmt: int }, { header: '超期', fmt: int }],
      rows: r.tables.department.map((d) => [d.name, d.count, d.onTime.numerator, d.onTime.denominator, d.onTime.rate, d.returns, d.overdue]),
    },
    ...(r.calls ? [callsTable(r, r.calls)] : []),
  ];
}

/** 话务: the period's telephone figures and the previous period's (a department's report has none). */
function callsTable(r: Report, calls: NonNullable<Report['calls']>): Table {
  const sec = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);
  const row = (label: string, k: NonNullable<Report['calls']>['current']): Cell[] => [
    label, k.offered, k.queued, k.answered, k.answeredWithin10sRate, k.abandoned, k.abandonRate, sec(k.asaMs), sec(k.ahtMs),
  ];
  return {
    sheet: '话务',
    columns: [
      { header: '期间' },
      { header: '呼入总量', fmt: int },
      { header: '转人工', fmt: int },
      { header: '人工接通', fmt: int },
      { header: '10秒接通率', fmt: pct },
      { header: '放弃', fmt: int },
      { header: '放弃率', fmt: pct },
      { header: '平均应答时长（秒）', fmt: '0.0' },
      { header: '平均处理时长（秒）', fmt: '0.0' },
    ],
    rows: [row(`本期 ${r.period.label}`, calls.current), row(`上期 ${r.previous.label}`, calls.previous)],
  };
}

export async function reportXlsx(r: Report): Promise<Buffer> {
  const ExcelJS = (await import('exceljs')).default as typeof ExcelJSType;
  const wb = new ExcelJS.Workbook();
  wb.creator = '12328 Edge Box';
  wb.created = new Date(r.computedAt);
  for (const t of reportTables(r)) {
    const ws = wb.addWorksheet(t.sheet);
    ws.columns = t.columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: i === 0 ? 24 : 12, style: c.fmt ? { numFmt: c.fmt } : {} }));
    for (const row of t.rows) ws.addRow(row);
    ws.getRow(1).font = { bold: true };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const csvCell = (v: Cell) => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function reportCsv(r: Report): string {
  const parts: string[] = [];
  for (const t of reportTables(r)) {
    parts.push(csvCell(`${t.sheet}（${r.period.label}）`));
    parts.push(t.columns.map((c) => csvCell(c.header)).join(','));
    for (const row of t.rows) parts.push(row.map(csvCell).join(','));
    parts.push('');
  }
  return '\uFEFF' + parts.join('\r\n');
}
