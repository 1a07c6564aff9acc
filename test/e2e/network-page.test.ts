// The network page on a province box, in Debian's chromium: the outbox, last contact and dead-letter figures
// match the box's own status; its two cities' daily statistics show side by side; an admin issues an
// enrollment code and revokes a city's key; a supervisor sees the figures but cannot manage peers; English
// labels come with the language switch.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { v7 as uuidv7 } from 'uuid';
import { systemActor } from '../../firmware-agent/accounts/service.js';
import { startTestBox } from '../helpers/box.js';
import { canonicalRequest, generateKeyPair, sign } from '../../firmware-agent/network/crypto.js';
import { type Envelope, newEnvelope } from '../../firmware-agent/network/messages.js';
import { signOwn } from '../../firmware-agent/network/origin.js';
import { launch, login, newPage, password, shot } from './helpers.js';

// Browser global used inside page.waitForFunction (the root tsconfig has no DOM lib).
declare const document: any;

const day = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
const keys = { '623000': generateKeyPair(), '620100': generateKeyPair() } as const;
type City = keyof typeof keys;

async function push(url: string, from: City, messages: Envelope[]): Promise<{ results: { status: string }[] }> {
  // Each city signs what it wrote at its origin too (network/origin.ts), as a real box does.
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
  return (await res.json()) as { results: { status: string }[] };
}

const ratio = (numerator: number, denominator: number) => ({ numerator, denominator, rate: denominator ? Math.round((numerator / denominator) * 10000) / 10000 : null });
function stats(region: City, total: number, complaints: number, onTime: number) {
  const at = new Date();
  return newEnvelope('stats.daily', region, '^', at, {
    region,
    day,
    computedAt: at.toISOString(),
    volumes: { total, byType: { complaint: complaints, inquiry: total - complaints }, byDomain: {}, byChannel: {}, transferredIn: 0, transferredOut: 1 },
    kpis: { complaintOnTimeRate: ratio(onTime, complaints) },
    calls: { answeredWithin10sRate: ratio(45, 50), abandonmentRate: ratio(2, 50), averageSpeedOfAnswerSeconds: 6.5 },
  });
}

/** A transfer from Gannan with a Gannan number; sent twice with two ids, the second clashes and cannot be applied. */
function clashingTransfer(number: string): Envelope {
  const at = new Date().toISOString();
  const id = uuidv7();
  const ticket = {
    id, number, type: 'complaint', subtype: 'complaint', domain: 'taxi', channel: 'phone', region: '620200',
    caller: { phone: null, name: null, anonymous: true, hidden: false }, confidential: false, urgent: false,
    subject: '嘉峪关出租车拒载', description: '编号冲突的转办', location: null, involved: null, status: 'received',
    dueAt: null, answer: null, reply: null, satisfaction: null, reopenCount: 0, createdAt: at, updatedAt: at,
    dispatchedAt: null, repliedAt: null, closedAt: null, version: 1,
  };
  return newEnvelope('ticket.transfer', '623000', '620200', new Date(), { ticket }, { id, version: 1 });
}

