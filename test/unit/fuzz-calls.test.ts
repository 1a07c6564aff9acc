// The call engine fuzzed with sequences of agent, station, caller and 12395 events on a virtual clock
// (test/fuzz/calls.ts): briefly as part of npm test; `npm run fuzz` runs it at length (FUZZ_RUNS; FUZZ_SEED
// replays a run, the seed is printed first).
import fc from 'fast-check';
import t from 'tap';
import { callCommand, runCallSequence, type CallRunReport } from '../fuzz/calls.js';

t.test('call sequences: one call per agent, one agent per call, distress first and always through, every call ends', { timeout: Number(process.env.FUZZ_RUNS ?? 0) > 1000 ? 0 : 300_000 }, async (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed} (FUZZ_SEED=${seed} reproduces this run)`);
  const runs = Number(process.env.FUZZ_RUNS ?? 25);
  const total: CallRunReport = { calls: 0, commands: {}, outcomes: {} };
  await fc.assert(
    fc.asyncProperty(fc.array(callCommand, { minLength: 1, maxLength: 40, size: 'max' }), async (commands) => {
      const r = await runCallSequence(commands);
      total.calls += r.calls;
      for (const [k, v] of Object.entries(r.commands)) total.commands[k] = (total.commands[k] ?? 0) + v;
      for (const [k, v] of Object.entries(r.outcomes)) total.outcomes[k] = (total.outcomes[k] ?? 0) + v;
    }),
    { numRuns: runs, seed },
  );
  t.ok(total.calls > 0, `${runs} sequences, ${total.calls} calls`);
  t.comment(`commands ${JSON.stringify(total.commands)}; outcomes ${JSON.stringify(total.outcomes)}`);
});

t.test('a written-out sequence: distress while 12395 is busy and the only agent is rung without answer', async (t) => {
  const r = await runCallSequence([
    { c: 'outside', behaviour: 'busy' },
    { c: 'ready', agent: 1, station: 'silent' },
    { c: 'call', digits: '2' },
    { c: 'call', digits: '1' },
    { c: 'advance', ms: 60_000 },
    { c: 'vanish', agent: 1 },
    { c: 'advance', ms: 5000 },
    { c: 'ready', agent: 2, station: 'answers' },
    { c: 'hangup', call: 0 },
    { c: 'advance', ms: 120_000 },
  ]);
  t.equal(r.calls, 2);
});
