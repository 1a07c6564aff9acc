// The public page and API (issue 16 §1–§3, §5) on a box without an SMS channel: intake with photos
// (metadata stripped), look-up by number + last four digits with one answer for a wrong number and a wrong
// phone, follow-up, the rating as the return visit, disclosure with a published anonymised case, the
// protections (no staff session on the prefix, CSP, JSON only, nothing of the staff API), rate limits and
// upload checks, and fast-check over every public input.
import net from 'node:net';
import fc from 'fast-check';
import t from 'tap';
import { staff, startTestBox } from '../helpers/box.js';
import { jpegWithMetadata, pngWithMetadata } from '../fixtures/public-fixtures.js';

const phone = '13912345678';
const name = '李建国';
const wechatUa = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';

/** A GET with the path exactly as given (no dot-segment resolution), answered as raw HTTP text. */
function rawGet(base: URL, rawPath: string, cookie: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(base.port), base.hostname, () => sock.end(`GET ${rawPath} HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`));
    let out = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => (out += d));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
  });
}

t.test('public intake, look-up, rating and disclosure without an SMS channel', { timeout: 300_000 }, async (t) => {
  const tb = await startTestBox({ host: '127.0.0.1', port: 0 });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  let ip = 0;
  const nextIp = () => `10.9.${Math.floor(++ip / 250)}.${(ip % 250) + 1}`;
  const pub = (method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}, remoteAddress = nextIp()) =>
    tb.box.http.inject({ method, url, remoteAddress, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
  const counts = () => ({
    tickets: (tb.box.db.prepare('SELECT COUNT(*) AS n FROM tickets').get() as { n: number }).n,
    photos: (tb.box.db.prepare('SELECT COUNT(*) AS n FROM public_photos').get() as { n: number }).n,
  });

  // The form.
  let r = await pub('GET', '/public/api/form', undefined, { cookie: s.agent.cookie });
  t.equal(r.statusCode, 200);
  t.equal(r.json().smsConfirmation, false, 'no SMS channel: no code is asked for');
  t.match(r.headers['content-security-policy'], /default-src 'none'.*frame-ancestors 'none'/);
  t.notOk(r.headers['set-cookie'], 'no cookie set on the public prefix');
  const region = r.json().regions[0].code as string;
  t.ok(r.json().domains.some((d: { code: string }) => d.code === 'taxi'));
  r = await pub('POST', '/public/api/code', { phone });
  t.equal(r.json().error.code, 'public-sms-unavailable');

  // Intake with a PNG and a JPEG full of metadata, from WeChat.
  const good = { type: 'complaint', domain: 'taxi', region, description: '出租车司机拒载，还绕路多收费。', location: '合作市汽车站', name, phone };
  r = await pub('POST', '/public/api/tickets', { ...good, photos: [{ data: pngWithMetadata().toString('base64') }, { data: jpegWithMetadata().toString('base64') }] }, { 'user-agent': wechatUa });
  t.equal(r.statusCode, 201, r.body);
  const number = r.json().number as string;
  t.match(r.json(), { channel: 'wechat', phoneConfirmed: false, smsSent: false, photos: 2 });
  const stored = tb.box.db.prepare('SELECT mime, bytes FROM public_photos WHERE ticket_number = ? ORDER BY id').all(number) as { mime: string; bytes: Buffer }[];
  t.same(stored.map((p) => p.mime), ['image/png', 'image/jpeg']);
  for (const p of stored) {
    const text = p.bytes.toString('latin1');
    t.notMatch(text, /GPS|Exif|xmpmeta|tEXt|eXIf|13800138000/, `${p.mime}: metadata stripped`);
  }
  t.ok(stored[0]!.bytes.includes(Buffer.from('IDAT')) && stored[1]!.bytes.includes(Buffer.from([0xff, 0xda])), 'the image data stays');
  let ticket = (await s.agent.get(`/api/tickets/${number}`)).json();
  t.match(ticket, { channel: 'wechat', type: 'complaint', subtype: 'complaint', caller: { phone, name } });
  r = await s.agent.get(`/api/public-intake/${number}/photos`);
  t.same(r.json().items.map((p: { mime: string }) => p.mime), ['image/png', 'image/jpeg'], 'the centre sees the photos');
  r = await s.agent.get(`/api/public-intake/photos/${r.json().items[0].id}`);
  t.equal(r.headers['content-type'], 'image/png');
  t.same(r.rawPayload, stored[0]!.bytes);
  // A department: the photos of its own tickets only; another's answer as a ticket that does not exist.
  const photoId = (tb.box.db.prepare('SELECT min(id) AS id FROM public_photos WHERE ticket_number = ?').get(number) as { id: number }).id;
  t.equal((await s.taxi.get(`/api/public-intake/${number}/photos`)).json().error.code, 'ticket-not-found', 'not a department’s ticket: not found');
  t.equal((await s.taxi.get(`/api/public-intake/photos/${photoId}`)).statusCode, 404, 'nor its photo');
  t.equal((await pub('GET', `/api/public-intake/${number}/photos`)).statusCode, 401, 'not without a staff login');
  r = await pub('POST', '/public/api/tickets', { ...good, type: 'report', description: '有驾校乱收费。' }, { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) Chrome/120 Mobile' });
  t.equal(r.json().channel, 'web', 'another browser files as web');
  t.match((await s.agent.get(`/api/tickets/${r.json().number}`)).json(), { subtype: 'report', confidential: true });

  // Look-up: one answer for a wrong number and a wrong phone.
  const wrongPhone = await pub('POST', '/public/api/cases/lookup', { number, phoneLast4: '0000' });
  const wrongNumber = await pub('POST', '/public/api/cases/lookup', { number: `${number.slice(0, 18)}${(Number(number.at(-1)) + 5) % 10}`, phoneLast4: phone.slice(-4) });
  t.equal(wrongPhone.statusCode, 404);
  t.same(wrongPhone.json(), wrongNumber.json(), 'a wrong phone and a wrong number are told apart by nothing');
  r = await pub('POST', '/public/api/cases/lookup', { number, phoneLast4: phone.slice(-4) });
  t.equal(r.statusCode, 200);
  t.match(r.json(), { number, status: { code: 'received' }, result: null, canRate: false });
  r = await pub('POST', '/public/api/cases/rating', { number, phoneLast4: phone.slice(-4), satisfaction: 'satisfied' });
  t.equal(r.json().error.code, 'public-case-not-ratable', 'nothing to rate before a result');

  // Follow-up, then the department's result, then the rating as the return visit.
  r = await pub('POST', '/public/api/cases/follow-up', { number, phoneLast4: phone.slice(-4), text: '车牌号是甘A12345。' });
  t.equal(r.statusCode, 200);
  t.match((await s.agent.get(`/api/tickets/${number}`)).json().description, /市民补充.*甘A12345/);
  const act = (c: typeof s.agent, body: object) => c.post(`/api/tickets/${number}/actions`, body);
  t.equal((await act(s.agent, { action: 'dispatch', department: s.dept.id })).statusCode, 200);
  await act(s.taxi, { action: 'accept' });
  await act(s.supervisor, { action: 'escalate', note: '内部备注：司机是张三，请尽快处理' });
  t.equal((await act(s.taxi, { action: 'reply', text: '经查属实，已对驾驶员处以罚款并教育。' })).statusCode, 200);
  r = await pub('POST', '/public/api/cases/lookup', { number, phoneLast4: phone.slice(-4) });
  t.match(r.json(), { status: { code: 'replied' }, result: '经查属实，已对驾驶员处以罚款并教育。', canRate: true });
  t.ok(r.json().dates.repliedAt);
  const lookupJson = r.body;
  for (const secret of [phone, name, '张三', '内部备注', '市出租汽车管理处', '拒载', 'agent1', 'taxi1']) t.notOk(lookupJson.includes(secret), `look-up shows no ${secret}`);
  r = await pub('POST', '/public/api/cases/rating', { number, phoneLast4: phone.slice(-4), satisfaction: 'neutral', note: '处理还算及时' });
  t.equal(r.statusCode, 200, r.body);
  t.match(r.json(), { rating: 'neutral', canRate: false, status: { code: 'closed' } });
  ticket = (await s.agent.get(`/api/tickets/${number}`)).json();
  t.equal(ticket.satisfaction, 'neutral', 'the rating is the return visit');
  const trail = (await s.supervisor.get(`/api/tickets/${number}/audit`)).json();
  const items = (trail.items ?? trail) as { action: string; actorName?: string; actor?: { name: string } }[];
  t.ok(items.some((a) => a.action === 'visit'), 'the visit is in the ticket audit');
  t.ok(items.some((a) => a.action === 'public-lookup') && items.some((a) => a.action === 'public-follow-up'), 'look-ups and follow-ups are audited');
  r = await pub('POST', '/public/api/cases/rating', { number, phoneLast4: phone.slice(-4), satisfaction: 'satisfied' });
  t.equal(r.json().error.code, 'public-case-not-ratable', 'rated once');
  r = await pub('POST', '/public/api/cases/follow-up', { number, phoneLast4: phone.slice(-4), text: '再补充一句' });
  t.equal(r.json().error.code, 'public-case-closed');

  // Disclosure: the supervisor sees the anonymised text, a text that names the caller is refused.
  r = await s.agent.get(`/api/public-cases/draft/${number}`);
  t.equal(r.statusCode, 403, 'agents do not publish');
  r = await s.supervisor.get(`/api/public-cases/draft/${number}`);
  const draft = r.json();
  t.notMatch(draft.text, /甘A12345|13912345678/);
  t.match(draft.text, /甘A\*{5}/);
  r = await s.supervisor.post('/api/public-cases', { number, title: draft.title, text: `${draft.text} 来电人${name}` });
  t.equal(r.statusCode, 422);
  t.equal(r.json().error.code, 'public-case-not-anonymous');
  r = await s.supervisor.post('/api/public-cases', { number, title: draft.title, text: `${draft.text} 联系电话13912345678` });
  t.equal(r.json().error.code, 'public-case-not-anonymous', 'a phone number is refused');
  r = await s.supervisor.post('/api/public-cases', { number, title: '出租车拒载绕路', text: draft.text });
  t.equal(r.statusCode, 201, r.body);
  t.ok((await s.supervisor.get(`/api/tickets/${number}/audit`)).body.includes('public-case-publish'), 'publishing is audited');
  const disclosure = await pub('GET', '/public/api/disclosure');
  t.equal(disclosure.statusCode, 200);
  t.ok(disclosure.json().total >= 2);
  t.match(disclosure.json(), { cases: [{ title: '出租车拒载绕路' }], byType: Array, byIndustry: Array, rates: { complaintVisitSatisfactionRate: {} } });

  // No caller's phone or name anywhere on the public pages or their JSON.
  const pages = await Promise.all(['/public/', '/public/lookup', '/public/disclosure', '/public/app.js', '/public/app.css', '/public/api/form', '/public/api/disclosure'].map((u) => pub('GET', u)));
  for (const p of [...pages, disclosure]) {
    t.equal(p.statusCode, 200);
    for (const secret of [phone, phone.slice(-8), name, '13800138000']) t.notOk(p.body.includes(secret), `${p.raw.req.url}: no ${secret}`);
  }
  t.match(pages[0]!.headers['content-type'], /text\/html/);
  t.match(pages[0]!.headers['content-security-policy'], /script-src 'self'/);

  // The staff session does not work on the public prefix, and nothing of the staff API is there.
  for (const url of ['/public/api/tickets', '/public/api/users', '/public/api/session', '/public/api/openapi.json', `/public/api/tickets/${number}`, '/public/api/ui/events']) {
    r = await pub('GET', url, undefined, { cookie: tb.admin.cookie });
    t.not(r.statusCode, 200, `${url} is refused`);
    t.notOk(r.body.includes(phone), `${url} shows no caller`);
    t.notOk(r.headers['set-cookie']);
  }
  // Dot segments sent as they are (a browser or inject() would resolve them first, to a staff path that then
  // needs the staff login like any other): over a real socket they stay under the prefix and find no route.
  const base = new URL(await tb.box.listen());
  for (const raw of ['/public/../api/tickets', '/public/%2e%2e/api/tickets', '/public/api/../../api/users', '/public//api/tickets']) {
    const answer = await rawGet(base, raw, tb.admin.cookie);
    t.match(answer, /^HTTP\/1\.1 404/, `${raw}: no route`);
    t.notMatch(answer, /set-cookie/i);
    t.notOk(answer.includes(phone));
  }
  r = await pub('POST', '/public/api/session', { username: 'admin', password: tb.adminPassword });
  t.equal(r.statusCode, 404, 'no log-in on the public prefix');
  t.notOk(r.headers['set-cookie']);

  // Hostile bodies: documented refusals, nothing stored.
  const before = counts();
  const ip1 = '10.200.0.1';
  r = await tb.box.http.inject({ method: 'POST', url: '/public/api/tickets', remoteAddress: ip1, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'type=complaint' });
  t.equal(r.json().error.code, 'unsupported-media-type', 'a form post is refused');
  r = await pub('POST', '/public/api/tickets', { ...good, photos: [{ data: Buffer.from('GIF89a not a photo').toString('base64') }] });
  t.equal(r.statusCode, 415);
  t.equal(r.json().error.code, 'public-photo-invalid', 'a GIF (or anything not JPEG/PNG by its bytes) is refused');
  const broken = pngWithMetadata();
  broken[broken.length - 20] = broken[broken.length - 20]! ^ 0xff;
  r = await pub('POST', '/public/api/tickets', { ...good, photos: [{ data: broken.toString('base64') }] });
  t.equal(r.json().error.code, 'public-photo-invalid', 'a PNG failing its CRC is refused');
  r = await pub('POST', '/public/api/tickets', { ...good, photos: [{ data: jpegWithMetadata().subarray(0, 40).toString('base64') }] });
  t.equal(r.json().error.code, 'public-photo-invalid', 'a truncated JPEG is refused');
  const big = Buffer.concat([jpegWithMetadata(), Buffer.alloc(2 * 1024 * 1024)]);
  r = await pub('POST', '/public/api/tickets', { ...good, photos: [{ data: big.toString('base64') }] });
  t.equal(r.statusCode, 413);
  t.equal(r.json().error.code, 'public-photo-too-large');
  r = await pub('POST', '/public/api/tickets', { ...good, photos: [1, 2, 3, 4].map(() => ({ data: pngWithMetadata().toString('base64') })) });
  t.equal(r.json().error.code, 'validation-failed', 'more than three photos');
  r = await pub('POST', '/public/api/tickets', { ...good, description: 'x'.repeat(9 * 1024 * 1024) });
  t.equal(r.statusCode, 413, 'the body cap');
  t.equal(r.json().error.code, 'payload-too-large');
  r = await pub('POST', '/public/api/cases/lookup', { number, phoneLast4: '5678', pad: 'x'.repeat(9000) });
  t.equal(r.json().error.code, 'payload-too-large', 'look-ups have a small cap');
  r = await pub('POST', '/public/api/tickets', { ...good, region: '999999' });
  t.equal(r.json().error.code, 'unknown-region');
  r = await pub('POST', '/public/api/tickets', { ...good, channel: 'phone' });
  t.equal(r.json().error.details.unknownField, 'channel', 'the channel is not the citizen’s to choose');
  t.same(counts(), before, 'nothing stored for a refused request');

  // fast-check over every public input: an accepted answer or a documented refusal with its status, never a
  // 500; a refused intake stores nothing.
  const { errorCatalogue } = await import('../../firmware-agent/errors.js');
  const documented = (res: { statusCode: number; json(): any }) => {
    if (res.statusCode < 300) return true;
    const code = res.json()?.error?.code as keyof typeof errorCatalogue | undefined;
    return !!code && code in errorCatalogue && errorCatalogue[code].status === res.statusCode;
  };
  const hostile = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('', ' ', '\u0000abc', '<script>alert(1)</script>', "' OR 1=1 --", '../../etc/passwd', '１３９１２３４５６７８', 'x'.repeat(3000)));
  const field = fc.oneof(hostile, fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
  const intakeBody = fc.record(
    {
      type: fc.oneof(fc.constantFrom('inquiry', 'suggestion', 'complaint', 'report'), field),
      domain: fc.oneof(fc.constantFrom('taxi', 'bus'), field),
      region: fc.oneof(fc.constant(region), field),
      description: fc.oneof(fc.constant('公交车不按站停靠。'), field),
      location: field,
      name: field,
      phone: fc.oneof(fc.constant('13712345678'), field),
      code: field,
      photos: fc.oneof(fc.array(fc.record({ data: fc.oneof(fc.base64String({ maxLength: 200 }), field) }), { maxLength: 4 }), field),
      extra: field,
    },
    { requiredKeys: [] },
  );
  await fc.assert(
    fc.asyncProperty(intakeBody, fc.constantFrom('/public/api/tickets'), async (body, url) => {
      const n = counts();
      const res = await pub('POST', url, body);
      if (!documented(res)) return false;
      return res.statusCode === 201 || (counts().tickets === n.tickets && counts().photos === n.photos);
    }),
    { numRuns: 150 },
  );
  const caseBody = fc.record(
    { number: fc.oneof(fc.constant(number), fc.stringMatching(/^[0-9]{19}$/), field), phoneLast4: fc.oneof(fc.constant('5678'), fc.stringMatching(/^[0-9]{4}$/), field), text: field, satisfaction: fc.oneof(fc.constantFrom('satisfied', 'unsatisfied'), field), note: field, extra: field },
    { requiredKeys: [] },
  );
  await fc.assert(
    fc.asyncProperty(caseBody, fc.constantFrom('/public/api/cases/lookup', '/public/api/cases/follow-up', '/public/api/cases/rating', '/public/api/code'), async (body, url) => {
      const res = await pub('POST', url, body);
      return documented(res) && !res.body.includes(phone) && !res.body.includes(name);
    }),
    { numRuns: 200 },
  );
  await fc.assert(
    fc.asyncProperty(fc.oneof(hostile, fc.stringMatching(/^20[0-9]{2}-[0-9]{2}$/)), async (month) => documented(await pub('GET', `/public/api/disclosure?month=${encodeURIComponent(month)}`))),
    { numRuns: 80 },
  );
  await fc.assert(
    fc.asyncProperty(fc.webPath(), async (p) => {
      const res = await pub('GET', `/public${p}`, undefined, { cookie: tb.admin.cookie });
      return res.statusCode < 500 && !res.headers['set-cookie'] && !res.body.includes(phone);
    }),
    { numRuns: 100 },
  );

  // Dispatched to a department, a ticket's photos are that department's to see, not another's.
  const withPhoto = (await pub('POST', '/public/api/tickets', { ...good, phone: '13712340099', photos: [{ data: pngWithMetadata().toString('base64') }] })).json().number as string;
  const deptPhoto = (tb.box.db.prepare('SELECT min(id) AS id FROM public_photos WHERE ticket_number = ?').get(withPhoto) as { id: number }).id;
  t.equal((await s.taxi.get(`/api/public-intake/photos/${deptPhoto}`)).statusCode, 404, 'not yet the department’s');
  t.equal((await s.agent.post(`/api/tickets/${withPhoto}/actions`, { action: 'dispatch', department: s.dept.id })).statusCode, 200);
  t.equal((await s.taxi.get(`/api/public-intake/${withPhoto}/photos`)).json().items.length, 1, 'dispatched to the department: it sees them');
  t.equal((await s.taxi.get(`/api/public-intake/photos/${deptPhoto}`)).headers['content-type'], 'image/png');
  t.equal((await s.bus.get(`/api/public-intake/photos/${deptPhoto}`)).statusCode, 404, 'another department does not');
});

t.test('rate limits per address, per phone and per ticket number', { timeout: 120_000 }, async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const form = (await tb.box.http.inject({ method: 'GET', url: '/public/api/form' })).json();
  const body = (p: string) => ({ type: 'inquiry', domain: 'bus', region: form.regions[0].code, description: '请问公交几点停运？', phone: p });
  const post = (url: string, payload: unknown, remoteAddress: string) =>
    tb.box.http.inject({ method: 'POST', url, remoteAddress, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });

  // Per address: five submissions an hour from one address, the sixth refused (different phones).
  for (let i = 0; i < 5; i++) t.equal((await post('/public/api/tickets', body(`1350000000${i}`), '10.1.1.1')).statusCode, 201);
  let r = await post('/public/api/tickets', body('13500000009'), '10.1.1.1');
  t.equal(r.statusCode, 429);
  t.equal(r.json().error.code, 'public-rate-limited');
  t.ok(r.json().error.details.retryAfterSeconds > 0);
  t.equal(r.headers['retry-after'], String(r.json().error.details.retryAfterSeconds), 'and Retry-After says when');
  t.equal((await post('/public/api/tickets', body('13500000009'), '10.1.1.2')).statusCode, 201, 'another address is not held back');

  // Per phone: three submissions an hour for one number, whatever the address.
  for (let i = 0; i < 2; i++) t.equal((await post('/public/api/tickets', body('13600000000'), `10.2.0.${i + 1}`)).statusCode, 201);
  t.equal((await post('/public/api/tickets', body('13600000000'), '10.2.0.9')).statusCode, 201);
  r = await post('/public/api/tickets', body('13600000000'), '10.2.0.10');
  t.equal(r.json().error.code, 'public-rate-limited', 'the fourth for one phone is refused');
  const tickets = (tb.box.db.prepare("SELECT COUNT(*) AS n FROM tickets WHERE caller_phone = '13600000000'").get() as { n: number }).n;
  t.equal(tickets, 3, 'nothing stored for the refused one');

  // Per ticket number: ten look-ups an hour of one number (existing or not), from any address.
  const probe = '6230002026120400099';
  for (let i = 0; i < 10; i++) t.equal((await post('/public/api/cases/lookup', { number: probe, phoneLast4: String(1000 + i) }, `10.3.0.${i + 1}`)).statusCode, 404);
  r = await post('/public/api/cases/lookup', { number: probe, phoneLast4: '1234' }, '10.3.1.1');
  t.equal(r.json().error.code, 'public-rate-limited', 'guessing the phone of one number stops after ten tries');

  // Per address on look-ups: twenty in ten minutes.
  for (let i = 0; i < 20; i++) await post('/public/api/cases/lookup', { number: `62300020261204${String(10000 + i)}`, phoneLast4: '0000' }, '10.4.0.1');
  r = await post('/public/api/cases/lookup', { number: '6230002026120420000', phoneLast4: '0000' }, '10.4.0.1');
  t.equal(r.json().error.code, 'public-rate-limited', 'walking through numbers from one address stops after twenty');
});
