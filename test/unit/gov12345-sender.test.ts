// The 12345 outbox's delivery (firmware-agent/gov12345/sender.ts) on a virtual clock: back-off doubling to its
// ceiling, the same message first (order kept), acknowledgements trusted only when signed for the request's
// nonce and id, permanent refusals set aside (and audited) so the queue moves on, transient ones retried.
// The platform is a function here (the layer below, HTTP, is covered by the gov12345 integration tests).
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { AuditLog } from '../../firmware-agent/audit/audit.js';
import type { Gov12345Config } from '../../firmware-agent/gov12345/config.js';
import { Sender, type Post } from '../../firmware-agent/gov12345/sender.js';
import { Gov12345Service } from '../../firmware-agent/gov12345/service.js';
import { canonicalResponse, headers, hmac } from '../../firmware-agent/gov12345/sign.js';
import type { TicketService } from '../../firmware-agent/tickets/service.js';
import { openDb } from '../../firmware-agent/store/db.js';

const secret = 'unit-test-shared-secret-0123456789abcdef';

function setup(o: { base?: number; max?: number } = {}) {
  const clock = new VirtualClock();
  const db = openDb({ file: ':memory:' });
  const settings: Gov12345Config = {
    platforms: [{ id: 'p', name: 'P', url: 'http://127.0.0.1:9', account: 'box', secret, enabled: true, fields: {}, codes: {}, defaultRegion: null, defaultDomain: 'other' }],
    maxBodyBytes: 65536,
    retryBaseMs: o.base ?? 1000,
    retryMaxMs: o.max ?? 60_000,
  };
  // Only the audit log of the ticket service is used by the sender's side of the service.
  const tickets = { audit: new AuditLog(db) } as unknown as TicketService;
  const gov = new Gov12345Service({ db, tickets, regions: null as never, region: () => '623000', now: () => new Date(clock.now()), settings: () => settings });
  const attempts: { at: number; id: string }[] = [];
  let answer: (id: string, n: number) => { status: number; body: unknown; sign?: boolean } = (id) => ({ status: 200, body: { id, status: 'applied' } });
  const post: Post = async (_url, init) => {
    const id = (JSON.parse(init.body) as { id: string }).id;
    attempts.push({ at: clock.now(), id });
    const a = answer(id, attempts.filter((x) => x.id === id).length);
    if (a.status === 0) throw new Error('connection refused');
    const text = JSON.stringify(a.body);
    const ts = new Date(clock.now()).toISOString();
    const h = new Headers(a.sign === false ? {} : { [headers.timestamp]: ts, [headers.signature]: hmac(secret, canonicalResponse(init.headers[headers.nonce]!, ts, text)) });
    return { status: a.status, headers: h, text };
  };
  const sender = new Sender(gov, clock, { warn: () => undefined, error: () => undefined }, post);
  const enqueue = (id: string) => gov.store.enqueue(id, 'p', 'order.result', null, JSON.stringify({ id, kind: 'order.result', sentAt: '', order: {} }), new Date(clock.now()));
  const settle = () => clock.advance(0);
  return { clock, db, gov, sender, attempts, enqueue, settle, setAnswer: (f: typeof answer) => (answer = f) };
}

t.test('failures back off 1, 2, 4 … s up to the ceiling, the same message first; then both go in order', async (t) => {
  const s = setup({ base: 1000, max: 5000 });
  s.enqueue('m1');
  s.enqueue('m2');
  s.setAnswer((id, n) => (id === 'm1' && n <= 5 ? { status: 0, body: null } : { status: 200, body: { id, status: 'applied' } }));
  const t0 = s.clock.now();
  s.sender.kick('p');
  await s.settle();
  t.same(s.attempts.map((a) => a.at - t0), [0], 'one attempt, then it waits');
  await s.clock.advance(999);
  t.equal(s.attempts.length, 1, 'not before the back-off elapsed');
  await s.clock.advance(1 + 2000 + 4000 + 5000 + 5000);
  t.same(
    s.attempts.map((a) => [a.id, a.at - t0]),
    [
      ['m1', 0],
      ['m1', 1000],
      ['m1', 3000],
      ['m1', 7000],
      ['m1', 12000],
      ['m1', 17000],
      ['m2', 17000],
    ],
    'doubling, capped at retryMaxMs; m2 only after m1',
  );
  t.equal(s.gov.store.depth().waiting, 0);
  t.same(s.sender.backingOff(), {});
});

t.test('an answer is trusted only when signed for this request and acknowledging this id', async (t) => {
  const s = setup();
  s.enqueue('m1');
  s.setAnswer((id, n) => (n === 1 ? { status: 200, body: { id, status: 'applied' }, sign: false } : n === 2 ? { status: 200, body: { id: 'other', status: 'applied' } } : { status: 200, body: { id, status: 'duplicate' } }));
  s.sender.kick('p');
  await s.clock.advance(10_000);
  t.equal(s.attempts.length, 3, 'unsigned and wrong-id acknowledgements are retried');
  t.equal(s.gov.store.depth().waiting, 0, 'duplicate counts as delivered');
  const row = s.gov.store.all()[0]!;
  t.ok(row.delivered_at && row.rejected_code === null);
});

t.test('a permanent refusal sets the message aside (audited) and the next one goes; a transient one is retried', async (t) => {
  const s = setup();
  s.enqueue('bad');
  s.enqueue('late');
  s.enqueue('good');
  s.setAnswer((id, n) =>
    id === 'bad'
      ? { status: 422, body: { error: { code: 'gov12345-code-unknown', message: 'sqlx 9' } } }
      : id === 'late' && n === 1
        ? { status: 401, body: { error: { code: 'gov12345-clock-skew', message: 'skew' } } }
        : { status: 200, body: { id, status: 'applied' } },
  );
  s.sender.kick('p');
  await s.clock.advance(10_000);
  t.same(s.attempts.map((a) => a.id), ['bad', 'late', 'late', 'good']);
  const rows = s.gov.store.all();
  t.same(rows.map((r) => r.rejected_code), ['gov12345-code-unknown', null, null]);
  t.equal(s.gov.store.depth().rejected, 1);
  const audit = s.db.prepare("SELECT action, entity_id FROM audit WHERE entity = 'gov12345'").all();
  t.same(audit, [{ action: 'rejected', entity_id: 'bad' }]);
});

t.test('a 5xx and a refusal without a code are retried; stop() ends the back-off', async (t) => {
  const s = setup();
  s.enqueue('m1');
  s.setAnswer(() => ({ status: 503, body: { error: { code: 'store-unavailable' } } }));
  s.sender.kick('p');
  await s.clock.advance(2999);
  t.equal(s.attempts.length, 2, 'at 0 and 1 s; the next is due at 3 s');
  t.same(s.sender.backingOff(), { p: 2 });
  s.sender.stop();
  await s.clock.advance(600_000);
  t.equal(s.attempts.length, 2, 'nothing after stop');
  t.equal(s.gov.store.depth().waiting, 1, 'still waiting, for the next start');
});
