// 质检 (issue 15 §6) over the HTTP API: the configured form, recorded calls to pick from, scoring a call (the
// weighted score worked by hand), refusals with documented codes, the audit record, an agent seeing only
// their own inspections, the form changed later leaving past scores alone, the scores in /api/stats/agents,
// and fast-check over the points a supervisor enters: 201 with the score of the formula, or a documented code.
import fc from 'fast-check';
import fs from 'node:fs';
import t from 'tap';
import { localTime } from '../../firmware-agent/calendar/time.js';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { staff, startTestBox, strongPassword } from '../helpers/box.js';

const now = new Date('2026-11-20T04:00:00Z');
const documented = fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

t.test('a supervisor scores a recorded call on the form; the agent sees it; the agent figures carry it', async (t) => {
  const tb = await startTestBox({ now: () => now });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const db = tb.box.db;
  const id = (u: string) => (db.prepare('SELECT id FROM users WHERE username = ?').get(u) as { id: number }).id;
  await tb.admin.post('/api/users', { username: 'agent2', password: strongPassword, role: 'agent' });
  const agent2 = await tb.login('agent2', strongPassword);
  const [a1, a2] = [id('agent1'), id('agent2')];
  const at = localTime('2026-11-10', 'Asia/Shanghai', 9).getTime();
  const call = db.prepare("INSERT INTO calls (id, channel, called, presentation, status, outcome, arrived_at, agent_answered_at, ended_at, recording_file) VALUES (?, 'e1', '12328', 'allowed', 'ended', 'answered', ?, ?, ?, ?)");
  const leg = db.prepare("INSERT INTO call_legs (call_id, kind, target, started_at, ended_at) VALUES (?, 'agent', ?, ?, ?)");
  call.run('c1', at, at + 5000, at + 125_000, 'recordings/c1.wav');
  leg.run('c1', String(a1), at + 5000, at + 125_000);
  call.run('c2', at + 3_600_000, at + 3_605_000, at + 3_700_000, 'recordings/c2.wav'); // transferred between two agents
  leg.run('c2', String(a1), at + 3_605_000, at + 3_650_000);
  leg.run('c2', String(a2), at + 3_650_000, at + 3_700_000);
  call.run('c3', at + 7_200_000, at + 7_205_000, at + 7_300_000, null); // not recorded
  leg.run('c3', String(a1), at + 7_205_000, at + 7_300_000);

  const form = (await s.agent.get('/api/qa/form')).json().criteria as { key: string; maxPoints: number; weight: number }[];
  t.same(form.map((c) => [c.key, c.maxPoints, c.weight]), [['greeting', 10, 15], ['listening', 10, 20], ['accuracy', 10, 30], ['record', 10, 20], ['closing', 10, 15]], 'the default form');

  const calls = (await s.supervisor.get('/api/qa/calls?from=2026-11-01&to=2026-11-20')).json().items as { callId: string; agentId: number; inspectionId: number | null; talkSeconds: number }[];
  t.same(calls.map((c) => [c.callId, c.agentId, c.inspectionId, c.talkSeconds]), [['c2', a2, null, 50], ['c2', a1, null, 45], ['c1', a1, null, 120]], 'recorded calls only, one row per agent leg, newest first');
  t.equal((await s.agent.get('/api/qa/calls')).json().error.code, 'forbidden-role', 'agents do not pick calls to inspect');

  const points = { greeting: 8, listening: 10, accuracy: 6, record: 10, closing: 5 };
  const inspect = (c: typeof s.agent, body: Record<string, unknown>) => c.post('/api/qa/inspections', body);
  const refused = async (body: Record<string, unknown>, status: number, code: string, msg: string) => {
    const r = await inspect(s.supervisor, body);
    t.same([r.statusCode, r.json().error?.code], [status, code], msg);
  };
  await refused({ callId: 'c1', points: { ...points, closing: undefined } }, 422, 'qa-points-invalid', 'every criterion is scored');
  await refused({ callId: 'c1', points: { ...points, closing: 11 } }, 422, 'qa-points-invalid', 'not above the maximum');
  await refused({ callId: 'c1', points: { ...points, smile: 3 } }, 422, 'qa-points-invalid', 'no criterion outside the form');
  await refused({ callId: 'c1', points: { ...points, closing: 2.5 } }, 400, 'validation-failed', 'whole points');
  await refused({ callId: 'c3', points }, 409, 'qa-recording-missing', 'a call without a recording');
  await refused({ callId: 'nosuch', points }, 404, 'call-not-found', 'an unknown call');
  await refused({ callId: 'c2', points }, 422, 'qa-agent-invalid', 'two agents: name one');
  await refused({ callId: 'c1', agent: a2, points }, 422, 'qa-agent-invalid', 'an agent who did not take the call');
  t.equal((await inspect(s.agent, { callId: 'c1', points })).json().error.code, 'forbidden-role', 'agents do not inspect');

  const r = await inspect(s.supervisor, { callId: 'c1', points, comment: '答复政策时不够准确' });
  t.equal(r.statusCode, 201, r.body);
  const i1 = r.json();
  // (15·8/10 + 20·10/10 + 30·6/10 + 20·10/10 + 15·5/10) / 100 × 100 = 12 + 20 + 18 + 20 + 7.5
  t.same([i1.score, i1.agent.id, i1.inspector.name, i1.comment], [77.5, a1, 'super1', '答复政策时不够准确']);
  await refused({ callId: 'c1', points }, 409, 'qa-inspection-exists', 'one inspection per call and agent');
  const i2 = (await inspect(tb.admin, { callId: 'c2', agent: a2, points: { greeting: 10, listening: 10, accuracy: 10, record: 10, closing: 10 } })).json();
  t.equal(i2.score, 100);

  const audit = db.prepare("SELECT actor_name, action, data FROM audit WHERE entity = 'qa' AND entity_id = ?").get(String(i1.id)) as { actor_name: string; action: string; data: string };
  t.same([audit.actor_name, audit.action, JSON.parse(audit.data).score], ['super1', 'inspect', 77.5], 'audited');

  const mine = (await s.agent.get('/api/qa/inspections?from=2026-11-01&to=2026-11-20')).json().items as { id: number }[];
  t.same(mine.map((i) => i.id), [i1.id], 'the agent scored sees their own inspection');
  t.equal((await s.agent.get(`/api/qa/inspections/${i1.id}`)).json().points.accuracy, 6);
  t.equal((await agent2.get(`/api/qa/inspections/${i1.id}`)).json().error.code, 'qa-inspection-not-found', 'not another agent’s');
  t.equal((await agent2.get(`/api/qa/inspections?agent=${a1}`)).statusCode, 403);
  t.equal((await s.taxi.get('/api/qa/inspections')).json().error.code, 'forbidden-role', 'departments see no inspections');
  t.equal((await s.supervisor.get('/api/qa/inspections?from=2026-11-01&to=2026-11-20')).json().items.length, 2, 'a supervisor sees all');

  // A later form leaves past scores as they were.
  const newForm = [{ key: 'overall', zh: '总体', en: 'Overall', maxPoints: 5, weight: 1 }];
  t.equal((await tb.admin.put('/api/admin/config/qa.criteria', { value: newForm })).statusCode, 200);
  const again = (await s.supervisor.get(`/api/qa/inspections/${i1.id}`)).json();
  t.same([again.score, again.form.length], [77.5, 5], 'kept with the form it was scored on');

  // A correction (the agent appealed: the policy answer was right after all) is scored on the inspection's
  // own form, not the one configured now, and audited with the reason and the points before and after.
  const correct = (c: typeof s.agent, id: number, body: Record<string, unknown>) => c.put(`/api/qa/inspections/${id}`, body);
  const fixed = { ...points, accuracy: 10 };
  t.equal((await correct(s.agent, i1.id, { points: fixed, reason: '申诉' })).json().error.code, 'forbidden-role', 'agents do not correct');
  t.equal((await correct(s.supervisor, i1.id, { points: fixed })).json().error.code, 'validation-failed', 'a reason is required');
  t.equal((await correct(s.supervisor, i1.id, { points: fixed, reason: '   ' })).json().error.code, 'validation-failed', 'a reason that says something');
  t.equal((await correct(s.supervisor, i1.id, { points: { overall: 5 }, reason: '申诉' })).json().error.code, 'qa-points-invalid', 'the points of the inspection’s form');
  t.equal((await correct(s.supervisor, 999_999, { points: fixed, reason: '申诉' })).json().error.code, 'qa-inspection-not-found');
  t.equal((db.prepare("SELECT count(*) AS n FROM audit WHERE entity = 'qa' AND action = 'correct'").get() as { n: number }).n, 0, 'refusals change nothing');
  const c1 = await correct(s.supervisor, i1.id, { points: fixed, reason: '坐席申诉：政策答复无误' });
  t.equal(c1.statusCode, 200, c1.body);
  t.same([c1.json().score, c1.json().comment, c1.json().corrected?.by], [89.5, '答复政策时不够准确', 'super1'], '77.5 + 30·4/10, the comment kept');
  const trail = db.prepare("SELECT actor_name, note, data FROM audit WHERE entity = 'qa' AND entity_id = ? AND action = 'correct'").get(String(i1.id)) as { actor_name: string; note: string; data: string };
  t.same([trail.actor_name, trail.note, JSON.parse(trail.data).before.score, JSON.parse(trail.data).after.score], ['super1', '坐席申诉：政策答复无误', 77.5, 89.5]);
  t.equal((await s.agent.get(`/api/qa/inspections/${i1.id}`)).json().score, 89.5, 'the agent sees the corrected score');

  const ag = (await s.supervisor.get('/api/stats/agents?period=month&at=2026-11')).json().agents as { agent: number; qa: { inspected: number; averageScore: number | null } }[];
  t.same(ag.find((x) => x.agent === a1)?.qa, { inspected: 1, averageScore: 89.5 }, 'the figures use the corrected score');
  t.same(ag.find((x) => x.agent === a2)?.qa, { inspected: 1, averageScore: 100 });
  const oct = (await s.supervisor.get('/api/stats/agents?period=month&at=2026-10')).json().agents as { agent: number; qa: { inspected: number } }[];
  t.equal(oct.find((x) => x.agent === a1)?.qa.inspected, 0, 'counted in the period of the call');
});

