// Property-based fuzzing of the HTTP API (issue 13, "make the classes impossible"): every operation of the
// box's own OpenAPI document, with path parameters, query strings and bodies drawn from its route schemas —
// valid ones and nearly valid ones — sent by every role and by nobody. After each request:
//   - no 500 and no crash: every refusal is a documented error code (firmware-agent/errors.ts);
//   - a refusal stores nothing: the counts of tickets, audit records, users, departments, articles and
//     sessions are what they were;
//   - a change is audited: a state-changing request that succeeded added an audit record;
//   - the store's invariants hold: ticket numbers are unique, every ticket has its creation audited.
// `fuzzApi({ runs, seed })` is run briefly by test/unit/fuzz-api.test.ts and at length by `npm run fuzz`.
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { type Client, type TestBox, startTestBox, strongPassword } from '../helpers/box.js';
import { type Schema, type SchemaContext, hostile, valid } from './schema-arbitrary.js';

export interface Operation {
  method: string;
  path: string;
  params: { name: string; in: 'path' | 'query'; schema: Schema }[];
  body?: Schema;
}

/**
 * Operations left out, and why: event streams never end by themselves; the exchange and pairing are
 * fuzzed with signed peer messages by the network's own tests (pairing would contact whatever URL it
 * is given); simulated traffic runs for minutes; the session routes log actors in and out (their bad input
 * is covered by the accounts tests), and scrypt makes each login cost 0.1 s.
 */
export const skipped = [
  /^GET \/api\/events$/,
  /^GET \/api\/ui\/events$/,
  /^[A-Z]+ \/api\/exchange\//,
  /^POST \/api\/network\/pair$/,
  /^[A-Z]+ \/api\/simulator\//,
  /^[A-Z]+ \/api\/session$/,
];

/**
 * Successful changes that write no audit record, and why: an agent's own state (ready, break) is call-centre
 * state with its own log (agent_state_log); citing an article and linking a call to a ticket are recorded in
 * their own tables (kb_citations, call_tickets) beside the ticket's audit; the calls settings page writes
 * calls.json, a technician file; a KB answer is a search, not a change; network enrollment codes and
 * statistics pushes are recorded in the network's own tables.
 */
const unaudited = [
  /^PUT \/api\/agent\/state$/,
  /^PUT \/api\/agents\/\{id\}\/state$/,
  /^POST \/api\/kb\/answer$/,
  /^POST \/api\/kb\/articles\/\{id\}\/citations$/,
  /^POST \/api\/calls\/\{id\}\/tickets$/,
  /^POST \/api\/callbacks\/\{id\}\/done$/,
  /^POST \/api\/calls\/\{id\}\/transfer$/,
  /^PUT \/api\/ui\/calls-settings$/,
  /^PUT \/api\/ui\/prompts\/\{id\}$/,
  /^POST \/api\/ui\/home-area$/,
  /^POST \/api\/network\/enrollments$/,
  /^POST \/api\/network\/stats\/send$/,
  /^POST \/api\/network\/peers\/\{region\}\/revoke$/,
  // A health sample changes nothing by itself; an alarm it raises or clears is audited by the alarm service.
  /^POST \/api\/alarms\/sample$/,
];

/**
 * Refusals that are audited on purpose, and so add an audit record and nothing else: a citizen's case
 * look-up that names no case (wrong number or wrong phone digits) is recorded as `lookup-refused`, so that
 * someone walking through ticket numbers shows in the audit (issue 16 §2: look-up rate-limited and audited).
 */
const auditedRefusals = [/^(GET|POST) \/public\/api\/cases(\/|$)/];

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const roles = ['admin', 'supervisor', 'agent', 'department', 'technician', 'nobody'] as const;
type Role = (typeof roles)[number];

export interface FuzzReport {
  seed: number;
  runs: number;
  /** Requests per operation, and how many were refused. */
  perOperation: Record<string, { sent: number; refused: number; codes: Record<string, number> }>;
}

