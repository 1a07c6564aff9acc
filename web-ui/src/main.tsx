// The web UI's shell: session, code tables, the navigation each role sees, and the routes. Pages a role
// may not use are refused here as well as by the server (the server is the authority).
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, del, get, setUnauthorizedHandler, type Codes, type Department, type User } from './api.js';
import { AlarmBanner } from './alarms.js';
import { HttpsNotice, Lazy, Link } from './components.js';
import * as events from './events.js';
import { type Key, getLang, onLang, setLang, t } from './i18n.js';
import { roleLabel } from './labels.js';
import { Desk } from './pages/desk.js';
import { Home } from './pages/home.js';
import { Inbox } from './pages/inbox.js';
import { Login } from './pages/login.js';
import { TicketDetail } from './pages/ticket.js';
import { TicketsPage } from './pages/tickets.js';
import { match, navigate, useLocation } from './router.js';
import { AppCtx, type AppState, type Role } from './state.js';
import './style.css';

interface Route {
  path: string;
  roles: Role[];
  nav?: Key;
  render: (p: Record<string, string>) => preact.JSX.Element;
}

/** Shorter navigation labels where a page's name is long (English mostly); the full name is the tooltip. */
const navLabel: Partial<Record<Key, Key>> = { desk: 'navDesk', visits: 'navVisits', kb: 'navKb', qa: 'navQa', stats: 'navStats', admin: 'navAdmin' };

const loadSupervisor = () => import('./pages/supervisor.js');
const loadAdmin = () => import('./pages/admin.js');
const loadKb = () => import('./pages/kb.js');
const wallboard = () => loadSupervisor().then((m) => m.Wallboard);
const visits = () => loadSupervisor().then((m) => m.Visits);
const overdue = () => loadSupervisor().then((m) => m.Overdue);
const admin = () => loadAdmin().then((m) => m.Admin);
const kb = () => loadKb().then((m) => m.KbPage);
const network = () => import('./pages/network.js').then((m) => m.NetworkPage);
const technician = () => import('./pages/technician.js').then((m) => m.TechnicianPage);
// Statistics pages (issue 15): their own chunks; ECharts is loaded by them only.
const loadStats = () => import('./pages/stats.js');
const loadStatsPanels = () => import('./pages/stats-panels.js');
const statsReport = () => loadStats().then((m) => m.StatsReport);
const statsTickets = () => import('./pages/stats-tickets.js').then((m) => m.StatsTickets);
const statsChildren = () => loadStatsPanels().then((m) => m.StatsChildren);
const statsAgents = () => loadStatsPanels().then((m) => m.StatsAgents);
const statsCapacity = () => loadStatsPanels().then((m) => m.StatsCapacity);
const qa = () => import('./pages/qa.js').then((m) => m.QaPage);
const publicCases = () => import('./pages/public-cases.js').then((m) => m.PublicCasesPage);

const all: Role[] = ['admin', 'supervisor', 'agent', 'department', 'technician'];
const routes: Route[] = [
  { path: '/', roles: all, nav: 'home', render: () => <Home /> },
  { path: '/desk', roles: ['agent', 'supervisor', 'admin'], nav: 'desk', render: () => <Desk /> },
  { path: '/tickets', roles: ['agent', 'supervisor', 'admin'], nav: 'tickets', render: () => <TicketsPage /> },
  { path: '/tickets/:number', roles: ['agent', 'supervisor', 'admin', 'department'], render: (p) => <TicketDetail number={p.number!} /> },
  { path: '/inbox', roles: ['department'], nav: 'inbox', render: () => <Inbox /> },
  { path: '/wallboard', roles: ['supervisor', 'admin'], nav: 'wallboard', render: () => <Lazy load={wallboard} props={{}} /> },
  { path: '/visits', roles: ['supervisor', 'admin', 'agent'], nav: 'visits', render: () => <Lazy load={visits} props={{}} /> },
  { path: '/overdue', roles: ['supervisor', 'admin'], nav: 'overdue', render: () => <Lazy load={overdue} props={{}} /> },
  { path: '/kb', roles: ['agent', 'supervisor', 'admin', 'department'], nav: 'kb', render: () => <Lazy load={kb} props={{ id: null }} /> },
  { path: '/kb/:id', roles: ['agent', 'supervisor', 'admin', 'department'], render: (p) => <Lazy load={kb} props={{ id: p.id! }} /> },
  { path: '/network', roles: ['admin', 'supervisor', 'technician'], nav: 'network', render: () => <Lazy load={network} props={{}} /> },
  { path: '/qa', roles: ['supervisor', 'admin', 'agent'], nav: 'qa', render: () => <Lazy load={qa} props={{}} /> },
  { path: '/public-cases', roles: ['supervisor', 'admin'], render: () => <Lazy load={publicCases} props={{}} /> },
  { path: '/stats', roles: ['admin', 'supervisor', 'department'], nav: 'stats', render: () => <Lazy load={statsReport} props={{}} /> },
  { path: '/stats/tickets', roles: ['admin', 'supervisor', 'department'], render: () => <Lazy load={statsTickets} props={{}} /> },
  { path: '/stats/children', roles: ['admin', 'supervisor'], render: () => <Lazy load={statsChildren} props={{}} /> },
  { path: '/stats/agents', roles: ['admin', 'supervisor'], render: () => <Lazy load={statsAgents} props={{}} /> },
  { path: '/stats/capacity', roles: ['admin', 'supervisor'], render: () => <Lazy load={statsCapacity} props={{}} /> },
  { path: '/technician', roles: ['admin', 'technician'], nav: 'technicianPage', render: () => <Lazy load={technician} props={{}} /> },
  { path: '/admin', roles: ['admin'], nav: 'admin', render: () => <Lazy load={admin} props={{ tab: 'users' }} /> },
  { path: '/admin/:tab', roles: ['admin'], render: (p) => <Lazy load={admin} props={{ tab: p.tab! }} /> },
];

