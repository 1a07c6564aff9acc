// Refusals at the exchange endpoint of a real box over HTTP: each is answered with its error code, logged
// in net_refusals, and applies nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { v7 as uuidv7 } from 'uuid';
import { type Box } from '../../firmware-agent/app.js';
import { startTestBox } from '../helpers/box.js';
import { canonicalRequest, generateKeyPair, sign } from '../../firmware-agent/network/crypto.js';
import { signEnvelope } from '../../firmware-agent/network/origin.js';
import { newEnvelope } from '../../firmware-agent/network/messages.js';
import { pairWithUpstream } from '../../firmware-agent/network/pairing.js';
import { NetStore } from '../../firmware-agent/network/store.js';
import { openDb } from '../../firmware-agent/store/db.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-refusals-'));
let box: Box;
let url: string;
const city = generateKeyPair();
const stranger = generateKeyPair();
/** The key the city's messages are origin-signed with (its current key). */
let originKey = city;

t.before(async () => {
  ({ box, url } = await startTestBox({ login: false, dataDir: dir, role: 'province', region: '620000', flags: { 'net-max-batch': '10' }, listen: true }));
  // Pair the Gannan city key through the real pairing endpoint.
  const e = await box.http.inject({ method: 'POST', url: '/api/network/enrollments', payload: { region: '623000' }, cookies: { edgebox_session: await session() } });
  t.equal(e.statusCode, 201);
  const res = await fetch(`${url}/api/exchange/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: e.json().code, region: '623000', role: 'city', boxId: uuidv7(), publicKey: city.publicKey }),
  });
  t.equal(res.status, 200);
});

t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function session(): Promise<string> {
  const pw = fs.readFileSync(path.join(dir, 'initial-admin-password'), 'utf8').trim();
  const r = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: pw } });
  return r.cookies.find((c) => c.name === 'edgebox_session')!.value;
}

function report(from = '623000', over: Record<string, unknown> = {}) {
  const at = typeof over.at === 'string' && !Number.isNaN(Date.parse(over.at)) ? new Date(over.at) : new Date();
  const id = uuidv7();
  const ticket = {
    id,
    // Numbered the day it was made, as the origin does (a number dated after its message is refused).
    number: `623000${at.toISOString().slice(0, 10).replace(/-/g, '')}00001`,
    type: 'complaint',
    subtype: 'complaint',
    domain: 'taxi',
    channel: 'phone',
    region: '623001',
    caller: { phone: null, name: null, anonymous: false, hidden: true },
    confidential: true,
    urgent: false,
    subject: '拒载',
    description: '出租车拒载',
    location: null,
    involved: null,
    status: 'received',
    dueAt: null,
    answer: null,
    reply: null,
    satisfaction: null,
    reopenCount: 0,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    dispatchedAt: null,
    repliedAt: null,
    closedAt: null,
    version: 1,
  };
  // Origin-signed as the city signs its own messages when it sends them (docs/exchange.md §2.2).
  return signEnvelope({ ...newEnvelope('ticket.report', from, '^', at, { ticket, action: 'create' }, { id, version: 1 }), ...over }, originKey.privateKey, originKey.publicKey);
}

interface Sent {
  status: number;
  code: string | undefined;
  headers: Record<string, string>;
  body: string;
  response: string;
}

async function push(body: string, o: { key?: string; sender?: string; headers?: Record<string, string> } = {}): Promise<Sent> {
  const sender = o.sender ?? '623000';
  const timestamp = new Date().toISOString();
  const nonce = uuidv7();
  const p = '/api/exchange/v1/messages';
  const headers = o.headers ?? {
    'content-type': 'application/json',
    'x-edgebox-sender': sender,
    'x-edgebox-timestamp': timestamp,
    'x-edgebox-nonce': nonce,
    'x-edgebox-signature': sign(o.key ?? city.privateKey, canonicalRequest({ method: 'POST', path: p, sender, timestamp, nonce, body })),
  };
  const res = await fetch(url + p, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, code: (JSON.parse(text) as { error?: { code: string } }).error?.code, headers, body, response: text };
}

const batch = (...messages: unknown[]) => JSON.stringify({ from: '623000', messages });
const applied = () => (box.db.prepare('SELECT count(*) AS n FROM net_inbox').get() as { n: number }).n;
// Refusals before the sender authenticated are aggregated (one row per address, code and minute, its count
// written when the minute turns): a row for the code is what shows at once.
const unauthenticated = new Set(['exchange-unsigned', 'exchange-unknown-peer', 'exchange-peer-revoked', 'exchange-clock-skew', 'exchange-bad-signature', 'exchange-replay']);
const refusals = (code: string) => (box.db.prepare('SELECT count(*) AS n FROM net_refusals WHERE code = ?').get(code) as { n: number }).n;

/** Sends, then checks the answer and that exactly one more refusal with that code was recorded. */
async function refused(t: TestHandle, send: () => Promise<Sent>, status: number, code: string): Promise<Sent> {
  const before = refusals(code);
  const sent = await send();
  t.equal(sent.status, status, `answered ${status}`);
  t.equal(sent.code, code, `with ${code}`);
  if (unauthenticated.has(code)) t.ok(refusals(code) >= 1 && refusals(code) <= before + 1, 'logged in net_refusals (aggregated per address, code and minute)');
  else t.equal(refusals(code), before + 1, 'logged in net_refusals');
  return sent;
}

type TestHandle = Test;

t.test('a signed batch from the paired city is applied once; the same message in a new request is acknowledged as a duplicate', async (t) => {
  const m = report();
  const first = await push(batch(m));
  t.equal(first.status, 200);
  t.match(JSON.parse(first.response), { results: [{ id: m.id, status: 'applied' }] });
  t.equal(applied(), 1);
  const again = await push(batch(m));
  t.equal(again.status, 200);
  t.match(JSON.parse(again.response), { results: [{ id: m.id, status: 'duplicate' }] });
  t.equal(applied(), 1, 'nothing applied twice');
});

t.test('an unpaired box is refused', async (t) => {
  const before = applied();
  await refused(t, () => push(batch({ ...report('620100') }), { key: stranger.privateKey, sender: '620100' }), 401, 'exchange-unknown-peer');
  t.equal(applied(), before, 'nothing applied');
});

t.test('a bad signature is refused', async (t) => {
  const before = applied();
  await refused(t, () => push(batch(report()), { key: stranger.privateKey }), 401, 'exchange-bad-signature');
  t.equal(applied(), before);
});

t.test('a replayed request is refused even though its signature is valid', async (t) => {
  const first = await push(batch(report()));
  t.equal(first.status, 200);
  const before = applied();
  const logged = refusals('exchange-replay');
  const res = await fetch(`${url}/api/exchange/v1/messages`, { method: 'POST', headers: first.headers, body: first.body });
  t.equal(res.status, 409);
  t.equal(((await res.json()) as { error: { code: string } }).error.code, 'exchange-replay');
  t.ok(refusals('exchange-replay') >= 1 && refusals('exchange-replay') <= logged + 1, 'logged in net_refusals (aggregated)');
  t.equal(applied(), before);
});

t.test('a message from a region the sender does not hold is refused', async (t) => {
  const before = applied();
  await refused(t, () => push(batch(report('620100'))), 403, 'exchange-region-not-held');
  t.equal(applied(), before);
});

t.test('an oversize batch is refused', async (t) => {
  const before = applied();
  await refused(t, () => push(batch(...Array.from({ length: 11 }, () => report()))), 413, 'exchange-batch-too-large');
  t.equal(applied(), before);
});

t.test('a malformed body is refused', async (t) => {
  const before = applied();
  await refused(t, () => push('{"from":"623000","messages":[{"v":1,'), 400, 'malformed-json');
  await refused(t, () => push(batch({ ...report(), body: { ticket: { id: 'not-a-uuid' } } })), 422, 'exchange-body-invalid');
  t.equal(applied(), before);
});

t.test('a message whose id is not a UUIDv7 is refused', async (t) => {
  const before = applied();
  const sent = await refused(t, () => push(batch(report(), report('623000', { id: crypto.randomUUID() }))), 422, 'exchange-body-invalid');
  t.match(JSON.parse(sent.response), { error: { message: /message 1: \/id/ } }, 'the message and field at fault are named');
  t.equal(applied(), before, 'nothing of the batch applied');
});

t.test('a body version from the future is refused', async (t) => {
  const before = applied();
  await refused(t, () => push(batch(report('623000', { bodyVersion: 99 }))), 422, 'exchange-version-unsupported');
  t.equal(applied(), before);
});

t.test('a message older than the retention window, or dated ahead of the clock, is refused', async (t) => {
  const before = applied();
  const old = new Date(Date.now() - 31 * 86_400_000).toISOString();
  const sent = await refused(t, () => push(batch(report(), report('623000', { at: old }))), 422, 'exchange-message-expired');
  t.match(JSON.parse(sent.response), { error: { details: { index: 1, maxAgeDays: 30 } } }, 'the message at fault is named');
  const ahead = new Date(Date.now() + 2 * 3_600_000).toISOString();
  await refused(t, () => push(batch(report('623000', { at: ahead }))), 422, 'exchange-message-time-invalid');
  t.equal(applied(), before, 'nothing of either batch applied');
  const recent = await push(batch(report('623000', { at: new Date(Date.now() - 29 * 86_400_000).toISOString() })));
  t.equal(recent.status, 200, 'a message within the window is applied');
  t.equal(applied(), before + 1);
});

function article(from = '623000', to = '*') {
  const at = new Date();
  return newEnvelope('kb.article', from, to, at, {
    uid: uuidv7(),
    kind: 'policy',
    scope: 'ministry',
    ownerRegion: '110000',
    title: '冒充部级的文章',
    body: '下级推送的文章不得覆盖上级文章。',
    tags: [],
    domain: null,
    validFrom: null,
    validTo: null,
    status: 'published',
    version: 99,
    updatedAt: at.toISOString(),
  });
}
function stats(region: string, from = '623000') {
  const at = new Date();
  return signEnvelope(newEnvelope('stats.daily', from, '^', at, { region, day: '2026-11-27', computedAt: at.toISOString(), volumes: { total: 5 }, kpis: {} }), originKey.privateKey, originKey.publicKey);
}
const articles = (uid: string) => (box.db.prepare('SELECT count(*) AS n FROM kb_articles WHERE uid = ?').get(uid) as { n: number }).n;
const statsRows = (region: string) => (box.db.prepare("SELECT count(*) AS n FROM net_stats WHERE region = ? AND day = '2026-11-27'").get(region) as { n: number }).n;

t.test('a city cannot push a knowledge-base article up, whatever it is addressed to; nothing of its batch applies', async (t) => {
  const before = applied();
  for (const to of ['*', '^', '620000']) {
    const a = article('623000', to);
    await refused(t, () => push(batch(report(), a)), 403, 'exchange-kind-not-allowed');
    t.equal(articles((a.body as { uid: string }).uid), 0, `the article to ${to} is not in the province's knowledge base`);
  }
  t.equal(applied(), before, 'the report in the same batch was not applied either');
});

