// Pipelined pushes (docs/exchange.md §4 Push, firmware-agent/network/push-order.ts): a city may send its next
// batch before the answer to the last one, naming it in x-edgebox-follows; the province applies it only right
// after that batch. And the pushed body's bytes: hashed as received, refused unless UTF-8. A real province box on real HTTP; the city is a key paired through its pairing endpoint,
// pushing with raw requests so a test can hold a body half-sent.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { v7 as uuidv7 } from 'uuid';
import type { Box } from '../../firmware-agent/app.js';
import { canonicalRequest, sha256Hex, sign } from '../../firmware-agent/network/crypto.js';
import { newEnvelope } from '../../firmware-agent/network/messages.js';
import { FakePeer, snapshot, upstreamWithPeers } from '../fixtures/exchange-peer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-push-order-'));
let box: Box;
let url: string;
let city: FakePeer;
const messagesPath = '/api/exchange/v1/messages';

t.before(async () => {
  ({ box, url, peers: [city] } = await upstreamWithPeers({ dataDir: dir, role: 'province', region: '620000', peers: [{ region: '620100' }] }) as { box: Box; url: string; peers: [FakePeer] });
});
t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let serial = 0;
/** A batch of `n` ticket reports from the city, new tickets each. */
function reports(n: number) {
  return Array.from({ length: n }, () => {
    const id = uuidv7();
    const number = `620100${snapshot().number.slice(6, 14)}${String(++serial).padStart(5, '0')}`;
    return newEnvelope('ticket.report', '620100', '^', new Date(), { ticket: snapshot({ id, number }), action: 'create' } as never, { id, version: 1 });
  });
}

const inboxSeq = (id: string) => (box.db.prepare('SELECT seq FROM net_inbox WHERE id = ?').get(id) as { seq: number } | undefined)?.seq;
const inboxCount = () => (box.db.prepare('SELECT count(*) AS n FROM net_inbox').get() as { n: number }).n;

/** Posts a signed push by hand: `hold` sends the headers and half the body, the rest when `release()` is called. */
function rawPush(body: string | Buffer, headers: Record<string, string>, hold = false) {
  const u = new URL(url + messagesPath);
  let release = () => {};
  const answer = new Promise<{ status: number; json: any }>((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: messagesPath, method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    const bytes = Buffer.from(body);
    if (!hold) return void req.end(bytes);
    req.write(bytes.subarray(0, bytes.length >> 1));
    release = () => void req.end(bytes.subarray(bytes.length >> 1));
  });
  return { answer, release: () => release() };
}

/** Resolves once the province has taken the next request's headers through its hooks (body not yet read). */
function nextRequestSeen(): Promise<void> {
  return new Promise((resolve) =>
    box.http.server.once('request', () => {
      // The exchange's onRequest hooks are synchronous work in a promise chain: done after this turn.
      setImmediate(() => setImmediate(resolve));
    }),
  );
}

t.test('the province says it applies pipelined pushes in order, and applies one that follows the last batch', async (t) => {
  const first = reports(3);
  const body = city.pushBody(first);
  const a = await city.push(first);
  t.equal(a.status, 200);
  t.equal(a.json.ordered, true, 'the answer says pipelined pushes are applied in order');
  const next = reports(2);
  const b = await city.push(next, '620100', { follows: sha256Hex(body) });
  t.equal(b.status, 200);
  t.same(b.json.results.map((r: { status: string }) => r.status), ['applied', 'applied']);
});

t.test('a batch that follows one still arriving waits for it, and is applied after it', async (t) => {
  const head = reports(3);
  const headBody = city.pushBody(head);
  const seen = nextRequestSeen();
  const h = rawPush(headBody, city.headers('POST', messagesPath, headBody), true);
  await seen;
  const tail = reports(3);
  const tailBody = city.pushBody(tail);
  const f = rawPush(tailBody, city.headers('POST', messagesPath, tailBody, '620100', sha256Hex(headBody)));
  // The follower is complete and waits; nothing of it is applied before the head's body has even arrived.
  await new Promise((r) => setTimeout(r, 50));
  t.equal(inboxSeq(tail[0]!.id), undefined, 'the follower is not applied before the batch it follows');
  h.release();
  const [ha, fa] = await Promise.all([h.answer, f.answer]);
  t.equal(ha.status, 200);
  t.equal(fa.status, 200);
  t.ok(inboxSeq(head[2]!.id)! < inboxSeq(tail[0]!.id)!, 'the follower was applied after the whole batch it follows');
});

