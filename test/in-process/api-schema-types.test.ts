// The API's shared schemas are the UI's types (web-ui/src/api.ts reads FromSchema of them). The type checks
// below hold the server's own view types to them both ways: a field added to a view and not to its schema
// (which fastify's serializer would silently drop), or the reverse, fails `npm test`'s type check. The test
// then sends real objects of each kind through the box's HTTP serializer and finds them whole.
import t from 'tap';
import type { FromSchema } from 'json-schema-to-ts';
import type { Department, User } from '../../firmware-agent/accounts/service.js';
import type { AuditRecord } from '../../firmware-agent/audit/audit.js';
import type { auditSchema, departmentSchema, ticketListSchema, ticketSchema, userSchema } from '../../firmware-agent/http/schemas.js';
import { knowledgeBase } from '../../firmware-agent/kb/install.js';
import type { kbArticleReadSchema, kbArticleSchema, kbSearchSchema } from '../../firmware-agent/kb/schemas.js';
import type { Article, SearchHit } from '../../firmware-agent/kb/types.js';
import type { Region } from '../../firmware-agent/regions/regions.js';
import type { TicketView } from '../../firmware-agent/tickets/model.js';
import type { regionSchema } from '../../firmware-agent/tickets/reference-schemas.js';
import type { ListResult } from '../../firmware-agent/tickets/types.js';
import { complaint, staff, startTestBox } from '../helpers/box.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(ok: Same<A, B>) => ok;

same<FromSchema<typeof ticketSchema>, TicketView>(true);
same<FromSchema<typeof userSchema>, User>(true);
same<FromSchema<typeof departmentSchema>, Department>(true);
same<FromSchema<typeof auditSchema>, AuditRecord>(true);
same<FromSchema<typeof ticketListSchema, { references: [typeof ticketSchema] }>, ListResult>(true);
same<FromSchema<typeof kbArticleSchema>, Article>(true);
same<FromSchema<typeof regionSchema>, Region>(true);
same<FromSchema<typeof kbArticleReadSchema>, Article & { uses: { ticket: string; version: number; usedAt: string }[] }>(true);
same<FromSchema<typeof kbSearchSchema>, { items: SearchHit[]; total: number; totalCapped: boolean }>(true);

t.test('objects of every shared schema go through the HTTP serializer whole', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const created = await s.agent.post('/api/tickets', complaint);
  t.equal(created.statusCode, 201);
  const number = (created.json() as TicketView).number;
  const dispatched = await s.agent.post(`/api/tickets/${number}/actions`, { action: 'dispatch', department: s.dept.id });
  t.equal(dispatched.statusCode, 200, dispatched.body);
  const escalated = await s.supervisor.post(`/api/tickets/${number}/actions`, { action: 'escalate', note: '请加快办理' });
  t.equal(escalated.statusCode, 200, escalated.body);

  const direct = tb.box.tickets.get(number, { id: null, name: 'test', role: 'admin' });
  const sent = (await s.supervisor.get(`/api/tickets/${number}`)).json() as TicketView;
  t.same(Object.keys(sent).sort(), Object.keys(direct).sort(), 'every field of the view is sent');
  t.same(sent, { ...direct, updatedAt: sent.updatedAt }, 'with its value');
  t.ok(sent.escalation && sent.department && sent.involved, 'nested objects included');

  const list = (await s.supervisor.get('/api/tickets')).json() as ListResult;
  t.same(Object.keys(list).sort(), ['items', 'page', 'pageSize', 'total', 'totalCapped']);
  t.same(Object.keys(list.items[0]!).sort(), Object.keys(direct).sort());

  const users = (await tb.admin.get('/api/users')).json() as { items: User[] };
  const taxi = users.items.find((u) => u.username === 'taxi1')!;
  t.same(taxi, tb.box.accounts.user(taxi.id), 'a user whole');
  const depts = (await tb.admin.get('/api/departments')).json() as { items: Department[] };
  t.same(depts.items.find((d) => d.id === s.dept.id), tb.box.accounts.department(s.dept.id), 'a department whole');
  const audit = (await s.supervisor.get(`/api/tickets/${number}/audit`)).json() as { items: AuditRecord[] };
  t.ok(audit.items.length >= 3);
  t.same(audit.items, tb.box.tickets.auditTrail(number, { id: null, name: 'test', role: 'admin' }), 'the audit trail whole');
});

t.test('knowledge-base articles and search hits go through the HTTP serializer whole', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const created = await tb.admin.post('/api/kb/articles', { kind: 'faq', title: '出租车拒载怎么投诉', body: '拨打12328，说明时间、地点和车牌号。', tags: ['出租车'], domain: 'taxi' });
  t.equal(created.statusCode, 201, created.body);
  const article = created.json() as Article;
  t.same(article, knowledgeBase(tb.box).get(article.id), 'the created article whole');
  const read = (await tb.admin.get(`/api/kb/articles/${article.id}`)).json() as Article & { uses: unknown[] };
  t.same(read, { ...knowledgeBase(tb.box).get(article.id), uses: [] }, 'read with its citations');
  const found = (await tb.admin.get(`/api/kb/articles?q=${encodeURIComponent('出租车')}`)).json() as { items: SearchHit[]; total: number };
  t.equal(found.total, 1);
  t.same(found.items, knowledgeBase(tb.box).search({ q: '出租车' }).items, 'the search hits whole');
  const changed = await tb.admin.patch(`/api/kb/articles/${article.id}`, { title: '出租车拒载如何投诉', version: article.version });
  t.equal(changed.statusCode, 200, changed.body);
  t.same(changed.json(), knowledgeBase(tb.box).get(article.id), 'the changed article whole');
});
