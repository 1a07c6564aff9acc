// Administration, calls: the IVR menu, business hours, redirects and prompts, and the legacy numbers (when the
// calls subsystem exposes them). Saved to calls.json; applied to new calls at once.
import type { ComponentChildren } from 'preact';
import type { BusinessHours, CallsSettingsView, MenuAction, MenuItem } from '../../../firmware-agent/calls/view-types';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, put } from '../api.js';
import { useMsg } from '../components.js';
import { t } from '../i18n.js';
import { knownPromptIds, promptLabel } from '../labels.js';

/** A menu entry's action from its option value ('distress', 'queue:complaint', 'redirect:railway'); the server validates it. */
function actionOf(value: string): MenuAction {
  const [kind, arg] = value.split(':');
  if (kind === 'queue') return { kind, ticketType: (arg || null) as Extract<MenuAction, { kind: 'queue' }>['ticketType'] };
  if (kind === 'redirect') return { kind, service: arg as Extract<MenuAction, { kind: 'redirect' }>['service'] };
  return { kind: 'distress' };
}

/** IVR menu, business hours, redirects and prompts; legacy numbers. Saved to calls.json and applied to new calls at once. */
export function CallsSettings({ part }: { part: 'ivr' | 'legacy' }) {
  const [v, setV] = useState<CallsSettingsView | null>(null);
  // The draft as last edited, kept beside the state: an edit and the save click can come before the page has
  // re-rendered (a quick typist, a test), and the save must send the edit, not the draft of the last render.
  const draft = useRef<CallsSettingsView | null>(null);
  draft.current = v;
  const [saved, setSaved] = useState<'applied' | 'restart' | null>(null);
  const m = useMsg();
  useEffect(() => void get<CallsSettingsView>('/api/ui/calls-settings').then(setV).catch(() => undefined), []);
  if (!v) return <p class="muted">{t('loading')}</p>;
  const ivr = v.ivr;
  const edit = (change: (ivr: CallsSettingsView['ivr']) => CallsSettingsView['ivr']) => {
    const cur = draft.current ?? v;
    const next = { ...cur, ivr: change(cur.ivr) };
    draft.current = next;
    setV(next);
    setSaved(null);
  };
  // Recorded or generated prompt files (<id>.wav), and every prompt the box can play (to upload one).
  const files = v.prompts.map((f) => f.replace(/\.wav$/, ''));
  const promptIds = [...new Set([...knownPromptIds, ...files])];
  const save = (patchIvr: Partial<CallsSettingsView['ivr']>) =>
    m.run(async () => {
      // The notice speaks of this save only: cleared while it is on its way, shown again when the box has applied it.
      setSaved(null);
      const r = await put<CallsSettingsView>('/api/ui/calls-settings', { ivr: patchIvr });
      setV(r);
      setSaved(r.restartRequired ? 'restart' : 'applied');
    });
  const setMenu = (i: number, item: MenuItem) => edit((d) => ({ ...d, menu: d.menu.map((x, j) => (j === i ? item : x)) }));
  // The box applies saved settings to calls that arrive from now on; calls in progress keep theirs.
  const restartNote =
    saved === 'applied' ? (
      <p class="notice">{t('admSavedAndAppliedTo')}</p>
    ) : saved === 'restart' ? (
      <p class="notice">{t('admSavedToCallsJson')}</p>
    ) : null;
  if (part === 'legacy') return <LegacyNumbers numbers={ivr.legacyNumbers} save={save} note={restartNote} msg={m.view} />;
  return (
    <div class="card" id="calls-ivr">
      <h3>{t('ivr')}</h3>
      <table class="list">
        <thead><tr><th>{t('admKey')}</th><th>{t('admPrompt')}</th><th>{t('admAction')}</th><th></th></tr></thead>
        <tbody>
          {ivr.menu.map((item, i) => (
            <tr key={i}>
              <td><input class="short" value={item.digit} maxLength={1} onInput={(e) => setMenu(i, { ...item, digit: (e.target as HTMLInputElement).value })} /></td>
              <td>
                <select value={item.label} onChange={(e) => setMenu(i, { ...item, label: (e.target as HTMLSelectElement).value })}>
                  {[...new Set([item.label, ...promptIds])].map((p) => <option key={p} value={p}>{p ? `${promptLabel(p)} (${p})` : '—'}</option>)}
                </select>
              </td>
              <td>
                <select value={item.action.kind === 'queue' ? `queue:${item.action.ticketType ?? ''}` : item.action.kind === 'redirect' ? `redirect:${item.action.service}` : item.action.kind}
                  onChange={(e) => {
                    setMenu(i, { ...item, action: actionOf((e.target as HTMLSelectElement).value) });
                  }}>
                  <option value="distress">{t('waterDistress')} → {ivr.distressNumber}</option>
                  <option value="queue:complaint">{t('admAgentComplaintOrReport')}</option>
                  <option value="queue:inquiry">{t('admAgentInquiry')}</option>
                  <option value="queue:suggestion">{t('admAgentSuggestion')}</option>
                  <option value="queue:">{t('admAgent')}</option>
                  <option value="redirect:railway-aviation-postal">{t('admRailwayAviationPostalTell')}</option>
                  <option value="redirect:railway">{t('admRailway')} 12306</option>
                  <option value="redirect:aviation">{t('admCivilAviation')} 12326</option>
                  <option value="redirect:postal">{t('admPostal')} 12305</option>
                </select>
              </td>
              <td><button onClick={() => edit((d) => ({ ...d, menu: d.menu.filter((_, j) => j !== i) }))}>×</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="row">
        <button onClick={() => edit((d) => ({ ...d, menu: [...d.menu, { digit: '', label: '', action: { kind: 'queue', ticketType: null } }] }))}>{t('add')}</button>
      </div>
      <h4>{t('admBusinessHours')}</h4>
      <div class="row">
        <input type="time" id="hours-open" value={ivr.hours.open} onInput={(e) => edit((d) => ({ ...d, hours: { ...d.hours, open: (e.target as HTMLInputElement).value } }))} />
        –
        <input type="time" id="hours-close" value={ivr.hours.close} onInput={(e) => edit((d) => ({ ...d, hours: { ...d.hours, close: (e.target as HTMLInputElement).value } }))} />
        <select value={ivr.hours.days} onChange={(e) => edit((d) => ({ ...d, hours: { ...d.hours, days: (e.target as HTMLSelectElement).value as BusinessHours['days'] } }))}>
          <option value="workdays">{t('admWorkingDaysOfficialCalendar')}</option>
          <option value="every-day">{t('admEveryDay')}</option>
        </select>
      </div>
      <h4>{t('admRedirects')}</h4>
      <div class="row wrap">
        {Object.entries(ivr.redirects).map(([k, r]) => (
          <label key={k} class="check">
            <input type="checkbox" checked={r.transfer} onChange={(e) => edit((d) => ({ ...d, redirects: { ...d.redirects, [k]: { ...d.redirects[k as keyof typeof d.redirects], transfer: (e.target as HTMLInputElement).checked } } }))} />
            {r.number} {t('admTransferDirectly')}
          </label>
        ))}
      </div>
      <div class="row">
        <button class="primary" id="ivr-save" onClick={() => {
            const d = (draft.current ?? v).ivr;
            void save({ menu: d.menu, hours: d.hours, redirects: d.redirects });
          }}>{t('save')}</button>
      </div>
      {restartNote}
      <h4>{t('admPrompts')}</h4>
      <ul class="muted small" id="prompt-list">
        {files.length ? files.map((p) => <li key={p}>{promptLabel(p)} <span class="mono">{p}</span></li>) : <li>{t('none')}</li>}
      </ul>
      <PromptUpload promptIds={promptIds} run={m.run} />
      {m.view}
    </div>
  );
}

/** 旧号码: numbers whose callers hear the transition prompt; each change saved at once. */
function LegacyNumbers({ numbers, save, note, msg }: { numbers: string[]; save: (patch: { legacyNumbers: string[] }) => Promise<unknown>; note: ComponentChildren; msg: ComponentChildren }) {
  const [newNumber, setNewNumber] = useState('');
  return (
    <div class="card" id="calls-legacy">
      <p class="muted">{t('admCallersToTheseOld')}</p>
      <ul>
        {numbers.map((n) => (
          <li key={n} class="row">
            <span class="mono">{n}</span>
            <button onClick={() => void save({ legacyNumbers: numbers.filter((x) => x !== n) })}>×</button>
          </li>
        ))}
      </ul>
      <form class="row" onSubmit={(e) => (e.preventDefault(), void save({ legacyNumbers: [...numbers, newNumber.trim()] }).then(() => setNewNumber('')))}>
        <input id="legacy-number" placeholder={t('admEG09418212345')} pattern="[0-9]{3,20}" value={newNumber} onInput={(e) => setNewNumber((e.target as HTMLInputElement).value)} required />
        <button type="submit" class="primary">{t('add')}</button>
      </form>
      {note}
      {msg}
    </div>
  );
}

/** A recorded prompt uploaded as a WAV file for one of the prompts the box can play. */
function PromptUpload({ promptIds, run }: { promptIds: string[]; run: (fn: () => Promise<unknown>) => Promise<unknown> }) {
  const [promptId, setPromptId] = useState('');
  const upload = async (f: File) => {
    const bytes = new Uint8Array(await f.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    await run(() => put(`/api/ui/prompts/${promptId}`, { wavBase64: btoa(bin) }));
  };
  return (
    <div class="row">
      <select id="prompt-id" value={promptId} onChange={(e) => setPromptId((e.target as HTMLSelectElement).value)}>
        <option value="">—</option>
        {promptIds.map((p) => <option key={p} value={p}>{`${promptLabel(p)} (${p})`}</option>)}
      </select>
      <input type="file" accept=".wav,audio/wav" disabled={!promptId} onChange={(e) => {
        const f = (e.target as HTMLInputElement).files?.[0];
        if (f) void upload(f);
      }} />
    </div>
  );
}