t.test('messages addressed to the wrong kind of destination are refused', async (t) => {
  const before = applied();
  await refused(t, () => push(batch(report('623000', { to: '*' }))), 403, 'exchange-kind-not-allowed');
  await refused(t, () => push(batch(stats('623000', '623000'), { ...stats('623000'), to: '620000' })), 403, 'exchange-kind-not-allowed');
  t.equal(applied(), before);
  t.equal(statsRows('623000'), 0, 'no statistics stored');
});

t.test('daily statistics of a region other than the sender’s are refused; its own are applied', async (t) => {
  const before = applied();
  await refused(t, () => push(batch(stats('620100'))), 403, 'exchange-stats-region-mismatch');
  await refused(t, () => push(batch(stats('620000'))), 403, 'exchange-stats-region-mismatch');
  t.equal(statsRows('620100'), 0, 'Lanzhou’s figures were not overwritten by Gannan');
  t.equal(statsRows('620000'), 0, 'the province’s own figures were not overwritten by Gannan');
  t.equal(applied(), before);
  const own = await push(batch(stats('623000')));
  t.equal(own.status, 200);
  t.equal(statsRows('623000'), 1, 'Gannan’s own figures are kept');
});

t.test('a revoked key is refused', async (t) => {
  const r = await box.http.inject({ method: 'POST', url: '/api/network/peers/623000/revoke', cookies: { edgebox_session: await session() } });
  t.equal(r.statusCode, 200);
  const before = applied();
  await refused(t, () => push(batch(report())), 403, 'exchange-peer-revoked');
  t.equal(applied(), before);
});

