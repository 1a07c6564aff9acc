// Roles hold in the browser and on the server alike, HTML in a complaint renders as text on every page
// that shows it, and the JavaScript loaded before the agent desk is usable stays small.
import t from 'tap';
import { launch, login, newPage, seedUsers, shot, startBox } from './helpers.js';

// Browser globals used inside page.evaluate (the root tsconfig has no DOM lib).
declare const window: any, performance: any;
type PerformanceResourceTiming = { name: string; initiatorType: string; encodedBodySize: number; decodedBodySize: number };

t.test('roles, text rendering and bundle size', async (t) => {
  const tb = await startBox();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  const { departmentId } = await seedUsers(tb);
  const hostile = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>司机辱骂乘客';
  const tk = await tb.admin('POST', '/api/tickets', {
    type: 'complaint', subtype: 'report', domain: 'ride-hailing', channel: 'phone', region: '623001',
    caller: { phone: '13800009999', name: '<b>举报人</b>' }, subject: hostile, description: `${hostile}\n第二行`,
    involved: { company: '<svg onload="window.__xss=3">' },
  });
  t.equal(tk.status, 201);
  const number = tk.body.number as string;
  t.equal((await tb.admin('POST', `/api/tickets/${number}/actions`, { action: 'dispatch', department: departmentId })).status, 200);

  await t.test('an agent cannot open admin pages nor call admin APIs', async (t) => {
    const page = await newPage(browser, tb.url);
    await login(page, 'agent1');
    t.equal(await page.locator('header nav a[href="/admin"]').count(), 0, 'no admin link in the agent’s navigation');
    await page.goto('/admin/users');
    await page.waitForSelector('#forbidden');
    t.match(await page.textContent('#forbidden'), /无权/, 'the admin page is refused in Chinese');
    t.equal(await page.locator('#users').count(), 0, 'no user table rendered');
    await shot(page, '10-agent-admin-forbidden');
    // (No named functions inside evaluate: tsx's keepNames would reference a helper the page lacks.)
    const requests: [string, string, string, unknown][] = [
      ['createUser', 'POST', '/api/users', { username: 'evil', password: 'Evil-password-123', role: 'admin' }],
      ['listUsers', 'GET', '/api/users', null],
      ['settings', 'PUT', '/api/settings/tickets', { deadlines: { complaint: 60 } }],
      ['domain', 'POST', '/api/domains', { code: 'evil', zh: '恶意', en: 'Evil' }],
      ['kbEdit', 'POST', '/api/kb/articles', { kind: 'faq', title: 'x', body: 'y' }],
      ['kbChanges', 'GET', '/api/kb/changes', null],
    ];
    const results: Record<string, unknown> = {};
    for (const [name, method, url, body] of requests) {
      results[name] = await page.evaluate(
        async ([m, u, b]) => {
          const r = await fetch(u as string, { method: m as string, headers: b ? { 'content-type': 'application/json' } : {}, body: b ? JSON.stringify(b) : null });
          const j = (await r.json().catch(() => ({}))) as { error?: { code: string } };
          return { status: r.status, code: j.error?.code };
        },
        [method, url, body] as const,
      );
    }
    for (const [name, r] of Object.entries(results)) t.same(r, { status: 403, code: 'forbidden-role' }, `agent ${name} → 403 forbidden-role`);
    await page.context().close();
  });

  await t.test('HTML and script in a complaint render as text everywhere', async (t) => {
    const pages: [string, string, string][] = [
      ['super1', `/tickets/${number}`, '#ticket-subject'],
      ['super1', '/tickets', `tr[data-number="${number}"]`],
      ['dept1', '/inbox', `tr[data-number="${number}"]`],
      ['dept1', `/tickets/${number}`, '#ticket-description'],
    ];
    for (const [user, url, sel] of pages) {
      const page = await newPage(browser, tb.url);
      let dialogs = 0;
      page.on('dialog', (d) => (dialogs++, void d.dismiss()));
      await login(page, user);
      await page.goto(url);
      await page.waitForSelector(sel);
      t.match(await page.textContent(sel), '<script>window.__xss=2</script>', `${user} ${url}: the script tag shows as text`);
      t.equal(await page.locator('main img[src="x"], main svg, main script').count(), 0, `${user} ${url}: no element was created from the text`);
      t.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, `${user} ${url}: nothing ran`);
      t.equal(dialogs, 0);
      if (url.startsWith('/tickets/') && user === 'dept1') {
        t.equal(await page.textContent('#ticket-caller'), '（保密）', 'a report’s caller is hidden from the department');
        await shot(page, '11-department-confidential-text');
      }
      await page.context().close();
    }
  });

  await t.test('a department sends a ticket back with a reason; the centre sees it', async (t) => {
    const page = await newPage(browser, tb.url);
    await login(page, 'dept1');
    await page.goto(`/tickets/${number}`);
    await page.waitForSelector('#ticket-detail[data-status="dispatched"]');
    await page.click('#act-return');
    await page.fill('#return-text', '该事项属县交通运输局管辖，请改派。');
    await page.click('#return-submit');
    await page.waitForSelector('#inbox');
    t.equal(await page.locator('.error').count(), 0, 'sent back without an error; the department is back in its inbox');
    t.equal(await page.locator(`#inbox tr[data-number="${number}"]`).count(), 0, 'the ticket left the inbox');
    await page.context().close();
    const sup = await newPage(browser, tb.url);
    await login(sup, 'super1');
    await sup.goto(`/tickets/${number}`);
    await sup.waitForSelector('#ticket-detail[data-status="returned"]');
    t.match(await sup.textContent('#timeline li[data-action="return"]'), /请改派/, 'the reason is in the timeline');
    t.ok(await sup.locator('#act-dispatch').count(), 'the centre can dispatch it again');
    await shot(sup, '12-returned');
    await sup.context().close();
  });

  await t.test('JavaScript before the agent desk is usable', async (t) => {
    const page = await newPage(browser, tb.url);
    await login(page, 'agent1');
    await page.goto('/desk');
    await page.waitForSelector('#ticket-form');
    await page.waitForSelector('#f-region select');
    const js = await page.evaluate(() =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((e) => e.initiatorType === 'script' || e.name.endsWith('.js'))
        .map((e) => ({ name: e.name, transfer: e.encodedBodySize, decoded: e.decodedBodySize })),
    );
    const enc = js.reduce((a, e) => a + e.transfer, 0);
    const dec = js.reduce((a, e) => a + e.decoded, 0);
    t.comment(`desk JS: ${js.length} file(s), ${enc} bytes on the wire (compressed), ${dec} bytes decoded`);
    t.ok(js.length >= 1 && enc > 0 && enc < 200 * 1024, `desk JS on the wire ${enc} B < 200 KB`);
    t.notOk(js.some((e) => /admin|supervisor/.test(e.name)), 'admin and supervisor code is not loaded for the desk');
    await page.context().close();
  });
});
