// Which messages may travel which way: the pure checks, and a city's uplink pulling from a scripted
// upstream that serves messages only a box below may send and articles it does not own — each recorded as
// a refusal and skipped, nothing applied, the cursor moving past them.
import Fastify from 'fastify';
import t from 'tap';
import type { RegionTable } from '../../firmware-agent/regions/regions.js';
import { AppError } from '../../firmware-agent/errors.js';
import { UpstreamClient } from '../../firmware-agent/network/client.js';
import { canonicalResponse, generateKeyPair, sign } from '../../firmware-agent/network/crypto.js';
import { type ArticleBody, type Envelope, newEnvelope } from '../../firmware-agent/network/messages.js';
import { signEnvelope } from '../../firmware-agent/network/origin.js';
import { checkPulled, checkPushed } from '../../firmware-agent/network/policy.js';
import { type KbPort, NetworkService } from '../../firmware-agent/network/service.js';
import { Uplink } from '../../firmware-agent/network/sync.js';
import { openDb } from '../../firmware-agent/store/db.js';
import type { TicketService } from '../../firmware-agent/tickets/service.js';

const at = new Date('2026-11-28T02:00:00Z');
function article(from: string, over: Partial<ArticleBody> = {}): Envelope {
  return newEnvelope<ArticleBody>('kb.article', from, '*', at, {
    uid: '01a2225b-ef35-7359-8e91-3834155bf3b7',
    kind: 'policy',
    scope: 'ministry',
    ownerRegion: '110000',
    title: '全国统一服务规范',
    body: '正文',
    tags: [],
    domain: null,
    validFrom: null,
    validTo: null,
    status: 'published',
    version: 1,
    updatedAt: at.toISOString(),
    ...over,
  });
}
const snapshot = {
  id: '01a2225b-ef35-7359-8e91-3834155bf3b9',
  number: '6200002026112800001',
  type: 'complaint',
  domain: 'taxi',
  channel: 'phone',
  region: '623001',
  caller: { phone: null, name: null, anonymous: true, hidden: false },
  subject: '拒载',
  description: '出租车拒载',
  status: 'received',
  createdAt: at.toISOString(),
  updatedAt: at.toISOString(),
  version: 1,
};
const stats = (from: string, region: string) => newEnvelope('stats.daily', from, '^', at, { region, day: '2026-11-27', computedAt: at.toISOString(), volumes: {} });
const code = (fn: () => void) => {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
};

t.test('pushed up: articles never; statistics only of the origin, which the pusher must hold', async (t) => {
  const gannan = { region: '623000', role: 'city' };
  const gansu = { region: '620000', role: 'province' };
  t.equal(code(() => checkPushed(article('623000'), 0, gannan)), 'exchange-kind-not-allowed');
  t.equal(code(() => checkPushed(article('620000', { scope: 'province', ownerRegion: '620000' }), 0, gansu)), 'exchange-kind-not-allowed', 'not even a province’s own');
  t.equal(code(() => checkPushed(stats('623000', '623000'), 0, gannan)), 'accepted');
  t.equal(code(() => checkPushed(stats('623000', '620100'), 0, gannan)), 'exchange-stats-region-mismatch');
  t.equal(code(() => checkPushed(stats('623000', '623000'), 0, gansu)), 'accepted', 'a province passes on its city’s figures');
  t.equal(code(() => checkPushed(stats('623000', '620000'), 0, gansu)), 'exchange-stats-region-mismatch');
  t.equal(code(() => checkPushed(stats('440100', '440100'), 0, gansu)), 'exchange-region-not-held');
  t.equal(code(() => checkPushed({ ...stats('623000', '623000'), to: '*' }, 0, gannan)), 'exchange-kind-not-allowed');
});

t.test('pulled down: no reports or statistics; articles only from the upstream or the ministry', async (t) => {
  t.equal(code(() => checkPulled(article('000000'), 0, '620000')), 'accepted', 'a ministry article passed on by the province');
  t.equal(code(() => checkPulled(article('620000', { scope: 'province', ownerRegion: '620000' }), 0, '620000')), 'accepted', 'the province’s own');
  t.equal(code(() => checkPulled(article('440000', { scope: 'province', ownerRegion: '440000' }), 0, '620000')), 'exchange-article-not-upstream', 'another province’s');
  t.equal(code(() => checkPulled(article('620000', { scope: 'province', ownerRegion: '440000' }), 0, '620000')), 'exchange-article-not-upstream', 'owner and origin differ');
  t.equal(code(() => checkPulled(article('620100', { scope: 'city', ownerRegion: '620100' }), 0, '620000')), 'exchange-article-not-upstream', 'a sibling city’s');
  t.equal(code(() => checkPulled(article('620000', { scope: 'city', ownerRegion: '620000' }), 0, '620000')), 'exchange-article-not-upstream', 'a city-scoped one');
  t.equal(code(() => checkPulled(article('000000'), 0, '000000')), 'accepted', 'a province pulling the ministry’s');
  t.equal(code(() => checkPulled(stats('620000', '620000'), 0, '620000')), 'exchange-kind-not-allowed');
});

