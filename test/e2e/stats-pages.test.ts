// The statistics pages (issue 15 §2–§7) in Debian's chromium at 1366×768, on a seeded box: a supervisor
// picks a period, reads the KPIs and the score, sees the trend, composition and hourly-load charts drawn
// with data, follows a figure to the tickets behind it and on to a ticket, drills the regions down, exports
// the report to .xlsx (the download is a zip that holds the report's sheets), switches to English, reads
// agent performance and plans seats from the busy hour; a department user sees its own department only and
// is offered nothing else; a province box shows its cities side by side, ranked by score, the late one
// marked. Screenshots go to test/artifacts/ (git-ignored).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { v7 as uuidv7 } from 'uuid';
import { type Box, createBox } from '../../firmware-agent/app.js';
import { addDays, localTime } from '../../firmware-agent/calendar/time.js';
import { canonicalRequest, generateKeyPair, sign } from '../../firmware-agent/network/crypto.js';
import { type Envelope, newEnvelope } from '../../firmware-agent/network/messages.js';
import { signOwn } from '../../firmware-agent/network/origin.js';
import { launch, login, newPage, password, seedUsers, shot, startBox } from './helpers.js';

// Browser globals used inside page.evaluate / waitForFunction (the root tsconfig has no DOM lib).
declare const document: any;
declare const window: any;

const tz = 'Asia/Shanghai';
const today = new Date().toLocaleDateString('sv-SE', { timeZone: tz });
const from = addDays(today, -20);
const label = `${from}..${today}`;

/** A chart's box has an <svg> with drawn shapes and says how many data points it holds. */
async function chartPoints(page: import('playwright-core').Page, id: string): Promise<number> {
  await page.waitForSelector(`#${id}[data-points] svg path`, { state: 'attached' });
  return Number(await page.getAttribute(`#${id}`, 'data-points'));
}

