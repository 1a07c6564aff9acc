// The uplink against a scripted upstream: transient failures are retried with backoff, an unsigned answer
// is not trusted, and a message refused for its content is isolated and set aside while the rest go through.
// The uplink's waits run on a simulated clock (VirtualClock): the production backoff (1 s doubling up to
// 5 min) and idle wait (5 s) pass in no real time; only the HTTP round trips are real.
import Fastify from 'fastify';
import t from 'tap';
import type { RegionTable } from '../../firmware-agent/regions/regions.js';
import { UpstreamClient } from '../../firmware-agent/network/client.js';
import { canonicalResponse, generateKeyPair, sign } from '../../firmware-agent/network/crypto.js';
import { newEnvelope } from '../../firmware-agent/network/messages.js';
import { NetworkService } from '../../firmware-agent/network/service.js';
import { Uplink } from '../../firmware-agent/network/sync.js';
import { openDb } from '../../firmware-agent/store/db.js';
import { VirtualClock } from '../../common/clock.js';
import type { TicketService } from '../../firmware-agent/tickets/service.js';

/** A fastify upstream that signs its answers with `upKey` (except while `unsigned()`), as a paired box does. */
function signedUpstream(upKey: { privateKey: string }, unsigned: () => boolean = () => false) {
  const server = Fastify();
  server.addHook('onSend', async (request, reply, payload) => {
    if (unsigned() || typeof payload !== 'string') return payload;
    const ts = new Date().toISOString();
    reply.header('x-edgebox-timestamp', ts);
    reply.header('x-edgebox-signature', sign(upKey.privateKey, canonicalResponse(String(request.headers['x-edgebox-nonce']), ts, payload)));
    return payload;
  });
  server.get('/api/exchange/v1/messages', async () => ({ messages: [], cursor: 0, head: 0 }));
  return server;
}

/** A city's network service in memory, paired with the upstream at `url`, on a virtual clock. */
function pairedCity(url: string, upKey: { publicKey: string }) {
  const db = openDb({ file: ':memory:' });
  const clock = new VirtualClock();
  const net = new NetworkService({
    clock,
    db,
    tickets: { publishCommitted() {} } as unknown as TicketService,
    regions: {} as RegionTable,
    role: () => 'city',
    region: () => '623000',
    now: () => new Date(),
  });
  net.store.ensureIdentity(new Date());
  net.store.setUpstream({ url, address: '620000', role: 'province', key: upKey.publicKey }, new Date());
  const client = new UpstreamClient({ store: net.store, address: () => '623000', now: () => new Date() });
  const warnings: string[] = [];
  const log = { info() {}, warn: (_o: object, m?: string) => void warnings.push(m ?? ''), error: (_o: object, m?: string) => void warnings.push(m ?? '') };
  /**
   * Simulated time moves in steps of 100 ms between turns of the event loop that let the real HTTP round
   * trips complete, until the outbox is empty; bounded by simulated time (an hour), not by the wall clock.
   */
  const drain = async (): Promise<number> => {
    const start = clock.now();
    while (net.store.depth().n > 0 && clock.now() - start < 3_600_000) {
      await clock.advance(100);
      await new Promise((r) => setImmediate(r));
    }
    return clock.now() - start;
  };
  return { db, net, client, warnings, log, drain };
}

t.test('transient failures are retried, unsigned answers distrusted, and a poisoned message set aside', async (t) => {
  const upKey = generateKeyPair();
  const seen = new Map<string, number>();
  const acked = new Set<string>();
  let requests = 0;
  let poison = '';
  // Request 3 is answered without a signature (as a man in the middle would).
  const server = signedUpstream(upKey, () => requests === 3);
  server.post('/api/exchange/v1/messages', async (request, reply) => {
    requests++;
    if (requests <= 2) return reply.code(503).send({ error: { code: 'internal-error', message: 'starting up' } });
    const ids = (request.body as { messages: { id: string }[] }).messages.map((m) => m.id);
    for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    if (ids.includes(poison)) return reply.code(422).send({ error: { code: 'exchange-body-invalid', message: 'bad body', details: { index: ids.indexOf(poison) } } });
    if (requests !== 3) for (const id of ids) acked.add(id);
    return { results: ids.map((id) => ({ id, status: 'applied' })) };
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const { db, net, client, warnings, log, drain } = pairedCity(url, upKey);
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < 12; i++) {
      const env = newEnvelope('stats.daily', '623000', '^', new Date(), { region: '623000', day: `2026-11-${String(i + 1).padStart(2, '0')}`, computedAt: new Date().toISOString(), volumes: {} });
      ids.push(env.id);
      net.send(env, new Date());
    }
  })();
  poison = ids[7]!;
  // Half of each backoff is fixed, the rest random: with random() = 0 the waits are exactly 0.5 s, 1 s, 2 s...
  const uplink = new Uplink(net, client, { retryBaseMs: 1000, retryMaxMs: 300_000, idleMs: 5000, pollWaitSeconds: 0, batchSize: 5 }, log, () => 0);
  uplink.start();
  const drainedAfterMs = await drain();
  await uplink.stop();
  await server.close();

  t.equal(net.store.depth().n, 0, 'the outbox drained');
  // Two 503s, then an unsigned answer: three consecutive push failures wait 0.5 s, 1 s and 2 s of simulated time.
  t.ok(drainedAfterMs >= 3500, `the retries waited their backoff in simulated time (${drainedAfterMs} ms)`);
  t.equal(net.store.depth().rejected, 1, 'one message set aside');
  const rejected = db.prepare('SELECT id, rejected_code FROM net_outbox WHERE rejected_code IS NOT NULL').get() as { id: string; rejected_code: string };
  t.same(rejected, { id: poison, rejected_code: 'exchange-body-invalid' });
  t.same([...acked].sort(), ids.filter((id) => id !== poison).sort(), 'every other message acknowledged by a signed answer');
  t.ok(warnings.some((w) => /not signed by the paired upstream/.test(w)), 'the unsigned answer was distrusted');
  t.ok([...seen.values()].some((n) => n >= 2), 'messages under the distrusted answer were sent again');
  t.ok(warnings.some((w) => /503|internal-error/.test(w)), 'the 503s were retried');
  db.close();
});

