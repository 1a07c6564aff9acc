// Property-based tests of the upstream alarm message (alarm.report, firmware-agent/network/alarm-reports.ts):
// batches of valid-looking and hostile alarm reports, signed with a paired city's valid key, pushed over
// real HTTP to an in-process province box. Properties: never a 5xx; a refusal carries a documented error
// code and stores no alarm; an accepted report is stored as its body says, under its origin; a cleared
// alarm stays cleared whatever arrives after it; and a city cannot report for another box.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import type { Box } from '../../firmware-agent/app.js';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { newEnvelope } from '../../firmware-agent/network/messages.js';
import { type FakePeer, upstreamWithPeers } from '../fixtures/exchange-peer.js';

const runs = Number(process.env.FUZZ_RUNS ?? 60);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-alarms-fuzz-'));
const documented = fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
let box: Box;
let city: FakePeer;

t.before(async () => {
  const up = await upstreamWithPeers({ dataDir: dir, role: 'province', region: '620000', peers: [{ region: '620100' }], flags: { 'net-max-batch': '20' } });
  box = up.box;
  city = up.peers[0]!;
});
t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Row {
  origin: string;
  key: string;
  raised_at: string;
  severity: string;
  message: string;
  value: number | null;
  cleared_at: string | null;
}
const rows = () => box.db.prepare('SELECT origin, key, raised_at, severity, message, value, cleared_at FROM net_alarms ORDER BY origin, key, raised_at').all() as Row[];

const now = Date.now();
const iso = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -3 * 3_600_000, max: 0 }).map((d) => new Date(now + d).toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom('2026-13-45T99:00:00Z', 'yesterday', '', '2026-12-04') },
);
const weird = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.string({ maxLength: 10 }), fc.array(fc.integer(), { maxLength: 2 }), fc.jsonValue({ maxDepth: 2 }));
const body = fc.record({
  key: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('disk-free', 'job-failed:backup', 'trunk-down') },
    { weight: 1, arbitrary: fc.constantFrom('', 'Disk Free', 'x'.repeat(81)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  ),
  severity: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('warning', 'critical') }, { weight: 1, arbitrary: fc.constantFrom('fatal', '') }),
  message: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('free space on the data disk % 3 < 10', '数据盘剩余空间不足') },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(501)) },
  ),
  messageZh: fc.oneof(fc.constant(null), fc.constant('数据盘剩余空间% 3 < 10'), fc.string({ maxLength: 5 })),
  value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
  threshold: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(null)),
  raisedAt: fc.constantFrom(new Date(now - 7_200_000).toISOString(), new Date(now - 3_600_000).toISOString()),
  clearedAt: fc.oneof(fc.constant(null), iso),
});
const message = fc
  .record({
    body,
    from: fc.oneof({ weight: 8, arbitrary: fc.constant('620100') }, { weight: 1, arbitrary: fc.constantFrom('623000', '620000', '000000') }),
    to: fc.oneof({ weight: 8, arbitrary: fc.constant('^') }, { weight: 1, arbitrary: fc.constantFrom('*', '620000') }),
    at: fc.integer({ min: -3_600_000, max: 0 }),
    bodyOverrides: fc.dictionary(fc.constantFrom('key', 'severity', 'value', 'raisedAt', 'clearedAt', 'extra'), weird, { maxKeys: 1 }),
    envelopeOverrides: fc.dictionary(fc.constantFrom('v', 'bodyVersion', 'ticket', 'extra'), weird, { maxKeys: 1 }),
    mutate: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  })
  .map((m) => {
    const env = newEnvelope('alarm.report', m.from, m.to, new Date(now + m.at), m.mutate ? { ...m.body, ...m.bodyOverrides } : m.body);
    return m.mutate ? { ...env, ...m.envelopeOverrides } : env;
  });

t.test(`alarm reports pushed by a paired city (${runs} batches, seed ${seed})`, async (t) => {
  let refused = 0;
  let applied = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 3 }), async (messages) => {
      const before = rows();
      const clearedBefore = new Map(before.filter((r) => r.cleared_at).map((r) => [`${r.origin}/${r.key}/${r.raised_at}`, r]));
      const res = await city.push(messages);
      if (res.status >= 500) throw new Error(`answered ${res.status}: ${JSON.stringify(res.json)}`);
      const after = rows();
      if (res.status !== 200) {
        refused++;
        const code = res.code!;
        if (!(code in errorCatalogue) || !documented.includes(`\`${code}\``)) throw new Error(`undocumented refusal ${code}`);
        if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`refused ${code} but stored alarms`);
        return;
      }
      for (const r of res.json.results as { status: string }[]) {
        if (!['applied', 'duplicate', 'ignored', 'set-aside'].includes(r.status)) throw new Error(`result ${r.status}`);
        if (r.status === 'applied') applied++;
      }
      for (const r of after) {
        if (r.origin !== '620100') throw new Error(`an alarm stored for ${r.origin}, which the city does not hold`);
        const was = clearedBefore.get(`${r.origin}/${r.key}/${r.raised_at}`);
        if (was && JSON.stringify(was) !== JSON.stringify(r)) throw new Error(`a cleared alarm changed: ${JSON.stringify(was)} → ${JSON.stringify(r)}`);
      }
      // The last applied report of each alarm that was not cleared before says its state.
      const results = res.json.results as { id: string; status: string }[];
      const onward = box.db.prepare(`SELECT hop, json_extract(envelope, '$.from') AS origin FROM net_outbox WHERE id = ? AND kind = 'alarm.report'`);
      messages.forEach((m, i) => {
        if (results[i]?.status !== 'applied') return;
        // Passed up with its origin kept, so the ministry sees the city's alarm too.
        const up = onward.get(results[i]!.id) as { hop: string; origin: string } | undefined;
        if (!up || up.origin !== '620100') throw new Error(`applied report ${results[i]!.id} not passed up with its origin: ${JSON.stringify(up)}`);
        const b = (m as { body: { key: string; raisedAt: string; message: string } }).body;
        const r = after.find((x) => x.key === b.key && x.raised_at === b.raisedAt);
        if (!r) throw new Error(`applied report of ${b.key} not stored`);
      });
    }),
    { seed, numRuns: runs },
  );
  t.ok(refused > 0 && applied > 0, `both outcomes reached (${refused} refused, ${applied} applied)`);
  const s = await box.http.inject({ method: 'GET', url: '/api/network/alarms' });
  t.equal(s.statusCode, 401, 'the province view needs a session');
});
