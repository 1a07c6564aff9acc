// Validators compiled ahead of time (firmware-agent/schema/compiled.ts) and route schemas compiled after the
// box listens (firmware-agent/http/lazy-compilers.ts): both are boot-time savings (issue 11) that must not
// change what is accepted or refused.
import t from 'tap';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { declared, declaringModules, standaloneSource } from '../../firmware-agent/schema/compiled.js';
import { startTestBox } from '../helpers/box.js';
import { defaultConfig } from '../../firmware-agent/config/model.js';
import { defaultCallsConfig } from '../../firmware-agent/calls/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const requireFromRoot = createRequire(path.join(root, 'package.json'));

for (const m of declaringModules) await import(`../../firmware-agent/${m}.js`);

function sourcesCalling(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourcesCalling(p, out);
    else if (e.name.endsWith('.ts') && !p.endsWith(path.join('schema', 'compiled.ts')) && /\bschemaValidator\s*[<(]/.test(fs.readFileSync(p, 'utf8'))) out.push(p);
  }
  return out;
}

t.test('every module that declares a validator is one the build imports', async (t) => {
  const callers = [...sourcesCalling(path.join(root, 'firmware-agent')), ...sourcesCalling(path.join(root, 'drivers'))].map((p) =>
    path.relative(path.join(root, 'firmware-agent'), p).replace(/\.ts$/, ''),
  );
  t.ok(callers.length >= 2, 'schemaValidator is in use');
  t.same(callers.filter((c) => !declaringModules.includes(c)), [], 'listed in declaringModules');
  t.ok(declared.size >= 2, `${declared.size} validators declared`);
});

type Fn = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null; fingerprint?: string };

/** The build's standalone code for a validator, evaluated as the built box would require it. */
async function standalone(name: string): Promise<Fn> {
  const d = declared.get(name)!;
  const code = await standaloneSource(d);
  const module = { exports: {} as Fn };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'module', 'exports', code)(requireFromRoot, module, module.exports);
  t.equal(module.exports.fingerprint, d.fingerprint);
  return (module.exports as unknown as { validate: Fn }).validate;
}

/** Random edits of a valid document: replace a value somewhere, or add an unknown key. */
function mutated(base: unknown): fc.Arbitrary<unknown> {
  const paths: string[][] = [];
  const walk = (v: unknown, p: string[]) => {
    paths.push(p);
    if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...p, k]);
  };
  walk(base, []);
  return fc.tuple(fc.constantFrom(...paths), fc.oneof(fc.jsonValue(), fc.constant(undefined)), fc.boolean(), fc.string({ maxLength: 8 })).map(([p, value, addKey, key]) => {
    const doc = structuredClone(base) as Record<string, unknown>;
    if (p.length === 0) return addKey ? { ...doc, [key || 'x']: value ?? null } : value;
    let o = doc as Record<string, unknown>;
    for (const k of p.slice(0, -1)) o = o[k] as Record<string, unknown>;
    const last = p.at(-1)!;
    if (addKey && o[last] && typeof o[last] === 'object' && !Array.isArray(o[last])) (o[last] as Record<string, unknown>)[key || 'x'] = value ?? null;
    else if (value === undefined) delete o[last];
    else o[last] = value;
    return doc;
  });
}

for (const [name, base] of [
  ['box-config', defaultConfig],
  ['calls-config', defaultCallsConfig()],
] as const) {
  t.test(`${name}: the build's standalone validator decides as ajv does at run time`, async (t) => {
    const d = declared.get(name);
    if (!d) return t.fail(`${name} not declared`);
    const pre = await standalone(name);
    const runtime = new Ajv(d.options).compile(d.schema) as Fn;
    t.ok(pre(structuredClone(base)), 'the defaults are valid');
    fc.assert(
      fc.property(mutated(base), (doc) => {
        const a = pre(structuredClone(doc));
        const b = runtime(structuredClone(doc));
        if (a !== b) return false;
        if (a) return true;
        const ea = (pre.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
        const eb = (runtime.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
        return JSON.stringify(ea) === JSON.stringify(eb);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });
}

t.test('every route schema of a full box compiles; validation works before and after warm-up', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-schemas-'));
  const box = (await startTestBox({ login: false, dataDir: dir, role: 'city', region: '623000', port: 0, host: '127.0.0.1', logger: false })).box;
  t.teardown(async () => {
    await box.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await box.http.ready();
  const warmUp = box.http.schemaWarmUp;
  t.ok(warmUp.remaining > 50, `${warmUp.remaining} route schemas waiting after ready (none compiled at registration)`);
  // Before warm-up: a bad body is refused by the route's schema, compiled on that first use.
  const before = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'x', password: 'y', extra: 1 } });
  t.equal(before.statusCode, 400);
  t.equal(before.json().error.code, 'validation-failed');
  await warmUp.run(8, 0);
  t.equal(warmUp.remaining, 0);
  t.same(warmUp.failures.map((f) => `${f.label}: ${f.error.message}`), [], 'no route schema fails to compile');
  const after = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'x', password: 'y', extra: 1 } });
  t.equal(after.statusCode, 400);
  t.same(after.json(), before.json(), 'same answer once compiled');
});

t.test('a header schema with capitals validates lower-cased request headers, as fastify does', async (t) => {
  const { default: Fastify } = await import('fastify');
  const { SchemaWarmUp, lazyCompilersFactory } = await import('../../firmware-agent/http/lazy-compilers.js');
  const warmUp = new SchemaWarmUp();
  const app = Fastify({ schemaController: { compilersFactory: lazyCompilersFactory(warmUp) } });
  t.teardown(() => app.close());
  app.get('/h', { schema: { headers: { type: 'object', properties: { 'X-Token': { type: 'string', minLength: 3 } }, required: ['X-Token'] } } }, async () => ({ ok: true }));
  await app.ready();
  t.equal(warmUp.remaining, 2, 'the headers schema (of GET and the implied HEAD) waits like the others');
  t.equal((await app.inject({ url: '/h' })).statusCode, 400, 'missing');
  t.equal((await app.inject({ url: '/h', headers: { 'x-token': 'ab' } })).statusCode, 400, 'too short');
  t.equal((await app.inject({ url: '/h', headers: { 'X-Token': 'abcd' } })).statusCode, 200, 'present');
});

t.test('every other declared validator: standalone and run-time compiled agree on arbitrary JSON', async (t) => {
  for (const [name, d] of declared) {
    if (name === 'box-config' || name === 'calls-config') continue;
    const pre = await standalone(name);
    const runtime = new Ajv(d.options).compile(d.schema) as Fn;
    fc.assert(
      fc.property(fc.jsonValue(), (doc) => pre(structuredClone(doc)) === runtime(structuredClone(doc))),
      { numRuns: 100 },
    );
    t.pass(`${name} agrees`);
  }
});
