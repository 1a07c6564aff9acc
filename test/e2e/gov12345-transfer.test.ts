// 工单转办 to 12345 from the staff ticket page in a real browser (issue 16 §4), against the 12345 simulator:
// an agent sends a complaint with a note, the page follows it to the platform, the platform's result comes back
// and shows as the reply; then the platform is down while another ticket is sent — the page shows it waiting
// with the delivery error — and it is delivered once the platform is back, once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { gov12345Of } from '../../firmware-agent/gov12345/install.js';
import { complaint as base } from '../helpers/box.js';
import { Gov12345Sim, boxSectionFor } from '../sim/gov12345-sim.js';
import { launch, login, newPage, seedUsers, shot, startBox } from './helpers.js';

const complaint = { ...base, subject: '出租车计价器疑似作弊', description: '从火车站到市医院，计价器跳表过快，多收约二十元。' };

t.test('an agent sends a ticket to 12345 from the ticket page and sees its result come back, through an outage of 12345', async (t) => {
  const sim = new Gov12345Sim({ account: '12328-623000', platformId: 'gansu-12345', secret: 'k'.repeat(16) + 'e2e-shared-secret-of-12345' });
  await sim.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-box-'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ gov12345: boxSectionFor(sim, { retryBaseMs: 500, retryMaxMs: 1000 }) }));
  const tb = await startBox({ dir, port: 0 });
  sim.boxUrl = tb.url;
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await sim.stop();
    await tb.close();
  });
  await seedUsers(tb);
  const number = (await tb.admin('POST', '/api/tickets', complaint)).body.number as string;

  const page = await newPage(browser, tb.url);
  await login(page, 'agent1');
  await page.goto(`/tickets/${number}`);
  await page.waitForSelector('#ticket-12345[data-state="none"]');
  t.equal((await page.textContent('#gov12345-state'))?.trim(), '未转办', 'not sent yet, in Chinese');
  await page.click('#gov12345-transfer');
  t.match(await page.textContent('#gov12345-form'), /模拟12345平台/, 'the one enabled platform is named before confirming');
  await page.fill('#gov12345-note', '涉及计价器检定，属市场监管部门职责');
  await page.click('#gov12345-confirm');
  await page.waitForSelector('#ticket-detail[data-status="dispatched"]');
  await sim.waitFor(() => sim.received.length === 1);
  t.equal(sim.received[0]!.order.gdbh, number, 'the platform received the order');
  t.match(sim.received[0]!.order.sqnr, /计价器检定/, 'with the agent’s note');
  await page.waitForSelector('#ticket-12345[data-state="transfer-delivered"]');
  t.pass('the page follows the order to the platform');
  t.ok(await page.isVisible('#gov12345-messages tr[data-kind="order.transfer"][data-delivered="yes"]'), 'the message is listed as delivered');
  t.equal(await page.locator('#gov12345-transfer').count(), 0, 'no second transfer offered');
  await shot(page, 'gov12345-delivered');

  const r = await sim.send(sim.message('order.result', { gdbh: number, bljg: '经检定计价器合格，已向乘客解释并退还差价。', cbdw: '市市场监督管理局' }));
  t.equal(r.body.status, 'applied');
  await page.waitForSelector('#ticket-detail[data-status="replied"]');
  await page.waitForSelector('#ticket-12345[data-state="result-received"]');
  t.match(await page.textContent('#ticket-reply'), /计价器合格/, 'the platform’s result is the reply on the page');
  t.ok(await page.isVisible('#gov12345-messages tr[data-kind="order.result"]'), 'the result is listed as received');

  // The platform goes down; another ticket is sent meanwhile.
  await sim.stop();
  const second = (await tb.admin('POST', '/api/tickets', { ...complaint, subject: '停运期间转办' })).body.number as string;
  await page.goto(`/tickets/${second}`);
  await page.click('#gov12345-transfer');
  await page.click('#gov12345-confirm');
  await page.waitForSelector('#ticket-12345[data-state="transfer-queued"]');
  await page.waitForSelector('#gov12345-messages tr[data-delivered="no"]:has-text("已尝试")');
  t.pass('while 12345 is down the page shows the order waiting, with its attempts and error');
  t.equal((await page.textContent('#timeline li[data-action="transfer12345"] b'))?.trim(), '转12345', 'the timeline names the hand-over in Chinese, not by its code');
  await shot(page, 'gov12345-waiting');
  await sim.start();
  gov12345Of.get(tb.box)!.sender.retryNow();
  await page.waitForSelector('#ticket-12345[data-state="transfer-delivered"]');
  await sim.waitFor(() => sim.received.length === 2);
  t.same(sim.received.map((m) => m.order.gdbh), [number, second], 'each order reached the platform once');
});