t.test('statistics pages on a city box', async (t) => {
  const tb = await startBox();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  const { departmentId } = await seedUsers(tb);
  const other = (await tb.admin('POST', '/api/departments', { name: '市公交集团' })).body.id as number;

  // Today's tickets through the API: two complaints for the department, one answered inquiry.
  const numbers: string[] = [];
  for (const [type, subtype, channel, dept] of [['complaint', 'complaint', 'phone', departmentId], ['complaint', 'report', 'web', departmentId], ['inquiry', undefined, 'phone', other]] as const) {
    const r = await tb.admin('POST', '/api/tickets', {
      type, ...(subtype ? { subtype } : {}), domain: 'taxi', channel, region: '623001', caller: { phone: '13800138000' }, subject: `${type} 今日工单`, description: '统计页面测试',
    });
    t.equal(r.status, 201, JSON.stringify(r.body));
    numbers.push(r.body.number);
    t.equal((await tb.admin('POST', `/api/tickets/${r.body.number}/actions`, { action: 'dispatch', department: dept })).status, 200);
  }
  // Earlier days of the period (and of the one before it), straight into the store: a trend to draw.
  const ins = tb.box.db.prepare(
    `INSERT INTO tickets (id, number, type, domain, channel, region, subject, description, status, department_id, created_at, updated_at)
     VALUES (@id, @number, @type, @domain, @channel, @region, '历史工单', '描述', 'received', @dept, @at, @at)`,
  );
  const channels = ['phone', 'phone', 'web', 'wechat', 'sms', '12345'];
  const types = ['inquiry', 'inquiry', 'complaint', 'suggestion'];
  for (let i = 0; i < 90; i++) {
    const day = addDays(today, -1 - (i % 40));
    ins.run({
      id: `st-${i}`, number: `623000${day.replace(/-/g, '')}8${String(i).padStart(4, '0')}`, type: types[i % types.length], domain: i % 3 ? 'taxi' : 'bus',
      channel: channels[i % channels.length], region: i % 5 ? '623001' : '620102', dept: i % 4 === 0 ? departmentId : null, at: localTime(day, tz, 8 + (i % 10), i % 60).toISOString(),
    });
  }
  // Calls over the last days: 3 an hour at 09:xx and 1 at 15:xx; answered or given up in the queue.
  const insCall = tb.box.db.prepare(
    `INSERT INTO calls (id, channel, called, presentation, status, outcome, arrived_at, queued_at, agent_answered_at, abandoned_at, ended_at)
     VALUES (@id, 'e1', '12328', 'allowed', 'ended', @outcome, @at, @at, @answered, @abandoned, @ended)`,
  );
  let c = 0;
  for (let d = 1; d <= 5; d++) {
    for (const [h, n] of [[9, 3], [15, 1]] as const) {
      for (let k = 0; k < n; k++) {
        const at = localTime(addDays(today, -d), tz, h, k * 10).getTime();
        const answered = (c += 1) % 4 !== 0;
        insCall.run({ id: `sc-${c}`, outcome: answered ? 'answered' : 'abandoned', at, answered: answered ? at + 8000 : null, abandoned: answered ? null : at + 30_000, ended: at + 200_000 });
      }
    }
  }
  const q = `period=custom&from=${from}&to=${today}`;
  const api = (await tb.admin('GET', `/api/stats/report?${q}`)).body;
  t.ok(api.total.count > 20, `the period holds ${api.total.count} tickets`);

  await t.test('a supervisor: KPIs, charts, a figure’s tickets, drill-down, export, English', async (t) => {
    const page = await newPage(browser, tb.url);
    // ECharts is a chunk of its own that only the statistics pages load.
    const scripts: string[] = [];
    page.on('request', (r) => void (r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname)));
    await login(page, 'super1');
    await page.click('header nav a[href="/tickets"]');
    await page.waitForSelector('table.list');
    await page.click('header nav a[href="/wallboard"]');
    await page.waitForLoadState('networkidle');
    t.notOk(scripts.some((s) => /\/charts-[^/]*\.js$/.test(s)), `no chart code before the statistics pages: ${scripts.join(' ')}`);
    await page.click('header nav a[href="/stats"]');
    await page.waitForSelector('#stats-report');
    // The period picker: a custom range.
    await page.click('#period-picker button[data-kind="custom"]');
    await page.fill('#period-from', from);
    await page.fill('#period-to', today);
    await page.click('#period-apply');
    await page.waitForSelector(`#stats-report[data-period="${label}"]`);
    t.equal(await page.locator('#kpi-cards .tile').count(), 9, 'the score and the eight KPIs');
    t.equal((await page.textContent('#stats-total .tile-count'))?.trim(), String(api.total.count));
    t.match(await page.textContent('#kpi-score .tile-count'), api.score.value == null ? '—' : api.score.value.toFixed(2));
    t.ok((await chartPoints(page, 'chart-trend')) >= 21 * 2, 'the trend has a point per day of both periods');
    t.equal(await chartPoints(page, 'chart-type'), api.tables.type.filter((f: { count: number }) => f.count > 0).length);
    t.ok((await chartPoints(page, 'chart-channel')) >= 4);
    t.equal(await chartPoints(page, 'chart-hourly'), 24 * 3);
    const svgText = await page.textContent('#chart-hourly svg');
    t.match(svgText, /09:00/, 'the hourly chart has its hour axis');
    const size = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    t.ok(size.scroll <= size.inner, `fits 1366 wide: ${size.scroll} <= ${size.inner}`);
    await shot(page, 'stats-report');

    // A figure → the tickets behind it → a ticket.
    const phone = api.tables.channel.find((f: { key: string }) => f.key === 'phone-12328');
    await page.click('#table-channel tr[data-key="phone-12328"] a.figure');
    await page.waitForSelector('#figure-tickets');
    t.equal(Number(await page.getAttribute('#figure-tickets', 'data-total')), phone.count);
    t.match(await page.textContent('#figure-page'), String(phone.count));
    await shot(page, 'stats-figure-tickets');
    await page.click(`#figure-tickets tr[data-number="${numbers[0]}"] a`);
    await page.waitForSelector(`#ticket-detail[data-number="${numbers[0]}"]`);
    await page.goBack();
    await page.goBack();
    await page.waitForSelector(`#stats-report[data-period="${label}"]`);

    // Region drill-down: the province's cities.
    await page.click('#table-region tr[data-key="620000"] button.drill');
    await page.waitForSelector('#region-crumbs button[data-region="620000"]');
    const cities = await page.$$eval('#table-region tbody tr[data-key]', (rows: any[]) => rows.map((r) => r.getAttribute('data-key')));
    t.ok(cities.includes('623000') && cities.includes('620100'), `cities: ${cities.join(',')}`);

    // Export to .xlsx: the download is an xlsx (a zip with the report's sheets).
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
    t.match(download.suggestedFilename(), /^12328-report-.*\.xlsx$/);
    const file = await download.path();
    const bytes = fs.readFileSync(file!);
    t.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip container');
    t.ok(bytes.includes(Buffer.from('xl/worksheets/sheet1.xml')), 'with worksheets');

    // English: labels and chart legends follow.
    await page.click('#lang');
    await page.waitForSelector('#kpi-score >> text=Composite score');
    await page.waitForFunction(() => /This period/.test(document.querySelector('#chart-trend svg')?.textContent ?? ''));
    t.match(await page.textContent('#table-channel'), /12328 telephone/);
    await shot(page, 'stats-report-en');
    await page.click('#lang');

    // Print layout: A4 portrait less the page margins (186 mm ≈ 703 px): no navigation, nothing wider.
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 703, height: 1000 });
    t.equal(await page.locator('header.top, #stats-tabs, #period-picker, #export-xlsx').evaluateAll((els: any[]) => els.filter((e) => e.offsetParent !== null).length), 0, 'no navigation in print');
    await page.waitForFunction(() => Number(document.querySelector('#chart-trend svg')?.getAttribute('width')) <= 703);
    const printed = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    t.ok(printed.scroll <= printed.inner, `fits A4 width: ${printed.scroll} <= ${printed.inner}`);
    await shot(page, 'stats-print');
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 1366, height: 768 });

    // Agent performance and the capacity planner, pre-filled from the busy hour.
    t.ok(scripts.some((s) => /\/charts-[^/]*\.js$/.test(s)), 'the statistics page loaded the chart chunk');
    await page.click('#stats-tab-agents');
    await page.waitForSelector('#agents-table');
    t.match(await page.textContent('#agents-table thead'), /质检平均分/, 'the 质检 figures the agents API carries');
    t.ok(await page.locator('#agents-table tr[data-agent]').count() >= 1);
    await page.click('#stats-tab-capacity');
    await page.waitForSelector('#busy-hour-of-day');
    t.equal(await page.textContent('#busy-hour-of-day'), '09:00');
    t.equal(await page.inputValue('#cap-callsPerHour'), '3');
    await page.waitForSelector('#capacity-table tr.chosen');
    await page.fill('#cap-callsPerHour', '200');
    await page.fill('#cap-aht', '180');
    await page.fill('#cap-targetSeconds', '20');
    await page.click('#cap-plan');
    await page.waitForFunction(() => document.querySelector('#cap-seats .tile-count')?.textContent === '14');
    t.pass('200 calls/h × 180 s at 80/20 → 14 seats');
    t.ok((await chartPoints(page, 'chart-capacity')) > 4);
    await shot(page, 'stats-capacity');
    await page.context().close();
  });

  await t.test('a department user sees its own department only', async (t) => {
    const own = (await tb.admin('GET', `/api/stats/report?${q}&department=${departmentId}`)).body;
    const page = await newPage(browser, tb.url);
    await login(page, 'dept1');
    await page.click('header nav a[href="/stats"]');
    await page.waitForSelector('#stats-report');
    await page.goto(`/stats?${q}`);
    await page.waitForSelector(`#stats-report[data-period="${label}"]`);
    await page.waitForSelector('#stats-scope');
    t.equal((await page.textContent('#stats-total .tile-count'))?.trim(), String(own.total.count));
    t.not(own.total.count, api.total.count);
    t.same(await page.$$eval('#table-department tbody tr[data-department]', (rows: any[]) => rows.map((r) => Number(r.getAttribute('data-department')))), [departmentId]);
    t.equal(await page.locator('#stats-tab-agents, #stats-tab-children, #stats-tab-capacity, #stats-department, #chart-hourly').count(), 0, 'nothing the server refuses');
    await chartPoints(page, 'chart-trend');
    await shot(page, 'stats-department');
    await page.goto('/stats/agents');
    await page.waitForSelector('#forbidden');
    await page.context().close();
  });
});