function App() {
  const [, setLangTick] = useState(0);
  const [boot, setBoot] = useState<'loading' | 'anon' | 'ready'>('loading');
  const [state, setState] = useState<Omit<AppState, 'reloadDepartments'> | null>(null);
  const [live, setLive] = useState(false);
  const { path } = useLocation();

  useEffect(() => onLang(() => setLangTick((n) => n + 1)), []);
  useEffect(() => events.onStatus(setLive), []);

  const load = useCallback(async () => {
    try {
      const { user, timezone } = await get<{ user: User; timezone?: string }>('/api/session');
      const [codes, depts, callsAvailable] = await Promise.all([
        get<Codes>('/api/codes'),
        get<{ items: Department[] }>('/api/departments'),
        fetch('/api/agents', { credentials: 'same-origin' }).then((r) => r.ok).catch(() => false),
      ]);
      setState({ user, codes, departments: depts.items, callsAvailable, timezone: timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone });
      setBoot('ready');
      events.start(callsAvailable);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setBoot('anon');
        if (location.pathname !== '/login') navigate('/login', true);
      } else throw e;
    }
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      events.stop();
      setState(null);
      setBoot('anon');
      navigate('/login', true);
    });
    void load();
  }, [load]);

  const reloadDepartments = useCallback(async () => {
    const d = await get<{ items: Department[] }>('/api/departments');
    setState((s) => (s ? { ...s, departments: d.items } : s));
  }, []);

  if (boot === 'loading') return <p class="muted pad">{t('loading')}</p>;
  if (boot === 'anon' || !state) {
    return (
      <Login
        onDone={() => {
          setBoot('loading');
          void load().then(() => navigate('/', true));
        }}
      />
    );
  }
  if (path === '/login') {
    navigate('/', true);
    return null;
  }

  const role = state.user.role;
  let page: preact.JSX.Element = <p class="pad">{t('notFound')}</p>;
  for (const r of routes) {
    const p = match(r.path, path);
    if (!p) continue;
    page = r.roles.includes(role) ? r.render(p) : <p class="error pad" id="forbidden">{t('forbidden')}</p>;
    break;
  }

  const logout = async () => {
    await del('/api/session').catch(() => undefined);
    events.stop();
    setState(null);
    setBoot('anon');
    navigate('/login', true);
  };

  return (
    <AppCtx.Provider value={{ ...state, reloadDepartments }}>
      <header class="top">
        {/* The full name where the width allows; on a 1366 px screen the navigation needs the room. */}
        <span class="brand" title={t('appName')}>
          <span class="brand-long">{t('appName')}</span>
          <span class="brand-short">12328</span>
        </span>
        <nav>
          {routes
            .filter((r) => r.nav && r.roles.includes(role))
            .map((r) => (
              <Link key={r.path} href={r.path} class={(r.path === '/' ? path === '/' : path.startsWith(r.path)) ? 'on' : ''} title={t(r.nav!)}>
                {t(navLabel[r.nav!] ?? r.nav!)}
              </Link>
            ))}
        </nav>
        <span class="spacer" />
        <span class={live ? 'live up' : 'live down'} title={live ? t('live') : t('offline')} id="live">
          {live ? '● ' + t('live') : '○ ' + t('offline')}
        </span>
        <span class="who" id="who">{state.user.displayName ?? state.user.username} · {roleLabel(role)}</span>
        <button class="link" onClick={() => setLang(getLang() === 'zh' ? 'en' : 'zh')} id="lang">{t('language')}</button>
        <button class="link" onClick={() => void logout()} id="logout">{t('logout')}</button>
      </header>
      <AlarmBanner role={role} />
      <HttpsNotice role={role} />
      <main>{page}</main>
    </AppCtx.Provider>
  );
}

document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
render(<App />, document.getElementById('app')!);
