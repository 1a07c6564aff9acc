// The exchange's pure parts: routing by region code, backoff with jitter, signatures, envelope checks.
import t from 'tap';
import { canonicalRequest, enrollmentCode, enrollmentHash, generateKeyPair, sign, verify } from '../../firmware-agent/network/crypto.js';
import { checkEnvelope, newEnvelope } from '../../firmware-agent/network/messages.js';
import { peerMayOriginate, route } from '../../firmware-agent/network/router.js';
import { backoffMs } from '../../firmware-agent/network/sync.js';

const city = { role: 'city' as const, address: '623000', hasUpstream: true, peers: new Set<string>() };
const province = { role: 'province' as const, address: '620000', hasUpstream: true, peers: new Set(['620100', '623000']) };
const ministry = { role: 'ministry' as const, address: '000000', hasUpstream: false, peers: new Set(['620000', '440000']) };

t.test('a city keeps matters in its own area and sends everything else up', async (t) => {
  t.same(route(city, '623001', false), { local: true, hops: [] });
  t.same(route(city, '620102', false), { local: false, hops: ['up'] });
  t.same(route(city, '440104', false), { local: false, hops: ['up'] });
  t.same(route(city, '^', false), { local: false, hops: ['up'] }, 'reports go up');
});

t.test('a province hands a matter to the box holding its city, handles it itself when none does, and sends other provinces up', async (t) => {
  t.same(route(province, '620102', true), { local: false, hops: ['620100'] });
  t.same(route(province, '620200', true), { local: true, hops: [] }, '嘉峪关 has no box: the province handles it');
  t.same(route(province, '440104', true), { local: false, hops: ['up'] });
  t.same(route(province, '620000', true), { local: true, hops: [] });
  t.same(route(province, '^', true), { local: true, hops: ['up'] }, 'a report is kept and passed on');
  t.same(route(province, '*', true), { local: true, hops: ['620100', '623000'] }, 'an article is kept and passed down');
});

t.test('the ministry hands a matter to the box holding its province', async (t) => {
  t.same(route(ministry, '440104', true), { local: false, hops: ['440000'] });
  t.same(route(ministry, '650100', true), { local: true, hops: [] }, 'no box for that province: the ministry handles it');
  t.same(route(ministry, '^', true), { local: true, hops: [] });
  t.same(route(ministry, '000000', true), { local: true, hops: [] });
});

t.test('a peer may originate only messages of the regions it holds', async (t) => {
  t.ok(peerMayOriginate('623000', 'city', '623000'));
  t.notOk(peerMayOriginate('623000', 'city', '620100'));
  t.ok(peerMayOriginate('620000', 'province', '623000'), 'a province forwards its cities’ messages');
  t.notOk(peerMayOriginate('620000', 'province', '440100'));
  t.notOk(peerMayOriginate('620000', 'province', '000000'));
});

t.test('retries back off exponentially with jitter up to the ceiling', async (t) => {
  const o = { retryBaseMs: 1000, retryMaxMs: 60_000 };
  t.equal(backoffMs(1, o, () => 0), 500);
  t.equal(backoffMs(1, o, () => 1), 1000);
  t.equal(backoffMs(4, o, () => 1), 8000);
  t.equal(backoffMs(50, o, () => 1), 60_000, 'never above the ceiling');
  t.equal(backoffMs(50, o, () => 0), 30_000, 'at least half the ceiling once there');
});

t.test('a signature covers method, path, sender, time, nonce and body', async (t) => {
  const k = generateKeyPair();
  const parts = { method: 'POST', path: '/api/exchange/v1/messages', sender: '623000', timestamp: '2026-11-28T00:00:00.000Z', nonce: 'n1', body: '{"a":1}' };
  const sig = sign(k.privateKey, canonicalRequest(parts));
  t.ok(verify(k.publicKey, canonicalRequest(parts), sig));
  for (const change of [{ body: '{"a":2}' }, { sender: '620100' }, { nonce: 'n2' }, { path: '/api/exchange/v1/pair' }, { timestamp: '2026-11-28T00:00:01.000Z' }]) {
    t.notOk(verify(k.publicKey, canonicalRequest({ ...parts, ...change }), sig), `changing ${Object.keys(change)[0]} breaks it`);
  }
  t.notOk(verify(generateKeyPair().publicKey, canonicalRequest(parts), sig), 'another key does not verify it');
  t.notOk(verify(k.publicKey, canonicalRequest(parts), 'garbage'));
});

