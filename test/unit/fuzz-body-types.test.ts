// JSON bodies are typed: a value of the wrong JSON type is refused, never converted (issue 13). Over every
// operation of the box's OpenAPI document that takes a JSON body, a body valid but for one field given
// `null`, `[value]`, a number for a string, a string for a number or boolean, a boolean for a number, … (the
// conversions ajv's `coerceTypes: 'array'` made: `{"n": null}` stored 0, `{"n": [3]}` 3, `{"s": 12}` "12")
// answers 400 validation-failed naming a field, and stores nothing. Query strings keep their conversion
// (they are text on the wire): checked at the end. FUZZ_RUNS raises the count, FUZZ_SEED replays a run.
import fc from 'fast-check';
import t from 'tap';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { counts, errorCode, openApi, pathArbitrary, seed } from '../fuzz/api.js';
import { wrongTypeBody } from '../fuzz/schema-arbitrary.js';
import { startTestBox } from '../helpers/box.js';

t.test('a body field of the wrong JSON type is refused with validation-failed and stores nothing, on every body route', { timeout: Number(process.env.FUZZ_RUNS ?? 0) > 1000 ? 0 : 300_000 }, async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  await seed(tb);
  const { ops, ctx } = await openApi(tb);
  // The 12345 platform's endpoint checks its signature headers before it reads a body (gov12345-unsigned),
  // as the exchange does (skipped by the API fuzzer too); both have their own signed fuzz tests.
  const signed = /^POST \/api\/gov12345\/v1\//;
  const cases = ops.flatMap((op) => {
    const body = op.body && !signed.test(`${op.method} ${op.path}`) ? wrongTypeBody(op.body, ctx) : null;
    return body ? [{ op, body }] : [];
  });
  t.ok(cases.length >= 30, `${cases.length} operations take a JSON body with typed fields`);
  const seedValue = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seedValue} (FUZZ_SEED=${seedValue} reproduces this run)`);
  const tried: Record<string, number> = {};
  const request = fc.constantFrom(...cases).chain(({ op, body }) => fc.record({ op: fc.constant(op), url: pathArbitrary(op, tb, 0), wrong: body }));
  await fc.assert(
    fc.asyncProperty(request, async ({ op, url, wrong }) => {
      const key = `${op.method} ${op.path}`;
      tried[key] = (tried[key] ?? 0) + 1;
      const before = counts(tb);
      const res = await tb.box.http.inject({ method: op.method as 'POST', url, headers: { cookie: tb.admin.cookie, 'content-type': 'application/json' }, payload: JSON.stringify(wrong.body) });
      const what = `${key}: ${wrong.path.join('.')} as ${wrong.kind} ${JSON.stringify(wrong.body).slice(0, 300)}`;
      const code = errorCode(res);
      if (res.statusCode !== 400 || code !== 'validation-failed') throw new Error(`${what} answered ${res.statusCode} ${res.body.slice(0, 300)}`);
      if (res.statusCode !== errorCatalogue[code].status) throw new Error(`${what}: status ${res.statusCode} is not the catalogue's`);
      const field = (res.json() as { error: { details?: { field?: string } } }).error.details?.field;
      if (!field?.startsWith('body')) throw new Error(`${what}: the refusal names no body field (${res.body.slice(0, 200)})`);
      const after = counts(tb);
      for (const k of Object.keys(before) as (keyof typeof before)[]) {
        if (before[k] !== after[k]) throw new Error(`${what} was refused but changed ${k}: ${before[k]} → ${after[k]}`);
      }
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 400), seed: seedValue, endOnFailure: true },
  );
  t.comment(`${Object.values(tried).reduce((a, b) => a + b, 0)} bodies over ${Object.keys(tried).length} operations`);

  // The instances from the finding, on a real route each.
  const dept = (await tb.admin.post('/api/departments', { name: '类型检查处' })).json() as { id: number };
  const { number } = (tb.box.db.prepare("SELECT number FROM tickets WHERE status = 'received' LIMIT 1").get() as { number: string });
  for (const [url, body] of [
    ['/api/users', { username: 'typed-null', password: 'Correct-Horse-12328', role: 'department', department: null }],
    ['/api/users', { username: 'typed-array', password: 'Correct-Horse-12328', role: 'department', department: [dept.id] }],
    ['/api/users', { username: 'typed-boolean', password: 'Correct-Horse-12328', role: 'department', department: true }],
    [`/api/tickets/${number}/actions`, { action: 'dispatch', department: String(dept.id) }],
    [`/api/tickets/${number}/actions`, { action: 'dispatch', department: [dept.id] }],
    [`/api/tickets/${number}/actions`, { action: 'dispatch', department: null }],
    ['/api/departments', { name: 12 }],
    ['/api/departments', { name: ['市公交集团'] }],
  ] as const) {
    const res = await tb.admin.post(url, body);
    t.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)}`);
    t.equal(errorCode(res), 'validation-failed');
  }
  t.equal((tb.box.db.prepare('SELECT status FROM tickets WHERE number = ?').get(number) as { status: string }).status, 'received', 'not dispatched');
  t.equal((await tb.admin.patch(`/api/departments/${dept.id}`, { disabled: 'true' })).statusCode, 400, 'a boolean as a string');
  t.equal((await tb.admin.patch(`/api/departments/${dept.id}`, { disabled: 1 })).statusCode, 400, 'a boolean as a number');

  // Query strings are text on the wire: numbers, booleans and lists in them are still read as such.
  const q = await tb.admin.get(`/api/tickets?page=1&pageSize=2&urgent=false&status=received&department=${dept.id}`);
  t.equal(q.statusCode, 200, q.body.slice(0, 200));
  t.match(q.json(), { page: 1, pageSize: 2 });
});
