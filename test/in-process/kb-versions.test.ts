// Knowledge-base versions: every version's text is kept (migration 202612020455-kb-article-versions), the
// history lists them, a ticket cites the version the agent read, and an upstream article's synced versions
// are kept too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { startTestBox } from '../helpers/box.js';
import { knowledgeBase } from '../../firmware-agent/kb/install.js';
import { openDb } from '../../firmware-agent/store/db.js';

t.test('every version of an article is kept and a ticket cites the one the agent read', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-versions-'));
  const box = (await startTestBox({ login: false, dataDir: dir })).box;
  t.teardown(async () => {
    await box.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const login = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: box.initialAdminPassword! } });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const api = async (method: string, url: string, payload?: object) => {
    const r = await box.http.inject({ method: method as 'GET', url, headers: { cookie }, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.json() as any };
  };

  const created = await api('POST', '/api/kb/articles', { kind: 'notice', scope: 'city', title: '冬季渡口停航公告', body: '洮河渡口12月停航。', tags: ['渡口'], validFrom: '2026-12-01', validTo: '2027-02-28' });
  t.equal(created.status, 201);
  const id = created.body.id as number;
  await api('PATCH', `/api/kb/articles/${id}`, { body: '洮河渡口12月至次年2月停航，请绕行县城大桥。', version: 1 });
  await api('PATCH', `/api/kb/articles/${id}`, { title: '洮河渡口冬季停航公告', version: 2 });

  const list = await api('GET', `/api/kb/articles/${id}/versions`);
  t.equal(list.status, 200);
  t.same(list.body.items.map((v: { version: number }) => v.version), [3, 2, 1], 'three versions, newest first');
  t.same(list.body.items.map((v: { title: string }) => v.title), ['洮河渡口冬季停航公告', '冬季渡口停航公告', '冬季渡口停航公告']);
  t.equal(list.body.items[2].body, '洮河渡口12月停航。', 'version 1 keeps its own text');
  t.equal(list.body.items[0].changedBy, 'admin', 'who made each version');
  t.equal(list.body.items[0].validTo, '2027-02-28', 'with its validity dates');
  t.equal((await api('GET', `/api/kb/articles/${id}/versions/2`)).body.body, '洮河渡口12月至次年2月停航，请绕行县城大桥。');
  const missing = await api('GET', `/api/kb/articles/${id}/versions/9`);
  t.equal(missing.status, 404);
  t.equal(missing.body.error.code, 'kb-version-not-found');

  // An agent read version 2 before the title changed: the ticket cites version 2.
  const tk = await api('POST', '/api/tickets', { type: 'inquiry', domain: 'waterway', channel: 'phone', region: '623001', caller: { phone: '13800000001' }, subject: '渡口冬天开吗', description: '询问洮河渡口冬季是否停航' });
  t.equal((await api('POST', '/api/kb/answer', { ticket: tk.body.number, article: id, version: 9, text: '冬季停航' })).body.error.code, 'kb-version-not-found', 'a version that never existed cannot be cited');
  t.equal((await api('GET', `/api/tickets/${tk.body.number}`)).body.status, 'received', 'and the refused answer changed nothing');
  const ans = await api('POST', '/api/kb/answer', { ticket: tk.body.number, article: id, version: 2, text: '洮河渡口12月至次年2月停航，请绕行县城大桥。' });
  t.equal(ans.status, 200);
  t.equal(ans.body.citations[0].version, 2, 'the citation names the version read');
  t.equal((await api('GET', `/api/kb/citations?ticket=${tk.body.number}`)).body.items[0].version, 2);

  // Versions synced from upstream are kept as well.
  const kb = knowledgeBase(box);
  const synced = { uid: '01890000-0000-7000-8000-000000000001', kind: 'policy' as const, scope: 'ministry' as const, ownerRegion: '100000', title: '网约车管理办法', body: '第一版', tags: [], domain: null, validFrom: null, validTo: null, status: 'published' as const, version: 1, updatedAt: '2026-11-01T00:00:00.000Z' };
  const peer = { id: null, name: 'peer', role: 'peer' as const };
  const up = kb.upsertUpstream(synced, peer).article;
  kb.upsertUpstream({ ...synced, body: '第二版', version: 2, updatedAt: '2026-11-20T00:00:00.000Z' }, peer);
  t.same(kb.versions(up.id).map((v) => [v.version, v.body, v.changedBy]), [[2, '第二版', '100000'], [1, '第一版', '100000']], 'upstream versions are kept with their owner');
});

t.test('the migration keeps the current version of articles that existed before it', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-versions-mig-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const box = (await startTestBox({ login: false, dataDir: dir, demo: true })).box;
  const seeded = (box.db.prepare('SELECT count(*) AS n FROM kb_articles').get() as { n: number }).n;
  await box.close();
  // Roll the store back to before the migration: drop the table and its record, as an older build left it.
  const db = new Database(path.join(dir, 'edgebox.sqlite'));
  db.exec("DROP TABLE kb_article_versions; DELETE FROM schema_migrations WHERE name = '202612020455-kb-article-versions.sql'");
  db.close();
  const again = openDb({ file: path.join(dir, 'edgebox.sqlite') });
  t.teardown(() => again.close());
  const kept = (again.prepare('SELECT count(*) AS n FROM kb_article_versions').get() as { n: number }).n;
  t.ok(seeded > 10, `${seeded} seeded articles`);
  t.equal(kept, seeded, 'each existing article starts with its current version');
});