t.test('fast-check: any points entered answer 201 with the weighted score, or a documented refusal', async (t) => {
  const tb = await startTestBox({ now: () => now });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const db = tb.box.db;
  const agentId = (db.prepare("SELECT id FROM users WHERE username = 'agent1'").get() as { id: number }).id;
  const form = [
    { key: 'greeting', zh: '问候', en: 'Greeting', maxPoints: 5, weight: 1 },
    { key: 'accuracy', zh: '准确', en: 'Accuracy', maxPoints: 20, weight: 3.5 },
    { key: 'record', zh: '记录', en: 'Record', maxPoints: 1, weight: 0.5 },
  ];
  t.equal((await tb.admin.put('/api/admin/config/qa.criteria', { value: form })).statusCode, 200);
  let n = 0;
  const freshCall = () => {
    n += 1;
    const at = localTime('2026-11-12', 'Asia/Shanghai', 9).getTime() + n * 60_000;
    db.prepare("INSERT INTO calls (id, channel, called, presentation, status, outcome, arrived_at, ended_at, recording_file) VALUES (?, 'e1', '12328', 'allowed', 'ended', 'answered', ?, ?, 'recordings/x.wav')").run(`fc-${n}`, at, at + 30_000);
    db.prepare("INSERT INTO call_legs (call_id, kind, target, started_at, ended_at) VALUES (?, 'agent', ?, ?, ?)").run(`fc-${n}`, String(agentId), at, at + 30_000);
    return `fc-${n}`;
  };
  // Mostly within each criterion's range, sometimes just outside it or not a whole number.
  const value = (max: number) =>
    fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 0, max }) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: max + 3 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(1.5, '3', null, true, 1e9) });
  const points = fc.oneof(
    { weight: 4, arbitrary: fc.record({ greeting: value(5), accuracy: value(20), record: value(1) }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('greeting', 'accuracy', 'record', 'other', '__proto__', ''), value(20), { maxKeys: 4 }) },
  );
  let scored = 0;
  await fc.assert(
    fc.asyncProperty(points, fc.option(fc.string({ maxLength: 30 }), { nil: undefined }), async (p, comment) => {
      const callId = freshCall();
      const r = await s.supervisor.post('/api/qa/inspections', { callId, points: p, ...(comment !== undefined ? { comment } : {}) });
      const stored = db.prepare('SELECT count(*) AS k FROM qa_inspections WHERE call_id = ?').get(callId) as { k: number };
      if (r.statusCode === 201) {
        scored += 1;
        // JSON bodies are not coerced ("3", true or null for a number is refused): what was stored is whole
        // points within the form, every value a number entered exactly as entered.
        const q = r.json().points as Record<string, number>;
        t.ok(form.every((c) => Number.isInteger(q[c.key]) && q[c.key]! >= 0 && q[c.key]! <= c.maxPoints), 'only points within the form are taken');
        t.ok(Object.entries(p as Record<string, unknown>).every(([k, v]) => typeof v === 'number' && q[k] === v), 'numbers only, stored as entered');
        const expected = Math.round(((1 * q.greeting!) / 5 + (3.5 * q.accuracy!) / 20 + (0.5 * q.record!) / 1) / 5 * 10000) / 100;
        t.equal(r.json().score, expected, 'Σ weight·points/max / Σ weight × 100');
        t.equal(stored.k, 1);
        return;
      }
      const code = r.json().error?.code as string;
      t.ok(r.statusCode < 500 && code in errorCatalogue && documented.includes(`\`${code}\``), `${r.statusCode} ${code}`);
      t.equal(stored.k, 0, 'a refusal stores nothing');
    }),
    { numRuns: 60 },
  );
  t.ok(scored > 5, `${scored} of 60 scored`);
});

