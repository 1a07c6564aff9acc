// The desk's actions and keyboard (desk.tsx): filing the form as a ticket, linked to the call on the desk, then
// answered (citing an article or not), dispatched or only cited; the one-key transfers; and the shortcuts.
import { useEffect } from 'preact/hooks';
import { post, type KbArticle, type Ticket } from '../api.js';
import { t } from '../i18n.js';
import type { DeskForm, SubmitMode } from './desk-form.js';
import type { Pop } from './desk-live.js';

/**
 * Files the form as a ticket and, by `mode`, answers it at once (即时答复: with the cited article, through
 * /api/kb/answer), dispatches it, or just keeps it; a cited article is recorded either way. The ticket is
 * linked to the call on the desk; `onCreated` hears its number as soon as it exists. Returns the ticket as it ends up.
 */
export async function saveTicket(f: DeskForm, mode: SubmitMode, pop: Pop | null, cited: KbArticle | null, answerText: string, onCreated?: (number: string) => void): Promise<Ticket> {
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
  onCreated?.(tk.number);
  if (pop?.callId) await post(`/api/calls/${encodeURIComponent(pop.callId)}/tickets`, { ticket: tk.number }).catch(() => undefined);
  const cite = () => (cited ? post(`/api/kb/articles/${cited.id}/citations`, { ticket: tk.number, version: cited.version }).catch(() => undefined) : undefined);
  if (mode === 'answer') {
    const text = answerText.trim();
    if (cited) return (await post<{ ticket: Ticket }>('/api/kb/answer', { ticket: tk.number, article: cited.id, version: cited.version, text })).ticket;
    return post<Ticket>(`/api/tickets/${tk.number}/actions`, { action: 'answer', text });
  }
  if (mode === 'dispatch') {
    const final = await post<Ticket>(`/api/tickets/${tk.number}/actions`, { action: 'dispatch', department: Number(f.department) });
    await cite();
    return final;
  }
  await cite();
  return tk;
}

/**
 * A one-key transfer of the call on the desk to `to` (12395, 12306, 12326, 12305): the notice to show. A trunk
 * that cannot hand the call over says so: the agent dials the number on an outside line and relays.
 */
export async function transferCall(pop: Pop, to: string): Promise<string> {
  if (pop.canTransfer === false) return t('deskThisLineCannotTransfer', { to });
  await post(`/api/calls/${encodeURIComponent(pop.callId)}/transfer`, { to });
  return `${t('transfer')} ${to}`;
}

/**
 * The desk's keys: F2 ready, F3 break, F4 wrap-up (from ready or break; in wrap-up it ends it, back to ready)
 * when calls are available (`onState` null otherwise), Alt+K the knowledge base, Ctrl+Enter dispatch.
 * Registered again at each render, so the handlers see the latest state.
 */
export function useDeskKeys(h: { onState: ((key: 'F2' | 'F3' | 'F4') => void) | null; onKb: () => void; onDispatch: () => void }): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'F2' || e.key === 'F3' || e.key === 'F4') {
        e.preventDefault();
        h.onState?.(e.key);
      } else if (e.altKey && (e.key === 'k' || e.key === 'K')) {
        e.preventDefault();
        h.onKb();
      } else if (e.ctrlKey && e.key === 'Enter') {
        e.preventDefault();
        h.onDispatch();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
}
