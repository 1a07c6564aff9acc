// The knowledge base fuzzed with sequences of edits, syncs and searches against a model (test/fuzz/kb.ts):
// briefly as part of npm test; `npm run fuzz` runs it at length (FUZZ_RUNS; FUZZ_SEED replays a run).
import fc from 'fast-check';
import t from 'tap';
import { kbCommand, runKbSequence } from '../fuzz/kb.js';

t.test('knowledge-base sequences: search finds exactly the published articles, versions only go up, upstream articles stay upstream, one audit per change', async (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed} (FUZZ_SEED=${seed} reproduces this run)`);
  const runs = Number(process.env.FUZZ_RUNS ?? 60);
  const commands: Record<string, number> = {};
  const refused: Record<string, number> = {};
  fc.assert(
    fc.property(fc.array(kbCommand, { minLength: 1, maxLength: 40, size: 'max' }), (cmds) => {
      const r = runKbSequence(cmds);
      for (const [k, v] of Object.entries(r.commands)) commands[k] = (commands[k] ?? 0) + v;
      for (const [k, v] of Object.entries(r.refused)) refused[k] = (refused[k] ?? 0) + v;
    }),
    { numRuns: runs, seed },
  );
  t.ok(Object.values(commands).reduce((a, b) => a + b, 0) > runs, `commands ${JSON.stringify(commands)}; refused ${JSON.stringify(refused)}`);
});
