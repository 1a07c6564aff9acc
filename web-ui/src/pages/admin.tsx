// Administration: users and roles, departments, the working-day calendar, deadline limits, the domain code
// table, the calls settings (admin-calls.tsx) and the audit log.
import type { FromSchema } from 'json-schema-to-ts';
import type { domainSchema } from '../../../firmware-agent/tickets/reference-schemas';
import type { DayInfo } from '../../../firmware-agent/calendar/view-types';
import { useEffect, useState } from 'preact/hooks';
import { get, patch, post, put, type AuditRecord, type User } from '../api.js';
import { Field, Link, useMsg } from '../components.js';
import { CallsSettings } from './admin-calls.js';
import { type Key, L, fmtTime, t } from '../i18n.js';
import { auditLabel, calendarSourceLabel, roleLabel } from '../labels.js';
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
      {tab === 'users' ? <Users /> : tab === 'departments' ? <Departments /> : tab === 'calendar' ? <Calendar /> : tab === 'deadlines' ? <Deadlines /> : tab === 'domains' ? <Domains /> : tab === 'ivr' || tab === 'legacy' ? <CallsSettings key={tab} part={tab} /> : tab === 'audit' ? <Audit /> : null}
    </section>
  );
}

const roles = ['agent', 'supervisor', 'department', 'admin', 'technician'];