async function pairRaw(publicKey: string, code?: string): Promise<{ status: number; code: string | undefined; enrollment: string }> {
  const enrollment =
    code ?? (await box.http.inject({ method: 'POST', url: '/api/network/enrollments', payload: { region: '623000' }, cookies: { edgebox_session: await session() } })).json().code;
  const res = await fetch(`${url}/api/exchange/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: enrollment, region: '623000', role: 'city', boxId: uuidv7(), publicKey }),
  });
  return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code, enrollment };
}

t.test('a revoked key stays revoked: pairing it again with a fresh code is refused, and the code stays usable', async (t) => {
  const again = await pairRaw(city.publicKey);
  t.equal(again.status, 403);
  t.equal(again.code, 'exchange-peer-revoked');
  t.equal(refusals('exchange-peer-revoked') > 0, true, 'logged in net_refusals');
  const before = applied();
  await refused(t, () => push(batch(report())), 403, 'exchange-peer-revoked');
  t.equal(applied(), before, 'the revoked key still applies nothing');
  const elsewhere = generateKeyPair();
  const other = await fetch(`${url}/api/exchange/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: again.enrollment, region: '623000', role: 'city', boxId: uuidv7(), publicKey: elsewhere.publicKey }),
  });
  t.equal(other.status, 200, 'the code the refused pairing carried was not spent');
  const used = await pairRaw(stranger.publicKey, again.enrollment);
  t.equal(used.code, 'exchange-enrollment-invalid', 'and is spent now');
});