t.test('a batch refused as too large shrinks the pushes to what the upstream takes, instead of crawling one by one', async (t) => {
  const upKey = generateKeyPair();
  const sizes: number[] = [];
  const server = signedUpstream(upKey);
  // The upstream's net-max-batch is 4; bodies over 3 messages' worth are refused as too many bytes on the second run.
  let maxMessages = 4;
  let byteLimited = false;
  server.post('/api/exchange/v1/messages', async (request, reply) => {
    const ids = (request.body as { messages: { id: string }[] }).messages.map((m) => m.id);
    sizes.push(ids.length);
    if (ids.length > maxMessages) return reply.code(413).send({ error: { code: 'exchange-batch-too-large', message: 'too many', details: { count: ids.length, max: maxMessages } } });
    if (byteLimited && ids.length > 3) return reply.code(413).send({ error: { code: 'payload-too-large', message: 'too big' } });
    return { results: ids.map((id) => ({ id, status: 'applied' })) };
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const { db, net, client, warnings, log, drain } = pairedCity(url, upKey);
  const queue = (n: number) =>
    db.transaction(() => {
      for (let i = 0; i < n; i++) net.send(newEnvelope('stats.daily', '623000', '^', new Date(), { region: '623000', day: `2026-10-${String((i % 28) + 1).padStart(2, '0')}`, computedAt: new Date().toISOString(), volumes: {} }), new Date());
    })();
  const uplink = new Uplink(net, client, { retryBaseMs: 1000, retryMaxMs: 300_000, idleMs: 5000, pollWaitSeconds: 0, batchSize: 10 }, log, () => 0);
  queue(20);
  uplink.start();
  await drain();
  t.equal(net.store.depth().n, 0, 'the outbox drained');
  t.equal(net.store.depth().rejected, 0, 'nothing set aside: the size was refused, not a message');
  t.same(sizes, [10, 4, 4, 4, 4, 4], 'one refused batch of 10, then batches of the upstream’s 4');
  t.equal(uplink.batchSize, 4);
  t.ok(warnings.some((w) => /pushing 4 at a time/.test(w)), 'the technician can read why');

  // A byte limit with no count: the batch halves until it passes.
  sizes.length = 0;
  maxMessages = 100;
  byteLimited = true;
  queue(6);
  await drain();
  t.equal(net.store.depth().n, 0, 'drained again');
  t.same(sizes, [4, 2, 2, 2], 'halved from 4 to 2 on payload-too-large');
  await uplink.stop();
  await server.close();
  db.close();
});

t.test('each batch is made from what waits when it goes: new arrivals fill it, re-opened rows go first', async (t) => {
  const upKey = generateKeyPair();
  const batches: string[][] = [];
  const server = signedUpstream(upKey);
  let during: ((n: number) => void) | null = null;
  server.post('/api/exchange/v1/messages', async (request) => {
    const ids = (request.body as { messages: { id: string }[] }).messages.map((m) => m.id);
    batches.push(ids);
    // Changes to the outbox while this batch is with the upstream (the uplink has made the next one by then).
    await new Promise((r) => setTimeout(r, 20));
    during?.(batches.length);
    return { results: ids.map((id) => ({ id, status: 'applied' })) };
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const { db, net, client, log, drain } = pairedCity(url, upKey);
  const ids: string[] = [];
  const queue = (n: number) =>
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const env = newEnvelope('stats.daily', '623000', '^', new Date(), { region: '623000', day: `2026-09-${String(ids.length + 1).padStart(2, '0')}`, computedAt: new Date().toISOString(), volumes: {} });
        ids.push(env.id);
        net.send(env, new Date());
      }
    })();
  queue(7);
  during = (n) => {
    // During the first batch: more messages arrive, so the two made ahead are no longer a full batch.
    if (n === 1) queue(6);
    // During the third: the first batch is to be sent again (as `edgebox network resend` does).
    if (n === 3) db.prepare("UPDATE net_outbox SET delivered_at = NULL WHERE hop = 'up' AND id IN (" + ids.slice(0, 5).map(() => '?').join(',') + ')').run(...ids.slice(0, 5));
  };
  const uplink = new Uplink(net, client, { retryBaseMs: 1000, retryMaxMs: 300_000, idleMs: 5000, pollWaitSeconds: 0, batchSize: 5 }, log, () => 0);
  uplink.start();
  await drain();
  await uplink.stop();
  await server.close();
  t.same(batches[0], ids.slice(0, 5), 'first batch');
  t.same(batches[1], ids.slice(5, 10), 'a full second batch, not the two made ahead of the new arrivals');
  t.same(batches[2], ids.slice(10, 13), 'the rest');
  t.same(batches[3], ids.slice(0, 5), 'the re-opened batch is sent again before anything made ahead');
  t.equal(batches.length, 4, 'nothing else sent');
  t.equal(net.store.depth().n, 0, 'drained');
  db.close();
});

t.test('to an upstream that applies in order, the next batch goes before the answer to the last, naming it; one refused as out of order goes again on its own', async (t) => {
  const upKey = generateKeyPair();
  const requests: { ids: string[]; sha: string; follows?: string; concurrent: number }[] = [];
  const applied: string[] = [];
  let inFlight = 0;
  let refusedOnce = false;
  let lastApplied = '';
  let queue: Promise<void> = Promise.resolve();
  const server = signedUpstream(upKey);
  server.post('/api/exchange/v1/messages', async (request, reply) => {
    const ids = (request.body as { messages: { id: string }[] }).messages.map((m) => m.id);
    const follows = request.headers['x-edgebox-follows'] as string | undefined;
    requests.push({ ids, sha: String(request.headers['x-edgebox-content-sha256']), follows, concurrent: inFlight });
    const sha = String(request.headers['x-edgebox-content-sha256']);
    inFlight++;
    // One batch at a time, in the order they came, as the box's single writer applies them.
    const turn = queue.then(async () => {
      // The upstream takes a while over each batch (the next one arrives meanwhile).
      await new Promise((r) => setTimeout(r, 15));
      // The first pipelined batch is refused once (as after a restart of the upstream); any batch naming
      // one that was not the last applied is refused, as push-order.ts does.
      if (follows && (!refusedOnce || follows !== lastApplied)) {
        refusedOnce = true;
        return null;
      }
      applied.push(...ids);
      lastApplied = sha;
      return ids;
    });
    queue = turn.then(() => undefined);
    const done = await turn;
    inFlight--;
    if (!done) return reply.code(409).send({ error: { code: 'exchange-out-of-order', message: 'the batch before was not the last applied' } });
    return { results: ids.map((id) => ({ id, status: 'applied' })), ordered: true };
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const { db, net, client, log, drain } = pairedCity(url, upKey);
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < 20; i++) {
      const env = newEnvelope('stats.daily', '623000', '^', new Date(), { region: '623000', day: `2026-08-${String(i + 1).padStart(2, '0')}`, computedAt: new Date().toISOString(), volumes: {} });
      ids.push(env.id);
      net.send(env, new Date());
    }
  })();
  const uplink = new Uplink(net, client, { retryBaseMs: 1000, retryMaxMs: 300_000, idleMs: 5000, pollWaitSeconds: 0, batchSize: 4 }, log, () => 0);
  uplink.start();
  await drain();
  await uplink.stop();
  await server.close();
  t.equal(net.store.depth().n, 0, 'drained');
  t.same(applied, ids, 'every message applied once, in the order it was written');
  t.notOk(requests[0]!.follows, 'the first batch names none: the upstream has not yet said it keeps the order');
  const pipelined = requests.filter((r) => r.follows);
  t.ok(pipelined.length >= 2, 'later batches are pipelined');
  t.ok(pipelined.some((r) => r.concurrent > 0), 'a batch went out while the one before it was with the upstream');
  for (const r of pipelined) {
    const i = requests.indexOf(r);
    const before = requests.slice(0, i).reverse().find((q) => q.ids[q.ids.length - 1] !== undefined && ids.indexOf(q.ids[q.ids.length - 1]!) + 1 === ids.indexOf(r.ids[0]!));
    t.equal(r.follows, before?.sha, `batch ${i} names the batch holding the messages just before its own`);
  }
  const refused = requests.find((r) => r.follows)!;
  const resent = requests.slice(requests.indexOf(refused) + 1).find((r) => r.ids[0] === refused.ids[0]);
  t.ok(resent, 'the batch refused as out of order was sent again');
  t.notOk(resent?.follows, 'on its own, naming no batch');
  db.close();
});