/** One user's row: role and department edited together (a department user needs a department). */
function UserRow({ u, reload, run }: { u: User; reload: () => Promise<unknown>; run: (fn: () => Promise<unknown>) => Promise<void> }) {
  const { departments } = useApp();
  const [role, setRole] = useState(u.role);
  const [dept, setDept] = useState(String(u.department?.id ?? ''));
  const changed = role !== u.role || (role === 'department' && dept !== String(u.department?.id ?? ''));
  return (
    <tr class={u.disabled ? 'withdrawn' : ''} data-user={u.username}>
      <td>{u.username}</td>
      <td>{u.displayName ?? ''}</td>
      <td>
        <select class="user-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as User['role'])}>
          {roles.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
        </select>
      </td>
      <td>
        {role === 'department' ? (
          <select class="user-dept" value={dept} onChange={(e) => setDept((e.target as HTMLSelectElement).value)}>
            <option value="">{t('select')}</option>
            {departments.map((x) => <option key={x.id} value={x.id}>{x.name}{x.disabled ? ` (${t('disabled')})` : ''}</option>)}
          </select>
        ) : null}
      </td>
      <td>{u.skills.join(' ')}</td>
      <td class="row">
        <button class="user-save primary" disabled={!changed || (role === 'department' && !dept)} onClick={() => void run(() => patch(`/api/users/${u.id}`, { role, ...(role === 'department' ? { department: Number(dept) } : {}) }).then(reload))}>{t('save')}</button>
        <button class="user-disable" onClick={() => void run(() => patch(`/api/users/${u.id}`, { disabled: !u.disabled }).then(reload))}>{u.disabled ? t('enable') : t('disable')}</button>
        <button
          onClick={() => {
            const pw = prompt(t('resetPassword'));
            if (pw) void run(() => patch(`/api/users/${u.id}`, { password: pw }));
          }}
        >
          {t('resetPassword')}
        </button>
      </td>
    </tr>
  );
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
          {users.map((u) => <UserRow key={`${u.id}-${u.role}-${u.department?.id ?? ''}`} u={u} reload={load} run={m.run} />)}
        </tbody>
      </table>
      <form class="row wrap" onSubmit={(e) => (e.preventDefault(), void m.run(() => post('/api/users', { username: f.username, password: f.password, role: f.role, ...(f.department ? { department: Number(f.department) } : {}), ...(f.displayName ? { displayName: f.displayName } : {}), skills: f.skills.split(/\s+/).filter(Boolean) }).then(load)))}>
        <input placeholder={t('username')} value={f.username} onInput={d('username')} required />
        <input placeholder={t('password')} type="password" value={f.password} onInput={d('password')} required autoComplete="new-password" />
        <select value={f.role} onChange={d('role')}>
          {roles.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
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

function DepartmentRow({ d, run, reload }: { d: { id: number; name: string; phone: string | null; disabled: boolean }; run: (fn: () => Promise<unknown>) => Promise<void>; reload: () => Promise<void> }) {
  const [name, setName] = useState(d.name);
  const [phone, setPhone] = useState(d.phone ?? '');
  const changed = name.trim() !== d.name || phone.trim() !== (d.phone ?? '');
  return (
    <tr class={d.disabled ? 'withdrawn' : ''} data-dept={d.id}>
      <td>{d.id}</td>
      <td><input class="dept-name" value={name} maxLength={100} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></td>
      <td><input class="dept-phone short" value={phone} maxLength={30} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} /></td>
      <td class="row">
        <button class="dept-save primary" disabled={!changed || !name.trim()} onClick={() => void run(() => patch(`/api/departments/${d.id}`, { name: name.trim(), phone: phone.trim() || null }).then(reload))}>{t('save')}</button>
        <button class="dept-disable" onClick={() => void run(() => patch(`/api/departments/${d.id}`, { disabled: !d.disabled }).then(reload))}>{d.disabled ? t('enable') : t('disable')}</button>
      </td>
    </tr>
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
        <thead><tr><th>ID</th><th>{t('name')}</th><th>{t('phone')}</th><th></th></tr></thead>
        <tbody>{departments.map((x) => <DepartmentRow key={`${x.id}-${x.name}-${x.phone ?? ''}-${x.disabled}`} d={x} run={m.run} reload={reloadDepartments} />)}</tbody>
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

type CalDay = DayInfo;

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
        {data && !data.hasData ? <span class="error">{t('admNoOfficialCalendarData')}</span> : null}
        <button onClick={() => void m.run(() => post(`/api/calendar/years/${year}/confirm`).then(load))}>{t('confirmYear')}</button>
      </div>
      <table class="list">
        <tbody>{data?.days.map((x) => <tr key={x.day}><td>{x.day}</td><td>{x.kind === 'holiday' ? t('holiday') : x.kind === 'workday' ? t('workday') : x.kind}</td><td>{x.name ?? ''}</td><td class="muted">{calendarSourceLabel(x.source)}</td></tr>)}</tbody>
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

/** A business domain as GET/PATCH /api/domains give it (domainSchema, firmware-agent/tickets/reference-schemas.ts). */
type DomainItem = FromSchema<typeof domainSchema>;

/** A domain code is never changed or deleted (tickets refer to it): only its names, or disabled for new tickets. */
function DomainRow({ x, run, onSaved }: { x: DomainItem; run: (fn: () => Promise<unknown>) => Promise<void>; onSaved: (row: DomainItem) => void }) {
  const [zh, setZh] = useState(x.zh);
  const [en, setEn] = useState(x.en);
  const changed = (zh.trim() && zh.trim() !== x.zh) || (en.trim() && en.trim() !== x.en);
  return (
    <tr class={x.disabled ? 'withdrawn' : ''} data-domain={x.code}>
      <td class="mono">{x.code}</td>
      <td><input class="domain-zh" value={zh} maxLength={32} onInput={(e) => setZh((e.target as HTMLInputElement).value)} /></td>
      <td><input class="domain-en" value={en} maxLength={64} onInput={(e) => setEn((e.target as HTMLInputElement).value)} /></td>
      <td>{x.parent ?? ''}</td>
      <td class="row">
        <button class="domain-save primary" disabled={!changed} onClick={() => void run(() => patch<DomainItem>(`/api/domains/${x.code}`, { zh: zh.trim() || x.zh, en: en.trim() || x.en }).then(onSaved))}>{t('save')}</button>
        <button class="domain-disable" onClick={() => void run(() => patch<DomainItem>(`/api/domains/${x.code}`, { disabled: !x.disabled }).then(onSaved))}>{x.disabled ? t('enable') : t('disable')}</button>
      </td>
    </tr>
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
        <thead><tr><th>{t('code')}</th><th>{t('admChineseName')}</th><th>{t('admEnglishName')}</th><th>{t('parent')}</th><th></th></tr></thead>
        <tbody>
          {list.map((x) => (
            <DomainRow key={`${x.code}-${x.zh}-${x.en}-${x.disabled}`} x={x} run={m.run} onSaved={(row) => setList((l) => l.map((y) => (y.code === row.code ? row : y)))} />
          ))}
        </tbody>
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

function Audit() {
  const { codes } = useApp();
  const [items, setItems] = useState<AuditRecord[]>([]);
  useEffect(() => void get<{ items: AuditRecord[] }>('/api/audit?limit=200').then((r) => setItems(r.items)), []);
  return (
    <div class="card">
      <table class="list" id="audit">
        <thead>
          <tr><th>{t('admTime')}</th><th>{t('admBy')}</th><th>{t('role')}</th><th>{t('admEntity')}</th><th>{t('admID')}</th><th>{t('admAction2')}</th><th>{t('note')}</th></tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id}>
              <td>{fmtTime(a.at)}</td>
              <td>{a.actor.name}</td>
              <td>{roleLabel(a.actor.role)}</td>
              <td>{auditLabel(a.entity)}</td>
              <td class="mono">{a.entityId}</td>
              <td data-action={a.action}>{auditLabel(a.action, a.entity === 'ticket' ? codes.actions : [])}</td>
              <td>{a.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
