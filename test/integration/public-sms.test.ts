// The public intake on a box with an SMS channel (the serial-AT driver with the simulated module on a real
// pty): the phone is confirmed with the one-time code the module sends, a missing or wrong code is refused
// and stores nothing, the ticket number goes out by SMS, and codes per phone are limited.
import fs from 'node:fs';
import t from 'tap';
import { startTestBox, tempDir } from '../helpers/box.js';
import { modemRig } from '../fixtures/public-fixtures.js';

t.test('the phone is confirmed by a code from the modem; the number goes out by SMS', { timeout: 180_000 }, async (t) => {
  const dir = tempDir('public-sms-');
  const modem = await modemRig(dir);
  const tb = await startTestBox({ dataDir: dir, flags: modem.flags });
  t.teardown(async () => {
    await tb.close();
    await modem.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const nextSms = async (re: RegExp) => {
    const m = await modem.nextSms(re);
    t.match(m.to, /13712345678$/, 'sent to the citizen’s phone');
    return m.text;
  };
  const post = (url: string, body: unknown, remoteAddress = '10.7.0.1') =>
    tb.box.http.inject({ method: 'POST', url, remoteAddress, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const form = (await tb.box.http.inject({ method: 'GET', url: '/public/api/form' })).json();
  t.equal(form.smsConfirmation, true, 'the form asks for a code');
  const phone = '13712345678';
  const body = { type: 'complaint', domain: 'bus', region: form.regions[0].code, description: '公交车到站不停，司机态度恶劣。', phone };
  const tickets = () => (tb.box.db.prepare('SELECT COUNT(*) AS n FROM tickets').get() as { n: number }).n;
  const before = tickets();

  let r = await post('/public/api/tickets', body);
  t.equal(r.json().error.code, 'public-code-required');
  r = await post('/public/api/code', { phone: '02112345678' });
  t.equal(r.json().error.code, 'public-phone-invalid', 'no code to a landline');
  r = await post('/public/api/code', { phone });
  t.equal(r.statusCode, 202, r.body);
  const code = /验证码是(\d{6})/.exec(await nextSms(/验证码/))![1]!;
  t.ok(!tb.box.db.prepare('SELECT 1 FROM public_otps WHERE code_hash LIKE ?').get(`%${code}%`), 'the code is not stored in clear');
  r = await post('/public/api/tickets', { ...body, code: code === '000000' ? '000001' : '000000' });
  t.equal(r.json().error.code, 'public-code-invalid', 'a wrong code');
  t.equal(tickets(), before, 'nothing stored without the right code');
  r = await post('/public/api/tickets', { ...body, code });
  t.equal(r.statusCode, 201, r.body);
  const number = r.json().number as string;
  t.match(r.json(), { channel: 'web', phoneConfirmed: true, smsSent: true });
  t.match(await nextSms(new RegExp(number)), /已受理/, 'the number goes out by SMS');
  // The result goes out by SMS too: the citizen confirmed this phone (web and wechat are notified channels).
  const answered = await tb.admin.post(`/api/tickets/${number}/actions`, { action: 'answer', text: '已通知公交公司核查该线路司机。' });
  t.equal(answered.statusCode, 200, answered.body);
  t.match(await nextSms(/已通知公交公司核查/), number, 'the result notice names the ticket');
  r = await post('/public/api/tickets', { ...body, code }, '10.7.0.2');
  t.equal(r.json().error.code, 'public-code-invalid', 'a code is used once');

  // Codes per phone: three an hour (one already sent), then refused.
  t.equal((await post('/public/api/code', { phone }, '10.7.1.1')).statusCode, 202);
  t.equal((await post('/public/api/code', { phone }, '10.7.1.2')).statusCode, 202);
  r = await post('/public/api/code', { phone }, '10.7.1.3');
  t.equal(r.json().error.code, 'public-rate-limited', 'the fourth code for one phone in an hour');
  // Codes per address: five in ten minutes.
  for (let i = 0; i < 5; i++) t.equal((await post('/public/api/code', { phone: `1380000000${i}` }, '10.7.2.1')).statusCode, 202);
  r = await post('/public/api/code', { phone: '13800000009' }, '10.7.2.1');
  t.equal(r.json().error.code, 'public-rate-limited', 'the sixth code request from one address');
});
