// Issue 13, finding 5: plain HTTP between boxes and trust-on-first-use pairing. Now the enrollment code
// carries the upstream's key fingerprint, the upstream serves the exchange over TLS with a certificate for
// that key, and the box below pins it: a man in the middle presenting another key is refused in the TLS
// handshake, before the code is sent, and the code stays usable for the real upstream.
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { type Box } from '../../firmware-agent/app.js';
import { sessionId, startTestBox } from '../helpers/box.js';
import { generateKeyPair } from '../../firmware-agent/network/crypto.js';
import { selfSignedCertificate } from '../../firmware-agent/network/x509.js';
import { waitFor } from '../helpers/wait.js';

const dirs: string[] = [];
async function box(role: string, region: string): Promise<{ box: Box; url: string; cookie: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `edgebox-tls-${region}-`));
  dirs.push(dir);
  const tb = await startTestBox({ dataDir: dir, role: role as 'city', region, listen: true, flags: { 'net-idle-ms': '200', 'net-poll-wait': '1', 'net-retry-base-ms': '50', 'net-retry-max-ms': '400' } });
  return { box: tb.box, url: tb.url, cookie: sessionId(tb.admin) };
}
const as = (b: { box: Box; cookie: string }, method: 'GET' | 'POST', url: string, payload?: object) => b.box.http.inject({ method, url, payload, cookies: { edgebox_session: b.cookie } });

let province: Awaited<ReturnType<typeof box>>;
let city: Awaited<ReturnType<typeof box>>;
let tlsUrl: string;

// The man in the middle: terminates TLS with its own key and relays every request to the province.
const mitmKey = generateKeyPair();
let relayed = 0;
const mitm = https.createServer({ key: mitmKey.privateKey, cert: selfSignedCertificate(mitmKey.privateKey, 'edgebox exchange 620000', new Date()) }, async (req, res) => {
  relayed++;
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const r = await fetch(province.url + req.url, { method: req.method, headers: { 'content-type': 'application/json' }, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) });
  res.writeHead(r.status, { 'content-type': 'application/json' });
  res.end(await r.text());
});
let mitmUrl: string;

t.before(async () => {
  province = await box('province', '620000');
  city = await box('city', '620100');
  tlsUrl = (await as(province, 'GET', '/api/network/status')).json().exchangeTlsUrl;
  await new Promise<void>((r) => mitm.listen(0, '127.0.0.1', r));
  mitmUrl = `https://127.0.0.1:${(mitm.address() as { port: number }).port}`;
});
t.teardown(async () => {
  await city.box.close();
  await province.box.close();
  mitm.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

t.test('the province serves the exchange over TLS, and only the exchange', async (t) => {
  t.match(tlsUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  const status = (await as(province, 'GET', '/api/network/status')).json();
  t.match(status.keyFingerprint, /^[0-9A-Z]{32}$/);
  const e = (await as(province, 'POST', '/api/network/enrollments', { region: '623000' })).json();
  t.match(e.code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/, 'the code is the secret and the fingerprint, grouped by four');
  t.equal(e.code.replace(/-/g, '').slice(12), status.keyFingerprint.slice(0, 20), 'the code carries the province’s key fingerprint');
  t.equal(e.exchangeTlsUrl, tlsUrl);
});

t.test('pairing through a man in the middle presenting another key is refused before the code is sent', async (t) => {
  const e = (await as(province, 'POST', '/api/network/enrollments', { region: '620100' })).json();
  const r = await as(city, 'POST', '/api/network/pair', { upstream: mitmUrl, code: e.code });
  t.equal(r.statusCode, 502);
  t.equal(r.json().error.code, 'exchange-upstream-key-mismatch');
  t.equal(relayed, 0, 'the man in the middle received no request: it never saw the code');
  t.equal((await as(city, 'GET', '/api/network/status')).json().upstream, null, 'nothing stored');
  const audit = city.box.db.prepare("SELECT data FROM audit WHERE entity = 'network' AND action = 'pair-refused'").pluck().all() as string[];
  t.match(JSON.parse(audit.at(-1)!), { url: mitmUrl, code: 'exchange-upstream-key-mismatch' });

  t.test('the same code then pairs over TLS with the real province', async (t) => {
    const ok = await as(city, 'POST', '/api/network/pair', { upstream: tlsUrl, code: e.code });
    t.equal(ok.statusCode, 200, JSON.stringify(ok.json()));
    t.match(ok.json().contacted, { url: tlsUrl, region: '620000', role: 'province' });
    t.equal((await as(city, 'GET', '/api/network/status')).json().upstream.url, tlsUrl);
  });
});

t.test('a relaying man in the middle over plain HTTP is caught by the fingerprint in the answer', async (t) => {
  // A plain-HTTP relay that swaps the province's key in the pairing answer for its own.
  const relay = (await import('node:http')).createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r = await fetch(province.url + req.url, { method: req.method, headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
    const body = (await r.json()) as Record<string, unknown>;
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(r.ok ? { ...body, publicKey: mitmKey.publicKey } : body));
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  t.teardown(() => relay.close());
  const other = await box('city', '623000');
  t.teardown(() => other.box.close());
  const e = (await as(province, 'POST', '/api/network/enrollments', { region: '623000' })).json();
  const r = await as(other, 'POST', '/api/network/pair', { upstream: `http://127.0.0.1:${(relay.address() as { port: number }).port}`, code: e.code });
  t.equal(r.json().error?.code, 'exchange-upstream-key-mismatch');
  t.equal((await as(other, 'GET', '/api/network/status')).json().upstream, null, 'nothing stored');
  const bare = await as(other, 'POST', '/api/network/pair', { upstream: tlsUrl, code: e.code.slice(0, 14) });
  t.equal(bare.statusCode, 400, 'a code without the fingerprint is refused before anything is contacted');
});

t.test('messages travel over the pinned TLS connection', async (t) => {
  const created = await as(city, 'POST', '/api/tickets', {
    type: 'complaint', domain: 'taxi', channel: 'phone', region: '620102', caller: { phone: '13800138000' }, subject: '兰州出租车拒载', description: '乘客在兰州站被拒载',
  });
  t.equal(created.statusCode, 201);
  const number = created.json().number as string;
  await waitFor('the report at the province', () => province.box.db.prepare('SELECT 1 FROM net_reports WHERE number = ?').get(number), 30_000);
  t.pass('the city’s report reached the province over TLS');
  t.equal((await as(city, 'GET', '/api/network/status')).json().upstream.lastError, null);
});
