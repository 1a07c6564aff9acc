// Supervisor pages: the wallboard, the return-visit worklist (回访) and overdue escalation with re-dispatch.
import type { AgentSnapshot, CallKpiReport, QueueSnapshot } from '../../../firmware-agent/calls/view-types';
import { useEffect, useState } from 'preact/hooks';
import { get, post, put, qs, type Ticket, type TicketList } from '../api.js';
import { ErrorBox, TicketTable } from '../components.js';
import * as events from '../events.js';
import { L, errText, t } from '../i18n.js';
import { agentStateLabel } from '../labels.js';
import { useApp } from '../state.js';
import { longestWaitS } from '../wait.js';

type AgentSnap = AgentSnapshot;
type Queue = QueueSnapshot;

/** A rate of 0..1 as a percentage; '—' when there is none (no call entered the queue). */
function pct(x: number | null | undefined): string {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '—';
}

export function Wallboard() {
  const { callsAvailable } = useApp();
  const [agents, setAgents] = useState<AgentSnap[]>([]);
  const [queue, setQueue] = useState<(Queue & { receivedAt: number }) | null>(null);
  const [kpi, setKpi] = useState<CallKpiReport | null>(null);
  const [counts, setCounts] = useState({ dueSoon: 0, overdue: 0 });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const loadTickets = () =>
      void Promise.all([get<TicketList>('/api/tickets?dueSoon=true&pageSize=1'), get<TicketList>('/api/tickets?overdue=true&pageSize=1')]).then(([a, b]) =>
        setCounts({ dueSoon: a.total, overdue: b.total }),
      );
    loadTickets();
    const offs = [events.on('ticket.changed', loadTickets)];
    if (callsAvailable) {
      const day = new Date();
      day.setHours(0, 0, 0, 0);
      const loadKpi = () => void get<CallKpiReport>(`/api/calls/kpis${qs({ from: day.toISOString(), bucket: 'day' })}`).then(setKpi).catch(() => undefined);
      const gotQueue = (q: Queue) => setQueue({ ...q, receivedAt: Date.now() });
      const loadCalls = () => {
        loadKpi();
        void get<AgentSnap[]>('/api/agents').then(setAgents).catch(() => undefined);
        void get<Queue>('/api/queue').then(gotQueue).catch(() => undefined);
      };
      loadCalls();
      offs.push(
        events.on('agent.state', (e: { agent: AgentSnap }) => setAgents((list) => [...list.filter((a) => a.agentId !== e.agent.agentId), e.agent].sort((a, b) => a.agentId - b.agentId))),
        events.on('queue.state', (e: { queue: Queue }) => gotQueue(e.queue)),
        events.on('call.ended', loadKpi),
        // The calls stream reconnected: what changed in the gap was not delivered.
        events.on('calls.resync', loadCalls),
      );
    }
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => {
      offs.forEach((f) => f());
      clearInterval(timer);
    };
  }, [callsAvailable]);

  const [error, setError] = useState<string | null>(null);
  // A supervisor changes an agent's state (e.g. signs out an agent who left the seat).
  const setAgentState = async (id: number, state: string) => {
    setError(null);
    try {
      await put(`/api/agents/${id}/state`, { state });
    } catch (e) {
      setError(errText(e));
    }
  };
  const byState: Record<string, number> = {};
  for (const a of agents) byState[a.state] = (byState[a.state] ?? 0) + 1;
  const total = kpi?.total ?? null;
  void tick;
  const longest = queue ? longestWaitS(queue, Date.now()) : null;
  return (
    <section class="pad" id="wallboard">
      <h2>{t('wallboard')}</h2>
      <div class="tiles big">
        <div class="tile"><span class="tile-label">{t('callsWaiting')}</span><span class="tile-count" id="wb-waiting">{queue ? queue.waiting.length : '—'}</span></div>
        <div class="tile"><span class="tile-label">{t('longestWait')}</span><span class="tile-count" id="wb-longest">{longest !== null ? `${longest}s` : '—'}</span></div>
        <div class="tile"><span class="tile-label">{t('answered10s')}</span><span class="tile-count">{pct(total?.answeredWithin10sRate)}</span></div>
        <div class="tile"><span class="tile-label">{t('abandonment')}</span><span class="tile-count">{pct(total?.abandonRate)}</span></div>
        <div class="tile"><span class="tile-label">{t('ticketsDueSoon')}</span><span class="tile-count" id="wb-duesoon">{counts.dueSoon}</span></div>
        <div class="tile warn"><span class="tile-label">{t('ticketsOverdue')}</span><span class="tile-count" id="wb-overdue">{counts.overdue}</span></div>
      </div>
      <ErrorBox error={error} />
      <div class="card">
        <h3>{t('agentsByState')}</h3>
        {!callsAvailable ? <p class="muted">{t('callsUnavailable')}</p> : null}
        <p id="wb-states">{Object.entries(byState).map(([s, n]) => `${agentStateLabel(s)}: ${n}`).join(' · ') || '—'}</p>
        <table class="list">
          <tbody>
            {agents.map((a) => (
              <tr key={a.agentId}>
                <td>{a.name}</td>
                <td><span class={`agent-state s-${a.state}`}>{agentStateLabel(a.state)}</span></td>
                <td>{Math.round((Date.now() - a.since) / 1000)}s</td>
                <td class="row">
                  {a.state === 'ready' || a.state === 'wrap-up' ? <button onClick={() => void setAgentState(a.agentId, 'break')}>{t('break')}</button> : null}
                  {a.state === 'break' || a.state === 'wrap-up' ? <button onClick={() => void setAgentState(a.agentId, 'ready')}>{t('ready')}</button> : null}
                  {a.state !== 'logged-out' ? <button onClick={() => void setAgentState(a.agentId, 'logged-out')}>{t('signOut')}</button> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Return visits: replied tickets, and tickets answered at once (即时答复), waiting for the caller's satisfaction. */
export function Visits() {
  const [data, setData] = useState<TicketList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { codes } = useApp();
  const [note, setNote] = useState<Record<string, string>>({});
  const load = () => get<TicketList>('/api/tickets?awaitingVisit=true&pageSize=100').then(setData).catch((e) => setError(errText(e)));
  useEffect(() => {
    void load();
    return events.on('ticket.changed', () => void load());
  }, []);
  const visit = async (tk: Ticket, satisfaction: string) => {
    setError(null);
    try {
      const n = note[tk.number];
      await post(`/api/tickets/${tk.number}/actions`, { action: 'visit', satisfaction, ...(n ? { note: n } : {}) });
      await load();
    } catch (e) {
      setError(errText(e));
    }
  };
  return (
    <section class="pad" id="visits">
      <h2>{t('worklist')}</h2>
      <ErrorBox error={error} />
      {data ? (
        <TicketTable
          items={data.items}
          extra={(tk) => (
            <span class="row">
              <input class="short" placeholder={t('note')} value={note[tk.number] ?? ''} onInput={(e) => setNote({ ...note, [tk.number]: (e.target as HTMLInputElement).value })} />
              {codes.satisfactions.map((s) => (
                <button key={s.code} data-visit={s.code} onClick={() => void visit(tk, s.code)}>{L(s)}</button>
              ))}
            </span>
          )}
        />
      ) : (
        <p class="muted">{t('loading')}</p>
      )}
    </section>
  );
}

/** Overdue tickets with re-dispatch (督办). */
export function Overdue() {
  const { departments } = useApp();
  const [data, setData] = useState<TicketList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dept, setDept] = useState<Record<string, string>>({});
  const [esc, setEsc] = useState<{ number: string; note: string; due: string } | null>(null);
  const load = () => get<TicketList>('/api/tickets?overdue=true&pageSize=100').then(setData).catch((e) => setError(errText(e)));
  const escalate = async () => {
    if (!esc) return;
    setError(null);
    try {
      await post(`/api/tickets/${esc.number}/actions`, {
        action: 'escalate',
        ...(esc.note.trim() ? { note: esc.note.trim() } : {}),
        ...(esc.due ? { dueAt: new Date(esc.due).toISOString() } : {}),
      });
      setEsc(null);
      await load();
    } catch (e) {
      setError(errText(e));
    }
  };
  useEffect(() => {
    void load();
    return events.on('ticket.changed', () => void load());
  }, []);
  const redispatch = async (tk: Ticket) => {
    setError(null);
    try {
      await post(`/api/tickets/${tk.number}/actions`, { action: 'dispatch', department: Number(dept[tk.number] ?? tk.department?.id) });
      await load();
    } catch (e) {
      setError(errText(e));
    }
  };
  return (
    <section class="pad" id="overdue">
      <h2>{t('ticketsOverdue')}</h2>
      <ErrorBox error={error} />
      {data ? (
        <TicketTable
          items={data.items}
          extra={(tk) => (
            <span class="row">
              <select value={dept[tk.number] ?? String(tk.department?.id ?? '')} onChange={(e) => setDept({ ...dept, [tk.number]: (e.target as HTMLSelectElement).value })}>
                <option value="">{t('department')}</option>
                {departments.map((d) => (
                  <option key={d.id} value={d.id}>{d.name}</option>
                ))}
              </select>
              <button onClick={() => void redispatch(tk)}>{t('redispatch')}</button>
              {tk.status === 'dispatched' || tk.status === 'accepted' ? (
                <button data-escalate={tk.number} class={esc?.number === tk.number ? 'on' : ''} onClick={() => setEsc(esc?.number === tk.number ? null : { number: tk.number, note: '', due: '' })}>
                  {t('escalate')}{tk.escalation ? ' ✓' : ''}
                </button>
              ) : null}
            </span>
          )}
        />
      ) : (
        <p class="muted">{t('loading')}</p>
      )}
      {esc ? (
        <form
          class="card act-form"
          id="escalate-form"
          onSubmit={(e) => {
            e.preventDefault();
            void escalate();
          }}
        >
          <b class="mono">{esc.number}</b>
          <textarea id="escalate-note" rows={2} maxLength={1000} placeholder={t('escalationNote')} value={esc.note} onInput={(e) => setEsc({ ...esc, note: (e.target as HTMLTextAreaElement).value })} />
          <label class="check">
            {t('newDueAt')} <input id="escalate-due" type="datetime-local" value={esc.due} onInput={(e) => setEsc({ ...esc, due: (e.target as HTMLInputElement).value })} />
          </label>
          <button type="submit" class="primary" id="escalate-submit">{t('escalate')}</button>
        </form>
      ) : null}
    </section>
  );
}
