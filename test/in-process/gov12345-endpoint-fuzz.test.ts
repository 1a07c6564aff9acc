// The 12345 endpoint treated as hostile (issue 16 §5), with fast-check: forged, unsigned, wrongly keyed,
// stale, replayed, oversized and garbage requests each get their documented refusal (docs/12345.md §3, §4;
// docs/errors.md), never a 500, and store nothing — no ticket, no received id, no nonce, no audit record.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { headers, messagesPath, signedHeaders } from '../../firmware-agent/gov12345/sign.js';
import { startTestBox, tempDir } from '../helpers/box.js';
import { boxSectionFor, simFields } from '../sim/gov12345-sim.js';

const secret = 'fuzz-shared-secret-0123456789-abcdefghij';
const platformId = 'city-12345';
const runs = Number(process.env.FUZZ_RUNS ?? 120);

t.test('the 12345 endpoint refuses what it must and stores nothing', async (t) => {
  const dir = tempDir();
  const section = boxSectionFor({ o: { account: 'box', platformId, secret }, url: 'http://127.0.0.1:9' });
  section.maxBodyBytes = 4096;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ gov12345: section }));
  const tb = await startTestBox({ dataDir: dir });
  t.teardown(() => tb.close());
  const db = tb.box.db;
  const stored = () =>
    ['gov12345_inbox', 'gov12345_nonces', 'gov12345_outbox', 'gov12345_links', 'tickets', 'audit'].map((x) => (db.prepare(`SELECT count(*) AS n FROM ${x}`).get() as { n: number }).n).join(',');
  let ip = 0;
  const post = (hs: Record<string, string>, body: string) =>
    tb.box.http.inject({ method: 'POST', url: messagesPath, headers: hs, payload: body, remoteAddress: `10.${(++ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}` });
  const signed = (body: string, o: { secret?: string; platform?: string; now?: Date; nonce?: string } = {}) =>
    signedHeaders({ secret: o.secret ?? secret, platform: o.platform ?? platformId, path: messagesPath, body, now: o.now ?? new Date(), ...(o.nonce ? { nonce: o.nonce } : {}) });
  const refused = (res: { statusCode: number; body: string }, codes: string[]) => {
    const code = (JSON.parse(res.body) as { error?: { code?: string } }).error?.code ?? '';
    return codes.includes(code) && errorCatalogue[code as keyof typeof errorCatalogue].status === res.statusCode;
  };
  const valid = JSON.stringify({ id: 'm-1', kind: 'order.transfer', sentAt: new Date().toISOString(), order: { [simFields.ref]: 'R1', [simFields.type]: '01', [simFields.subject]: '咨询', [simFields.description]: '公交线路' } });
  const before = stored();

  await t.test('unsigned: any of the five headers missing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray(Object.values(headers), { minLength: 1 }), fc.string({ maxLength: 200 }), async (drop, body) => {
        const hs = signed(body);
        for (const h of drop) delete hs[h];
        const res = await post(hs, body);
        return refused(res, ['gov12345-unsigned']) && stored() === before;
      }),
      { numRuns: runs },
    );
  });

  await t.test('forged: a signature not made with the platform’s key, or for another body or platform', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constant('random'), sig: fc.base64String({ minLength: 4, maxLength: 60 }) }),
          fc.record({ kind: fc.constant('other-key'), key: fc.string({ minLength: 32, maxLength: 40 }).filter((k) => k !== secret) }),
          fc.record({ kind: fc.constant('other-body'), extra: fc.string({ minLength: 1, maxLength: 20 }) }),
        ),
        async (f) => {
          let body = valid;
          let hs = signed(body);
          if (f.kind === 'random') hs[headers.signature] = (f as { sig: string }).sig;
          if (f.kind === 'other-key') hs = signed(body, { secret: (f as { key: string }).key });
          if (f.kind === 'other-body') {
            // The declared hash is the signed one, the bytes sent are not: refused once read.
            body = valid + (f as { extra: string }).extra;
          }
          const res = await post(hs, body);
          return refused(res, ['gov12345-bad-signature']) && stored() === before;
        },
      ),
      { numRuns: runs },
    );
  });

  await t.test('unknown platform, stale or future time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ platform: fc.stringMatching(/^[a-z0-9-]{1,32}$/).filter((p) => p !== platformId) }),
          fc.record({ skewMin: fc.oneof(fc.integer({ min: 6, max: 100_000 }), fc.integer({ min: -100_000, max: -6 })) }),
        ),
        async (f) => {
          const now = 'skewMin' in f ? new Date(Date.now() + f.skewMin * 60_000) : new Date();
          const res = await post(signed(valid, { now, ...('platform' in f ? { platform: f.platform } : {}) }), valid);
          return refused(res, ['platform' in f ? 'gov12345-unknown-platform' : 'gov12345-clock-skew']) && stored() === before;
        },
      ),
      { numRuns: runs },
    );
  });

  await t.test('oversized: refused from the declared length, signed or not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 4097, max: 20_000 }), async (n) => {
        const body = JSON.stringify({ pad: 'x'.repeat(n) });
        const res = await post(signed(body), body);
        return refused(res, ['payload-too-large']) && stored() === before;
      }),
      { numRuns: 30 },
    );
  });

  await t.test('garbage, validly signed: a documented refusal, never a 500', async () => {
    const orderish = fc.dictionary(fc.oneof(fc.constantFrom(...Object.values(simFields)), fc.string({ maxLength: 8 })), fc.oneof(fc.string({ maxLength: 50 }), fc.integer(), fc.constant(null), fc.boolean()), { maxKeys: 8 });
    const message = fc.record(
      {
        id: fc.oneof(fc.string({ maxLength: 70 }), fc.integer()),
        kind: fc.oneof(fc.constantFrom('order.transfer', 'order.result', 'order.visit'), fc.string({ maxLength: 10 })),
        sentAt: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 12 })),
        order: fc.oneof(orderish, fc.string({ maxLength: 10 }), fc.array(fc.integer(), { maxLength: 3 })),
        extra: fc.string({ maxLength: 5 }),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(fc.string({ maxLength: 300 }), fc.json({ maxDepth: 3 }), message.map((m) => JSON.stringify(m)));
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await post(signed(b), b);
        if (res.statusCode === 200) return false; // nothing generated here is a complete, valid message
        // An empty body is sent without a content-length: payload-too-large (the length must be declared).
        return refused(res, ['payload-too-large', 'malformed-json', 'validation-failed', 'gov12345-code-unknown', 'gov12345-order-unknown', 'unknown-region', 'unknown-domain']) && stored() === before;
      }),
      { numRuns: runs * 2 },
    );
  });

  await t.test('a replayed nonce is refused; the valid message is applied once', async (t) => {
    const hs = signed(valid);
    const first = await post(hs, valid);
    t.equal(first.statusCode, 200, first.body);
    t.ok(first.headers[headers.signature], 'the acknowledgement is signed');
    const replay = await post(hs, valid);
    t.ok(refused(replay, ['gov12345-replay']), replay.body);
    const again = await post(signed(valid), valid);
    t.same([again.statusCode, JSON.parse(again.body).status], [200, 'duplicate']);
    t.equal((db.prepare("SELECT count(*) AS n FROM tickets WHERE channel = '12345'").get() as { n: number }).n, 1);
  });

  await t.test('an address that keeps failing is rate-limited; a valid platform from it is not', async (t) => {
    const addr = '192.0.2.7';
    const codes: string[] = [];
    for (let i = 0; i < 35; i++) {
      const res = await tb.box.http.inject({ method: 'POST', url: messagesPath, headers: { 'content-type': 'application/json' }, payload: '{}', remoteAddress: addr });
      codes.push(JSON.parse(res.body).error.code as string);
    }
    t.equal(codes[0], 'gov12345-unsigned');
    t.equal(codes.at(-1), 'gov12345-rate-limited');
    const body = JSON.stringify({ id: 'm-2', kind: 'order.result', sentAt: new Date().toISOString(), order: { [simFields.ref]: 'nope', [simFields.text]: 'x' } });
    const res = await tb.box.http.inject({ method: 'POST', url: messagesPath, headers: signed(body), payload: body, remoteAddress: addr });
    t.ok(refused(res, ['gov12345-order-unknown']), 'authenticated, then refused on its merits');
  });
});
