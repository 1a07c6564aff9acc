// 复核 in the browser: a department replies to a complaint; the supervisor returns the result with a comment
// (the ticket goes back to the department), the department replies again, the supervisor approves it; the
// ticket page shows the review and the timeline both reviews.
import t from 'tap';
import type { Page } from 'playwright-core';
import { boxAndBrowser, login, newPage, shot } from './helpers.js';

t.test('a supervisor reviews a complaint’s result from the ticket page', async (t) => {
  const { tb, browser, departmentId } = await boxAndBrowser(t);
  const created = await tb.admin('POST', '/api/tickets', {
    type: 'complaint', domain: 'taxi', channel: 'phone', region: '623001', caller: { phone: '13909411234' },
    subject: '出租车拒载', description: '乘客反映夜间在汽车站出租车拒载',
  });
  const number = created.body.number as string;
  t.equal((await tb.admin('POST', `/api/tickets/${number}/actions`, { action: 'dispatch', department: departmentId })).status, 200);

  const dept = await newPage(browser, tb.url);
  await login(dept, 'dept1');
  const sup = await newPage(browser, tb.url);
  await login(sup, 'super1');
  const status = (p: Page, s: string) => p.waitForSelector(`#ticket-detail[data-status="${s}"]`);
  const deptReplies = async (text: string) => {
    await dept.goto(`/tickets/${number}`);
    await status(dept, 'dispatched');
    await dept.click('#act-accept');
    await status(dept, 'accepted');
    await dept.click('#act-reply');
    await dept.fill('#reply-text', text);
    await dept.click('#reply-submit');
    await status(dept, 'replied');
  };

  await deptReplies('已联系司机');
  t.equal(await dept.$('#act-review'), null, 'a department has no review button');
  await sup.goto(`/tickets/${number}`);
  await status(sup, 'replied');
  await sup.click('#act-review');
  await sup.selectOption('#review-outcome', 'returned');
  t.ok(await sup.isDisabled('#review-submit'), 'a returned review needs a comment');
  await sup.fill('#review-note', '未说明处理结果');
  await sup.click('#review-submit');
  await status(sup, 'dispatched');
  t.match(await sup.textContent('#ticket-review'), /复核退回[\s\S]*未说明处理结果/, 'the returned review is shown');

  await deptReplies('已对司机罚款200元并向乘客致歉');
  await sup.goto(`/tickets/${number}`);
  await status(sup, 'replied');
  t.equal(await sup.$('#ticket-review'), null, 'the new result is not reviewed yet');
  await sup.click('#act-review');
  await sup.fill('#review-note', '处理到位');
  await sup.click('#review-submit');
  await sup.waitForSelector('#ticket-review[data-outcome="approved"]');
  t.match(await sup.textContent('#ticket-review'), /复核通过/);
  const reviews = await sup.$$eval('#timeline li[data-action="review"]', (els) => els.map((e) => e.textContent ?? ''));
  t.equal(reviews.length, 2, 'both reviews are in the timeline');
  t.match(reviews[0], /复核退回/);
  t.match(reviews[1], /复核通过/);
  await shot(sup, '40-ticket-reviewed');
});
