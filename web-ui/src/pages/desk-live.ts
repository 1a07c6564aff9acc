// The agent desk's live parts (坐席工作台, desk.tsx): the agent's state and the call or callback pop from the
// live stream, with the caller's home area (归属地) and recent tickets; and knowledge-base search as the agent
// types.
import type { AgentSnapshot, CallerHistory } from '../../../firmware-agent/calls/view-types';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, qs, type KbHit, type Ticket, type TicketList } from '../api.js';
import * as events from '../events.js';
import { laterAgent } from '../live-order.js';
import { t } from '../i18n.js';

/** The agent's state as the box gives it (PUT /api/agent/state, agent.state events). */
export type AgentSnap = AgentSnapshot;
/** The caller's recent calls and tickets on the pop. */
export type History = CallerHistory;
export interface Pop {
  /** Set when the pop is a callback task (回拨) rather than a live call. */
  callbackId?: string;
  callId: string;
  caller: string | null;
  history: History;
  ended: boolean;
  eventAt: number;
  shownAt: number;
  homeArea?: string | null;
  tickets?: Ticket[];
  /** A water-distress caller the trunk could not transfer (the box queued them first). */
  distress?: boolean;
  /** False when the trunk cannot transfer: the one-key buttons tell the agent to dial out instead. */
  canTransfer?: boolean;
  /** The ticket the box filed for this call or callback (urgent distress ticket, missed call). */
  boxTicket?: string | null;
  callbackReason?: 'overflow' | 'missed-call' | 'distress';
}

/**
 * The agent's state and the pop of the call or callback offered to them. `onOffer` runs for each new offer
 * (not for a re-offer of the call already shown), with the caller's number: the desk starts a fresh form.
 */
export function useLiveDesk(callsAvailable: boolean, userId: number, onOffer: (caller: string | null) => void) {
  const [agent, setAgent] = useState<AgentSnap | null>(null);
  const [pop, setPop] = useState<Pop | null>(null);
  const popRef = useRef<Pop | null>(null);
  popRef.current = pop;
  // The latest handler: the stream's listeners are registered once.
  const offered = useRef(onOffer);
  offered.current = onOffer;

  // The caller's home area (归属地) from the number itself (area code or mobile block), resolved by the box.
  const lookupHomeArea = (caller: string, same: (p: Pop) => boolean) => {
    void post<{ homeArea: string | null; kind: string | null }>('/api/ui/home-area', { number: caller })
      .then((r) => {
        const area = r.kind === 'local' ? t('localNumber') : r.homeArea;
        setPop((cur) => (cur && same(cur) ? { ...cur, homeArea: area } : cur));
      })
      .catch(() => undefined);
  };

  // Agent state and the call pop from the live stream.
  useEffect(() => {
    if (!callsAvailable) return;
    void get<AgentSnap[]>('/api/agents').then((list) => setAgent((cur) => cur ?? list.find((a) => a.agentId === userId) ?? null)).catch(() => undefined);
    const offs = [
      // The calls stream was down: state changes in the gap were not delivered, so ask for the current one.
      events.on('calls.resync', () => void get<AgentSnap[]>('/api/agents').then((list) => setAgent(list.find((a) => a.agentId === userId) ?? null)).catch(() => undefined)),
      events.on('agent.state', (e: { agent: AgentSnap }) => e.agent.agentId === userId && setAgent((cur) => laterAgent(cur, e.agent))),
      events.on('call.offered', (e: { callId: string; agentId: number; caller: string | null; history: History; at: number; distress?: boolean; canTransfer?: boolean; ticketNumber?: string }) => {
        if (e.agentId !== userId) return;
        // A re-offer of the call already on screen (ring-no-answer, retry) must not wipe what was typed.
        if (popRef.current?.callId === e.callId) return;
        const p: Pop = {
          callId: e.callId,
          caller: e.caller,
          history: e.history,
          ended: false,
          eventAt: e.at,
          shownAt: Date.now(),
          distress: !!e.distress,
          canTransfer: e.canTransfer !== false,
          boxTicket: e.ticketNumber ?? null,
        };
        setPop(p);
        offered.current(e.caller);
        if (e.caller) {
          lookupHomeArea(e.caller, (cur) => cur.callId === e.callId);
          void get<TicketList>(`/api/tickets${qs({ caller: e.caller, pageSize: 5 })}`)
            .then((r) => setPop((cur) => (cur && cur.callId === e.callId ? { ...cur, tickets: r.items } : cur)))
            .catch(() => undefined);
        }
      }),
      events.on('callback.offered', (e: { callbackId: string; agentId: number; caller: string; history: History; at: number; reason?: Pop['callbackReason']; ticketNumber?: string | null }) => {
        if (e.agentId !== userId || popRef.current?.callbackId === e.callbackId) return;
        setPop({
          callbackId: e.callbackId,
          callId: '',
          caller: e.caller,
          history: e.history,
          ended: false,
          eventAt: e.at,
          shownAt: Date.now(),
          distress: e.reason === 'distress',
          canTransfer: false, // a callback is dialled from the agent's own phone
          boxTicket: e.ticketNumber ?? null,
          ...(e.reason ? { callbackReason: e.reason } : {}),
        });
        lookupHomeArea(e.caller, (cur) => cur.callbackId === e.callbackId);
        offered.current(e.caller);
      }),
      events.on('call.ended', (e: { callId: string }) => setPop((cur) => (cur && cur.callId === e.callId ? { ...cur, ended: true } : cur))),
    ];
    return () => offs.forEach((f) => f());
  }, [callsAvailable, userId]);
  /** Takes a snapshot of the agent from an answer (PUT /api/agent/state): kept only if it is the later one. */
  const takeAgent = (a: AgentSnap) => setAgent((cur) => laterAgent(cur, a));
  return { agent, takeAgent, pop, setPop };
}

/** Knowledge-base search as the agent types: `q` and its hits. */
export function useKbSearch() {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<KbHit[]>([]);
  const searchSeq = useRef(0);
  // Debounced; late answers to old queries are dropped.
  useEffect(() => {
    const text = q.trim();
    if (!text) {
      setHits([]);
      return;
    }
    const seq = ++searchSeq.current;
    const timer = setTimeout(() => {
      void get<{ items: KbHit[] }>(`/api/kb/articles${qs({ q: text, limit: 8 })}`)
        .then((r) => seq === searchSeq.current && setHits(r.items))
        .catch(() => undefined);
    }, 120);
    return () => clearTimeout(timer);
  }, [q]);
  return { q, setQ, hits };
}
