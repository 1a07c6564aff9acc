// Ticket lists with filters and Chinese full-text search; the filters live in the URL so a list can be
// bookmarked and the back button works.
import { useEffect, useState } from 'preact/hooks';
import { get, qs, type TicketList } from '../api.js';
import { ErrorBox, TicketTable } from '../components.js';
import * as events from '../events.js';
import { L, errText, t } from '../i18n.js';
import { navigate, useLocation } from '../router.js';
import { useApp } from '../state.js';

export function TicketsPage() {
  const { codes, departments } = useApp();
  const { query } = useLocation();
  const f = {
    q: query.get('q') ?? '',
    status: query.get('status') ?? '',
    type: query.get('type') ?? '',
    domain: query.get('domain') ?? '',
    department: query.get('department') ?? '',
    mine: query.get('mine') === '1',
    overdue: query.get('overdue') === '1',
    dueSoon: query.get('dueSoon') === '1',
    page: Number(query.get('page') ?? '1'),
  };
  const [q, setQ] = useState(f.q);
  const [data, setData] = useState<TicketList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = location.search;

  const set = (patch: Record<string, unknown>) => {
    const next: Record<string, unknown> = { ...f, page: 1, ...patch };
    for (const k of ['mine', 'overdue', 'dueSoon']) next[k] = next[k] ? 1 : undefined;
    if (next.page === 1) next.page = undefined;
    navigate(`/tickets${qs(next)}`);
  };

  useEffect(() => {
    const load = () =>
      get<TicketList>(
        `/api/tickets${qs({ q: f.q, status: f.status, type: f.type, domain: f.domain, department: f.department, mine: f.mine, overdue: f.overdue, dueSoon: f.dueSoon, page: f.page })}`,
      )
        .then((d) => {
          setData(d);
          setError(null);
        })
        .catch((e) => setError(errText(e)));
    void load();
    return events.on('ticket.changed', () => void load());
  }, [key]);

  const sel = (name: string, value: string, opts: { code: string; label: string }[]) => (
    <select aria-label={name} value={value} onChange={(e) => set({ [name]: (e.target as HTMLSelectElement).value })} name={name}>
      <option value="">{t(name as 'status')}: {t('all')}</option>
      {opts.map((o) => (
        <option key={o.code} value={o.code}>{o.label}</option>
      ))}
    </select>
  );

  return (
    <section class="pad" id="tickets">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q });
        }}
      >
        <input type="search" id="ticket-search" placeholder={t('search')} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <button type="submit">{t('search')}</button>
        {sel('status', f.status, codes.statuses.map((s) => ({ code: s.code, label: L(s) })))}
        {sel('type', f.type, codes.types.map((s) => ({ code: s.code, label: L(s) })))}
        {sel('domain', f.domain, codes.domains.map((s) => ({ code: s.code, label: L(s) })))}
        {sel('department', f.department, departments.map((d) => ({ code: String(d.id), label: d.name })))}
        {(['mine', 'overdue', 'dueSoon'] as const).map((k) => (
          <label key={k} class="check">
            <input type="checkbox" name={k} checked={f[k]} onChange={(e) => set({ [k]: (e.target as HTMLInputElement).checked })} />
            {t(k)}
          </label>
        ))}
      </form>
      <ErrorBox error={error} />
      {data ? (
        <>
          <TicketTable items={data.items} />
          <div class="pager">
            <span>
              {t('total')} {data.total}
              {data.totalCapped ? '+' : ''}
            </span>
            <button disabled={f.page <= 1} onClick={() => set({ page: f.page - 1 })}>{t('prev')}</button>
            <span>{f.page}</span>
            <button disabled={f.page * data.pageSize >= data.total} onClick={() => set({ page: f.page + 1 })}>{t('next')}</button>
          </div>
        </>
      ) : (
        <p class="muted">{t('loading')}</p>
      )}
    </section>
  );
}
