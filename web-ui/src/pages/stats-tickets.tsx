// The tickets behind a statistics figure (/stats/tickets?…): the figure's filter in the address, the list
// with its deadline outcome, paged, each ticket one click away.
import type { FigureTicket } from '../../../firmware-agent/stats/view-types';
import { qs } from '../api.js';
import { ErrorBox, Link, StatusBadge, TypeLabel } from '../components.js';
import { fmtTime, t } from '../i18n.js';
import { navigate, useLocation } from '../router.js';
import { useApp } from '../state.js';
import { StatsShell, tf, useGet } from './stats.js';
import { addDay } from './stats-period.js';

export function StatsTickets() {
  const { departments } = useApp();
  const { query } = useLocation();
  const filter = Object.fromEntries([...query.entries()].filter(([k]) => k !== 'page'));
  const page = Number(query.get('page') ?? '1') || 1;
  const { data, error } = useGet<{ total: number; page: number; pageSize: number; items: FigureTicket[] }>(`/api/stats/tickets${qs({ ...filter, page, pageSize: 20 })}`);
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  const go = (p: number) => navigate(`/stats/tickets${qs({ ...filter, page: p > 1 ? p : undefined })}`);
  // Back to the report of a period close to the list's range (a month when it is one, else the range itself).
  const back = filter.from && filter.to ? `/stats${qs({ period: 'custom', from: filter.from, to: addDay(filter.to, -1) })}` : '/stats';
  const conditions = Object.entries(filter).filter(([k]) => k !== 'from' && k !== 'to');
  return (
    <StatsShell tab="tickets">
      <div class="row">
        <h2 class="stats-title">{t('stTicketsBehind')}</h2>
        <span class="small muted" id="figure-filter">
          {filter.from} — {filter.to ? addDay(filter.to, -1) : ''} {conditions.map(([k, v]) => `· ${k}=${v}`).join(' ')}
        </span>
        <span class="spacer" />
        <Link href={back} class="no-print">{t('stBack')}</Link>
      </div>
      <ErrorBox error={error} />
      {data ? (
        <>
          <table class="list" id="figure-tickets" data-total={data.total}>
            <thead>
              <tr>
                <th>{t('number')}</th>
                <th>{t('type')}</th>
                <th>{t('subject')}</th>
                <th>{t('status')}</th>
                <th>{t('department')}</th>
                <th>{t('stReceivedAt')}</th>
                <th>{t('dueAt')}</th>
                <th>{t('stSettledAt')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((tk) => (
                <tr key={tk.number} data-number={tk.number}>
                  <td><Link href={`/tickets/${tk.number}`} class="mono">{tk.number}</Link></td>
                  <td><TypeLabel type={tk.type} /></td>
                  <td class="subject">{tk.subject}</td>
                  <td><StatusBadge status={tk.status} /></td>
                  <td>{departments.find((d) => d.id === tk.department)?.name ?? (tk.department ?? '')}</td>
                  <td>{fmtTime(tk.createdAt)}</td>
                  <td>{fmtTime(tk.dueAt)}</td>
                  <td>{fmtTime(tk.settledAt)}</td>
                </tr>
              ))}
              {data.items.length === 0 ? (
                <tr><td colSpan={8} class="muted">{t('none')}</td></tr>
              ) : null}
            </tbody>
          </table>
          <div class="row pager no-print">
            <button disabled={page <= 1} onClick={() => go(page - 1)} id="figure-prev">{t('stPrev')}</button>
            <span id="figure-page">{tf('stPage', { p: page, n: pages, t: data.total })}</span>
            <button disabled={page >= pages} onClick={() => go(page + 1)} id="figure-next">{t('stNext')}</button>
          </div>
        </>
      ) : error ? null : (
        <p class="muted">{t('loading')}</p>
      )}
    </StatsShell>
  );
}