t.test('fast-check: generated query strings on the 质检 lists answer 200 or a documented code', async (t) => {
  const tb = await startTestBox({ now: () => now });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const value = fc.oneof(
    fc.constantFrom('2026-11-01', '2026-11-20', '2026-02-30', '1999-01-01', '2026-01-01', '1', '0', '-3', '501', 'x'),
    fc.string({ maxLength: 12 }),
    fc.date({ min: new Date('1990-01-01'), max: new Date('2110-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  );
  let ok = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('/api/qa/calls', '/api/qa/inspections', '/api/qa/inspections/1', '/api/qa/form'),
      fc.array(fc.tuple(fc.constantFrom('from', 'to', 'agent', 'limit', 'nosuch'), value), { maxLength: 3 }),
      fc.constantFrom(s.supervisor, s.agent, s.taxi, tb.admin),
      async (p, params, c) => {
        const res = await c.get(`${p}?${new URLSearchParams(params)}`);
        if (res.statusCode === 200) {
          ok += 1;
          return;
        }
        const code = res.json().error?.code as string;
        t.ok(res.statusCode < 500 && code in errorCatalogue && documented.includes(`\`${code}\``) && res.statusCode === errorCatalogue[code as keyof typeof errorCatalogue].status, `${p}?${new URLSearchParams(params)} → ${res.statusCode} ${code}`);
      },
    ),
    { numRuns: 150 },
  );
  t.ok(ok > 10, `${ok} of 150 answered`);
});