t.test('a city’s uplink skips and records what its upstream may not send it, and applies the rest', async (t) => {
  const upKey = generateKeyPair();
  // The ministry's key, as the city's province announced it (peer.key): its article is origin-signed.
  const ministryKey = generateKeyPair();
  const served = [
    { seq: 1, message: newEnvelope('ticket.report', '620000', '^', at, { ticket: snapshot, action: 'create' }) },
    { seq: 2, message: stats('620000', '620000') },
    { seq: 3, message: article('440000', { scope: 'province', ownerRegion: '440000', uid: '01a2225b-ef35-7359-8e91-3834155bf3b8' }) },
    { seq: 4, message: signEnvelope(article('000000'), ministryKey.privateKey, ministryKey.publicKey) },
  ];
  const server = Fastify();
  server.addHook('onSend', async (request, reply, payload) => {
    if (typeof payload !== 'string') return payload;
    const ts = new Date().toISOString();
    reply.header('x-edgebox-timestamp', ts);
    reply.header('x-edgebox-signature', sign(upKey.privateKey, canonicalResponse(String(request.headers['x-edgebox-nonce']), ts, payload)));
    return payload;
  });
  server.get<{ Querystring: { after: string } }>('/api/exchange/v1/messages', async (request) => {
    const after = Number(request.query.after);
    const rows = served.filter((m) => m.seq > after);
    return { messages: rows, cursor: rows.at(-1)?.seq ?? after, head: 4 };
  });
  server.post('/api/exchange/v1/messages', async () => ({ results: [] }));
  const url = await server.listen({ host: '127.0.0.1', port: 0 });

  const db = openDb({ file: ':memory:' });
  const net = new NetworkService({
    db,
    tickets: { publishCommitted() {} } as unknown as TicketService,
    regions: {} as RegionTable,
    role: () => 'city',
    region: () => '623000',
    now: () => new Date(),
  });
  // The knowledge base is the layer below the network here: record what reaches it.
  const upserted: ArticleBody[] = [];
  net.kb = { upsertUpstream: (a) => (upserted.push(a), { applied: true }), changedSince: () => ({ items: [], rev: 0, more: false }), onChanged() {} } as KbPort;
  net.store.ensureIdentity(new Date());
  net.store.setUpstream({ url, address: '620000', role: 'province', key: upKey.publicKey }, new Date());
  net.store.upsertOriginKey({ region: '000000', role: 'ministry', publicKey: ministryKey.publicKey, enrolledAt: new Date().toISOString(), revokedAt: null }, '620000', new Date());
  const logged: string[] = [];
  const log = { info() {}, warn() {}, error: (_o: object, m?: string) => void logged.push(m ?? '') };
  const uplink = new Uplink(net, new UpstreamClient({ store: net.store, address: () => '623000', now: () => new Date() }), { retryBaseMs: 5, retryMaxMs: 40, idleMs: 20, pollWaitSeconds: 0, batchSize: 10 }, log);
  uplink.start();
  const deadline = Date.now() + 10_000;
  while (net.store.identity()!.pull_cursor < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await uplink.stop();
  await server.close();

  t.equal(net.store.identity()!.pull_cursor, 4, 'the cursor moved past the refused messages');
  const refusals = db.prepare('SELECT code, path FROM net_refusals ORDER BY id').all();
  t.same(refusals, [
    { code: 'exchange-kind-not-allowed', path: 'pull seq 1' },
    { code: 'exchange-kind-not-allowed', path: 'pull seq 2' },
    { code: 'exchange-article-not-upstream', path: 'pull seq 3' },
  ]);
  t.equal(logged.length, 3, 'each refusal logged');
  t.same(
    upserted.map((a) => a.ownerRegion),
    ['110000'],
    'only the ministry’s article reached the knowledge base',
  );
  t.same(db.prepare('SELECT kind FROM net_inbox').all(), [{ kind: 'kb.article' }], 'nothing else was applied');
  t.equal((db.prepare('SELECT count(*) AS n FROM net_stats').get() as { n: number }).n, 0);
  db.close();
});
