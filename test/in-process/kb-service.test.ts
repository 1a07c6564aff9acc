// Knowledge base: Chinese search finds two-character words ranked by relevance, upstream articles refuse
// local edits and apply only newer versions, answers cite articles, every change is audited.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { type Box } from '../../firmware-agent/app.js';
import { startTestBox } from '../helpers/box.js';
import { knowledgeBase } from '../../firmware-agent/kb/install.js';

async function boxWithAdmin(t: { teardown(fn: () => Promise<void>): void }): Promise<{ box: Box; cookie: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-'));
  const box = (await startTestBox({ login: false, dataDir: dir, demo: true })).box;
  t.teardown(async () => {
    await box.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const r = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: box.initialAdminPassword! } });
  const cookie = String(r.headers['set-cookie']).split(';')[0]!;
  return { box, cookie };
}

t.test('seeded articles are found by two-character words, title matches first', async (t) => {
  const { box, cookie } = await boxWithAdmin(t);
  const r = await box.http.inject({ url: '/api/kb/articles?q=拒载', headers: { cookie } });
  t.equal(r.statusCode, 200);
  const body = r.json() as { items: { title: string }[]; total: number };
  t.ok(body.total >= 2, 'several articles mention 拒载');
  t.match(body.items[0]!.title, /拒载/, 'an article with 拒载 in its title ranks first');
  const none = (await box.http.inject({ url: '/api/kb/articles?q=飞机托运', headers: { cookie } })).json() as { total: number };
  t.equal(none.total, 0);
  const kinds = (await box.http.inject({ url: '/api/kb/articles?kind=organisation&limit=100', headers: { cookie } })).json() as { items: { kind: string }[] };
  t.ok(kinds.items.length > 0 && kinds.items.every((a) => a.kind === 'organisation'));
});

t.test('the editor creates and edits local articles, with version checks and audit', async (t) => {
  const { box, cookie } = await boxWithAdmin(t);
  const c = await box.http.inject({
    method: 'POST', url: '/api/kb/articles', headers: { cookie },
    payload: { kind: 'notice', title: '春运期间客运班车加班公告', body: '春运期间各客运站加开班车。', tags: ['春运'] },
  });
  t.equal(c.statusCode, 201);
  const a = c.json() as { id: number; version: number; scope: string; upstream: boolean };
  t.equal(a.scope, 'city');
  t.equal(a.upstream, false);
  const e = await box.http.inject({ method: 'PATCH', url: `/api/kb/articles/${a.id}`, headers: { cookie }, payload: { version: 1, body: '春运期间各客运站加开班车，请提前购票。' } });
  t.equal(e.statusCode, 200);
  t.equal((e.json() as { version: number }).version, 2);
  const stale = await box.http.inject({ method: 'PATCH', url: `/api/kb/articles/${a.id}`, headers: { cookie }, payload: { version: 1, title: 'x' } });
  t.equal(stale.statusCode, 409);
  t.equal((stale.json() as { error: { code: string } }).error.code, 'kb-version-conflict');
  const found = (await box.http.inject({ url: '/api/kb/articles?q=' + encodeURIComponent('春运 购票'), headers: { cookie } })).json() as { items: { id: number }[] };
  t.equal(found.items[0]?.id, a.id, 're-indexed after the edit');
  const w = await box.http.inject({ method: 'PATCH', url: `/api/kb/articles/${a.id}`, headers: { cookie }, payload: { status: 'withdrawn' } });
  t.equal(w.statusCode, 200);
  const gone = (await box.http.inject({ url: '/api/kb/articles?q=春运', headers: { cookie } })).json() as { total: number };
  t.equal(gone.total, 0, 'withdrawn articles are not found by agents');
  const audit = box.tickets.audit.forEntity('kb-article', String(a.id)).map((x) => x.action);
  t.same(audit, ['create', 'update', 'withdraw']);
});

t.test('articles owned upstream: newer versions apply once, local edits are refused, changes feed', async (t) => {
  const { box, cookie } = await boxWithAdmin(t);
  const kb = knowledgeBase(box);
  const start = kb.changedSince(0, 1000).rev;
  const peer = { id: null, name: 'province', role: 'peer' as const };
  const art = {
    uid: '0192f000-0000-7000-8000-000000000001', kind: 'policy' as const, scope: 'ministry' as const, ownerRegion: '100000',
    title: '部级政策：道路旅客运输规定', body: '班线客运经营者应当按照许可的线路、班次运营。', tags: ['客运'], domain: null,
    validFrom: '2020-01-01', validTo: null, status: 'published' as const, version: 3, updatedAt: '2026-11-01T00:00:00Z',
  };
  t.equal(kb.upsertUpstream(art, peer).applied, true);
  t.equal(kb.upsertUpstream(art, peer).applied, false, 'same version again is a no-op');
  t.equal(kb.upsertUpstream({ ...art, version: 2, title: 'old' }, peer).applied, false, 'older version ignored');
  const up = kb.upsertUpstream({ ...art, version: 4, body: '班线客运经营者应当按照许可的线路、班次、站点运营。' }, peer);
  t.equal(up.applied, true);
  t.equal(up.article.version, 4);
  const r = await box.http.inject({ method: 'PATCH', url: `/api/kb/articles/${up.article.id}`, headers: { cookie }, payload: { title: '改' } });
  t.equal(r.statusCode, 409);
  t.equal((r.json() as { error: { code: string } }).error.code, 'kb-upstream-owned');
  const feed = kb.changedSince(start);
  t.equal(feed.items.length, 1, 'one article changed, listed once at its latest rev');
  t.equal(feed.items[0]!.version, 4);
  t.equal(kb.changedSince(feed.rev).items.length, 0);
});

