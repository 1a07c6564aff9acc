// The API fuzzer (test/fuzz/api.ts) briefly, as part of npm test (200 requests); `npm run fuzz` runs it at
// length (FUZZ_RUNS, and FUZZ_SEED to replay a run: the seed is printed first).
import t from 'tap';
import { fuzzApi } from '../fuzz/api.js';

t.test('every API operation, every role, valid and nearly valid input: no 500, documented refusals that store nothing, audited changes', { timeout: Number(process.env.FUZZ_RUNS ?? 0) > 1000 ? 0 : 300_000 }, async (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed} (FUZZ_SEED=${seed} reproduces this run)`);
  const report = await fuzzApi({ runs: Number(process.env.FUZZ_RUNS ?? 200), seed });
  const ops = Object.keys(report.perOperation).length;
  t.ok(ops >= 40, `${ops} operations were exercised`);
  t.comment(Object.entries(report.perOperation).map(([k, v]) => `${k}: ${v.sent} (${v.refused} refused: ${JSON.stringify(v.codes)})`).join('\n'));
});