// ---- a province box with two cities below it ----
const keys = { '623000': generateKeyPair(), '620100': generateKeyPair() } as const;
type City = keyof typeof keys;

async function push(url: string, from: City, messages: Envelope[]): Promise<void> {
  const signed = signOwn(messages.map((m) => JSON.stringify(m)), from, keys[from].privateKey, keys[from].publicKey);
  const body = `{"from":${JSON.stringify(from)},"messages":[${signed.join(',')}]}`;
  const timestamp = new Date().toISOString();
  const nonce = uuidv7();
  const p = '/api/exchange/v1/messages';
  const res = await fetch(url + p, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-edgebox-sender': from,
      'x-edgebox-timestamp': timestamp,
      'x-edgebox-nonce': nonce,
      'x-edgebox-signature': sign(keys[from].privateKey, canonicalRequest({ method: 'POST', path: p, sender: from, timestamp, nonce, body })),
    },
    body,
  });
  if (res.status !== 200) throw new Error(`push from ${from}: ${res.status} ${await res.text()}`);
}

const ratio = (numerator: number, denominator: number) => ({ numerator, denominator, rate: denominator ? Math.round((numerator / denominator) * 10000) / 10000 : null });
function daily(region: City, day: string, total: number, onTime: number) {
  return newEnvelope('stats.daily', region, '^', new Date(), {
    region,
    day,
    computedAt: new Date().toISOString(),
    volumes: { total, byType: { complaint: total }, byDomain: {}, byChannel: {}, transferredIn: 0, transferredOut: 0 },
    kpis: { complaintOnTimeRate: ratio(onTime, total), complaintVisitSatisfactionRate: ratio(onTime, total) },
    calls: { answeredWithin10sRate: ratio(45, 50), abandonmentRate: ratio(2, 50), averageSpeedOfAnswerSeconds: 6.5 },
  });
}

