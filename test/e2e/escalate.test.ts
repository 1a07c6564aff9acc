// Overdue escalation (督办) in the browser: a supervisor escalates an overdue ticket from the overdue list
// with a note; the department (a second browser context) sees it highlighted in its inbox with the note.
import t from 'tap';
import { launch, login, newPage, seedUsers, shot, startBox } from './helpers.js';

t.test('a supervisor escalates an overdue ticket and the department sees it highlighted', async (t) => {
  const tb = await startBox();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  const { departmentId } = await seedUsers(tb);
  const created = await tb.admin('POST', '/api/tickets', {
    type: 'complaint', domain: 'taxi', channel: 'phone', region: '623001', caller: { phone: '13909411234' },
    subject: '出租车绕路多收费', description: '乘客反映出租车从汽车站到医院绕路，多收20元',
  });
  const number = created.body.number as string;
  t.equal((await tb.admin('POST', `/api/tickets/${number}/actions`, { action: 'dispatch', department: departmentId })).status, 200);
  // Make it overdue: the API accepts only future due dates, so the test moves the stored one into the past.
  tb.box.db.prepare('UPDATE tickets SET due_at = ? WHERE number = ?').run(new Date(Date.now() - 86400_000).toISOString(), number);

  const sup = await newPage(browser, tb.url);
  await login(sup, 'super1');
  await sup.goto('/overdue');
  await sup.waitForSelector(`#overdue tr[data-number="${number}"]`);
  await sup.click(`[data-escalate="${number}"]`);
  await sup.fill('#escalate-note', '已超期三天，请今日内回复');
  await sup.click('#escalate-submit');
  await sup.waitForSelector(`[data-escalate="${number}"] >> text=✓`);
  t.pass('the overdue list marks the ticket escalated');
  await shot(sup, '30-overdue-escalated');

  const dept = await newPage(browser, tb.url);
  await login(dept, 'dept1');
  await dept.goto('/inbox');
  await dept.waitForSelector(`#inbox tr.escalated[data-number="${number}"]`);
  t.match(await dept.textContent(`#inbox tr[data-number="${number}"] .tag-escalated`), /督办/, 'the inbox row is highlighted as escalated');
  await dept.click(`[data-open="${number}"]`);
  t.match(await dept.textContent('#inbox-escalation'), /已超期三天，请今日内回复/, 'the department reads the supervisor’s note');
  await shot(dept, '31-inbox-escalated');

  await dept.goto(`/tickets/${number}`);
  await dept.waitForSelector('#timeline');
  t.match(await dept.textContent('#timeline'), /督办/, 'the timeline shows the escalation');
});
