// 质检 (quality inspection): a supervisor picks a recorded call, listens to it and scores the agent on the
// configured form; the inspections below, each correctable with a reason (scored again on the form it was
// scored on). An agent sees only their own inspections (the server decides).
import { useEffect, useState } from 'preact/hooks';
import { get, post, put } from '../api.js';
import { ErrorBox } from '../components.js';
import { L, errText, fmtTime, t } from '../i18n.js';
import { useApp } from '../state.js';
import type { Criterion, Inspection, RecordedCall } from '../../../firmware-agent/qa/view-types';

export function QaPage() {
  const { user } = useApp();
  const inspector = user.role === 'supervisor' || user.role === 'admin';
  const [form, setForm] = useState<Criterion[]>([]);
  const [calls, setCalls] = useState<RecordedCall[]>([]);
  const [items, setItems] = useState<Inspection[]>([]);
  const [picked, setPicked] = useState<RecordedCall | null>(null);
  /** The inspection being corrected (instead of a call being scored). */
  const [editing, setEditing] = useState<Inspection | null>(null);
  const [points, setPoints] = useState<Record<string, string>>({});
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      const [f, list, c] = await Promise.all([
        get<{ criteria: Criterion[] }>('/api/qa/form'),
        get<{ items: Inspection[] }>('/api/qa/inspections'),
        inspector ? get<{ items: RecordedCall[] }>('/api/qa/calls') : Promise.resolve({ items: [] as RecordedCall[] }),
      ]);
      setForm(f.criteria);
      setItems(list.items);
      setCalls(c.items);
    } catch (e) {
      setError(errText(e));
    }
  };
  useEffect(() => void load(), []);

  const pick = (c: RecordedCall) => {
    setPicked(c);
    setEditing(null);
    setPoints(Object.fromEntries(form.map((x) => [x.key, String(x.maxPoints)])));
    setComment('');
    setError(null);
  };
  const edit = (i: Inspection) => {
    setEditing(i);
    setPicked(null);
    setPoints(Object.fromEntries(i.form.map((x) => [x.key, String(i.points[x.key] ?? '')])));
    setComment(i.comment ?? '');
    setReason('');
    setError(null);
  };
  // A correction is scored on the inspection's own form, which may differ from today's.
  const shown = editing ? editing.form : form;
  const complete = shown.every((c) => points[c.key] !== undefined && points[c.key] !== '') && (!editing || reason.trim() !== '');
  const submit = async () => {
    if (!picked && !editing) return;
    setBusy(true);
    setError(null);
    const entered = Object.fromEntries(shown.map((c) => [c.key, Number(points[c.key])]));
    try {
      if (editing) {
        await put(`/api/qa/inspections/${editing.id}`, { points: entered, comment: comment.trim(), reason: reason.trim() });
      } else {
        await post('/api/qa/inspections', {
          callId: picked!.callId,
          agent: picked!.agentId,
          points: entered,
          ...(comment.trim() ? { comment: comment.trim() } : {}),
        });
      }
      setPicked(null);
      setEditing(null);
      await load();
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="pad" id="qa">
      <h2>{t('qa')}</h2>
      <ErrorBox error={error} />
      {inspector ? (
        <div class="cols">
          <RecordedCalls calls={calls} picked={picked} onPick={pick} />
          {picked || editing ? (
            <ScoreCard
              title={`${editing ? t('qaCorrect') : t('qaInspect')} · ${editing ? editing.agent.name : picked!.agentName}`}
              callId={editing ? editing.callId : picked!.callId}
              criteria={shown}
              points={points}
              onPoints={setPoints}
              comment={comment}
              onComment={setComment}
              reason={editing ? reason : null}
              onReason={setReason}
              canSubmit={!busy && complete}
              onSubmit={() => void submit()}
            />
          ) : null}
        </div>
      ) : null}
      <Inspections items={items} inspector={inspector} onCorrect={edit} />
    </section>
  );
}

