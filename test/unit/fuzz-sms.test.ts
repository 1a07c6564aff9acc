// SMS intake fuzzed with sequences of parts, duplicates, late parts, restarts and time (test/fuzz/sms.ts):
// briefly as part of npm test; `npm run fuzz` runs it at length (FUZZ_RUNS; FUZZ_SEED replays a run).
import fc from 'fast-check';
import t from 'tap';
import { runSmsSequence, smsCommand } from '../fuzz/sms.js';

t.test('SMS intake sequences: one ticket per message, every part that arrived in it, whole when all came, SIM emptied', { timeout: Number(process.env.FUZZ_RUNS ?? 0) > 1000 ? 0 : 300_000 }, async (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed} (FUZZ_SEED=${seed} reproduces this run)`);
  const runs = Number(process.env.FUZZ_RUNS ?? 40);
  let parts = 0;
  let tickets = 0;
  let incomplete = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(smsCommand, { minLength: 1, maxLength: 30, size: 'max' }), async (commands) => {
      const r = await runSmsSequence(commands);
      parts += r.parts;
      tickets += r.tickets;
      incomplete += r.incompleteAtEnd;
    }),
    { numRuns: runs, seed },
  );
  t.ok(parts > 0, `${runs} sequences: ${parts} SMS delivered, ${tickets} tickets, ${incomplete} kept incomplete`);
});

t.test('written out: a part late after the timeout completes the kept message; its duplicate afterwards changes nothing', async (t) => {
  const r = await runSmsSequence([
    { c: 'part', g: 0, seq: 1 },
    { c: 'advance', ms: 700_000 },
    { c: 'part', g: 0, seq: 2 },
    { c: 'part', g: 0, seq: 2 },
    { c: 'restart' },
    { c: 'part', g: 0, seq: 1 },
  ]);
  t.same([r.tickets, r.incompleteAtEnd], [1, 0]);
});
