// The statistics pages' period (统计周期), kept in the address so a figure's page can be linked, reloaded and
// printed: day, ISO week, month, quarter, year or a custom range, and the picker that sets it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Key, t } from '../i18n.js';
import { navigate, useLocation } from '../router.js';
import type { PeriodKind } from '../../../firmware-agent/stats/view-types';
import { useApp } from '../state.js';

export type { PeriodKind } from '../../../firmware-agent/stats/view-types';

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
export function addDay(day: string, n: number): string {
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

const selKey = (s: PeriodSel) => (s.period === 'custom' ? `custom ${s.from} ${s.to}` : `${s.period} ${s.at}`);

export function PeriodPicker({ sel, keep = [] }: { sel: PeriodSel; keep?: string[] }) {
  const day = today(useApp().timezone);
  const [draft, setDraft] = useState<PeriodSel>(sel);
  // The period this picker last put in the address. When the address comes back with it, the draft is kept: the
  // user may already be typing the next one (clicking 自定义 applies a default range at once, and dates typed
  // before that re-render landed were replaced by it). A period from elsewhere (a link, back, forward) is shown.
  const applied = useRef<string | null>(null);
  useEffect(() => {
    if (applied.current === selKey(sel)) applied.current = null;
    else setDraft(sel);
  }, [sel.period, sel.at, sel.from, sel.to]);
  const apply = (d: PeriodSel) => {
    applied.current = selKey(d) === selKey(sel) ? null : selKey(d);
    setQuery(d.period === 'custom' ? { period: d.period, at: undefined, from: d.from, to: d.to } : { period: d.period, at: d.at, from: undefined, to: undefined }, keep);
  };
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