function RecordedCalls({ calls, picked, onPick }: { calls: RecordedCall[]; picked: RecordedCall | null; onPick: (c: RecordedCall) => void }) {
  return (
    <div class="card">
      <h3>{t('qaRecordedCalls')}</h3>
      <table class="list" id="qa-calls">
        <thead>
          <tr><th>{t('qaCallTime')}</th><th>{t('qaAgent')}</th><th>{t('qaTalk')}</th><th>{t('qaScore')}</th><th /></tr>
        </thead>
        <tbody>
          {calls.map((c) => (
            <tr key={`${c.callId}:${c.agentId}`} data-call={c.callId} data-agent={c.agentId} class={picked?.callId === c.callId && picked.agentId === c.agentId ? 'on' : ''}>
              <td>{fmtTime(new Date(c.legStartedAt).toISOString())}</td>
              <td>{c.agentName}</td>
              <td>{c.talkSeconds ?? ''}</td>
              <td class="qa-score">{c.score ?? ''}</td>
              <td>{c.inspectionId === null ? <button data-inspect={`${c.callId}:${c.agentId}`} onClick={() => onPick(c)}>{t('qaInspect')}</button> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {calls.length === 0 ? <p class="muted">{t('qaNoCalls')}</p> : null}
    </div>
  );
}

/** The call's recording and the form it is scored on; `reason` (a correction's) is null for a first scoring. */
function ScoreCard(p: {
  title: string;
  callId: string;
  criteria: Criterion[];
  points: Record<string, string>;
  onPoints: (points: Record<string, string>) => void;
  comment: string;
  onComment: (comment: string) => void;
  reason: string | null;
  onReason: (reason: string) => void;
  canSubmit: boolean;
  onSubmit: () => void;
}) {
  return (
    <div class="card">
      <h3>{p.title}</h3>
      <audio id="qa-recording" controls preload="metadata" src={`/api/ui/calls/${encodeURIComponent(p.callId)}/recording`} />
      <form
        id="qa-form"
        class="act-form"
        onSubmit={(e) => {
          e.preventDefault();
          p.onSubmit();
        }}
      >
        <table class="list">
          <thead>
            <tr><th>{t('qaCriterion')}</th><th>{t('qaWeight')}</th><th>{t('qaPoints')}</th></tr>
          </thead>
          <tbody>
            {p.criteria.map((c) => (
              <tr key={c.key}>
                <td>{L(c)}</td>
                <td>{c.weight}</td>
                <td>
                  <input id={`qa-points-${c.key}`} class="short" type="number" min={0} max={c.maxPoints} step={1} required value={p.points[c.key] ?? ''} onInput={(e) => p.onPoints({ ...p.points, [c.key]: (e.target as HTMLInputElement).value })} /> / {c.maxPoints}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <textarea id="qa-comment" rows={2} maxLength={2000} placeholder={t('qaComment')} value={p.comment} onInput={(e) => p.onComment((e.target as HTMLTextAreaElement).value)} />
        {p.reason !== null ? (
          <input id="qa-reason" type="text" maxLength={500} required placeholder={t('qaCorrectReason')} aria-label={t('qaCorrectReason')} value={p.reason} onInput={(e) => p.onReason((e.target as HTMLInputElement).value)} />
        ) : null}
        <button type="submit" class="primary" id="qa-submit" disabled={!p.canSubmit}>{t('qaSubmit')}</button>
      </form>
    </div>
  );
}

function Inspections({ items, inspector, onCorrect }: { items: Inspection[]; inspector: boolean; onCorrect: (i: Inspection) => void }) {
  return (
    <div class="card">
      <h3>{inspector ? t('qaInspections') : t('qaMine')}</h3>
      <table class="list" id="qa-inspections">
        <thead>
          <tr><th>{t('qaCallTime')}</th><th>{t('qaAgent')}</th><th>{t('qaScore')}</th><th>{t('qaInspector')}</th><th>{t('qaComment')}</th>{inspector ? <th /> : null}</tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id} data-inspection={i.id} data-call={i.callId} title={i.form.map((c) => `${L(c)} ${i.points[c.key]}/${c.maxPoints}`).join(' · ')}>
              <td>{fmtTime(i.callAt)}</td>
              <td>{i.agent.name}</td>
              <td class="qa-score">
                {i.score}
                {i.corrected ? <span class="small muted qa-corrected"> {t('qaCorrected')} · {i.corrected.by}</span> : null}
              </td>
              <td>{i.inspector.name}</td>
              <td>{i.comment ?? ''}</td>
              {inspector ? <td><button data-correct={i.id} onClick={() => onCorrect(i)}>{t('qaCorrect')}</button></td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 ? <p class="muted">{t('qaNone')}</p> : null}
    </div>
  );
}
