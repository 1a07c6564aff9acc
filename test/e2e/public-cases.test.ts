// 典型案例公开 in a real browser (issue 16 §3): a supervisor picks a handled complaint on /public-cases, sees the
// text as it would be published — anonymised by the server — tries to put the caller's name back (refused),
// publishes it, and the public disclosure page and its JSON show the case with no caller's phone, name or
// plate anywhere; a withdrawal takes it off again.
import t from 'tap';
import { complaint } from '../helpers/box.js';
import { boxAndBrowser, login, newPage, shot } from './helpers.js';

// Page functions run in the browser; the test is type-checked without the DOM library.
declare const document: { querySelectorAll(s: string): { length: number } };

const phone = '13912345678';
const name = '王小明';
const plate = '甘A88K66';

t.test('a supervisor previews, publishes and withdraws an anonymised typical case; the public pages never show the caller', async (t) => {
  const { tb, browser, departmentId } = await boxAndBrowser(t);
  const created = await tb.admin('POST', '/api/tickets', {
    ...complaint,
    caller: { phone, name },
    subject: `${name}投诉出租车拒载`,
    description: `来电人${name}（电话${phone}）称，晚上九点在汽车站，车牌${plate}的出租车拒载，王先生要求处理。`,
    involved: { plate },
  });
  const number = created.body.number as string;
  t.equal((await tb.admin('POST', `/api/tickets/${number}/actions`, { action: 'dispatch', department: departmentId })).status, 200);
  const dept = await newPage(browser, tb.url);
  await login(dept, 'dept1');
  const act = (action: string, body: Record<string, unknown> = {}) =>
    dept.evaluate(async ([n, a, b]) => (await fetch(`/api/tickets/${n}/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: a, ...b }) })).status, [number, action, body] as const);
  t.equal(await act('accept'), 200);
  t.equal(await act('reply', { text: '经查属实，已对驾驶员停班培训并向乘客致歉。' }), 200);

  const page = await newPage(browser, tb.url);
  await login(page, 'super1');
  await page.goto('/public-cases');
  await page.fill('#case-number', number);
  await page.click('#case-preview');
  await page.waitForSelector('#case-draft');
  const draft = await page.inputValue('#case-text');
  const title = await page.inputValue('#case-title');
  for (const secret of [phone, name, plate, '王先生']) {
    t.notOk(draft.includes(secret) || title.includes(secret), `the preview does not show ${secret}`);
  }
  t.match(draft, /拒载/, 'the case itself is kept');
  t.match(draft, /处理结果：经查属实/, 'with the department’s result');
  await shot(page, 'public-cases-preview');

  // Putting the caller back is refused by the server, and nothing is published.
  await page.fill('#case-text', `${draft}\n来电人${name}对处理满意。`);
  await page.click('#case-publish');
  await page.waitForSelector('#public-cases .error');
  t.match(await page.textContent('#public-cases .error'), /仍含有来电人身份信息/, 'refused with the reason, in Chinese');
  t.equal((await tb.admin('GET', '/public/api/disclosure')).body.cases.length, 0, 'nothing published');

  await page.fill('#case-text', draft);
  await page.fill('#case-title', '出租车夜间拒载');
  await page.click('#case-publish');
  await page.waitForSelector('#public-cases table.list td:has-text("出租车夜间拒载")');
  t.pass('published and listed');

  // The public page, in a browser with no staff session, and its JSON.
  const citizen = await browser.newContext({ viewport: { width: 375, height: 667 } });
  const pub = await citizen.newPage();
  await pub.goto(`${tb.url}/public/disclosure`);
  await pub.waitForSelector('#d-cases .case');
  t.match(await pub.textContent('#d-cases'), /出租车夜间拒载/, 'the disclosure page shows the case');
  const body = (await pub.textContent('body')) ?? '';
  const json = JSON.stringify((await tb.admin('GET', '/public/api/disclosure')).body);
  for (const secret of [phone, phone.slice(-8), name, plate, '王先生']) {
    t.notOk(body.includes(secret), `disclosure page: no ${secret}`);
    t.notOk(json.includes(secret), `disclosure JSON: no ${secret}`);
  }
  await shot(pub, 'public-cases-disclosure-phone');

  await page.click('#public-cases table.list button');
  await page.waitForFunction(() => document.querySelectorAll('#public-cases table.list tr').length === 0);
  t.equal((await tb.admin('GET', '/public/api/disclosure')).body.cases.length, 0, 'withdrawn from the public page');
  const trail = (await tb.admin('GET', `/api/tickets/${number}/audit`)).body as { items: { action: string }[] };
  t.ok(['public-case-publish', 'public-case-withdraw'].every((a) => trail.items.some((x) => x.action === a)), 'publishing and withdrawing are audited on the ticket');
  await citizen.close();
});
