// Two parts of the period report page: the telephone figures of the period (话务: 10秒接通率, abandonment,
// ASA, AHT beside the previous period, from the report's `calls` part) and the editor of the composite
// score's stored weights (GET/PUT /api/stats/weights, supervisors and admins; a change is audited as a
// setting and every later report uses it unless a request gives its own weights).
import type { CallKpi, WeightsView } from '../../../firmware-agent/stats/view-types';
import { useEffect, useState } from 'preact/hooks';
import { get, put } from '../api.js';
import { ErrorBox } from '../components.js';
import { errText, t } from '../i18n.js';
import { kpiKeys, kpiName, num, pct } from './stats.js';

/** One period's call figures (calls/kpis.ts `Kpi`, the fields this page shows). */
/** A period's call figures (the report's `calls`). */
export type CallFigures = CallKpi;

const seconds = (ms: number | null) => (ms == null ? '—' : `${num(ms / 1000, 1)} ${t('stSeconds')}`);

export function CallFiguresCard({ calls, previousLabel }: { calls: { current: CallFigures; previous: CallFigures }; previousLabel: string }) {
  const { current: c, previous: p } = calls;
  const tiles: { id: string; label: string; value: string; before: string; detail?: string }[] = [
    { id: 'offered', label: t('stCallsOffered'), value: num(c.offered), before: num(p.offered), detail: `${t('stCallsQueued')} ${num(c.queued)} · ${t('stCallsAgentAnswered')} ${num(c.answered)}` },
    { id: 'answered10s', label: t('answered10s'), value: pct(c.answeredWithin10sRate, 1), before: pct(p.answeredWithin10sRate, 1) },
    { id: 'abandon', label: t('abandonment'), value: pct(c.abandonRate, 1), before: pct(p.abandonRate, 1), detail: `${t('stCallsAbandoned')} ${num(c.abandoned)}` },
    { id: 'asa', label: t('stAsaTile'), value: seconds(c.asaMs), before: seconds(p.asaMs) },
    { id: 'aht', label: t('stAhtTile'), value: seconds(c.ahtMs), before: seconds(p.ahtMs) },
  ];
  return (
    <div class="card" id="stats-calls">
      <h3>{t('stCalls')}</h3>
      <div class="tiles kpis">
        {tiles.map((x) => (
          <div class="tile" key={x.id} id={`calls-${x.id}`}>
            <span class="tile-label">{x.label}</span>
            <span class="tile-count">{x.value}</span>
            <span class="small muted">
              {t('stPrevious')} {previousLabel}: {x.before}
              {x.detail ? <><br />{x.detail}</> : null}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}

type Weights = WeightsView;

/** The stored weights, editable; `onSaved` lets the page recompute the score with them. */
export function WeightsEditor({ onSaved }: { onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  const [stored, setStored] = useState<Weights | null>(null);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const show = (w: Weights) => {
    setStored(w);
    setDraft(Object.fromEntries(kpiKeys.map((k) => [k, String(w.weights[k] ?? 0)])));
  };
  useEffect(() => {
    if (open && !stored) void get<Weights>('/api/stats/weights').then(show, (e) => setError(errText(e)));
  }, [open]);

  const save = async (weights: Record<string, string | number>) => {
    setError(null);
    const body: Record<string, number> = {};
    for (const k of kpiKeys) {
      const n = Number(weights[k]);
      // Checked here for a clear message at the field; the server checks the same (0–999, not all zero).
      if (String(weights[k]).trim() === '' || !Number.isFinite(n) || n < 0 || n > 999) return setError(`${kpiName(k)}: ${t('stWeightRange')}`);
      body[k] = n;
    }
    setBusy(true);
    try {
      show(await put<Weights>('/api/stats/weights', { weights: body }));
      onSaved();
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details class="card no-print" id="stats-weights" open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>{t('stWeightsTitle')}</summary>
      <ErrorBox error={error} />
      {!stored ? (
        error ? null : <p class="muted">{t('loading')}</p>
      ) : (
        <form onSubmit={(e) => (e.preventDefault(), void save(draft))}>
          <table class="list">
            <thead>
              <tr>
                <th>{t('stKpis')}</th>
                <th class="num">{t('stWeightStored')}</th>
                <th class="num">{t('stWeightDefault')}</th>
              </tr>
            </thead>
            <tbody>
              {kpiKeys.map((k) => (
                <tr key={k}>
                  <td>{kpiName(k)}</td>
                  <td class="num">
                    <input type="number" min={0} max={999} step="any" data-weight={k} aria-label={kpiName(k)} value={draft[k] ?? ''} onInput={(e) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value })} />
                  </td>
                  <td class="num">{num(stored.defaults[k] ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="row">
            <button type="submit" class="primary" id="weights-save" disabled={busy}>{t('save')}</button>
            <button type="button" id="weights-defaults" disabled={busy || stored.usesDefaultWeights} onClick={() => void save(stored.defaults)}>{t('stWeightsReset')}</button>
            <span class="small muted">{stored.usesDefaultWeights ? t('stDefaultWeights') : t('stCustomWeights')}</span>
          </div>
        </form>
      )}
    </details>
  );
}
