// Department portal: the department's dispatched tickets, due dates highlighted, with accept, send back
// with a reason, and reply in place.
import { useEffect, useState } from 'preact/hooks';
import { get, qs, type Ticket, type TicketList } from '../api.js';
import { ErrorBox, TicketTable, escalated } from '../components.js';
import * as events from '../events.js';
import { errText, fmtTime, t } from '../i18n.js';
import { useApp } from '../state.js';
import { TicketActions } from './actions.js';

export function Inbox() {
  const { user } = useApp();
  const [tab, setTab] = useState<'todo' | 'overdue' | 'done'>('todo');
  const [data, setData] = useState<TicketList | null>(null);
  const [sel, setSel] = useState<Ticket | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    get<TicketList>(
      `/api/tickets${qs(tab === 'todo' ? { status: ['dispatched', 'accepted'], pageSize: 100 } : tab === 'overdue' ? { overdue: true, pageSize: 100 } : { status: ['replied', 'visited', 'closed', 'returned'], pageSize: 50 })}`,
    )
      .then((d) => {
        setData(d);
        setSel((s) => (s ? (d.items.find((x) => x.number === s.number) ?? null) : null));
      })
      .catch((e) => setError(errText(e)));
  useEffect(() => {
    void load();
    return events.on('ticket.changed', () => void load());
  }, [tab]);
  return (
    <section class="pad" id="inbox">
      <h2>{t('inbox')} · {user.department?.name ?? ''}</h2>
      <div class="tabs">
        {(['todo', 'overdue', 'done'] as const).map((k) => (
          <button key={k} class={tab === k ? 'on' : ''} onClick={() => setTab(k)}>
            {k === 'todo' ? t('inbox') : k === 'overdue' ? t('ticketsOverdue') : t('recent')}
          </button>
        ))}
      </div>
      <ErrorBox error={error} />
      {data ? (
        <TicketTable
          items={data.items}
          extra={(tk) => (
            <button class={sel?.number === tk.number ? 'on' : ''} data-open={tk.number} onClick={() => setSel(sel?.number === tk.number ? null : tk)}>
              {t('handle')}
            </button>
          )}
        />
      ) : (
        <p class="muted">{t('loading')}</p>
      )}
      {sel ? (
        <div class="card" id="inbox-ticket">
          <h3>{sel.subject}</h3>
          {escalated(sel) ? (
            <p class="error" id="inbox-escalation">
              {t('escalated')} {fmtTime(sel.escalation!.at)}{sel.escalation!.note ? `：${sel.escalation!.note}` : ''}
            </p>
          ) : null}
          <p class="text">{sel.description}</p>
          <TicketActions ticket={sel} onChanged={() => void load()} />
        </div>
      ) : null}
    </section>
  );
}
