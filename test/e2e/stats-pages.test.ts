// The statistics pages (issue 15 §2–§7) in Debian's chromium at 1366×768, on a seeded box: a supervisor
// picks a period, reads the KPIs and the score, sees the trend, composition and hourly-load charts drawn
// with data, follows a figure to the tickets behind it and on to a ticket, drills the regions down, exports
// the report to .xlsx (the download is a zip that holds the report's sheets), switches to English, reads
// agent performance and plans seats from the busy hour; a department user sees its own department only and
// is offered nothing else; a province box shows the two real city boxes paired below it (their daily figures
// sent over HTTP) side by side, ranked by score, the late one marked. Screenshots go to test/artifacts/
// (git-ignored).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { type Box } from '../../firmware-agent/app.js';
import { addDays, localTime } from '../../firmware-agent/calendar/time.js';
import { client, startTestBox } from '../helpers/box.js';
import { waitFor } from '../helpers/wait.js';
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
    // 话务: the telephone figures of the period, from the call records (every 4th call given up in the queue).
    t.equal((await page.textContent('#calls-offered .tile-count'))?.trim(), String(api.calls.current.offered));
    t.equal(api.calls.current.answeredWithin10sRate, 0.75);
    t.equal((await page.textContent('#calls-answered10s .tile-count'))?.trim(), '75.0%');
    t.equal((await page.textContent('#calls-abandon .tile-count'))?.trim(), '25.0%');
    const size = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    t.ok(size.scroll <= size.inner, `fits 1366 wide: ${size.scroll} <= ${size.inner}`);
    await shot(page, 'stats-report');

    // The stored weights: only 即时答复率 weighs → the score is that rate; then back to the defaults.
    await page.click('#stats-weights summary');
    await page.waitForSelector('#stats-weights input[data-weight]');
    for (const input of await page.$$('#stats-weights input[data-weight]')) {
      await input.fill((await input.getAttribute('data-weight')) === 'inquiryImmediateAnswerRate' ? '1' : '0');
    }
    await page.click('#weights-save');
    await page.waitForSelector('#kpi-score >> text=自定义权重');
    const weighted = (await tb.admin('GET', `/api/stats/report?${q}`)).body;
    t.equal(weighted.score.counted.join(), 'inquiryImmediateAnswerRate', 'the stored weights are the server’s');
    t.match(await page.textContent('#kpi-score .tile-count'), weighted.score.value == null ? '—' : weighted.score.value.toFixed(2));
    await page.click('#weights-defaults');
    await page.waitForSelector('#kpi-score >> text=默认权重');
    t.equal((await tb.admin('GET', '/api/stats/weights')).body.usesDefaultWeights, true);

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
    // A browser in a time zone whose date is not the box's right now: the default day is still the box's.
    const boxHour = Number(new Date().toLocaleString('en-GB', { timeZone: tz, hour: '2-digit', hourCycle: 'h23' }));
    const farZone = boxHour < 20 ? 'Etc/GMT+12' : 'Pacific/Kiritimati';
    const page = await newPage(browser, tb.url, { timezoneId: farZone });
    t.not(await page.evaluate(() => new Date().toLocaleDateString('sv-SE')), today, `the browser (${farZone}) is on another day`);
    await login(page, 'dept1');
    await page.click('header nav a[href="/stats"]');
    await page.waitForSelector('#stats-report');
    await page.click('#period-picker button[data-kind="day"]');
    await page.waitForSelector(`#stats-report[data-period="${today}"]`);
    await page.goto(`/stats?${q}`);
    await page.waitForSelector(`#stats-report[data-period="${label}"]`);
    await page.waitForSelector('#stats-scope');
    t.equal((await page.textContent('#stats-total .tile-count'))?.trim(), String(own.total.count));
    t.not(own.total.count, api.total.count);
    t.same(await page.$$eval('#table-department tbody tr[data-department]', (rows: any[]) => rows.map((r) => Number(r.getAttribute('data-department')))), [departmentId]);
    t.equal(await page.locator('#stats-tab-agents, #stats-tab-children, #stats-tab-capacity, #stats-department, #chart-hourly, #stats-weights, #stats-calls').count(), 0, 'nothing the server refuses');
    await chartPoints(page, 'chart-trend');
    await shot(page, 'stats-department');
    await page.goto('/stats/agents');
    await page.waitForSelector('#forbidden');
    await page.context().close();
  });
});

