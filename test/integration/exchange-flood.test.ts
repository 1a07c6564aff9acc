// Issue 13, finding 4: the exchange read and parsed up to 16 MiB before checking the signature, and wrote
// an fsync'd refusal row per unsigned request. Now a request is authenticated from its headers before any
// of its body is read; unauthenticated bodies are small; failures are rate-limited per address and their
// refusals aggregated (one row per address, code and minute). A real province box in its own process.
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import t from 'tap';
import { v7 as uuidv7 } from 'uuid';
import { FakePeer, snapshot, ticketMessage } from '../fixtures/exchange-peer.js';
import { type BoxProc, api, startBox, stopBox } from '../fixtures/network-fixture.js';

let province: BoxProc;
let city: FakePeer;

t.before(async () => {
  province = await startBox({ role: 'province', region: '620000' });
  city = new FakePeer(province.url, '620100');
  const e = await api(province, 'POST', '/api/network/enrollments', { region: '620100' });
  await city.pair(e.json.code);
});
t.teardown(async () => {
  await stopBox(province);
  fs.rmSync(province.dir, { recursive: true, force: true });
});

/**
 * Sends the headers of a request announcing `length` body bytes but only 1 KiB of them, and resolves with
 * the answer. Before the fix the box waited for the rest of the body (the test then fails on its deadline).
 */
function answerBeforeBody(p: string, headers: Record<string, string>, length = 16 * 1024 * 1024): Promise<{ status: number; code: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(province.url + p, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(length) } });
    const deadline = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer while the body was still unsent: the box waited for the body'));
    }, 20_000);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        clearTimeout(deadline);
        req.destroy();
        resolve({ status: res.statusCode!, code: JSON.parse(text).error?.code });
      });
    });
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.write(Buffer.alloc(1024, 0x20));
  });
}

t.test('an unsigned push is refused before its body is read', async (t) => {
  const r = await answerBeforeBody('/api/exchange/v1/messages', {});
  t.same(r, { status: 401, code: 'exchange-unsigned' });
});

t.test('a push naming a paired region with a wrong signature is refused before its body is read', async (t) => {
  const h = city.headers('POST', '/api/exchange/v1/messages', 'the body that was signed');
  const r = await answerBeforeBody('/api/exchange/v1/messages', { ...h, 'x-edgebox-signature': Buffer.alloc(64, 1).toString('base64') });
  t.same(r, { status: 401, code: 'exchange-bad-signature' });
});

t.test('a signed push whose body is not the one signed is refused', async (t) => {
  const p = '/api/exchange/v1/messages';
  const h = city.headers('POST', p, JSON.stringify({ from: '620100', messages: [] }));
  const res = await fetch(province.url + p, { method: 'POST', headers: h, body: JSON.stringify({ from: '620100', messages: [{}] }) });
  t.equal(res.status, 401);
  t.equal(((await res.json()) as { error: { code: string } }).error.code, 'exchange-bad-signature');
});

t.test('a pairing body is small', async (t) => {
  const res = await fetch(`${province.url}/api/exchange/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'AAAA-BBBB-CCCC', region: '620100', role: 'city', boxId: 'x'.repeat(200_000), publicKey: city.key.publicKey }),
  });
  t.equal(res.status, 413);
});

t.test('a flood of unsigned requests is rate-limited and writes almost nothing; the paired city still gets through', async (t) => {
  const codes = new Map<string, number>();
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${province.url}/api/exchange/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":"620100","messages":[]}' });
    const code = ((await res.json()) as { error: { code: string } }).error.code;
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  t.ok((codes.get('exchange-rate-limited') ?? 0) > 0, `answered exchange-rate-limited once the budget was spent (${JSON.stringify([...codes])})`);
  t.equal((codes.get('exchange-unsigned') ?? 0) + (codes.get('exchange-rate-limited') ?? 0), 100);

  const pairCodes = new Map<string, number>();
  for (let i = 0; i < 30; i++) {
    const res = await fetch(`${province.url}/api/exchange/v1/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: `WRNG-CODE-${String(i).padStart(4, '0')}`, region: '620100', role: 'city', boxId: uuidv7(), publicKey: city.key.publicKey }),
    });
    const code = ((await res.json()) as { error: { code: string } }).error.code;
    pairCodes.set(code, (pairCodes.get(code) ?? 0) + 1);
  }
  t.ok((pairCodes.get('exchange-rate-limited') ?? 0) > 0, `guessing enrollment codes is rate-limited (${JSON.stringify([...pairCodes])})`);

  const ticket = snapshot({ number: `620100${new Date().toISOString().slice(0, 10).replace(/-/g, '')}00001`, region: '620102' });
  const m = ticketMessage('ticket.report', '620100', '^', { ticket, action: 'create' }, ticket.id as string);
  const ok = await city.push([m]);
  t.equal(ok.status, 200, 'a paired box behind the same address is not locked out');

  await stopBox(province);
  const db = new Database(path.join(province.dir, 'edgebox.sqlite'), { readonly: true });
  t.teardown(() => db.close());
  const rows = db.prepare("SELECT code, count FROM net_refusals WHERE address IS NOT NULL AND code IN ('exchange-unsigned', 'exchange-rate-limited', 'exchange-enrollment-invalid')").all() as { code: string; count: number }[];
  const total = rows.reduce((n, r) => n + r.count, 0);
  t.ok(total >= 130, `every refusal is counted (${total})`);
  t.ok(rows.length <= 8, `in a handful of rows (${rows.length}: one per address, code and minute)`);
});