t.test('pairing a region again replaces its key: the old key is refused', async (t) => {
  const e = await box.http.inject({ method: 'POST', url: '/api/network/enrollments', payload: { region: '623000' }, cookies: { edgebox_session: await session() } });
  const replacement = generateKeyPair();
  const res = await fetch(`${url}/api/exchange/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: e.json().code, region: '623000', role: 'city', boxId: uuidv7(), publicKey: replacement.publicKey }),
  });
  t.equal(res.status, 200);
  const before = applied();
  await refused(t, () => push(batch(report())), 403, 'exchange-peer-revoked');
  originKey = replacement;
  const ok = await push(batch(report()), { key: replacement.privateKey });
  t.equal(ok.status, 200, 'the new key is accepted');
  t.equal(applied(), before + 1);
});

t.test('a wrong enrollment code and a region this box cannot serve are refused', async (t) => {
  const bad = await fetch(`${url}/api/exchange/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'AAAA-BBBB-CCCC', region: '620100', role: 'city', boxId: uuidv7(), publicKey: stranger.publicKey }),
  });
  t.equal(bad.status, 403);
  t.equal(((await bad.json()) as { error: { code: string } }).error.code, 'exchange-enrollment-invalid');
  const e = await box.http.inject({ method: 'POST', url: '/api/network/enrollments', payload: { region: '440100' }, cookies: { edgebox_session: await session() } });
  t.equal(e.statusCode, 409);
  t.equal(e.json().error.code, 'exchange-not-upstream', 'a Gansu province box cannot enroll Guangzhou');
});

t.test('a box rotates to a new key with a fresh code: the upstream revokes the old key in the same step; a refused rotation changes nothing', async (t) => {
  const downDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-rotate-'));
  const db = openDb({ file: path.join(downDir, 'edgebox.sqlite') });
  t.teardown(() => {
    db.close();
    fs.rmSync(downDir, { recursive: true, force: true });
  });
  const store = new NetStore(db);
  const self = { role: 'city' as const, region: '623000' };
  const code = async () => (await box.http.inject({ method: 'POST', url: '/api/network/enrollments', payload: { region: '623000' }, cookies: { edgebox_session: await session() } })).json().code as string;
  await pairWithUpstream(store, self, url, await code(), new Date());
  const first = store.identity()!;
  originKey = { publicKey: first.public_key, privateKey: first.private_key };
  t.equal((await push(batch(report()), { key: first.private_key })).status, 200, 'the first key is accepted');

  // A wrong secret with the province's real fingerprint: the province refuses the code.
  const fingerprint = (await code()).replace(/-/g, '').slice(12);
  await t.rejects(pairWithUpstream(store, self, url, `AAAA-BBBB-CCCC-${fingerprint}`, new Date(), fetch, { newKey: true }), { code: 'network-upstream-unreachable', details: { upstreamCode: 'exchange-enrollment-invalid' } });
  t.equal(store.identity()!.public_key, first.public_key, 'a refused rotation keeps the key pair');
  t.equal((await push(batch(report()), { key: first.private_key })).status, 200, 'which the upstream still accepts');

  await pairWithUpstream(store, self, url, await code(), new Date(), fetch, { newKey: true });
  const second = store.identity()!;
  t.not(second.public_key, first.public_key, 'a new key pair');
  t.equal(second.upstream_key, first.upstream_key);
  const peers = box.db.prepare('SELECT public_key, revoked_at FROM net_peers WHERE region = ? AND public_key IN (?, ?)').all('623000', first.public_key, second.public_key) as { public_key: string; revoked_at: string | null }[];
  t.same(
    Object.fromEntries(peers.map((p) => [p.public_key === first.public_key ? 'old' : 'new', p.revoked_at === null ? 'active' : 'revoked'])),
    { old: 'revoked', new: 'active' },
  );
  const before = applied();
  await refused(t, () => push(batch(report()), { key: first.private_key }), 403, 'exchange-peer-revoked');
  originKey = { publicKey: second.public_key, privateKey: second.private_key };
  t.equal((await push(batch(report()), { key: second.private_key })).status, 200, 'the new key is accepted');
  t.equal(applied(), before + 1);

  t.equal((await pairRaw(first.public_key)).code, 'exchange-peer-revoked', 'nothing revives the old key');
});
