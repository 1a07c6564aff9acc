// A received message that cannot be applied for an unforeseen reason is set aside (net_dead_letters),
// acknowledged and counted in /healthz, so it never fails its batch or blocks the sender's queue; and the
// ministry's own ticket numbers (100000…) can no longer collide with those of the province sharing its
// configured region code (Beijing, 110000). A real ministry box over HTTP, signed pushes from a paired key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { v7 as uuidv7 } from 'uuid';
import { systemActor } from '../../firmware-agent/accounts/service.js';
import { type Box } from '../../firmware-agent/app.js';
import { sessionId, startTestBox } from '../helpers/box.js';
import { canonicalRequest, generateKeyPair, sign } from '../../firmware-agent/network/crypto.js';
import { type Envelope, newEnvelope } from '../../firmware-agent/network/messages.js';
import { signOwn } from '../../firmware-agent/network/origin.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-dead-letters-'));
let box: Box;
let url: string;
let cookie: string;
const beijing = generateKeyPair();

t.before(async () => {
  const tb = await startTestBox({ dataDir: dir, role: 'ministry', region: '110000', listen: true });
  ({ box, url } = tb);
  cookie = sessionId(tb.admin);
  const e = await box.http.inject({ method: 'POST', url: '/api/network/enrollments', payload: { region: '110000' }, cookies: { edgebox_session: cookie } });
  t.equal(e.statusCode, 201);
  const res = await fetch(`${url}/api/exchange/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: e.json().code, region: '110000', role: 'province', boxId: uuidv7(), publicKey: beijing.publicKey }),
  });
  t.equal(res.status, 200);
});

t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function push(messages: Envelope[]): Promise<{ status: number; json: { results: { id: string; status: string; reason?: string }[] } }> {
  // Origin-signed by Beijing as a real box signs its own messages when it sends them (docs/exchange.md §2.2).
  const body = `{"from":"110000","messages":[${signOwn(messages.map((m) => JSON.stringify(m)), '110000', beijing.privateKey, beijing.publicKey).join(',')}]}`;
  const timestamp = new Date().toISOString();
  const nonce = uuidv7();
  const p = '/api/exchange/v1/messages';
  const res = await fetch(url + p, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-edgebox-sender': '110000',
      'x-edgebox-timestamp': timestamp,
      'x-edgebox-nonce': nonce,
      'x-edgebox-signature': sign(beijing.privateKey, canonicalRequest({ method: 'POST', path: p, sender: '110000', timestamp, nonce, body })),
    },
    body,
  });
  return { status: res.status, json: (await res.json()) as never };
}

/** A ticket the Beijing province box took about a matter in Xinjiang (no box holds it: the ministry handles it). */
function transfer(number: string): Envelope {
  const at = new Date();
  const id = uuidv7();
  return newEnvelope(
    'ticket.transfer',
    '110000',
    '650102',
    at,
    {
      ticket: {
        id,
        number,
        type: 'complaint',
        subtype: 'complaint',
        domain: 'taxi',
        channel: 'phone',
        region: '650102',
        caller: { phone: '13800138000', name: null, anonymous: false, hidden: false },
        confidential: false,
        urgent: false,
        subject: '乌鲁木齐出租车拒载',
        description: '在北京受理的乌鲁木齐出租车拒载投诉',
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
      },
    },
    { id, version: 1 },
  );
}
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }).replace(/-/g, '');
/** The network part of /healthz, as the admin sees it (anonymous callers get no parts). */
const health = async () => {
  const login = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: box.initialAdminPassword! } });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  return (await box.http.inject({ method: 'GET', url: '/healthz', headers: { cookie } })).json().parts.network;
};

t.test('the ministry numbers its own tickets 100000…, so Beijing’s first ticket of the day no longer collides', async (t) => {
  const own = box.tickets.create(
    { type: 'complaint', domain: 'taxi', channel: 'phone', region: '110101', caller: { phone: '13800138000' }, subject: '部本级受理', description: '部本级受理的投诉' },
    systemActor,
  );
  t.equal(own.number, `100000${today()}00001`, 'the national prefix, not the configured 110000');
  const m = transfer(`110000${today()}00001`);
  const r = await push([m]);
  t.equal(r.status, 200);
  t.same(r.json.results, [{ id: m.id, status: 'applied' }]);
  t.equal(box.tickets.getRow(`110000${today()}00001`)?.origin_region, '110000', 'the ministry holds Beijing’s ticket under Beijing’s number');
});

t.test('a message that cannot be applied is set aside and acknowledged; the rest of its batch applies and the queue moves on', async (t) => {
  t.equal((await health()).deadLetters, 0);
  // A number the ministry already holds under another ticket id (Beijing's store restored from an old
  // backup numbers a ticket again): the UNIQUE constraint fails inside the message's own savepoint. (A
  // number with another box's prefix is refused at the door: exchange-ticket-number-invalid.)
  const clash = transfer(`110000${today()}00001`);
  const next = transfer(`110000${today()}00002`);
  const r = await push([clash, next]);
  t.equal(r.status, 200, 'not a 500: the batch is acknowledged');
  t.equal(r.json.results[0]!.status, 'set-aside');
  t.match(r.json.results[0]!.reason, /SQLITE_CONSTRAINT/);
  t.same(r.json.results[1], { id: next.id, status: 'applied' }, 'the message behind it applied');
  t.equal(box.tickets.getRow(`110000${today()}00001`)?.subject, '乌鲁木齐出租车拒载', 'the ticket held under that number is untouched');

  const again = await push([clash]);
  t.same(again.json.results, [{ id: clash.id, status: 'duplicate' }], 'a repeat is acknowledged, not applied or set aside again');

  const h = await health();
  t.equal(h.deadLetters, 1, '/healthz counts it');
  t.equal(h.ok, false);
  t.ok(h.warnings.some((w: string) => /could not be applied and were set aside/.test(w)));
  const status = await box.http.inject({ method: 'GET', url: '/api/network/status', cookies: { edgebox_session: cookie } });
  t.equal(status.json().deadLetters, 1, 'the network status (and page) shows it');
  const list = await box.http.inject({ method: 'GET', url: '/api/network/dead-letters', cookies: { edgebox_session: cookie } });
  t.match(list.json().items, [{ id: clash.id, kind: 'ticket.transfer', origin: '110000', via: '110000', error: /UNIQUE constraint failed: tickets.number/ }]);
  const inbox = box.db.prepare('SELECT outcome FROM net_inbox WHERE id = ?').get(clash.id) as { outcome: string };
  t.equal(inbox.outcome, 'set-aside');
  t.notOk(box.db.prepare('SELECT 1 FROM tickets WHERE id = ?').get(clash.ticket!.id), 'nothing of it was applied');
});
