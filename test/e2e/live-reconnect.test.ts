// Live updates over the box's event stream survive a box restart: the page shows the stream down, then
// reconnects by itself and follows changes made after the restart, without a reload. Also the language
// switch (Simplified Chinese by default, English on demand).
import t from 'tap';
import { launch, login, newPage, seedUsers, startBox } from './helpers.js';

t.test('the department inbox reconnects after a box restart and updates live', async (t) => {
  let tb = await startBox();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  const { departmentId } = await seedUsers(tb);
  const page = await newPage(browser, tb.url);
  await login(page, 'dept1');
  t.match(await page.textContent('header nav'), /部门待办/, 'Chinese by default');
  await page.click('#lang');
  await page.waitForSelector('header nav >> text=Department inbox');
  t.pass('English after the switch');
  await page.click('#lang');
  await page.waitForSelector('header nav >> text=部门待办');
  await page.click('a[href="/inbox"]');
  await page.waitForSelector('#live.up');

  // Restart the box on the same port and data directory (the session survives in SQLite).
  const { dir, port } = tb;
  await tb.box.close();
  await page.waitForSelector('#live.down');
  t.pass('the page shows the stream is down');
  tb = await startBox({ dir, port });
  await page.waitForSelector('#live.up', { timeout: 20000 });
  t.pass('the stream reconnected by itself');

  const tk = await tb.admin('POST', '/api/tickets', {
    type: 'complaint', domain: 'bus', channel: 'phone', region: '623001', caller: { phone: '13800001111' },
    subject: '公交车甩站不停靠', description: '3路公交在民族商场站未停靠',
  });
  await tb.admin('POST', `/api/tickets/${tk.body.number}/actions`, { action: 'dispatch', department: departmentId });
  await page.waitForSelector(`#inbox tr[data-number="${tk.body.number}"]`);
  t.pass('a ticket dispatched after the restart appears without a reload');
});
