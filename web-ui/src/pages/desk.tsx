// Agent desk (坐席工作台): state controls with shortcuts, the call pop with the caller's history, a ticket
// form that can be filled while talking, knowledge-base search as the agent types, answer now citing an
// article, dispatch, and one-key transfers to the numbers 12328 does not handle. The live parts (agent state,
// the call pop, knowledge-base search) are hooks in desk-live.ts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, put, type KbArticle, type Ticket } from '../api.js';
import { ErrorBox, Field, Link, Notice, RegionPicker, StatusBadge } from '../components.js';
import { L, errText, fmtTime, t } from '../i18n.js';
import { agentStateLabel } from '../labels.js';
import { useApp } from '../state.js';
import { type AgentSnap, useKbSearch, useLiveDesk } from './desk-live.js';

const transfers = [
  { to: '12395', zh: '水上遇险', en: 'Water distress' },
  { to: '12306', zh: '铁路', en: 'Railway' },
  { to: '12326', zh: '民航', en: 'Civil aviation' },
  { to: '12305', zh: '邮政', en: 'Postal' },
];

/** What the answer text starts from when an article is cited: its first paragraph, cut to a phone-length reply. */
export function articleSummary(a: Pick<KbArticle, 'body'>): string {
  const first = a.body.trim().split(/\n\s*\n|\n/)[0]!.trim();
  return first.length > 300 ? `${first.slice(0, 300)}…` : first;
}

/** F4 / the wrap-up button: enter wrap-up by hand, or end it (back to ready) when in it. */
const wrapTarget = (state: string | undefined): 'ready' | 'wrap-up' => (state === 'wrap-up' ? 'ready' : 'wrap-up');

const emptyForm = (region: string) => ({
  type: 'complaint',
  subtype: '',
  domain: '',
  region,
  phone: '',
  name: '',
  subject: '',
  description: '',
  location: '',
  plate: '',
  company: '',
  urgent: false,
  confidential: false,
  department: '',
});

