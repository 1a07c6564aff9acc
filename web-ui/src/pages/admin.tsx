// Administration: users and roles, departments, the working-day calendar, deadline limits, the domain code
// table, the IVR menu and legacy numbers (when the calls subsystem exposes them), and the audit log.
import { useEffect, useState } from 'preact/hooks';
import { get, patch, post, put, type AuditRecord, type User } from '../api.js';
import { ErrorBox, Field, Link, Notice } from '../components.js';
import { type Key, L, errText, fmtTime, t } from '../i18n.js';
import { useApp } from '../state.js';

const tabs: [string, Key][] = [
  ['users', 'users'],
  ['departments', 'departments'],
  ['calendar', 'calendar'],
  ['deadlines', 'deadlines'],
  ['domains', 'domains'],
  ['ivr', 'ivr'],
  ['legacy', 'legacy'],
  ['audit', 'audit'],
];

export function Admin({ tab }: { tab: string }) {
  return (
    <section class="pad" id="admin">
      <div class="tabs">
        {tabs.map(([k, label]) => (
          <Link key={k} href={`/admin/${k}`} class={tab === k ? 'on' : ''}>{t(label)}</Link>
        ))}
      </div>
      {tab === 'users' ? <Users /> : tab === 'departments' ? <Departments /> : tab === 'calendar' ? <Calendar /> : tab === 'deadlines' ? <Deadlines /> : tab === 'domains' ? <Domains /> : tab === 'ivr' || tab === 'legacy' ? <CallsSettings part={tab} /> : tab === 'audit' ? <Audit /> : null}
    </section>
  );
}

function useMsg() {
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    setNotice(null);
    try {
      await fn();
      setNotice(t('saved'));
    } catch (e) {
      setError(errText(e));
    }
  };
  return { error, notice, run, view: (<><ErrorBox error={error} /><Notice text={notice} /></>) };
}