t.test('a province box: its cities side by side, ranked, the late one marked', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-stats-province-'));
  const box: Box = await createBox({ dataDir: dir, role: 'province', region: '620000', host: '127.0.0.1', port: 0 });
  const url = await box.listen();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await box.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const adminPw = fs.readFileSync(path.join(dir, 'initial-admin-password'), 'utf8').trim();
  const s = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: adminPw } });
  const cookies = { edgebox_session: s.cookies.find((c) => c.name === 'edgebox_session')!.value };
  const admin = async (method: 'GET' | 'POST', u: string, payload?: object) => (await box.http.inject({ method, url: u, cookies, ...(payload ? { payload } : {}) })).json();
  t.equal((await box.http.inject({ method: 'POST', url: '/api/users', cookies, payload: { username: 'super1', password, role: 'supervisor' } })).statusCode, 201);
  for (const region of Object.keys(keys) as City[]) {
    const e = await admin('POST', '/api/network/enrollments', { region });
    const res = await fetch(`${url}/api/exchange/v1/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: e.code, region, role: 'city', boxId: uuidv7(), publicKey: keys[region].publicKey }),
    });
    t.equal(res.status, 200, `${region} paired`);
  }
  // Two days: Lanzhou sends both (better figures), Gannan only today — its yesterday is late.
  const yesterday = addDays(today, -1);
  await push(url, '620100', [daily('620100', yesterday, 8, 8), daily('620100', today, 6, 5)]);
  await push(url, '623000', [daily('623000', today, 5, 2)]);
  const q = `period=custom&from=${yesterday}&to=${today}`;
  const view = await admin('GET', `/api/stats/children?${q}`);
  const byRegion = Object.fromEntries(view.boxes.map((b: { region: string }) => [b.region, b]));
  t.equal(byRegion['623000'].late, true);
  t.equal(byRegion['620100'].rank, 1);

  const page = await newPage(browser, url);
  await login(page, 'super1');
  await page.click('header nav a[href="/stats"]');
  await page.waitForSelector('#stats-tab-children');
  await page.goto(`/stats/children?${q}`);
  await page.waitForSelector('#children-table');
  const rows = await page.$$eval('#children-table tbody tr', (trs: any[]) => trs.map((r) => ({ region: r.getAttribute('data-region'), late: r.classList.contains('late'), rank: r.cells[0].textContent })));
  t.same(rows.map((r) => r.region), ['620100', '623000'], 'ranked by score');
  t.same(rows.map((r) => r.late), [false, true], 'the late box marked');
  t.equal(await chartPoints(page, 'chart-children'), 4, 'score and volume of both cities');
  t.match(await page.textContent('#chart-children svg'), /迟报/);
  await shot(page, 'stats-province-cities');
  await page.context().close();
});