t.test('the network page of a province box', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-network-'));
  const { box: box, url } = await startTestBox({ login: false, dataDir: dir, role: 'province', region: '620000', listen: true });
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await box.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const adminPw = fs.readFileSync(path.join(dir, 'initial-admin-password'), 'utf8').trim();
  const s = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: adminPw } });
  const cookie = { edgebox_session: s.cookies.find((c) => c.name === 'edgebox_session')!.value };
  const admin = async (method: 'GET' | 'POST', u: string, payload?: object) => (await box.http.inject({ method, url: u, cookies: cookie, ...(payload ? { payload } : {}) })).json();
  t.equal((await box.http.inject({ method: 'POST', url: '/api/users', cookies: cookie, payload: { username: 'super1', password, role: 'supervisor' } })).statusCode, 201);

  // Two cities pair with the province and send their figures for today; the province adds its own.
  for (const region of Object.keys(keys) as City[]) {
    const e = await admin('POST', '/api/network/enrollments', { region });
    const res = await fetch(`${url}/api/exchange/v1/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: e.code, region, role: 'city', boxId: uuidv7(), publicKey: keys[region].publicKey }),
    });
    t.equal(res.status, 200, `${region} paired`);
  }
  t.same((await push(url, '623000', [stats('623000', 5, 3, 2)])).results.map((r) => r.status), ['applied']);
  t.same((await push(url, '620100', [stats('620100', 7, 4, 4)])).results.map((r) => r.status), ['applied']);
  // The province's own ticket and figures; then one message that cannot be applied: set aside, counted.
  const own = box.tickets.create({ type: 'inquiry', domain: 'taxi', channel: 'phone', region: '620102', caller: { phone: '13800138000' }, subject: '省本级咨询', description: '省本级受理' }, systemActor);
  await admin('POST', '/api/network/stats/send', { day });
  void own;
  // A Gannan ticket transferred here, then another Gannan ticket under the same number: the second cannot be
  // applied (a number may name one ticket only) and is set aside, counted. (A number that is not Gannan's
  // own is refused before anything is stored: exchange-ticket-number-invalid.)
  const clash = `623000${new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }).replace(/-/g, '')}90001`;
  t.same((await push(url, '623000', [clashingTransfer(clash)])).results.map((r) => r.status), ['applied']);
  t.same((await push(url, '623000', [clashingTransfer(clash)])).results.map((r) => r.status), ['set-aside']);
  const status = await admin('GET', '/api/network/status');
  t.equal(status.deadLetters, 1);
  t.ok(status.outboxDepth > 0, 'the province is not paired with the ministry: its reports wait in the outbox');

  await t.test('an admin sees the link figures, the dead letter, the peers and the cities side by side', async (t) => {
    const page = await newPage(browser, url);
    await login(page, 'admin', adminPw);
    await page.click('header nav a[href="/network"]');
    await page.waitForSelector('#net-outbox-depth');
    t.equal(await page.textContent('#net-role'), '省级');
    // The depth the page shows is the box's at the page's load: between the one read before opening the page
    // and the one now (unpaired, the outbox only grows; the applied transfer's own reports may still be joining).
    const shown = Number(await page.textContent('#net-outbox-depth'));
    const depthNow = (await admin('GET', '/api/network/status')).outboxDepth as number;
    t.ok(shown >= status.outboxDepth && shown <= depthNow, `outbox depth as the box reports it (${status.outboxDepth} ≤ ${shown} ≤ ${depthNow})`);
    t.match(await page.textContent('#net-oldest-age'), /^\d+ 秒$|^\d+ 分 \d+ 秒$/, 'oldest message age in Chinese units');
    t.ok(Number(await page.getAttribute('#net-oldest-age', 'data-seconds')) >= status.oldestAgeSeconds);
    t.not(await page.textContent('#net-last-contact'), '从未', 'the cities’ pushes count as contact');
    t.equal(await page.textContent('#net-dead-letters'), '1');
    t.match(await page.textContent('#net-dead-list'), /ticket\.transfer.*623000.*UNIQUE constraint failed/s);
    t.match(await page.textContent('#net-not-paired'), /未与上级配对/);
    t.equal(await page.locator('#net-peers tbody tr').count(), 2);
    await page.waitForFunction(() => document.querySelector('#net-peers tr[data-region="623000"]')?.textContent.includes('甘南'));

    await page.fill('#net-stats-day', day);
    await page.waitForSelector('#net-stats');
    const cell = (figure: string, region: string) => page.textContent(`#net-stats tr[data-figure="${figure}"] td[data-region="${region}"]`);
    t.same(await page.locator('#net-stats thead th[data-region]').evaluateAll((ths) => ths.map((th) => (th as any).dataset.region)), ['620000', '620100', '623000'], 'the province and its two cities, side by side');
    t.equal(await cell('total', '623000'), '5');
    t.equal(await cell('total', '620100'), '7');
    t.equal(await cell('total', '620000'), '1', 'the province’s own ticket');
    t.equal(await cell('complaint', '623000'), '3');
    t.equal(await cell('inquiry', '620100'), '3');
    t.equal(await cell('complaintOnTimeRate', '623000'), '66.7%');
    t.equal(await cell('complaintOnTimeRate', '620100'), '100.0%');
    t.equal(await cell('answeredWithin10sRate', '623000'), '90.0%');
    t.equal(await cell('averageSpeedOfAnswerSeconds', '620100'), '6.5');
    await page.waitForFunction(() => document.querySelector('#net-stats thead th[data-region="623000"]')?.textContent.includes('甘南藏族自治州'));
    await shot(page, '60-network-province');

    // Enrollment code for 嘉峪关, then revoke Lanzhou's key.
    await page.fill('#net-enroll-region', '620200');
    await page.click('#net-enroll button[type="submit"]');
    t.match(await (await page.waitForSelector('#net-enroll-code')).textContent(), /^[0-9A-Z]{4}(-[0-9A-Z]{4}){2,}$/);
    page.once('dialog', (d) => void d.accept());
    await page.click('#net-peers tr[data-region="620100"] button.revoke');
    await page.waitForFunction(() => document.querySelector('#net-peers tr[data-region="620100"] .revoked')?.textContent !== '正常');
    t.ok((await admin('GET', '/api/network/status')).peers.find((p: { region: string }) => p.region === '620100').revokedAt, 'revoked on the box');
    t.equal(await page.locator('#net-peers tr[data-region="620100"] button.revoke').count(), 0);

    await page.click('#lang');
    await page.waitForFunction(() => document.querySelector('#network h2')?.textContent === 'Three-level network');
    t.equal(await page.textContent('#net-role'), 'Province');
    t.match(await page.textContent('#net-stats tr[data-figure="total"] th'), 'Tickets received');
    await page.close();
  });

  await t.test('a supervisor sees the figures but cannot issue codes or revoke keys', async (t) => {
    const page = await newPage(browser, url);
    await login(page, 'super1');
    await page.goto('/network');
    await page.waitForSelector('#net-dead-letters');
    t.equal(await page.textContent('#net-dead-letters'), '1');
    t.equal(await page.locator('#net-enroll').count(), 0, 'no enrollment form');
    t.equal(await page.locator('#net-peers button.revoke').count(), 0, 'no revoke buttons');
    await page.close();
  });
});
