// The citizens' page in chromium (issue 16 "What it must show"), at a phone's size (375×667, WeChat's user
// agent) and at 1366×768: a citizen files a complaint with a photo, confirms the phone with the code from the
// simulated module's SMS, gets the number on screen and by SMS; the department replies; the citizen looks the
// case up, sees the result and rates it — the rating is the ticket's return visit. Then the disclosure page
// after a supervisor published the case anonymised, with no caller's phone or name on it. No page error, no
// CSP violation. Screenshots in test/artifacts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { client, startTestBox } from '../helpers/box.js';
import { launch, login, newPage, shot } from './helpers.js';
import { modemRig, pngWithMetadata } from '../fixtures/public-fixtures.js';

const wechatUa = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';
const strong = 'Correct-Horse-12328';
declare const document: any;

t.test('a citizen files, confirms, looks up and rates a complaint; the disclosure page', { timeout: 300_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-public-'));
  const modem = await modemRig(dir);
  // The module paces SMS 3 s per part; the pacing has its own tests, and here it only kept the citizen waiting.
  fs.writeFileSync(path.join(dir, 'sms.json'), JSON.stringify({ minSendIntervalMs: 100 }));
  const { box: box, url } = await startTestBox({ login: false, dataDir: dir, flags: modem.flags, listen: true });
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await box.close();
    await modem.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const sms = async (re: RegExp, to: string) => {
    const m = await modem.nextSms(re);
    t.match(m.to, new RegExp(`${to}$`), 'sent to the citizen');
    return m.text;
  };
  const pw = fs.readFileSync(path.join(dir, 'initial-admin-password'), 'utf8').trim();
  const loginAs = async (username: string, password: string) => {
    const s = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username, password } });
    return client(box, String(s.headers['set-cookie']).split(';')[0]!);
  };
  const admin = await loginAs('admin', pw);
  const dept = (await admin.post('/api/departments', { name: '市公交集团' })).json() as { id: number };
  for (const u of [
    { username: 'agent1', role: 'agent' },
    { username: 'super1', role: 'supervisor' },
    { username: 'bus1', role: 'department', department: dept.id },
  ]) await admin.post('/api/users', { ...u, password: strong });
  const agent = await loginAs('agent1', strong);
  const supervisor = await loginAs('super1', strong);
  const bus = await loginAs('bus1', strong);
  const photo = path.join(dir, 'bus.png');
  fs.writeFileSync(photo, pngWithMetadata());

  const sizes = [
    { name: 'phone', viewport: { width: 375, height: 667 }, userAgent: wechatUa, phone: '13712345001', channel: 'wechat' },
    { name: 'desktop', viewport: { width: 1366, height: 768 }, userAgent: undefined, phone: '13712345002', channel: 'web' },
  ];
  for (const size of sizes) {
    const ctx = await browser.newContext({ viewport: size.viewport, locale: 'zh-CN', baseURL: url, ...(size.userAgent ? { userAgent: size.userAgent } : {}) });
    const page = await ctx.newPage();
    page.setDefaultTimeout(20000);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));

    await page.goto('/public/');
    await page.waitForSelector('#intake select[name=domain] option', { state: 'attached' });
    await page.waitForSelector('#file:not([hidden])');
    await page.selectOption('#intake select[name=type]', 'complaint');
    await page.selectOption('#intake select[name=domain]', 'bus');
    await page.fill('#intake textarea[name=description]', '12路公交车到站不停，司机还骂人。');
    await page.fill('#intake input[name=location]', '合作市人民广场站');
    await page.fill('#intake input[name=name]', '王小明');
    await page.fill('#intake input[name=phone]', size.phone);
    await page.setInputFiles('#intake input[name=photos]', photo);
    t.ok(await page.isVisible('#send-code'), `${size.name}: the code is asked for`);
    await page.click('#send-code');
    const code = /验证码是(\d{6})/.exec(await sms(/验证码/, size.phone))![1]!;
    await page.fill('#intake input[name=code]', code);
    await shot(page, `public-intake-${size.name}`);
    await page.click('#intake button[type=submit]');
    await page.waitForSelector('#filed:not([hidden])');
    const number = (await page.textContent('#filed-number'))!.trim();
    t.match(number, /^\d{19}$/, `${size.name}: the number on screen`);
    t.match(await sms(new RegExp(number), size.phone), /已受理/, `${size.name}: and by SMS`);
    await shot(page, `public-filed-${size.name}`);
    const ticket = (await agent.get(`/api/tickets/${number}`)).json();
    t.match(ticket, { channel: size.channel, type: 'complaint', caller: { phone: size.phone, name: '王小明' } }, `${size.name}: channel ${size.channel}`);
    t.equal((await agent.get(`/api/public-intake/${number}/photos`)).json().items.length, 1, `${size.name}: the photo is attached`);

    // The department replies.
    const act = (c: typeof agent, body: object) => c.post(`/api/tickets/${number}/actions`, body);
    await act(agent, { action: 'dispatch', department: dept.id });
    await act(bus, { action: 'accept' });
    t.equal((await act(bus, { action: 'reply', text: '已核实，对驾驶员停班培训并向您致歉。' })).statusCode, 200);

    // Later: the look-up, the result, the rating.
    await page.click('nav a[data-view=lookup]');
    await page.fill('#lookup-form input[name=number]', number);
    await page.fill('#lookup-form input[name=phoneLast4]', size.phone.slice(-4));
    await page.click('#lookup-form button[type=submit]');
    await page.waitForSelector('#case:not([hidden])');
    t.equal(await page.textContent('#case-result'), '已核实，对驾驶员停班培训并向您致歉。', `${size.name}: the result`);
    t.match(await page.textContent('#case-status'), /已回复/);
    await page.check('#rate-options input[value=satisfied]');
    await shot(page, `public-lookup-${size.name}`);
    await page.click('#rate-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('case-rating').textContent.includes('满意'));
    t.ok(await page.isHidden('#rate-form'), `${size.name}: rated once`);
    const visited = (await agent.get(`/api/tickets/${number}`)).json();
    t.equal(visited.satisfaction, 'satisfied', `${size.name}: the rating is the return visit`);
    t.equal(visited.status, 'closed');
    t.same(problems, [], `${size.name}: no page error, no CSP violation`);

    if (size.name === 'desktop') {
      // The supervisor publishes the case anonymised; the disclosure page shows it and no caller.
      const draft = (await supervisor.get(`/api/public-cases/draft/${number}`)).json();
      t.equal((await supervisor.post('/api/public-cases', { number, title: '公交到站不停靠', text: draft.text })).statusCode, 201);
      await page.click('nav a[data-view=disclosure]');
      await page.waitForSelector('#d-cases .case');
      t.match(await page.textContent('#d-cases'), /公交到站不停靠/);
      t.match(await page.textContent('#d-total'), /^[1-9]/);
      const text = await page.textContent('body');
      for (const secret of ['王小明', ...sizes.map((s) => s.phone), ...sizes.map((s) => s.phone.slice(-8))]) t.notOk(text!.includes(secret), `disclosure page: no ${secret}`);
      await shot(page, 'public-disclosure-desktop');

      // The staff ticket page shows the citizen's photo to the department that handled it (staff API only).
      const staffPage = await newPage(browser, url);
      await login(staffPage, 'bus1', strong);
      await staffPage.goto(`/tickets/${number}`);
      await staffPage.waitForSelector('#ticket-photos img');
      await staffPage.waitForFunction(() => (document.querySelector('#ticket-photos img') as { naturalWidth: number } | null)?.naturalWidth! > 0);
      t.match(await staffPage.getAttribute('#ticket-photos img', 'src'), /^\/api\/public-intake\/photos\/\d+$/, 'served by the staff API');
      await shot(staffPage, 'staff-ticket-photo');
      await staffPage.context().close();
    }
    await ctx.close();
  }
});