export async function fuzzApi(options: { runs: number; seed: number }): Promise<FuzzReport> {
  const tb = await startTestBox();
  try {
    const clients = await actors(tb);
    const { ops, ctx } = await openApi(tb);
    const report: FuzzReport = { seed: options.seed, runs: options.runs, perOperation: {} };
    await seed(tb);
    // Each operation's generators are built once (building a pattern's generator costs more than a request).
    const perOp = ops.map((op) => ({
      op: fc.constant(op),
      path: pathArbitrary(op, tb),
      query: queryArbitrary(op, ctx),
      body: op.body ? fc.oneof({ weight: 3, arbitrary: valid(op.body, ctx) }, { weight: 2, arbitrary: hostile(op.body, ctx) }) : fc.constant(undefined),
    }));
    const request = fc.tuple(fc.constantFrom(...perOp), fc.constantFrom(...roles)).chain(([arbs, role]) =>
      fc.record({
        ...arbs,
        role: fc.constant(role),
        // Now and then a body that is not what the schema describes at all (1 in 12).
        raw: fc.oneof(
          { weight: 11, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: fc.constantFrom('{"type":', 'null', '[]', '"x"', 'not json', '{"__proto__":{"admin":true}}') },
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const key = `${r.op.method} ${r.op.path}`;
        const stat = (report.perOperation[key] ??= { sent: 0, refused: 0, codes: {} });
        const before = counts(tb);
        const res = await send(tb, clients, r.role, r.op.method, `${r.path}${r.query}`, r.raw ?? r.body, r.raw !== null);
        stat.sent += 1;
        if (res.statusCode >= 500) throw new Error(`${key} as ${r.role}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        const after = counts(tb);
        if (res.statusCode >= 400) {
          stat.refused += 1;
          const code = errorCode(res);
          if (code) stat.codes[code] = (stat.codes[code] ?? 0) + 1;
          if (!code || !(code in errorCatalogue)) throw new Error(`${key} as ${r.role}: ${res.statusCode} with an undocumented answer ${res.body.slice(0, 300)}`);
          const auditedRefusal = auditedRefusals.some((re) => re.test(key));
          for (const k of Object.keys(before) as (keyof typeof before)[]) {
            if (k === 'audit' && auditedRefusal && after.audit - before.audit <= 1) continue;
            if (before[k] !== after[k]) throw new Error(`${key} as ${r.role} was refused (${code}) but changed ${k}: ${before[k]} → ${after[k]}`);
          }
        } else if (stateChanging.has(r.op.method) && !unaudited.some((re) => re.test(key)) && after.audit <= before.audit) {
          throw new Error(`${key} as ${r.role} answered ${res.statusCode} without an audit record`);
        }
        invariants(tb);
      }),
      { numRuns: options.runs, seed: options.seed, endOnFailure: true },
    );
    return report;
  } finally {
    await tb.close();
  }
}

/** The box's operations from its own OpenAPI document (less the skipped ones), and a context resolving its schemas. */
export async function openApi(tb: TestBox): Promise<{ ops: Operation[]; ctx: SchemaContext }> {
  const doc = (await tb.admin.get('/api/openapi.json')).json() as { paths: Record<string, Record<string, OpenApiOp>>; components?: { schemas?: Record<string, Schema> } };
  const ctx: SchemaContext = {
    resolve: (ref) => {
      const name = ref.replace('#/components/schemas/', '');
      const s = doc.components?.schemas?.[name];
      if (!s) throw new Error(`unresolved ${ref}`);
      return s;
    },
    hint: (property) => hints(tb)[property],
  };
  return { ops: operations(doc).filter((o) => !skipped.some((re) => re.test(`${o.method} ${o.path}`))), ctx };
}

export interface OpenApiOp {
  parameters?: { name: string; in: string; schema: Schema }[];
  requestBody?: { content?: Record<string, { schema: Schema }> };
}

export function operations(doc: { paths: Record<string, Record<string, OpenApiOp>> }): Operation[] {
  const out: Operation[] = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      const params = (op.parameters ?? []).filter((x) => x.in === 'path' || x.in === 'query') as Operation['params'];
      const body = op.requestBody?.content?.['application/json']?.schema;
      out.push({ method: m.toUpperCase(), path: p, params, ...(body ? { body } : {}) });
    }
  }
  return out;
}

/** Values of the box's own tables for the properties that name them. */
function hints(tb: TestBox): Record<string, fc.Arbitrary<unknown>> {
  const ids = (sql: string, fallback: unknown) =>
    fc.constant(null).map(() => {
      const rows = tb.box.db.prepare(sql).all() as { v: unknown }[];
      return rows.length ? rows[Math.floor(Math.random() * rows.length)]!.v : fallback;
    });
  return {
    region: fc.constantFrom('623000', '623001', '623021', '620100', '620000', '110000'),
    domain: ids('SELECT code AS v FROM domains', 'taxi'),
    department: ids('SELECT id AS v FROM departments', 1),
    phone: fc.oneof(fc.stringMatching(/^1[3-9]\d{9}$/), fc.constant(null)),
    number: ids('SELECT number AS v FROM tickets ORDER BY id DESC LIMIT 20', '6230002026120100001'),
    into: ids('SELECT number AS v FROM tickets ORDER BY id DESC LIMIT 20', '6230002026120100001'),
    ticket: ids('SELECT number AS v FROM tickets ORDER BY id DESC LIMIT 20', '6230002026120100001'),
    action: fc.constantFrom('answer', 'dispatch', 'accept', 'return', 'reply', 'visit', 'reopen', 'close', 'archive', 'merge', 'escalate'),
    satisfaction: fc.constantFrom('satisfied', 'neutral', 'unsatisfied'),
    role: fc.constantFrom('admin', 'supervisor', 'agent', 'department', 'technician'),
    username: fc.stringMatching(/^[a-z][a-z0-9_.-]{2,20}$/),
    password: fc.constantFrom('Correct-Horse-12328', 'short', 'password123'),
    station: fc.constantFrom('8001', '8002', '801'),
    state: fc.constantFrom('ready', 'break', 'wrap-up', 'logged-out'),
    year: fc.integer({ min: 2024, max: 2030 }),
    kind: fc.constantFrom('faq', 'guide', 'policy', 'notice', 'case', 'org'),
  };
}

/** Path parameters: mostly real values from the store (so requests reach the logic), some junk (`junkRatio` against 4; 0: none). */
export function pathArbitrary(op: Operation, tb: TestBox, junkRatio = 1): fc.Arbitrary<string> {
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (!names.length) return fc.constant(op.path);
  const junk = fc.oneof(
    fc.constantFrom('0', '-1', '99999999999999999999', 'abc', '%2e%2e', '1.5', ' ', '\u4e00'),
    fc.string({ minLength: 1, maxLength: 20 }),
    // Over the router's 100 characters: answered path-parameter-too-long (414), not fastify's own body.
    fc.string({ minLength: 101, maxLength: 300 }),
  );
  const real = (name: string): fc.Arbitrary<string> => {
    const pick = (sql: string) => fc.constant(null).map(() => {
      const rows = tb.box.db.prepare(sql).all() as { v: unknown }[];
      return rows.length ? String(rows[Math.floor(Math.random() * rows.length)]!.v) : '1';
    });
    switch (name) {
      case 'number':
        return pick('SELECT number AS v FROM tickets ORDER BY id DESC LIMIT 20');
      case 'code':
        return fc.constantFrom('623000', '623001', '620000', 'taxi', 'bus', 'metro');
      case 'region':
        return fc.constantFrom('620100', '620000', '623000');
      case 'day':
        return fc.date({ min: new Date('2026-01-01'), max: new Date('2028-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      case 'year':
        return fc.integer({ min: 2020, max: 2035 }).map(String);
      case 'version':
        return fc.integer({ min: 1, max: 4 }).map(String);
      case 'id':
        // Ids of users other than the fuzzer's own accounts (1..6), articles, departments, calls, prompts
        // (names only where the route's id is not a number).
        if (op.params.find((p) => p.name === 'id')?.schema.type === 'integer') return fc.oneof(fc.integer({ min: 7, max: 40 }).map(String), pick('SELECT id AS v FROM kb_articles LIMIT 20'));
        return fc.oneof(fc.integer({ min: 7, max: 40 }).map(String), fc.constantFrom('welcome', 'menu.1', 'sim-x'), pick('SELECT id AS v FROM kb_articles LIMIT 20'));
      default:
        return fc.string({ minLength: 1, maxLength: 10 });
    }
  };
  const value = (n: string) => (junkRatio > 0 ? fc.oneof({ weight: 4, arbitrary: real(n) }, { weight: junkRatio, arbitrary: junk }) : real(n));
  return fc.tuple(...names.map(value)).map((values) => {
    let p = op.path;
    names.forEach((n, i) => (p = p.replace(`{${n}}`, encode(values[i]!))));
    return p;
  });
}

/** Percent-encodes what a URL can carry: a lone surrogate (no UTF-8 form) becomes U+FFFD, as a browser sends it. */
function encode(s: string): string {
  return encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

function queryArbitrary(op: Operation, ctx: SchemaContext): fc.Arbitrary<string> {
  const q = op.params.filter((x) => x.in === 'query');
  if (!q.length) return fc.constant('');
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of q) rec[p.name] = fc.oneof({ weight: 4, arbitrary: valid(p.schema, ctx) }, { weight: 1, arbitrary: hostile(p.schema, ctx) });
  return fc.record(rec, { requiredKeys: [] }).map((o) => {
    const parts = Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encode(k)}=${encode(typeof v === 'string' ? v : JSON.stringify(v))}`);
    return parts.length ? `?${parts.join('&')}` : '';
  });
}

async function actors(tb: TestBox): Promise<Record<Exclude<Role, 'nobody' | 'admin'>, Client> & { admin: Client }> {
  const dept = (await tb.admin.post('/api/departments', { name: '市出租汽车管理处' })).json() as { id: number };
  const mk = async (username: string, role: string, department?: number) => {
    const r = await tb.admin.post('/api/users', { username, password: strongPassword, role, ...(department ? { department } : {}) });
    if (r.statusCode !== 201) throw new Error(`fuzz actor ${username}: ${r.body}`);
    return tb.login(username, strongPassword);
  };
  return {
    admin: tb.admin,
    supervisor: await mk('fz-super', 'supervisor'),
    agent: await mk('fz-agent', 'agent'),
    department: await mk('fz-dept', 'department', dept.id),
    technician: await mk('fz-tech', 'technician'),
  };
}

/** A few tickets and an article, so path parameters name things that exist. */
export async function seed(tb: TestBox): Promise<void> {
  for (const type of ['complaint', 'inquiry', 'suggestion']) {
    const r = await tb.admin.post('/api/tickets', {
      type,
      domain: 'taxi',
      channel: 'phone',
      region: '623000',
      caller: { phone: '13800138000' },
      subject: '出租车拒载',
      description: '在火车站出租车拒载，要求处理。',
    });
    if (r.statusCode !== 201) throw new Error(`fuzz seed ticket: ${r.body}`);
  }
}

async function send(tb: TestBox, clients: Record<string, Client>, role: Role, method: string, url: string, body: unknown, raw: boolean): Promise<LightMyRequestResponse> {
  const cookie = role === 'nobody' ? undefined : clients[role]!.cookie;
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = raw ? String(body) : JSON.stringify(body);
  }
  return tb.box.http.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
}

export function errorCode(res: LightMyRequestResponse): string | undefined {
  try {
    return (res.json() as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

export function counts(tb: TestBox) {
  const one = (sql: string) => (tb.box.db.prepare(sql).get() as { n: number }).n;
  return {
    tickets: one('SELECT COUNT(*) AS n FROM tickets'),
    audit: one('SELECT COUNT(*) AS n FROM audit'),
    users: one('SELECT COUNT(*) AS n FROM users'),
    departments: one('SELECT COUNT(*) AS n FROM departments'),
    articles: one('SELECT COUNT(*) AS n FROM kb_articles'),
    sessions: one('SELECT COUNT(*) AS n FROM sessions'),
  };
}

function invariants(tb: TestBox): void {
  const dup = tb.box.db.prepare('SELECT number FROM tickets GROUP BY number HAVING COUNT(*) > 1 LIMIT 1').get();
  if (dup) throw new Error(`duplicate ticket number ${JSON.stringify(dup)}`);
  const unaudited = tb.box.db
    .prepare(`SELECT t.number FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.entity = 'ticket' AND a.entity_id = t.number AND a.action = 'create') LIMIT 1`)
    .get();
  if (unaudited) throw new Error(`ticket without a creation audit record: ${JSON.stringify(unaudited)}`);
}