function Users() {
  const { departments } = useApp();
  const [users, setUsers] = useState<User[]>([]);
  const [f, setF] = useState({ username: '', password: '', role: 'agent', department: '', displayName: '', skills: '' });
  const m = useMsg();
  const load = () => get<{ items: User[] }>('/api/users').then((r) => setUsers(r.items));
  useEffect(() => void load(), []);
  const d = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  return (
    <div class="card">
      <table class="list" id="users">
        <thead><tr><th>{t('username')}</th><th>{t('displayName')}</th><th>{t('role')}</th><th>{t('department')}</th><th>{t('skills')}</th><th></th></tr></thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} class={u.disabled ? 'withdrawn' : ''}>
              <td>{u.username}</td>
              <td>{u.displayName ?? ''}</td>
              <td>{u.role}</td>
              <td>{u.department?.name ?? ''}</td>
              <td>{u.skills.join(' ')}</td>
              <td class="row">
                <button onClick={() => void m.run(() => patch(`/api/users/${u.id}`, { disabled: !u.disabled }).then(load))}>{u.disabled ? t('enable') : t('disable')}</button>
                <button
                  onClick={() => {
                    const pw = prompt(t('resetPassword'));
                    if (pw) void m.run(() => patch(`/api/users/${u.id}`, { password: pw }));
                  }}
                >
                  {t('resetPassword')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="row wrap" onSubmit={(e) => (e.preventDefault(), void m.run(() => post('/api/users', { username: f.username, password: f.password, role: f.role, ...(f.department ? { department: Number(f.department) } : {}), ...(f.displayName ? { displayName: f.displayName } : {}), skills: f.skills.split(/\s+/).filter(Boolean) }).then(load)))}>
        <input placeholder={t('username')} value={f.username} onInput={d('username')} required />
        <input placeholder={t('password')} type="password" value={f.password} onInput={d('password')} required autoComplete="new-password" />
        <select value={f.role} onChange={d('role')}>
          {['agent', 'supervisor', 'department', 'admin', 'technician'].map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
        <select value={f.department} onChange={d('department')}>
          <option value="">{t('department')}</option>
          {departments.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
        </select>
        <input placeholder={t('displayName')} value={f.displayName} onInput={d('displayName')} />
        <input placeholder={t('skills')} value={f.skills} onInput={d('skills')} />
        <button type="submit" class="primary">{t('add')}</button>
      </form>
      {m.view}
    </div>
  );
}

function Departments() {
  const { departments, reloadDepartments } = useApp();
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const m = useMsg();
  return (
    <div class="card">
      <table class="list" id="departments">
        <thead><tr><th>ID</th><th>{t('name')}</th><th>{t('phone')}</th></tr></thead>
        <tbody>{departments.map((x) => <tr key={x.id}><td>{x.id}</td><td>{x.name}</td><td>{x.phone ?? ''}</td></tr>)}</tbody>
      </table>
      <form class="row" onSubmit={(e) => (e.preventDefault(), void m.run(() => post('/api/departments', { name, ...(phone ? { phone } : {}) }).then(reloadDepartments)))}>
        <input placeholder={t('name')} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} required />
        <input placeholder={t('phone')} value={phone} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">{t('add')}</button>
      </form>
      {m.view}
    </div>
  );
}

interface CalDay {
  day: string;
  kind: string;
  name?: string | null;
  source: string;
}

function Calendar() {
  const [year, setYear] = useState(new Date().getFullYear());
  const [data, setData] = useState<{ hasData: boolean; days: CalDay[]; coverage: unknown } | null>(null);
  const [day, setDay] = useState('');
  const [kind, setKind] = useState('holiday');
  const [name, setName] = useState('');
  const m = useMsg();
  const load = () => get<{ hasData: boolean; days: CalDay[]; coverage: unknown }>(`/api/calendar?year=${year}`).then(setData);
  useEffect(() => void load(), [year]);
  return (
    <div class="card" id="calendar">
      <div class="row">
        <button onClick={() => setYear(year - 1)}>‹</button>
        <b>{year}</b>
        <button onClick={() => setYear(year + 1)}>›</button>
        {data && !data.hasData ? <span class="error">无官方日历数据 / no official data for this year</span> : null}
        <button onClick={() => void m.run(() => post(`/api/calendar/years/${year}/confirm`).then(load))}>{t('confirmYear')}</button>
      </div>
      <table class="list">
        <tbody>{data?.days.map((x) => <tr key={x.day}><td>{x.day}</td><td>{x.kind}</td><td>{x.name ?? ''}</td><td class="muted">{x.source}</td></tr>)}</tbody>
      </table>
      <form class="row" onSubmit={(e) => (e.preventDefault(), void m.run(() => put(`/api/calendar/days/${day}`, { kind: kind === 'clear' ? null : kind, ...(name ? { name } : {}) }).then(load)))}>
        <input type="date" value={day} onInput={(e) => setDay((e.target as HTMLInputElement).value)} required />
        <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
          <option value="holiday">{t('holiday')}</option>
          <option value="workday">{t('workday')}</option>
          <option value="clear">{t('clear')}</option>
        </select>
        <input placeholder={t('name')} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">{t('save')}</button>
      </form>
      {m.view}
    </div>
  );
}

function Deadlines() {
  const { codes } = useApp();
  const [s, setS] = useState<{ deadlines: Record<string, number>; dueSoonWorkingDays: number } | null>(null);
  const m = useMsg();
  useEffect(() => void get<typeof s>('/api/settings/tickets').then(setS), []);
  if (!s) return null;
  return (
    <form class="card" id="deadlines" onSubmit={(e) => (e.preventDefault(), void m.run(() => put('/api/settings/tickets', s).then((x) => setS(x as typeof s))))}>
      {codes.types.map((ty) => (
        <Field key={ty.code} label={L(ty)}>
          <span><input type="number" min={1} max={60} class="short" value={s.deadlines[ty.code]} onInput={(e) => setS({ ...s, deadlines: { ...s.deadlines, [ty.code]: Number((e.target as HTMLInputElement).value) } })} /> {t('workingDays')}</span>
        </Field>
      ))}
      <Field label={t('dueSoon')}>
        <span><input type="number" min={0} max={10} class="short" value={s.dueSoonWorkingDays} onInput={(e) => setS({ ...s, dueSoonWorkingDays: Number((e.target as HTMLInputElement).value) })} /> {t('workingDays')}</span>
      </Field>
      <button type="submit" class="primary">{t('save')}</button>
      {m.view}
    </form>
  );
}

function Domains() {
  const { codes } = useApp();
  const [list, setList] = useState(codes.domains);
  const [f, setF] = useState({ code: '', zh: '', en: '', parent: '' });
  const m = useMsg();
  const d = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  return (
    <div class="card" id="domains">
      <table class="list">
        <thead><tr><th>{t('code')}</th><th>中文</th><th>English</th><th>{t('parent')}</th></tr></thead>
        <tbody>{list.map((x) => <tr key={x.code}><td class="mono">{x.code}</td><td>{x.zh}</td><td>{x.en}</td><td>{x.parent ?? ''}</td></tr>)}</tbody>
      </table>
      <form class="row" onSubmit={(e) => (e.preventDefault(), void m.run(async () => {
        const row = await post<(typeof list)[number]>('/api/domains', { code: f.code, zh: f.zh, en: f.en, ...(f.parent ? { parent: f.parent } : {}) });
        setList([...list, row]);
      }))}>
        <input placeholder={t('code')} value={f.code} onInput={d('code')} required pattern="[a-z0-9][a-z0-9-]{1,31}" />
        <input placeholder="中文" value={f.zh} onInput={d('zh')} required />
        <input placeholder="English" value={f.en} onInput={d('en')} required />
        <input placeholder={t('parent')} value={f.parent} onInput={d('parent')} />
        <button type="submit" class="primary">{t('add')}</button>
      </form>
      {m.view}
    </div>
  );
}

/** IVR menu and legacy numbers: shown from the calls subsystem's settings when it exposes them. */
function CallsSettings({ part }: { part: 'ivr' | 'legacy' }) {
  const [cfg, setCfg] = useState<unknown>(undefined);
  const [text, setText] = useState('');
  const m = useMsg();
  const url = '/api/calls/config';
  useEffect(() => {
    void get<Record<string, unknown>>(url)
      .then((c) => {
        const v = part === 'ivr' ? (c.ivr ?? c) : (c.legacy ?? c.legacyNumbers ?? c);
        setCfg(v);
        setText(JSON.stringify(v, null, 2));
      })
      .catch(() => setCfg(null));
  }, [part]);
  if (cfg === undefined) return <p class="muted">{t('loading')}</p>;
  if (cfg === null) {
    return (
      <div class="card" id={`calls-${part}`}>
        <p class="muted">{t('notAvailable')}：话务设置保存在数据目录的 calls.json（技术人员维护），修改后重启生效。</p>
      </div>
    );
  }
  return (
    <form class="card" id={`calls-${part}`} onSubmit={(e) => (e.preventDefault(), void m.run(() => put(url, { [part === 'ivr' ? 'ivr' : 'legacy']: JSON.parse(text) })))}>
      <textarea rows={18} class="mono" value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" class="primary">{t('save')}</button>
      {m.view}
    </form>
  );
}

function Audit() {
  const [items, setItems] = useState<AuditRecord[]>([]);
  useEffect(() => void get<{ items: AuditRecord[] }>('/api/audit?limit=200').then((r) => setItems(r.items)), []);
  return (
    <div class="card">
      <table class="list" id="audit">
        <tbody>
          {items.map((a) => (
            <tr key={a.id}>
              <td>{fmtTime(a.at)}</td>
              <td>{a.actor.name}</td>
              <td>{a.entity}</td>
              <td class="mono">{a.entityId}</td>
              <td>{a.action}</td>
              <td>{a.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
