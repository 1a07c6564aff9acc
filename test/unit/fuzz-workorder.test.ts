// The work-order flow fuzzed with sequences of commands against a model (test/fuzz/workorder.ts): briefly as
// part of npm test; `npm run fuzz` runs it at length (FUZZ_RUNS; FUZZ_SEED replays a run, the seed is printed
// first; FUZZ_PATH with it replays fast-check's shrunk counterexample).
import t from 'tap';
import { fuzzWorkOrders, replayWorkOrders } from '../fuzz/workorder.js';

t.test('work-order sequences by every role against a model: expected codes, nothing changed on refusal, exact audit, departments kept apart', { timeout: Number(process.env.FUZZ_RUNS ?? 0) > 1000 ? 0 : 300_000 }, async (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed} (FUZZ_SEED=${seed} reproduces this run)`);
  const runs = Number(process.env.FUZZ_RUNS ?? 15);
  const report = await fuzzWorkOrders({ runs, seed, ...(process.env.FUZZ_PATH ? { replayPath: process.env.FUZZ_PATH } : {}) });
  const accepted = Object.values(report.perCommand).reduce((n, c) => n + c.accepted, 0);
  t.ok(report.commands > runs, `${report.commands} commands in ${runs} sequences, ${accepted} accepted`);
  t.comment(Object.entries(report.perCommand).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${v.sent} (${v.accepted} accepted; ${JSON.stringify(v.codes)})`).join('\n'));
});

// The flow written out, held to the same model: a complaint through two departments, a returned and an
// approved review under the review policy, a citizen's follow-up and rating, an unsatisfied visit and its
// rectification, and the refusals on the way (wrong department, wrong role, wrong state).
t.test('a written-out sequence through every step, held to the model', async (t) => {
  const report = await replayWorkOrders((s) => [
    s.create('agent', 'complaint', '13912345678'),
    s.create('agent', 'inquiry', '13812345678'),
    s.policy(true),
    s.act('agent', 0, 'dispatch', { dept: 'b' }),
    s.act('deptA', 0, 'accept'), // another department's ticket: ticket-not-found
    s.act('deptB', 0, 'accept'),
    s.act('agent', 0, 'escalate'), // supervisors only
    s.act('supervisor', 0, 'escalate', { due: 'future' }),
    s.act('deptB', 0, 'reply'),
    s.observe('deptA'),
    s.observe('supervisor'),
    s.act('agent', 0, 'visit'), // review required first
    s.citizen('rating', 0), // not ratable before the review either
    s.act('supervisor', 0, 'review', { outcome: 'returned' }),
    s.act('deptB', 0, 'accept'), // returned by the review: dispatched again
    s.act('deptB', 0, 'reply'),
    s.act('supervisor', 0, 'review', { outcome: 'approved' }),
    s.citizen('follow-up', 0),
    s.citizen('rating', 0, false), // wrong digits: not found, audited
    s.citizen('rating', 0, true, 'unsatisfied'),
    s.act('agent', 0, 'reopen'), // supervisors only
    s.act('supervisor', 0, 'reopen'),
    s.act('deptB', 0, 'accept'),
    s.act('deptB', 0, 'reply'),
    s.act('supervisor', 0, 'review', { outcome: 'approved' }),
    s.act('agent', 0, 'visit', { satisfaction: 'satisfied' }),
    s.act('supervisor', 0, 'archive'),
    s.citizen('follow-up', 0), // closed cases take no follow-up
    s.act('agent', 1, 'answer'),
    s.act('agent', 1, 'visit', { satisfaction: 'neutral' }),
    s.act('agent', 1, 'visit'), // visited once already
    s.create('supervisor', 'suggestion', null),
    s.act('agent', 2, 'merge', { into: { kind: 'known', index: 1 } }),
    s.act('agent', 2, 'dispatch'), // merged
    s.act('deptA', 'missing', 'accept'),
    s.observe('deptB'),
  ]);
  const sent = Object.entries(report.perCommand).filter(([k]) => !k.startsWith('observe-')).reduce((n, [, v]) => n + v.sent, 0);
  t.equal(sent, 33, 'every command but the reads ran and was judged');
  t.same(report.perCommand['review']?.codes, {}, 'the reviews were accepted');
  t.same(report.perCommand['accept']?.codes, { 'ticket-not-found': 2 }, 'accepts by the holding department only');
});
