// Admin pages work in the browser (users, departments, deadlines, domain table, KB editor), and an agent
// answers an inquiry at once (即时答复) citing a knowledge-base article: the answer text starts from the
// article's summary and is edited; the answer closes the ticket and counts the use.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { launch, login, newPage, seedUsers, shot, startBox } from './helpers.js';

t.test('admin pages and answer-now citing an article', async (t) => {
  const tb = await startBox();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  await seedUsers(tb);
  const adminPw = fs.readFileSync(path.join(tb.dir, 'initial-admin-password'), 'utf8').trim();

  const admin = await newPage(browser, tb.url);
  await login(admin, 'admin', adminPw);
  await admin.click('header nav a[href="/admin"]');
  // The table's header shows before its rows, which come from GET /api/users: wait for a row.
  await admin.waitForSelector('#users tbody tr');
  t.match(await admin.textContent('#users'), /agent1/, 'users are listed');
  await admin.fill('#admin form input[placeholder="用户名"]', 'agent2');
  await admin.fill('#admin form input[type="password"]', 'Xiahe-agent-2026');
  await admin.fill('#admin form input[placeholder="显示名"]', '话务员小马');
  await admin.click('#admin form button[type="submit"]');
  await admin.waitForSelector('#users >> text=agent2');
  t.pass('a user is created from the page');
  // Role and department change, then disable: each saved through PATCH /api/users/:id.
  await admin.selectOption('#users tr[data-user="agent2"] .user-role', 'department');
  t.ok(await admin.isDisabled('#users tr[data-user="agent2"] .user-save'), 'a department user needs a department before saving');
  await admin.selectOption('#users tr[data-user="agent2"] .user-dept', { label: '城市客运管理所' });
  await admin.click('#users tr[data-user="agent2"] .user-save');
  await admin.waitForSelector('#admin .notice');
  let agent2 = (await tb.admin('GET', '/api/users')).body.items.find((u: { username: string }) => u.username === 'agent2');
  t.equal(agent2.role, 'department', 'the role is changed from the page');
  t.equal(agent2.department.name, '城市客运管理所', 'with its department');
  t.equal(await admin.inputValue('#users tr[data-user="agent2"] .user-role'), 'department');
  await admin.click('#users tr[data-user="agent2"] .user-disable');
  await admin.waitForSelector('#users tr[data-user="agent2"].withdrawn');
  agent2 = (await tb.admin('GET', '/api/users')).body.items.find((u: { username: string }) => u.username === 'agent2');
  t.equal(agent2.disabled, true, 'the user is disabled from the page');
  await shot(admin, '20-admin-users');

  await admin.click('.tabs a[href="/admin/departments"]');
  await admin.waitForSelector('#departments');
  await admin.fill('#admin form input[placeholder="名称"]', '县交通运输局');
  await admin.click('#admin form button[type="submit"]');
  await admin.waitForSelector('#departments input.dept-name >> nth=1');
  t.equal(await admin.inputValue('#departments tr >> nth=2 >> input.dept-name'), '县交通运输局', 'a department is created');
  await admin.fill('#departments tr >> nth=2 >> input.dept-name', '县交通运输综合执法大队');
  await admin.click('#departments tr >> nth=2 >> .dept-save');
  await admin.click('#departments tr >> nth=2 >> .dept-disable');
  await admin.waitForSelector('#departments tr.withdrawn');
  const county = (await tb.admin('GET', '/api/departments')).body.items.find((d: { name: string }) => d.name === '县交通运输综合执法大队');
  t.ok(county, 'the department is renamed from the page');
  t.equal(county.disabled, true, 'and disabled');

  await admin.click('.tabs a[href="/admin/deadlines"]');
  await admin.waitForSelector('#deadlines');
  await admin.fill('#deadlines input[type="number"] >> nth=2', '12');
  await admin.click('#deadlines button[type="submit"]');
  await admin.waitForSelector('#deadlines .notice');
  t.equal((await tb.admin('GET', '/api/settings/tickets')).body.deadlines.complaint, 12, 'the complaint limit is saved');

  await admin.click('.tabs a[href="/admin/domains"]');
  await admin.waitForSelector('#domains');
  await admin.fill('#domains input[placeholder="代码"]', 'ferry');
  await admin.fill('#domains input[placeholder="中文"]', '渡运');
  await admin.fill('#domains input[placeholder="English"]', 'Ferry');
  await admin.click('#domains button[type="submit"]');
  await admin.waitForSelector('#domains tr[data-domain="ferry"]');
  t.pass('a domain code is added');
  await admin.fill('#domains tr[data-domain="taxi"] .domain-zh', '巡游出租汽车');
  await admin.click('#domains tr[data-domain="taxi"] .domain-save');
  await admin.click('#domains tr[data-domain="repair"] .domain-disable');
  await admin.waitForSelector('#domains tr[data-domain="repair"].withdrawn');
  const domains = (await tb.admin('GET', '/api/codes')).body.domains as { code: string; zh: string; disabled: boolean }[];
  t.equal(domains.find((x) => x.code === 'taxi')?.zh, '巡游出租汽车', 'a domain is renamed from the page');
  t.equal(domains.find((x) => x.code === 'repair')?.disabled, true, 'a domain is disabled from the page');

  await admin.click('.tabs a[href="/admin/calendar"]');
  await admin.waitForSelector('#calendar');
  await shot(admin, '21-admin-calendar');

  // Call settings: a legacy number and business hours, written to the configuration's calls section and applied to new calls.
  await admin.click('.tabs a[href="/admin/legacy"]');
  await admin.waitForSelector('#calls-legacy');
  await admin.fill('#legacy-number', '09418212345');
  await admin.click('#calls-legacy button[type="submit"]');
  await admin.waitForSelector('#calls-legacy >> text=09418212345');
  await admin.click('.tabs a[href="/admin/ivr"]');
  await admin.waitForSelector('#calls-ivr');
  // Each menu key's prompt is chosen by what it says, its id beside it; the upload picks from the box's prompts.
  t.equal(await admin.$eval('#calls-ivr tbody tr:first-child td:nth-child(2) select', (el) => (el as unknown as { selectedOptions: { textContent: string | null }[] }).selectedOptions[0]?.textContent), '菜单：水上遇险按1 (menu.1)');
  t.ok(await admin.$eval('#prompt-id', (el) => [...(el as unknown as { options: Iterable<{ value: string; textContent: string | null }> }).options].some((o) => o.value === 'welcome' && o.textContent === '欢迎语 (welcome)')), 'the upload offers every prompt by name');
  await admin.fill('#hours-open', '07:30');
  await admin.click('#ivr-save');
  await admin.waitForSelector('#calls-ivr .notice >> text=已保存并生效');
  const callsJson = JSON.parse(fs.readFileSync(path.join(tb.dir, 'config.json'), 'utf8')).calls;
  t.same(callsJson.ivr.legacyNumbers, ['09418212345'], 'the legacy number is saved');
  t.equal(callsJson.ivr.hours.open, '07:30', 'the opening time is saved');
  await shot(admin, '24-admin-ivr');
  const bad = await tb.admin('PUT', '/api/ui/calls-settings', { ivr: { hours: { open: '7 点' } } });
  t.equal(bad.status, 400, 'a bad setting is refused with its field');
  t.equal(bad.body.error.details.field, 'ivr.hours.open');

  // KB editor: create, then edit (version 2).
  await admin.goto('/kb/new');
  await admin.waitForSelector('#kb-editor');
  await admin.selectOption('#kb-kind', 'notice');
  await admin.fill('#kb-title', '冬季渡口停航公告');
  await admin.fill('#kb-body', '12月至次年2月，洮河渡口因结冰停航，请绕行县城大桥。');
  await admin.fill('#kb-tags', '渡口 停航');
  await admin.fill('#kb-editor input[type="date"] >> nth=0', '2026-12-01');
  await admin.fill('#kb-editor input[type="date"] >> nth=1', '2027-02-28');
  await admin.click('#kb-save');
  await admin.waitForSelector('#kb-view');
  t.match(await admin.textContent('#kb-view'), /冬季渡口停航公告[\s\S]*版本 1/);
  await admin.click('#kb-edit');
  await admin.fill('#kb-body', '12月至次年2月，洮河渡口因结冰停航，请绕行县城大桥。开航时间另行通知。');
  await admin.click('#kb-save');
  await admin.waitForSelector('#kb-view >> text=版本 2');
  t.pass('the article is edited to version 2');
  t.match(await admin.textContent('#kb-view .kb-validity'), /层级: ?市级[\s\S]*有效期: ?2026-12-01 – 2027-02-28/, 'the view shows scope and validity dates');
  await admin.click('#kb-history-toggle');
  await admin.waitForSelector('#kb-history li[data-version="1"]');
  t.equal(await admin.locator('#kb-history li').count(), 2, 'the history lists both versions');
  await admin.click('#kb-history li[data-version="1"] button');
  t.equal((await admin.textContent('#kb-version-view .text'))?.trim(), '12月至次年2月，洮河渡口因结冰停航，请绕行县城大桥。', 'version 1 shows its own text');
  await shot(admin, '22-kb-editor');
  // Tag filter: a tag button filters the list to articles with that tag.
  await admin.click('#kb-view .kb-tag[data-tag="渡口"]');
  t.equal(await admin.inputValue('#kb-tag'), '渡口');
  await admin.waitForFunction(() => {
    // Test files are type-checked without the DOM library: the page's document, typed by hand.
    type El = { querySelector(s: string): unknown };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> } }).document;
    const items = Array.from(doc.querySelectorAll('.kb-list li'));
    return items.length > 0 && items.every((li) => li.querySelector('.kb-tag[data-tag="渡口"]'));
  });
  t.match(await admin.textContent('.kb-list'), /冬季渡口停航公告/, 'the tag filter lists the tagged articles only');

  // Agent: an inquiry answered at once citing an article.
  const agent = await newPage(browser, tb.url);
  await login(agent, 'agent1');
  await agent.goto('/desk');
  await agent.waitForSelector('#f-region select');
  await agent.selectOption('#f-type', 'inquiry');
  await agent.selectOption('#f-domain', 'expressway');
  await agent.fill('#f-phone', '13893012345');
  await agent.fill('#f-subject', '国庆节小车走高速免费吗');
  await agent.fill('#f-description', '来电人询问国庆节期间7座小客车是否免收高速通行费');
  await agent.keyboard.press('Alt+K');
  t.equal(await agent.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'kb-search', 'Alt+K focuses the KB search');
  await agent.keyboard.type('免费通行');
  await agent.waitForSelector('#kb-hits li >> text=节假日小客车免费通行政策');
  await agent.click('#kb-hits .kb-title >> text=节假日小客车免费通行政策');
  t.equal(await agent.inputValue('#f-answer'), '', 'no answer text before an article is cited');
  t.ok(await agent.isDisabled('#btn-answer'), 'answer now needs an answer text');
  await agent.click('#btn-cite');
  const prefilled = await agent.inputValue('#f-answer');
  t.match(prefilled, /^春节、清明节、劳动节、国庆节四个国家法定节假日/, 'the answer is prefilled from the cited article’s summary');
  t.notMatch(prefilled, /来电人询问/, 'not from the caller’s own description');
  t.equal(await agent.getAttribute('#cited-link', 'href'), `/kb/${(await tb.admin('GET', `/api/kb/articles?q=${encodeURIComponent('免费通行')}`)).body.items.find((a: { title: string }) => a.title === '节假日小客车免费通行政策').id}`, 'the citation links to the article');
  await agent.fill('#f-answer', '');
  t.ok(await agent.isDisabled('#btn-answer'), 'a blank answer cannot be sent');
  const answer = '国庆节期间7座以下小客车免收高速通行费，以驶离出口收费站的时间为准。';
  await agent.fill('#f-answer', answer);
  await agent.click('#btn-answer');
  await agent.waitForSelector('#last-ticket');
  const number = (await agent.textContent('#last-ticket'))!.trim();
  await agent.goto(`/tickets/${number}`);
  await agent.waitForSelector('#ticket-detail[data-status="closed"]');
  t.match(await agent.textContent('#citations'), /节假日小客车免费通行政策[\s\S]*版本 1/, 'the answer cites the article and the version read');
  await agent.click('#citations a');
  await agent.waitForSelector('#kb-version-view[data-version="1"]');
  t.pass('the citation opens the article at the version the answer used');
  await agent.goBack();
  await agent.waitForSelector('#ticket-detail');
  t.match(await agent.textContent('#ticket-detail'), answer, 'the ticket shows the answer the agent edited');
  t.equal((await tb.admin('GET', `/api/tickets/${number}`)).body.answer, answer, 'the stored answer is the edited text');
  t.match(await agent.textContent('#timeline'), /即时答复/);
  await shot(agent, '23-answered-now');
  const hit = (await tb.admin('GET', `/api/kb/articles?q=${encodeURIComponent('免费通行')}`)).body.items.find((a: { title: string }) => a.title === '节假日小客车免费通行政策');
  t.equal(hit.useCount, 1, 'the article’s use count went up');

  // The answered-at-once ticket waits in the return-visit worklist (即时答复满意率) until visited.
  await agent.goto('/visits');
  await agent.waitForSelector(`#visits tr[data-number="${number}"]`);
  await agent.click(`#visits tr[data-number="${number}"] [data-visit="satisfied"]`);
  await agent.waitForSelector(`#visits tr[data-number="${number}"]`, { state: 'detached' });
  const visited = (await tb.admin('GET', `/api/tickets/${number}`)).body;
  t.same([visited.status, visited.satisfaction], ['closed', 'satisfied'], 'the visit of an immediate answer is recorded; the ticket stays closed');
});