// ---- a province box with two real city boxes paired below it ----
const fast = { 'net-retry-base-ms': '50', 'net-retry-max-ms': '400', 'net-idle-ms': '200', 'net-poll-wait': '2' };

async function adminOf(box: Box, dir: string) {
  const pw = fs.readFileSync(path.join(dir, 'initial-admin-password'), 'utf8').trim();
  const s = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: pw } });
  return client(box, String(s.headers['set-cookie']).split(';')[0]!);
}

t.test('a province box: its cities side by side, ranked, the late one marked', async (t) => {
  const dirs = ['province', '623000', '620100'].map((n) => fs.mkdtempSync(path.join(os.tmpdir(), `e2e-stats-${n}-`)));
  const { box: province, url } = await startTestBox({ login: false, dataDir: dirs[0]!, role: 'province', region: '620000', flags: fast, listen: true });
  const cities = [
    (await startTestBox({ login: false, dataDir: dirs[1]!, role: 'city', region: '623000', flags: fast, listen: true })).box,
    (await startTestBox({ login: false, dataDir: dirs[2]!, role: 'city', region: '620100', flags: fast, listen: true })).box,
  ] as const;
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    for (const b of cities) await b.close();
    // The cities' HTTP clients live in this process and keep their connections to the province open (the
    // province advertises a 72 s keep-alive), and the province's close waits for them: end them with it.
    const closing = province.close();
    province.http.server.closeAllConnections();
    await closing;
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const p = await adminOf(province, dirs[0]!);
  t.equal((await p.post('/api/users', { username: 'super1', password, role: 'supervisor' })).statusCode, 201);
  const [gannan, lanzhou] = [await adminOf(cities[0], dirs[1]!), await adminOf(cities[1], dirs[2]!)];
  for (const [c, region, county] of [[gannan, '623000', '623001'], [lanzhou, '620100', '620102']] as const) {
    const code = (await p.post('/api/network/enrollments', { region })).json().code as string;
    t.equal((await c.post('/api/network/pair', { upstream: url, code })).statusCode, 200, `${region} pairs with the province`);
    // One inquiry each today: Lanzhou answers it at once, Gannan does not (its 即时答复率 is 0).
    const tk = await c.post('/api/tickets', { type: 'inquiry', domain: 'taxi', channel: 'phone', region: county, caller: { phone: '13800138000' }, subject: '咨询', description: '线路咨询' });
    t.equal(tk.statusCode, 201, tk.body);
    if (c === lanzhou) t.equal((await c.post(`/api/tickets/${tk.json().number}/actions`, { action: 'answer', text: '已答复' })).statusCode, 200);
  }
  // Lanzhou sends yesterday's and today's figures, Gannan only today's: its yesterday is late.
  const yesterday = addDays(today, -1);
  for (const day of [yesterday, today]) t.equal((await lanzhou.post('/api/network/stats/send', { day })).statusCode, 200);
  t.equal((await gannan.post('/api/network/stats/send', { day: today })).statusCode, 200);
  const q = `period=custom&from=${yesterday}&to=${today}`;
  const view = await waitFor('both cities’ figures reached the province', async () => {
    const v = (await p.get(`/api/stats/children?${q}`)).json() as { boxes: { region: string; daysReceived: number; lastDay: string | null; late: boolean; rank: number | null }[] };
    const got = Object.fromEntries(v.boxes.map((b) => [b.region, b]));
    // Days before today count as received or late; today's figures show as the last day sent.
    return got['620100']?.daysReceived === 1 && got['620100'].lastDay === today && got['623000']?.lastDay === today ? got : null;
  });
  t.equal(view['623000']!.late, true);
  t.equal(view['620100']!.rank, 1);

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
