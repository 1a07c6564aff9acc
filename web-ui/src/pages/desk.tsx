// Agent desk (坐席工作台): state controls with shortcuts, the call pop with the caller's history, a ticket
// form that can be filled while talking, knowledge-base search as the agent types, answer now citing an
// article, dispatch, and one-key transfers to the numbers 12328 does not handle. The live parts (agent state,
// the call pop, knowledge-base search) are hooks in desk-live.ts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, put, type KbArticle, type Ticket } from '../api.js';
import { ErrorBox, Link, Notice, StatusBadge } from '../components.js';
import { errText, t } from '../i18n.js';
import { useApp } from '../state.js';
import { type DeskForm, type SubmitMode, TicketForm, emptyForm, formOk } from './desk-form.js';
import { KbPanel } from './desk-kb.js';
import { type AgentSnap, useLiveDesk } from './desk-live.js';
import { CallPop } from './desk-pop.js';
import { saveTicket, transferCall, useDeskKeys } from './desk-save.js';
import { SoftphonePanel, useStationChoice } from './desk-softphone.js';
import { type DeskState, StateBar, wrapTarget } from './desk-statebar.js';

/** What the answer text starts from when an article is cited: its first paragraph, cut to a phone-length reply. */
export function articleSummary(a: Pick<KbArticle, 'body'>): string {
  const first = a.body.trim().split(/\n\s*\n|\n/)[0]!.trim();
  return first.length > 300 ? `${first.slice(0, 300)}…` : first;
}

export function Desk() {
  const { user, callsAvailable } = useApp();
  const { station, setStation, inBrowser, inBrowserRef, browserProps } = useStationChoice(callsAvailable);
  const { boxRegion, form, setForm, formRef, formKey, cited, setCited, cite, answerText, setAnswerText, answerRef, fresh } = useTicketDraft();
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [done, setDone] = useState<Ticket | null>(null);
  const [busy, setBusy] = useState(false);
  const kbInput = useRef<HTMLInputElement>(null);
  const stationInput = useRef<HTMLInputElement>(null);
  // The ticket saved during a callback task, sent with its done mark.
  const lastTicket = useRef<string | null>(null);
  // Agent state and the call pop from the live stream (desk-live.ts); a new offer starts a fresh form.
  const { agent, takeAgent, pop, setPop } = useLiveDesk(callsAvailable, user.id, (caller) => {
    setDone(null);
    fresh(caller ?? '');
  });

  // The state as rendered, for F4: the key handler registered by an earlier render may still be the one that
  // runs (effects run after the paint that shows the new state).
  const agentRef = useRef(agent);
  agentRef.current = agent;

  const setState = async (state: DeskState) => {
    setError(null);
    try {
      // Read the input itself: a shortcut pressed right after typing may run a handler from the render before.
      const typed = (stationInput.current?.value ?? station).trim();
      if (typed) localStorage.setItem('station', typed);
      const st = inBrowserRef.current ? 'browser' : typed;
      const a = await put<AgentSnap>('/api/agent/state', { state, ...(st ? { station: st } : {}) });
      takeAgent(a);
    } catch (e) {
      setError(errText(e));
    }
  };

  const transfer = async (to: string) => {
    if (!pop) return;
    setError(null);
    try {
      setNotice(await transferCall(pop, to));
    } catch (e) {
      setError(errText(e));
    }
  };

  const submit = async (mode: SubmitMode) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const f = formRef.current;
      const final = await saveTicket(f, mode, pop, cited, answerRef.current, (number) => {
        if (pop?.callbackId) lastTicket.current = number;
      });
      setDone(final);
      setNotice(`${t('created')}: ${final.number}`);
      fresh('');
      setCited(null);
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  useDeskKeys({
    onState: callsAvailable ? (which) => void setState(which === 'F3' ? 'break' : which === 'F4' ? wrapTarget(agentRef.current?.state) : 'ready') : null,
    onKb: () => kbInput.current?.focus(),
    onDispatch: () => {
      const f = formRef.current;
      if (formOk(f) && f.department && !busy) void submit('dispatch');
    },
  });

  return (
    <section class="desk" id="desk">
      <StateBar
        agent={agent}
        callsAvailable={callsAvailable}
        station={station}
        stationRef={stationInput}
        onStation={setStation}
        onState={(s) => void setState(s)}
        {...browserProps}
      />
      <ErrorBox error={error} />
      <Notice text={notice} />
      <div class="desk-grid">
        <div class="col-pop">
          <CallPop
            pop={pop}
            lastTicket={() => lastTicket.current}
            onTransfer={(to) => void transfer(to)}
            onCallbackDone={() => pop && setPop({ ...pop, ended: true })}
            onError={setError}
          />
          {inBrowser ? <SoftphonePanel agent={agent} pop={pop} onError={setError} /> : null}
          {done ? <LastTicket ticket={done} /> : null}
        </div>
        <TicketForm
          key={formKey}
          form={form}
          setForm={setForm}
          boxRegion={boxRegion}
          cited={cited}
          onUncite={() => setCited(null)}
          answerText={answerText}
          setAnswerText={setAnswerText}
          busy={busy}
          onSubmit={(mode) => void submit(mode)}
        />
        <KbPanel inputRef={kbInput} onCite={cite} onError={setError} />
      </div>
    </section>
  );
}

/** The ticket this desk saved last, with its status. */
function LastTicket({ ticket }: { ticket: Ticket }) {
  return (
    <div class="card">
      <Link href={`/tickets/${ticket.number}`} class="mono" id="last-ticket">{ticket.number}</Link> <StatusBadge status={ticket.status} />
    </div>
  );
}

/**
 * The ticket being written: its form (with the box's own region as the default of the region picker), the
 * cited article and the answer given to the caller (即时答复: prefilled from the cited article's summary,
 * always editable). `fresh` starts a new form for a caller's number; refs give shortcuts the latest values
 * (the key handler may be the one registered by the render before).
 */
function useTicketDraft() {
  const [boxRegion, setBoxRegion] = useState('');
  const [form, setForm] = useState<DeskForm>(emptyForm(''));
  const formRef = useRef(form);
  formRef.current = form;
  const [formKey, setFormKey] = useState(0);
  const [cited, setCited] = useState<KbArticle | null>(null);
  const [answerText, setAnswerText] = useState('');
  const answerRef = useRef(answerText);
  answerRef.current = answerText;

  useEffect(() => {
    void get<{ region: string }>('/healthz').then((h) => {
      setBoxRegion(h.region);
      setForm((f) => (f.region ? f : { ...f, region: h.region }));
    });
  }, []);

  const fresh = (phone: string) => {
    setForm((f) => ({ ...emptyForm(f.region || boxRegion), phone }));
    setAnswerText('');
    setFormKey((k) => k + 1);
  };
  const cite = (a: KbArticle) => {
    // A new citation replaces a prefilled summary, never text the agent has written or edited.
    setAnswerText((cur) => (!cur.trim() || (cited && cur === articleSummary(cited)) ? articleSummary(a) : cur));
    setCited(a);
  };
  return { boxRegion, form, setForm, formRef, formKey, cited, setCited, cite, answerText, setAnswerText, answerRef, fresh };
}
