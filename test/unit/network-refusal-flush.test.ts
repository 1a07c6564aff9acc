// The exchange's aggregated refusal counts (issue 13, finding 4) are written once a minute on the
// injected clock: refusals of one address and code within a minute hold one row, its count raised in
// memory and flushed when the exchange's clock (a VirtualClock here) passes the minute — no real wait.
import Fastify from 'fastify';
import t from 'tap';
import type { BoxServices } from '../../firmware-agent/box.js';
import type { RegionTable } from '../../firmware-agent/regions/regions.js';
import { exchangeRoutes } from '../../firmware-agent/network/routes.js';
import { NetworkService } from '../../firmware-agent/network/service.js';
import type { AppError } from '../../firmware-agent/errors.js';
import { errorBody, errorSchema } from '../../firmware-agent/http/errors.js';
import { openDb } from '../../firmware-agent/store/db.js';
import { VirtualClock } from '../../common/clock.js';
import type { TicketService } from '../../firmware-agent/tickets/service.js';

t.test('refusal counts are flushed on the exchange clock, not on wall time', async (t) => {
  const db = openDb({ file: ':memory:' });
  const clock = new VirtualClock(Date.UTC(2026, 11, 4, 10, 0, 5));
  const now = () => new Date(clock.now());
  const net = new NetworkService({
    clock,
    db,
    tickets: { publishCommitted() {} } as unknown as TicketService,
    regions: {} as RegionTable,
    role: () => 'province',
    region: () => '620000',
    now,
  });
  net.store.ensureIdentity(now());
  const app = Fastify();
  app.addSchema(errorSchema);
  app.setErrorHandler((err, _request, reply) => {
    const e = err as AppError;
    return reply.code(e.status ?? 500).send(errorBody(e.code, e.message, e.details));
  });
  await app.register(exchangeRoutes, { box: { now } as unknown as BoxServices, net, limits: { maxBatch: 100, maxBodyBytes: 1 << 20, maxWaitSeconds: 30 } });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    db.close();
  });
  const counts = () => db.prepare("SELECT code, count FROM net_refusals WHERE code = 'exchange-unsigned'").all() as { code: string; count: number }[];

  const refused: number[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await app.inject({ method: 'GET', url: '/api/exchange/v1/messages?after=0' });
    refused.push(res.statusCode);
  }
  t.same(refused, [401, 401, 401, 401], 'unsigned pulls are refused');
  t.same(counts(), [{ code: 'exchange-unsigned', count: 1 }], 'one row for the minute, the further refusals held in memory');

  await clock.advance(59_000);
  t.same(counts(), [{ code: 'exchange-unsigned', count: 1 }], 'nothing flushed before the minute has passed on the clock');
  await clock.advance(1_000);
  t.same(counts(), [{ code: 'exchange-unsigned', count: 4 }], 'the flush timer ran on the virtual clock');
  t.equal(clock.pending >= 1, true, 'the flush is armed again');

  await app.inject({ method: 'GET', url: '/api/exchange/v1/messages?after=0' });
  await app.inject({ method: 'GET', url: '/api/exchange/v1/messages?after=0' });
  await clock.advance(60_000);
  t.same(counts().map((r) => r.count), [4, 2], 'the next minute has its own row, flushed on the next tick');
});