t.test('answer now cites the article and counts its use', async (t) => {
  const { box, cookie } = await boxWithAdmin(t);
  const tk = await box.http.inject({
    method: 'POST', url: '/api/tickets', headers: { cookie },
    payload: { type: 'inquiry', domain: 'expressway', channel: 'phone', region: '623001', caller: { phone: '13800000001' }, subject: '节假日高速免费吗', description: '国庆节小车走高速是否免费' },
  });
  t.equal(tk.statusCode, 201);
  const number = (tk.json() as { number: string }).number;
  const hit = ((await box.http.inject({ url: '/api/kb/articles?q=免费通行', headers: { cookie } })).json() as { items: { id: number; useCount: number }[] }).items[0]!;
  for (const text of [undefined, '   ']) {
    const blank = await box.http.inject({ method: 'POST', url: '/api/kb/answer', headers: { cookie }, payload: { ticket: number, article: hit.id, ...(text !== undefined ? { text } : {}) } });
    t.equal(blank.statusCode, 422, `answer text ${JSON.stringify(text)} is refused`);
    t.equal((blank.json() as { error: { code: string } }).error.code, 'answer-text-required');
  }
  const bare = await box.http.inject({ method: 'POST', url: `/api/tickets/${number}/actions`, headers: { cookie }, payload: { action: 'answer' } });
  t.equal((bare.json() as { error: { code: string } }).error.code, 'answer-text-required', 'the plain answer action needs a text too');
  t.equal(knowledgeBase(box).citationsOf(number).length, 0, 'a refused answer cites nothing');
  const ans = await box.http.inject({ method: 'POST', url: '/api/kb/answer', headers: { cookie }, payload: { ticket: number, article: hit.id, text: '国庆节7座以下小客车免费通行。' } });
  t.equal(ans.statusCode, 200);
  const out = ans.json() as { ticket: { status: string }; citations: { articleId: number }[] };
  t.equal(out.ticket.status, 'closed');
  t.equal(out.citations[0]?.articleId, hit.id);
  const after = (await box.http.inject({ url: `/api/kb/articles/${hit.id}`, headers: { cookie } })).json() as { useCount: number; uses: { ticket: string }[] };
  t.equal(after.useCount, hit.useCount + 1);
  t.equal(after.uses[0]?.ticket, number);
  const again = await box.http.inject({ method: 'POST', url: '/api/kb/answer', headers: { cookie }, payload: { ticket: number, article: hit.id, text: '再次答复' } });
  t.equal(again.statusCode, 409, 'a closed ticket cannot be answered twice');
  t.equal(knowledgeBase(box).citationsOf(number).length, 1);
});

t.test('runs of single characters match as phrases, words as prefixes', async (t) => {
  const { kbMatchExpression } = await import('../../firmware-agent/kb/rows.js');
  t.equal(kbMatchExpression('网约车 计费'), '"网 约 车" AND "计 费"', 'a space ends a phrase');
  t.equal(kbMatchExpression('驾校退费'), '"驾 校" AND "退费"*');
  t.equal(kbMatchExpression('出租'), '"出租"*');
  t.equal(kbMatchExpression('a" OR b*'), '"a"* AND "or"* AND "b"*', 'FTS5 syntax typed by a user is plain text');
  t.equal(kbMatchExpression('，。 '), null);
  const { box, cookie } = await boxWithAdmin(t);
  const r = (await box.http.inject({ url: '/api/kb/articles?q=' + encodeURIComponent('网约车'), headers: { cookie } })).json() as { items: { title: string; domain: string | null }[] };
  t.ok(r.items.length >= 3, 'several ride-hailing articles');
  t.ok(r.items.every((a) => /网约车/.test(a.title) || a.domain === 'ride-hailing' || /网约车/.test(JSON.stringify(a))), 'every hit is about 网约车');
  t.match(r.items[0]!.title, /网约车/);
  const odd = await box.http.inject({ url: '/api/kb/articles?q=' + encodeURIComponent('"网约车" OR NEAR( 拒载*'), headers: { cookie } });
  t.equal(odd.statusCode, 200, 'a query with FTS5 syntax in it is searched, not an error');
});
