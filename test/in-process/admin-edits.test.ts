// Admin edits over the HTTP API: a user's role, department and disabling; renaming and disabling
// departments and domain codes. Each is audited, validated by its schema, and refused to other roles.
import t from 'tap';
import { complaint, staff, startTestBox, strongPassword } from '../helpers/box.js';

t.test('an admin changes a user’s role and department, and disables the account', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const users = (await tb.admin.get('/api/users')).json().items as { id: number; username: string }[];
  const id = (name: string) => users.find((u) => u.username === name)!.id;

  let r = await tb.admin.patch(`/api/users/${id('agent1')}`, { role: 'department' });
  t.equal(r.json().error.code, 'department-required', 'a department user needs a department');
  r = await tb.admin.patch(`/api/users/${id('agent1')}`, { role: 'department', department: 999 });
  t.equal(r.json().error.code, 'department-not-found');
  r = await tb.admin.patch(`/api/users/${id('agent1')}`, { role: 'boss' });
  t.equal(r.json().error.code, 'validation-failed', 'an unknown role is refused by the schema');

  r = await tb.admin.patch(`/api/users/${id('agent1')}`, { role: 'department', department: s.dept.id });
  t.equal(r.statusCode, 200);
  t.equal(r.json().role, 'department');
  t.equal(r.json().department.id, s.dept.id);
  t.equal((await s.agent.get('/api/tickets')).statusCode, 401, 'a changed role ends the user’s sessions');
  const asDept = await tb.login('agent1', strongPassword);
  t.equal((await asDept.get('/api/users')).statusCode, 403, 'the new role holds at once');

  r = await tb.admin.patch(`/api/users/${id('taxi1')}`, { department: s.other.id });
  t.equal(r.json().department.id, s.other.id, 'a department user moves to another department');
  r = await tb.admin.patch(`/api/users/${id('taxi1')}`, { role: 'supervisor' });
  t.equal(r.json().department, null, 'other roles have no department');

  r = await tb.admin.patch(`/api/users/${id('super1')}`, { disabled: true });
  t.equal(r.json().disabled, true);
  t.equal((await s.supervisor.get('/api/tickets')).statusCode, 401, 'a disabled user is signed out');
  t.equal((await s.supervisor.patch(`/api/users/${id('bus1')}`, { role: 'admin' })).statusCode, 401);
  t.equal((await s.bus.patch(`/api/users/${id('bus1')}`, { role: 'admin' })).json().error.code, 'forbidden-role', 'only admins edit users');

  r = await tb.admin.patch(`/api/users/${id('admin')}`, { role: 'agent' });
  t.equal(r.statusCode, 409, 'the last admin cannot be demoted');
  t.equal(r.json().error.code, 'last-admin');
  t.equal((await tb.admin.patch(`/api/users/${id('admin')}`, { disabled: true })).json().error.code, 'last-admin', 'nor disabled');
  t.equal((await tb.admin.get('/api/session')).statusCode, 200, 'and the refused change left the admin signed in');

  const audit = (await tb.admin.get('/api/audit?limit=500')).json();
  const rows = (audit.items ?? []) as { entityId: string; action: string; data: { role?: { before: string; after: string } } | null }[];
  t.ok(rows.some((a) => a.entityId === String(id('agent1')) && a.data?.role?.before === 'agent' && a.data.role.after === 'department'), 'the role change is audited');
});

t.test('an admin renames and disables departments and domain codes', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);

  let r = await tb.admin.patch(`/api/departments/${s.dept.id}`, { name: '市公交集团' });
  t.equal(r.statusCode, 409, 'a department cannot take another’s name');
  t.equal(r.json().error.code, 'department-exists');
  t.equal((await tb.admin.patch(`/api/departments/${s.dept.id}`, {})).json().error.code, 'validation-failed', 'an empty change is refused');
  t.equal((await tb.admin.patch('/api/departments/999', { name: 'x' })).json().error.code, 'department-not-found');
  t.equal((await s.supervisor.patch(`/api/departments/${s.dept.id}`, { name: 'x' })).statusCode, 403, 'supervisors cannot edit departments');

  r = await tb.admin.patch(`/api/departments/${s.dept.id}`, { name: '市出租汽车和网约车管理处', phone: '0941-8210000' });
  t.equal(r.json().name, '市出租汽车和网约车管理处');
  t.equal(r.json().phone, '0941-8210000');
  r = await tb.admin.patch(`/api/departments/${s.other.id}`, { disabled: true });
  t.equal(r.json().disabled, true);
  const n = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  r = await s.agent.post(`/api/tickets/${n}/actions`, { action: 'dispatch', department: s.other.id });
  t.equal(r.json().error.code, 'department-not-found', 'a disabled department takes no new dispatch');

  t.equal((await tb.admin.patch('/api/domains/nope', { zh: '无' })).json().error.code, 'domain-not-found');
  t.equal((await s.agent.patch('/api/domains/taxi', { zh: '的士' })).statusCode, 403, 'agents cannot edit domains');
  t.equal((await tb.admin.patch('/api/domains/taxi', { code: 'cab' })).json().error.code, 'validation-failed', 'a code is never changed');
  r = await tb.admin.patch('/api/domains/taxi', { zh: '巡游出租汽车', en: 'Street-hail taxi' });
  t.same(r.json(), { code: 'taxi', zh: '巡游出租汽车', en: 'Street-hail taxi', parent: 'urban-transit', disabled: false });
  r = await tb.admin.patch('/api/domains/repair', { disabled: true });
  t.equal(r.json().disabled, true);
  r = await s.agent.post('/api/tickets', { ...complaint, domain: 'repair' });
  t.equal(r.json().error.code, 'unknown-domain', 'a disabled domain is not offered to new tickets');
  const codes = (await s.agent.get('/api/codes')).json().domains as { code: string; zh: string; disabled: boolean }[];
  t.equal(codes.find((d) => d.code === 'taxi')?.zh, '巡游出租汽车', 'the code table shows the new name');
  t.equal(codes.find((d) => d.code === 'repair')?.disabled, true);

  const audit = (await tb.admin.get('/api/audit')).json().items as { entity: string; entityId: string; action: string }[];
  t.ok(audit.some((a) => a.entity === 'department' && a.entityId === String(s.dept.id) && a.action === 'update'), 'department edits are audited');
  t.ok(audit.some((a) => a.entity === 'domain' && a.entityId === 'taxi' && a.action === 'update'), 'domain edits are audited');
});
