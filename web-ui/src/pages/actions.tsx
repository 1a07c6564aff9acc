// The workflow actions a user may take on a ticket, by role and status (mirrors the server's transition
// table; the server decides, this only hides buttons that would be refused).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { post, type Ticket } from '../api.js';
import { ErrorBox } from '../components.js';
import { L, errText, t } from '../i18n.js';
import { navigate } from '../router.js';
import { useApp } from '../state.js';

const centre = ['admin', 'supervisor', 'agent'];
const sups = ['admin', 'supervisor'];

export function TicketActions({ ticket, onChanged }: { ticket: Ticket; onChanged: (tk: Ticket) => void }) {
  const { user } = useApp();
  const [open, setOpen] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const role = user.role;
  const s = ticket.status;

  const act = async (action: string, body: Record<string, unknown> = {}) => {
    setBusy(true);
    setError(null);
    try {
      const tk = await post<Ticket>(`/api/tickets/${ticket.number}/actions`, { action, ...body });
      setOpen(null);
      setText('');
      // A ticket sent back leaves the department: its detail page is no longer theirs to see.
      if (action === 'return' && role === 'department' && location.pathname.startsWith('/tickets/')) return navigate('/inbox');
      onChanged(tk);
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  const isCentre = centre.includes(role);
  const isSup = sups.includes(role);
  const can = {
    accept: role === 'department' && s === 'dispatched',
    return: role === 'department' && (s === 'dispatched' || s === 'accepted'),
    reply: role === 'department' && s === 'accepted',
    answer: isCentre && (s === 'received' || s === 'returned'),
    dispatch: isCentre && (s === 'received' || s === 'returned' || (isSup && (s === 'dispatched' || s === 'accepted'))),
    visit: isCentre && (s === 'replied' || (s === 'closed' && ticket.answer !== null && ticket.satisfaction === null && ticket.reply === null)),
    close: isCentre && (s === 'replied' || s === 'visited'),
    reopen: isSup && (s === 'visited' || s === 'closed' || s === 'replied'),
    archive: isSup && s === 'closed',
    // 复核: a complaint's result from a department of this centre (the server decides: tickets/workflow.ts).
    review: isSup && s === 'replied' && ticket.type === 'complaint' && ticket.department !== null,
  };
  const labels: Record<keyof typeof can, string> = {
    accept: t('accept'),
    return: t('sendBack'),
    reply: t('reply'),
    answer: t('answerNow'),
    dispatch: s === 'dispatched' || s === 'accepted' ? t('redispatch') : t('dispatch'),
    visit: t('visit'),
    close: t('close'),
    reopen: t('reopen'),
    archive: t('archive'),
    review: t('review'),
  };
  const immediate = new Set(['accept', 'close', 'reopen', 'archive']);
  const shown = (Object.keys(can) as (keyof typeof can)[]).filter((k) => can[k]);
  if (shown.length === 0) return null;

  return (
    <div class="actions-panel" data-number={ticket.number}>
      <div class="row">
        {shown.map((k) => (
          <button
            key={k}
            id={`act-${k}`}
            class={immediate.has(k) ? 'primary' : open === k ? 'on' : ''}
            disabled={busy}
            onClick={() => (immediate.has(k) ? void act(k) : setOpen(open === k ? null : k))}
          >
            {labels[k]}
          </button>
        ))}
      </div>
      {open === 'return' || open === 'reply' || open === 'answer' ? (
        <ActForm onSubmit={() => act(open, open === 'return' ? { reason: text } : { text })}>
          <textarea id={`${open}-text`} rows={3} required placeholder={open === 'return' ? t('reason') : open === 'reply' ? t('replyText') : t('answer')} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          <button type="submit" class="primary" id={`${open}-submit`} disabled={busy || !text.trim()}>{labels[open]}</button>
        </ActForm>
      ) : null}
      {open === 'dispatch' ? <DispatchForm label={labels.dispatch} busy={busy} onAct={act} /> : null}
      {open === 'visit' ? <VisitForm busy={busy} onAct={act} /> : null}
      {open === 'review' ? <ReviewForm busy={busy} onAct={act} /> : null}
      <ErrorBox error={error} />
    </div>
  );
}

type Act = (action: string, body?: Record<string, unknown>) => Promise<void>;

/** An action's form: submitting runs the action (the page does not reload). */
function ActForm({ onSubmit, children }: { onSubmit: () => Promise<void>; children: ComponentChildren }) {
  return (
    <form
      class="act-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}

function DispatchForm({ label, busy, onAct }: { label: string; busy: boolean; onAct: Act }) {
  const { departments } = useApp();
  const [dept, setDept] = useState('');
  const [due, setDue] = useState('');
  return (
    <ActForm onSubmit={() => onAct('dispatch', { department: Number(dept), ...(due ? { dueAt: new Date(due).toISOString() } : {}) })}>
      <select id="dispatch-dept" required value={dept} onChange={(e) => setDept((e.target as HTMLSelectElement).value)}>
        <option value="">{t('department')}: {t('select')}</option>
        {departments.filter((d) => !d.disabled).map((d) => (
          <option key={d.id} value={d.id}>{d.name}</option>
        ))}
      </select>
      <label class="check">
        {t('dueAt')} <input type="datetime-local" value={due} onInput={(e) => setDue((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit" class="primary" id="dispatch-submit" disabled={busy || !dept}>{label}</button>
    </ActForm>
  );
}

/** 回访: the caller's satisfaction and a note. */
function VisitForm({ busy, onAct }: { busy: boolean; onAct: Act }) {
  const { codes } = useApp();
  const [sat, setSat] = useState('satisfied');
  const [note, setNote] = useState('');
  return (
    <ActForm onSubmit={() => onAct('visit', { satisfaction: sat, ...(note ? { note } : {}) })}>
      <select id="visit-satisfaction" value={sat} onChange={(e) => setSat((e.target as HTMLSelectElement).value)}>
        {codes.satisfactions.map((x) => (
          <option key={x.code} value={x.code}>{L(x)}</option>
        ))}
      </select>
      <input id="visit-note" placeholder={t('note')} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      <button type="submit" class="primary" id="visit-submit" disabled={busy}>{t('visit')}</button>
    </ActForm>
  );
}

/** 复核: approve a department's result or return it, with a note that a return requires. */
function ReviewForm({ busy, onAct }: { busy: boolean; onAct: Act }) {
  const [outcome, setOutcome] = useState<'approved' | 'returned'>('approved');
  const [note, setNote] = useState('');
  return (
    <ActForm onSubmit={() => onAct('review', { outcome, ...(note.trim() ? { note: note.trim() } : {}) })}>
      <select id="review-outcome" value={outcome} onChange={(e) => setOutcome((e.target as HTMLSelectElement).value as 'approved' | 'returned')}>
        <option value="approved">{t('reviewApproved')}</option>
        <option value="returned">{t('reviewReturned')}</option>
      </select>
      <textarea id="review-note" rows={2} maxLength={1000} required={outcome === 'returned'} placeholder={t('reviewNote')} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" class="primary" id="review-submit" disabled={busy || (outcome === 'returned' && !note.trim())}>{t('reviewSubmit')}</button>
    </ActForm>
  );
}
