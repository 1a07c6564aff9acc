// The work-order flow fuzzed with sequences of commands against a model (test/fuzz/workorder.ts): briefly as
// part of npm test; `npm run fuzz` runs it at length (FUZZ_RUNS; FUZZ_SEED replays a run, the seed is printed
// first; FUZZ_PATH with it replays fast-check's shrunk counterexample).
import t from 'tap';
import { fuzzWorkOrders } from '../fuzz/workorder.js';

t.test('work-order sequences by every role against a model: expected codes, nothing changed on refusal, exact audit, departments kept apart', { timeout: Number(process.env.FUZZ_RUNS ?? 0) > 1000 ? 0 : 300_000 }, async (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed} (FUZZ_SEED=${seed} reproduces this run)`);
  const runs = Number(process.env.FUZZ_RUNS ?? 25);
  const report = await fuzzWorkOrders({ runs, seed, ...(process.env.FUZZ_PATH ? { replayPath: process.env.FUZZ_PATH } : {}) });
  const accepted = Object.values(report.perCommand).reduce((n, c) => n + c.accepted, 0);
  t.ok(report.commands > runs, `${report.commands} commands in ${runs} sequences, ${accepted} accepted`);
  t.comment(Object.entries(report.perCommand).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${v.sent} (${v.accepted} accepted; ${JSON.stringify(v.codes)})`).join('\n'));
});
