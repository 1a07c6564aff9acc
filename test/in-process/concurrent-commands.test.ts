// Concurrent commands on one ticket over the HTTP API (issue 13 "Make the classes impossible"): every role
// fires at once — accept, return, reply, dispatch elsewhere, escalate, merge, answer, visit, close — in many
// random interleavings (fast-check). Exactly the commands a serial order allows succeed, the others get a
// documented refusal (never a 500), no update is lost (the version counts the successes), every applied
// change has one audit record and a refusal none, and a department never holds a ticket it was not sent.
import fc from 'fast-check';
import t from 'tap';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { complaint, staff, startTestBox } from '../helpers/box.js';

type Who = 'agent' | 'supervisor' | 'taxi' | 'bus';
interface Cmd {
  who: Who;
  action: string;
  body: Record<string, unknown>;
}

t.test('parallel commands on one ticket: documented answers, one audit per change, no lost update', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const clients = { agent: s.agent, supervisor: s.supervisor, taxi: s.taxi, bus: s.bus };
  const target = (await s.agent.post('/api/tickets', { ...complaint, subject: '合并目标' })).json().number as string;
  const command: fc.Arbitrary<Cmd> = fc.oneof(
    fc.constant<Cmd>({ who: 'taxi', action: 'accept', body: {} }),
    fc.constant<Cmd>({ who: 'bus', action: 'accept', body: {} }),
    fc.constant<Cmd>({ who: 'taxi', action: 'return', body: { reason: '不属于本单位职责' } }),
    fc.constant<Cmd>({ who: 'taxi', action: 'reply', body: { text: '已处理并回复来电人。' } }),
    fc.constant<Cmd>({ who: 'agent', action: 'dispatch', body: { department: s.other.id } }),
    fc.constant<Cmd>({ who: 'agent', action: 'dispatch', body: { department: s.dept.id } }),
    fc.constant<Cmd>({ who: 'supervisor', action: 'escalate', body: { note: '请尽快办理' } }),
    fc.constant<Cmd>({ who: 'agent', action: 'merge', body: { into: target } }),
    fc.constant<Cmd>({ who: 'agent', action: 'answer', body: { text: '已当场答复。' } }),
    fc.constant<Cmd>({ who: 'agent', action: 'visit', body: { satisfaction: 'satisfied' } }),
    fc.constant<Cmd>({ who: 'agent', action: 'close', body: {} }),
  );
  let rounds = 0;
  let applied = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 2, maxLength: 8 }), async (cmds) => {
      rounds++;
      const number = (await s.agent.post('/api/tickets', complaint)).json().number as string;
      await s.agent.post(`/api/tickets/${number}/actions`, { action: 'dispatch', department: s.dept.id });
      const before = (await s.supervisor.get(`/api/tickets/${number}`)).json() as { version: number };
      const trail = async () => ((await s.supervisor.get(`/api/tickets/${number}/audit`)).json() as { items: unknown[] }).items.length;
      const auditBefore = await trail();
      const answers = await Promise.all(cmds.map((c) => clients[c.who].post(`/api/tickets/${number}/actions`, { action: c.action, ...c.body })));
      let ok = 0;
      for (const [i, r] of answers.entries()) {
        if (r.statusCode === 200) {
          ok++;
          continue;
        }
        const code = (r.json() as { error?: { code?: string } }).error?.code;
        if (r.statusCode >= 500 || !code || !(code in errorCatalogue)) throw new Error(`${JSON.stringify(cmds[i])}: ${r.statusCode} ${r.body}`);
      }
      applied += ok;
      refused += cmds.length - ok;
      const after = (await s.supervisor.get(`/api/tickets/${number}`)).json() as { version: number; status: string; department?: { id: number } | null };
      if (after.version !== before.version + ok) throw new Error(`version ${before.version} → ${after.version} after ${ok} applied commands: an update was lost or doubled`);
      if ((await trail()) !== auditBefore + ok) throw new Error(`${ok} applied commands wrote ${(await trail()) - auditBefore} audit records`);
      // The department that holds it can see it; the other one cannot (unless it was sent there).
      const busSees = (await s.bus.get(`/api/tickets/${number}`)).statusCode === 200;
      const sentToBus = cmds.some((c, i) => c.action === 'dispatch' && c.body.department === s.other.id && answers[i]!.statusCode === 200);
      if (busSees && !sentToBus) throw new Error(`the bus department sees ticket ${number} (${after.status}) it was never sent`);
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 25), seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000) },
  );
  t.ok(rounds > 0, `${rounds} rounds: ${applied} commands applied, ${refused} refused with documented codes`);
});