export function Desk() {
  const { user, codes, departments, callsAvailable } = useApp();
  const [station, setStation] = useState(localStorage.getItem('station') ?? '');
  const [boxRegion, setBoxRegion] = useState('');
  const [form, setForm] = useState(emptyForm(''));
  const [article, setArticle] = useState<KbArticle | null>(null);
  const [cited, setCited] = useState<KbArticle | null>(null);
  // The answer given to the caller (即时答复): prefilled from the cited article's summary, always editable.
  const [answerText, setAnswerText] = useState('');
  const answerRef = useRef(answerText);
  answerRef.current = answerText;
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [done, setDone] = useState<Ticket | null>(null);
  const [busy, setBusy] = useState(false);
  const [formKey, setFormKey] = useState(0);
  const kbInput = useRef<HTMLInputElement>(null);
  const stationInput = useRef<HTMLInputElement>(null);
  // Latest form for shortcuts: the key handler may be the one registered by the render before.
  const lastTicket = useRef<string | null>(null);
  const formRef = useRef(form);
  formRef.current = form;

  // The box's own region is the default of the region picker.
  useEffect(() => {
    void get<{ region: string }>('/healthz').then((h) => {
      setBoxRegion(h.region);
      setForm((f) => (f.region ? f : { ...f, region: h.region }));
    });
  }, []);

  // Agent state and the call pop from the live stream (desk-live.ts); a new offer starts a fresh form.
  const { agent, setAgent, pop, setPop } = useLiveDesk(callsAvailable, user.id, (caller) => {
    setDone(null);
    setForm((f) => ({ ...emptyForm(f.region || boxRegion), phone: caller ?? '' }));
    setAnswerText('');
    setFormKey((k) => k + 1);
  });

  const setState = async (state: 'ready' | 'break' | 'wrap-up' | 'logged-out') => {
    setError(null);
    try {
      // Read the input itself: a shortcut pressed right after typing may run a handler from the render before.
      const st = (stationInput.current?.value ?? station).trim();
      if (st) localStorage.setItem('station', st);
      const a = await put<AgentSnap>('/api/agent/state', { state, ...(st ? { station: st } : {}) });
      setAgent(a);
    } catch (e) {
      setError(errText(e));
    }
  };

  // Knowledge-base search as the agent types (desk-live.ts).
  const { q, setQ, hits } = useKbSearch();

  const openArticle = async (id: number) => setArticle(await get<KbArticle>(`/api/kb/articles/${id}`));

  const transfer = async (to: string) => {
    if (!pop) return;
    setError(null);
    if (pop.canTransfer === false) {
      // This trunk cannot hand the call over: the agent dials the number on an outside line and relays.
      setNotice(t('deskThisLineCannotTransfer', { to }));
      return;
    }
    try {
      await post(`/api/calls/${encodeURIComponent(pop.callId)}/transfer`, { to });
      setNotice(`${t('transfer')} ${to}`);
    } catch (e) {
      setError(errText(e));
    }
  };

  const submit = async (mode: 'save' | 'answer' | 'dispatch') => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const f = formRef.current;
      const involved: Record<string, string> = {};
      if (f.plate.trim()) involved.plate = f.plate.trim();
      if (f.company.trim()) involved.company = f.company.trim();
      const tk = await post<Ticket>('/api/tickets', {
        type: f.type,
        ...(f.subtype ? { subtype: f.subtype } : {}),
        domain: f.domain,
        channel: 'phone',
        region: f.region,
        caller: { phone: f.phone.trim() || null, ...(f.name.trim() ? { name: f.name.trim() } : {}) },
        subject: f.subject,
        description: f.description,
        ...(f.location.trim() ? { location: f.location.trim() } : {}),
        ...(Object.keys(involved).length ? { involved } : {}),
        urgent: f.urgent,
        confidential: f.confidential,
        ...(pop?.callId ? { callId: pop.callId } : {}),
      });
      let final = tk;
      if (pop?.callId) await post(`/api/calls/${encodeURIComponent(pop.callId)}/tickets`, { ticket: tk.number }).catch(() => undefined);
      if (pop?.callbackId) lastTicket.current = tk.number;
      if (mode === 'answer') {
        const text = answerRef.current.trim();
        if (cited) final = (await post<{ ticket: Ticket }>('/api/kb/answer', { ticket: tk.number, article: cited.id, version: cited.version, text })).ticket;
        else final = await post<Ticket>(`/api/tickets/${tk.number}/actions`, { action: 'answer', text });
      } else if (mode === 'dispatch') {
        final = await post<Ticket>(`/api/tickets/${tk.number}/actions`, { action: 'dispatch', department: Number(f.department) });
        if (cited) await post(`/api/kb/articles/${cited.id}/citations`, { ticket: tk.number, version: cited.version }).catch(() => undefined);
      } else if (cited) {
        await post(`/api/kb/articles/${cited.id}/citations`, { ticket: tk.number, version: cited.version }).catch(() => undefined);
      }
      setDone(final);
      setNotice(`${t('created')}: ${final.number}`);
      setForm(emptyForm(f.region));
      setFormKey((k) => k + 1);
      setCited(null);
      setAnswerText('');
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  const formOk = form.domain && form.region && form.subject.trim() && form.description.trim();
  const cite = (a: KbArticle) => {
    // A new citation replaces a prefilled summary, never text the agent has written or edited.
    setAnswerText((cur) => (!cur.trim() || (cited && cur === articleSummary(cited)) ? articleSummary(a) : cur));
    setCited(a);
  };

  // Keyboard: F2 ready, F3 break, F4 wrap-up (from ready or break; in wrap-up it ends it, back to ready),
  // Alt+K knowledge base, Ctrl+Enter dispatch.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'F2' || e.key === 'F3' || e.key === 'F4') {
        e.preventDefault();
        if (!callsAvailable) return;
        void setState(e.key === 'F3' ? 'break' : e.key === 'F4' ? wrapTarget(agent?.state) : 'ready');
      } else if (e.altKey && (e.key === 'k' || e.key === 'K')) {
        e.preventDefault();
        kbInput.current?.focus();
      } else if (e.ctrlKey && e.key === 'Enter') {
        e.preventDefault();
        const f = formRef.current;
        if (f.domain && f.region && f.subject.trim() && f.description.trim() && f.department && !busy) void submit('dispatch');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const set = (k: keyof typeof form) => (e: Event) => {
    const el = e.target as HTMLInputElement;
    setForm({ ...form, [k]: el.type === 'checkbox' ? el.checked : el.value });
  };
  const stateLabel = agentStateLabel;

  return (
    <section class="desk" id="desk">
      <div class="statebar">
        <b>{t('agentState')}:</b>
        <span class={`agent-state s-${agent?.state ?? 'logged-out'}`} id="agent-state" data-state={agent?.state ?? 'logged-out'}>
          {stateLabel(agent?.state)}
        </span>
        {callsAvailable ? (
          <>
            <input ref={stationInput} id="station" class="short" placeholder={t('deskStation')} value={station} onInput={(e) => setStation((e.target as HTMLInputElement).value)} />
            <button id="btn-ready" class={agent?.state === 'ready' ? 'on' : ''} onClick={() => void setState('ready')}>{t('ready')} (F2)</button>
            <button id="btn-break" class={agent?.state === 'break' ? 'on' : ''} onClick={() => void setState('break')}>{t('break')} (F3)</button>
            <button id="btn-wrap" class={agent?.state === 'wrap-up' ? 'on' : ''} disabled={!['ready', 'break', 'wrap-up'].includes(agent?.state ?? '')} onClick={() => void setState(wrapTarget(agent?.state))}
              title={agent?.state === 'wrap-up' ? t('deskEndWrapUpBack') : t('deskWrapUpNoCalls')}>
              {t('wrapUp')} ✓ (F4)
            </button>
            <button id="btn-signout" onClick={() => void setState('logged-out')}>{t('signOut')}</button>
          </>
        ) : (
          <span class="muted">{t('callsUnavailable')}</span>
        )}
        <span class="spacer" />
        <span class="muted small">{t('shortcuts')}</span>
      </div>
      <ErrorBox error={error} />
      <Notice text={notice} />
      <div class="desk-grid">
        <div class="col-pop">
          <div class={pop ? (pop.ended ? 'card pop ended' : 'card pop live') : 'card pop'} id="call-pop" data-call={pop?.callId ?? ''} data-latency={pop ? String(pop.shownAt - pop.eventAt) : ''}>
            <h3>{t('incomingCall')}</h3>
            {pop ? (
              <>
                {pop.distress ? (
                  <div class="distress-banner" id="pop-distress" role="alert">
                    <b>{t('waterDistress')}</b> · {t('deskTheCallerMustReach')}
                    {pop.boxTicket ? (
                      <>
                        {' · '}
                        {t('deskUrgentTicket')} <Link href={`/tickets/${pop.boxTicket}`} class="mono">{pop.boxTicket}</Link>
                      </>
                    ) : null}
                  </div>
                ) : null}
                <div class="caller-number" id="pop-caller">{pop.caller ?? t('anonymous')}</div>
                <div class="muted">{t('homeArea')}: <span id="pop-area">{pop.homeArea ?? '—'}</span>{pop.ended ? ` · ${t('hangup')}` : ''}</div>
                <h4>{t('earlierTickets')}</h4>
                <ul id="pop-tickets">
                  {(pop.tickets ?? []).map((x) => (
                    <li key={x.number}>
                      <Link href={`/tickets/${x.number}`} class="mono">{x.number}</Link> <StatusBadge status={x.status} /> {x.subject}
                    </li>
                  ))}
                  {!pop.tickets?.length
                    ? pop.history.tickets.map((x) => (
                        <li key={x.number}>
                          <Link href={`/tickets/${x.number}`} class="mono">{x.number}</Link> <StatusBadge status={x.status} /> {x.subject}
                        </li>
                      ))
                    : null}
                  {!pop.tickets?.length && !pop.history.tickets.length ? <li class="muted">{t('none')}</li> : null}
                </ul>
                <h4>{t('earlierCalls')}</h4>
                <ul id="pop-calls">
                  {pop.history.calls.map((c) => (
                    <li key={c.id}>{fmtTime(new Date(c.arrived_at).toISOString())} · {c.route ?? ''} · {c.outcome ?? ''}</li>
                  ))}
                  {!pop.history.calls.length ? <li class="muted">{t('none')}</li> : null}
                </ul>
                {pop.callbackId ? (
                  <div class="row">
                    <b>{t('deskCallbackTask')}</b>
                    {pop.callbackReason === 'missed-call' ? <span class="muted">{t('deskMissedCallTheLine')}</span> : null}
                    {pop.boxTicket && !pop.distress ? (
                      <Link href={`/tickets/${pop.boxTicket}`} class="mono" id="callback-ticket">{pop.boxTicket}</Link>
                    ) : null}
                    <button
                      id="callback-done"
                      disabled={pop.ended}
                      onClick={() =>
                        void post(`/api/callbacks/${encodeURIComponent(pop.callbackId!)}/done`, lastTicket.current ? { ticket: lastTicket.current } : {})
                          .then(() => setPop({ ...pop, ended: true }))
                          .catch((e) => setError(errText(e)))
                      }
                    >
                      {t('deskCallbackDone')}
                    </button>
                  </div>
                ) : null}
                <h4>{t('transfer')}</h4>
                <div class="row wrap">
                  {transfers.map((x) => (
                    <button
                      key={x.to}
                      id={`transfer-${x.to}`}
                      class={pop.distress && x.to === '12395' ? 'danger' : undefined}
                      title={pop.canTransfer === false ? t('deskThisLineCannotTransfer2') : undefined}
                      disabled={pop.ended || (!pop.callId && !pop.distress)}
                      onClick={() => void transfer(x.to)}
                    >
                      {x.to} {L(x)}
                    </button>
                  ))}
                </div>
              </>
            ) : (
              <p class="muted">{t('noCall')}</p>
            )}
          </div>
          {done ? (
            <div class="card">
              <Link href={`/tickets/${done.number}`} class="mono" id="last-ticket">{done.number}</Link> <StatusBadge status={done.status} />
            </div>
          ) : null}
        </div>
        <form class="card ticket-form" id="ticket-form" key={formKey} onSubmit={(e) => e.preventDefault()}>
          <h3>{t('newTicket')}</h3>
          <div class="grid2">
            <Field label={t('type')}>
              <select id="f-type" value={form.type} onChange={(e) => setForm({ ...form, type: (e.target as HTMLSelectElement).value, subtype: '' })}>
                {codes.types.map((x) => (
                  <option key={x.code} value={x.code}>{L(x)}</option>
                ))}
              </select>
            </Field>
            <Field label={t('subtype')}>
              <select id="f-subtype" value={form.subtype} onChange={set('subtype')}>
                <option value="">—</option>
                {(codes.subtypes[form.type] ?? []).map((x) => (
                  <option key={x.code} value={x.code}>{L(x)}</option>
                ))}
              </select>
            </Field>
            <Field label={t('domain')}>
              <select id="f-domain" value={form.domain} onChange={set('domain')} required>
                <option value="">{t('select')}</option>
                {codes.domains.filter((d) => !d.disabled).map((x) => (
                  <option key={x.code} value={x.code}>{L(x)}</option>
                ))}
              </select>
            </Field>
            <Field label={t('region')}>
              {boxRegion ? <RegionPicker id="f-region" value={form.region || boxRegion} onChange={(c) => setForm((f) => ({ ...f, region: c }))} /> : null}
            </Field>
            <Field label={t('callerPhone')}>
              <input id="f-phone" value={form.phone} onInput={set('phone')} inputMode="tel" />
            </Field>
            <Field label={t('callerName')}>
              <input id="f-name" value={form.name} onInput={set('name')} />
            </Field>
          </div>
          <Field label={t('subject')} wide>
            <input id="f-subject" value={form.subject} onInput={set('subject')} maxLength={200} required />
          </Field>
          <Field label={t('description')} wide>
            <textarea id="f-description" rows={5} value={form.description} onInput={set('description')} required />
          </Field>
          <div class="grid3">
            <Field label={t('location')}>
              <input id="f-location" value={form.location} onInput={set('location')} />
            </Field>
            <Field label={t('plate')}>
              <input id="f-plate" value={form.plate} onInput={set('plate')} />
            </Field>
            <Field label={t('company')}>
              <input id="f-company" value={form.company} onInput={set('company')} />
            </Field>
          </div>
          <div class="row">
            <label class="check"><input type="checkbox" id="f-urgent" checked={form.urgent} onChange={set('urgent')} />{t('urgent')}</label>
            <label class="check"><input type="checkbox" id="f-confidential" checked={form.confidential} onChange={set('confidential')} />{t('confidential')}</label>
            {cited ? (
              <span class="cited" id="cited">
                {t('cited')}: <Link href={`/kb/${cited.id}`} id="cited-link">{cited.title}</Link> <button type="button" class="link" onClick={() => setCited(null)}>×</button>
              </span>
            ) : null}
          </div>
          {form.type !== 'complaint' ? (
            <Field label={t('answerText')} wide>
              <textarea id="f-answer" rows={3} value={answerText} maxLength={4000} placeholder={t('answerTextHint')} onInput={(e) => setAnswerText((e.target as HTMLTextAreaElement).value)} />
            </Field>
          ) : null}
          <div class="row submit-row">
            <button type="button" id="btn-save" disabled={busy || !formOk} onClick={() => void submit('save')}>{t('saveTicket')}</button>
            <button type="button" id="btn-answer" disabled={busy || !formOk || form.type === 'complaint' || !answerText.trim()} onClick={() => void submit('answer')} title={cited ? cited.title : ''}>
              {t('answerNow')}
            </button>
            <select id="f-department" value={form.department} onChange={set('department')}>
              <option value="">{t('department')}: {t('select')}</option>
              {departments.filter((d) => !d.disabled).map((d) => (
                <option key={d.id} value={d.id}>{d.name}</option>
              ))}
            </select>
            <button type="button" class="primary" id="btn-dispatch" disabled={busy || !formOk || !form.department} onClick={() => void submit('dispatch')}>
              {t('dispatch')} (Ctrl+Enter)
            </button>
          </div>
        </form>
        <div class="card kb-panel">
          <h3>{t('kb')}</h3>
          <input ref={kbInput} type="search" id="kb-search" placeholder={t('kbSearch')} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
          <ol class="kb-hits" id="kb-hits">
            {hits.map((h) => (
              <li key={h.id} data-id={h.id}>
                <button type="button" class="link kb-title" onClick={() => void openArticle(h.id)}>{h.title}</button>
                <div class="muted small">{h.snippet}</div>
              </li>
            ))}
          </ol>
          {article ? (
            <div class="kb-article" id="kb-article">
              <h4>{article.title}</h4>
              <p class="text small">{article.body}</p>
              <button type="button" id="btn-cite" onClick={() => cite(article)}>{t('cite')}</button>
            </div>
          ) : null}
        </div>
      </div>
    </section>
  );
}
