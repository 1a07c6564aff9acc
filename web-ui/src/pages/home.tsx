// Home page per role: the counts that matter to that role, each linking to its worklist. The box's health
// is on the technician page (/technician) for admins and technicians, and active alarms in the banner.
import { useEffect, useState } from 'preact/hooks';
import { get, qs, type TicketList } from '../api.js';
import { Link } from '../components.js';
import { type Key, t } from '../i18n.js';
import * as events from '../events.js';
import { useApp } from '../state.js';

interface Tile {
  key: Key;
  href: string;
  query?: Record<string, unknown>;
}

const tiles: Record<string, Tile[]> = {
  agent: [
    { key: 'desk', href: '/desk' },
    { key: 'mine', href: '/tickets?mine=1', query: { mine: true } },
    { key: 'visits', href: '/visits', query: { awaitingVisit: true } },
    { key: 'kb', href: '/kb' },
  ],
  supervisor: [
    { key: 'wallboard', href: '/wallboard' },
    { key: 'ticketsOverdue', href: '/overdue', query: { overdue: true } },
    { key: 'ticketsDueSoon', href: '/tickets?dueSoon=1', query: { dueSoon: true } },
    { key: 'visits', href: '/visits', query: { awaitingVisit: true } },
  ],
  department: [
    { key: 'inbox', href: '/inbox', query: { status: ['dispatched', 'accepted'] } },
    { key: 'ticketsOverdue', href: '/inbox', query: { overdue: true } },
    { key: 'kb', href: '/kb' },
  ],
  admin: [
    { key: 'admin', href: '/admin' },
    { key: 'technicianPage', href: '/technician' },
    { key: 'wallboard', href: '/wallboard' },
    { key: 'ticketsOverdue', href: '/overdue', query: { overdue: true } },
    { key: 'kb', href: '/kb' },
  ],
  technician: [
    { key: 'technicianPage', href: '/technician' },
    { key: 'network', href: '/network' },
  ],
};

export function Home() {
  const { user } = useApp();
  const list = tiles[user.role] ?? [];
  const [counts, setCounts] = useState<Record<string, number>>({});
  useEffect(() => {
    const load = () => {
      for (const tl of list) {
        if (!tl.query) continue;
        void get<TicketList>(`/api/tickets${qs({ ...tl.query, pageSize: 1 })}`).then((r) => setCounts((c) => ({ ...c, [tl.key]: r.total })));
      }
    };
    load();
    return events.on('ticket.changed', load);
  }, [user.role]);
  return (
    <section class="pad" id="home" data-role={user.role}>
      <h2>{t('home')}</h2>
      <div class="tiles">
        {list.map((tl) => (
          <Link key={tl.key} href={tl.href} class="tile">
            <span class="tile-label">{t(tl.key)}</span>
            {tl.query ? <span class="tile-count">{counts[tl.key] ?? '…'}</span> : null}
          </Link>
        ))}
      </div>
    </section>
  );
}