t.test('a batch that follows a failed one, or one never seen, is refused as out of order and applies nothing', async (t) => {
  // The head's body does not hash to what it signed: refused. The follower, waiting for it, is refused too.
  const head = reports(2);
  const headBody = city.pushBody(head);
  const forgedHeaders = city.headers('POST', messagesPath, headBody);
  const tamperedBody = headBody.replace('"620100"', '"620101"');
  const seen = nextRequestSeen();
  const h = rawPush(tamperedBody, forgedHeaders, true);
  await seen;
  const tail = reports(2);
  const tailBody = city.pushBody(tail);
  const before = inboxCount();
  const f = rawPush(tailBody, city.headers('POST', messagesPath, tailBody, '620100', forgedHeaders['x-edgebox-content-sha256']!));
  h.release();
  const [ha, fa] = await Promise.all([h.answer, f.answer]);
  t.equal(ha.status, 401);
  t.equal(ha.json.error.code, 'exchange-bad-signature');
  t.equal(fa.status, 409);
  t.equal(fa.json.error.code, 'exchange-out-of-order');
  t.equal(inboxCount(), before, 'nothing applied');
  // Following a batch this province never saw (or saw before it restarted).
  const r = await city.push(reports(1), '620100', { follows: sha256Hex('a batch that never came') });
  t.equal(r.status, 409);
  t.equal(r.code, 'exchange-out-of-order');
  t.equal(inboxCount(), before, 'still nothing applied');
  // Sent again on its own, it is applied.
  const again = await city.push(tail);
  t.equal(again.status, 200);
  t.equal(inboxCount(), before + 2);
});

t.test('the order is signed: a follows header changed on the way is refused', async (t) => {
  const first = reports(1);
  const body = city.pushBody(first);
  t.equal((await city.push(first)).status, 200);
  const next = reports(1);
  const nextBody = city.pushBody(next);
  const headers = city.headers('POST', messagesPath, nextBody, '620100', sha256Hex(body));
  for (const [follows, code] of [
    [sha256Hex('another batch'), 'exchange-bad-signature'],
    ['not-a-hash', 'exchange-unsigned'],
  ] as const) {
    // The same nonce each time: a request refused for its signature never uses it up.
    const r = await rawPush(nextBody, { ...headers, 'x-edgebox-follows': follows }).answer;
    t.equal(r.json.error.code, code, `follows ${follows.slice(0, 10)}…: ${code}`);
  }
  const { 'x-edgebox-follows': _drop, ...stripped } = headers;
  const r = await rawPush(nextBody, stripped).answer;
  t.equal(r.json.error.code, 'exchange-bad-signature', 'taking the order away breaks the signature too');
  t.equal(inboxSeq(next[0]!.id), undefined);
});

t.test('a signed body that is not UTF-8 is refused malformed-json, not read with replacement characters', async (t) => {
  const batch = reports(1);
  const text = city.pushBody(batch);
  // A lone continuation byte inside the subject: a valid signature over invalid UTF-8.
  const bytes = Buffer.concat([Buffer.from(text.slice(0, 40)), Buffer.from([0x80]), Buffer.from(text.slice(40))]);
  const headers = city.headers('POST', messagesPath, 'unused');
  headers['x-edgebox-content-sha256'] = sha256Hex(bytes);
  headers['x-edgebox-signature'] = sign(city.key.privateKey, canonicalRequest({ method: 'POST', path: messagesPath, sender: '620100', timestamp: headers['x-edgebox-timestamp']!, nonce: headers['x-edgebox-nonce']!, bodySha256: sha256Hex(bytes) }));
  const r = await rawPush(bytes, headers).answer;
  t.equal(r.status, 400);
  t.equal(r.json.error.code, 'malformed-json');
  t.equal(inboxSeq(batch[0]!.id), undefined, 'nothing applied');
});
