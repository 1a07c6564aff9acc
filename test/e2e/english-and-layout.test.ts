// English mode leaves no Chinese-only labels on the pages that had them (IVR menu, audit log, calendar,
// users' roles, the confidential caller), and every role's home page fits 1366×768 without horizontal
// scrolling.
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { launch, login, newPage, password, seedUsers, shot, startBox } from './helpers.js';

// Browser globals used inside page.evaluate (the root tsconfig has no DOM lib).
declare const document: any, window: any;
const cjk = /[\u4e00-\u9fff]/;

/** The header at 1366 px: every navigation entry on one line, the whole header one line within the width. */
async function headerFits(t: Test, page: import('playwright-core').Page, lang: string): Promise<void> {
  // (No named functions inside evaluate: tsx's keepNames would wrap them in a helper the page lacks.)
  const header = await page.evaluate(() => ({
    links: [...document.querySelectorAll('header.top nav a')].map((a: any) => ({ text: a.textContent, height: a.getBoundingClientRect().height })),
    lineHeight: parseFloat(window.getComputedStyle(document.querySelector('header.top nav a')).lineHeight) || 20,
    height: document.querySelector('header.top').getBoundingClientRect().height,
    right: document.querySelector('#logout').getBoundingClientRect().right,
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  t.ok(header.links.length >= 12, `${lang}: ${header.links.length} pages in the admin's navigation`);
  t.ok(header.links.every((l) => l.height < header.lineHeight * 1.9 + 20), `${lang}: no navigation entry wraps: ${JSON.stringify(header.links)}`);
  t.ok(header.height <= 44 && header.right <= header.inner && header.scroll <= header.inner, `${lang}: the header is one line within the width: ${JSON.stringify({ ...header, links: undefined })}`);
}

t.test('English mode and the 1366×768 layout', async (t) => {
  const tb = await startBox();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  const { departmentId } = await seedUsers(tb);
  t.equal((await tb.admin('POST', '/api/users', { username: 'tech1', role: 'technician', password, displayName: '技术员小赵' })).status, 201);
  const report = await tb.admin('POST', '/api/tickets', {
    type: 'complaint', subtype: 'report', domain: 'ride-hailing', channel: 'phone', region: '623001',
    caller: { phone: '13800009999' }, subject: '网约车平台违规派单', description: '举报平台向无证车辆派单', confidential: true,
  });
  await tb.admin('POST', `/api/tickets/${report.body.number}/actions`, { action: 'dispatch', department: departmentId });
  const adminPw = fs.readFileSync(path.join(tb.dir, 'initial-admin-password'), 'utf8').trim();

  await t.test('each role’s home page fits the width at 1366×768', async (t) => {
    for (const [user, pw] of [['admin', adminPw], ['super1', password], ['agent1', password], ['dept1', password], ['tech1', password]] as const) {
      const page = await newPage(browser, tb.url);
      await login(page, user, pw);
      await page.waitForSelector('#home');
      const size = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      t.ok(size.scroll <= size.inner, `${user}: scrollWidth ${size.scroll} <= innerWidth ${size.inner}`);
      await page.context().close();
    }
  });

  await t.test('admin pages in English have no Chinese-only labels', async (t) => {
    const page = await newPage(browser, tb.url);
    await login(page, 'admin', adminPw);
    await page.waitForSelector('#home');
    await headerFits(t, page, 'zh');
    await page.click('#lang');
    await page.waitForSelector('header nav >> text=Admin');
    await headerFits(t, page, 'en');
    const noChinese = async (selector: string, what: string) => {
      await page.waitForSelector(selector, { state: 'attached' });
      const texts = await page.locator(selector).allTextContents();
      t.notOk(texts.some((x) => cjk.test(x)), `${what}: ${JSON.stringify(texts).slice(0, 200)}`);
    };
    t.match(await page.textContent('#who'), /· Admin$/, 'the header shows the role in English');

    await page.goto('/admin/users');
    await noChinese('#users select.user-role option', 'user roles');
    await noChinese('#users thead', 'users table headers');

    await page.goto('/admin/ivr');
    await noChinese('#calls-ivr thead', 'IVR table headers');
    await noChinese('#calls-ivr select option', 'IVR actions and hours');
    await noChinese('#calls-ivr h4', 'IVR section titles');
    await page.click('#ivr-save');
    await noChinese('#calls-ivr .notice', 'the saved note');
    await shot(page, '40-admin-ivr-english');

    await page.goto('/admin/audit');
    await noChinese('#audit thead', 'audit headers');
    const rows = page.locator('#audit tbody tr');
    t.ok((await rows.count()) > 0, 'the audit log has rows');
    for (const col of [3, 4, 6]) await noChinese(`#audit tbody tr td:nth-child(${col})`, `audit column ${col} (role, entity, action)`);
    // A cell showing its own code (e.g. "create" rather than "Created") is a raw code, not a label.
    const raw = await page.evaluate(() =>
      [...document.querySelectorAll('#audit td[data-action]')]
        .filter((td: any) => td.textContent.trim() === td.getAttribute('data-action'))
        .map((td: any) => td.textContent.trim()),
    );
    t.same(raw, [], 'actions are labels, not raw codes');

    await page.goto('/admin/calendar');
    await page.waitForSelector('#calendar table tr');
    for (const col of [2, 4]) await noChinese(`#calendar tbody tr td:nth-child(${col})`, `calendar column ${col} (kind, source)`);
    await shot(page, '41-admin-calendar-english');

    await page.goto('/admin/domains');
    await noChinese('#domains thead', 'domain table headers');
  });

  await t.test('a confidential caller reads as such in English', async (t) => {
    const page = await newPage(browser, tb.url);
    await login(page, 'dept1');
    await page.click('#lang');
    await page.goto(`/tickets/${report.body.number}`);
    await page.waitForSelector('#ticket-caller');
    t.equal(await page.textContent('#ticket-caller'), '(confidential)');
  });
});