t.test('enrollment codes are 60 random bits, typed forgivingly', async (t) => {
  const code = enrollmentCode();
  t.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  t.equal(enrollmentHash(code.toLowerCase().replace(/-/g, ' ')), enrollmentHash(code));
  t.not(enrollmentHash(code), enrollmentHash(enrollmentCode()));
});

t.test('envelopes are checked for shape, kind and version', async (t) => {
  const env = newEnvelope('ticket.visit', '623000', '620100', new Date(), {
    ticketId: '01a2225b-ef35-7359-8e91-3834155bf3b7',
    number: '6230002026112800001',
    satisfaction: 'satisfied',
    note: null,
    at: new Date().toISOString(),
  });
  t.match(env.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/, 'ids are UUIDv7');
  t.equal(checkEnvelope(JSON.parse(JSON.stringify(env))).id, env.id);
  t.throws(() => checkEnvelope({ ...env, bodyVersion: 2 }), { code: 'exchange-version-unsupported' });
  t.throws(() => checkEnvelope({ ...env, v: 2 }), { code: 'exchange-version-unsupported' });
  t.throws(() => checkEnvelope({ ...env, kind: 'ticket.teleport' }), { code: 'exchange-version-unsupported' });
  t.throws(() => checkEnvelope({ ...env, body: { ...env.body, satisfaction: 'thrilled' } }), { code: 'exchange-body-invalid' });
  t.throws(() => checkEnvelope({ ...env, extra: 1 }), { code: 'exchange-body-invalid' });
  t.throws(() => checkEnvelope({ ...env, to: 'everywhere' }), { code: 'exchange-body-invalid' });
});

t.test('a message id must be a UUID of version 7', async (t) => {
  const env = newEnvelope('stats.daily', '623000', '^', new Date(), { region: '623000', day: '2026-11-27', computedAt: new Date().toISOString(), volumes: {} });
  const v7 = env.id;
  const refused = (id: string) => t.throws(() => checkEnvelope({ ...env, id }), { code: 'exchange-body-invalid', message: /\/id/ }, id);
  refused(crypto.randomUUID()); // version 4
  refused(`${v7.slice(0, 14)}1${v7.slice(15)}`); // version 1 nibble, otherwise the same
  refused(`${v7.slice(0, 19)}c${v7.slice(20)}`); // variant 110 (Microsoft), not RFC 9562
  refused(v7.toUpperCase());
  refused('00000000-0000-0000-0000-000000000000');
  t.equal(checkEnvelope({ ...env, id: v7 }).id, v7, 'a UUIDv7 passes');
});

t.test('the protocol documents name every exchange endpoint and refusal code', async (t) => {
  const fs = await import('node:fs');
  const { errorCatalogue } = await import('../../firmware-agent/errors.js');
  // Read as text (no YAML parser among the project's dependencies): each path and method is declared.
  const api = fs.readFileSync(new URL('../../docs/exchange.openapi.yaml', import.meta.url), 'utf8');
  t.match(api, /^openapi: 3\.1\.0$/m);
  t.match(api, /^  \/api\/exchange\/v1\/pair:\n    post:/m);
  t.match(api, /^  \/api\/exchange\/v1\/messages:\n    post:[\s\S]*^    get:/m);
  const doc = fs.readFileSync(new URL('../../docs/exchange.md', import.meta.url), 'utf8');
  for (const code of Object.keys(errorCatalogue).filter((c) => c.startsWith('exchange-'))) t.ok(doc.includes(`\`${code}\``), `${code} in exchange.md`);
});
