// Deferred schema compilation. Fastify compiles every route's validation schemas (ajv) and response schemas
// (fast-json-stringify) while the routes are registered; for the box's ~200 routes that was about 0.6 s of the
// boot's CPU (issue 11: start to /healthz ready within 1 s). These compiler factories wrap fastify's own
// (@fastify/ajv-compiler, @fastify/fast-json-stringify-compiler, same options) so that registering a route
// only records what to compile: a schema is compiled on its first use, or by `warmUp()` which the box runs in
// small steps shortly after it listens. Behaviour once compiled is fastify's: same ajv instance and options,
// same serializer.
//
// A schema error (an invalid schema in a route) therefore no longer stops the start: warmUp() logs it and
// the unit test test/unit/http-lazy-compilers.test.ts compiles every route of a full box eagerly so such an
// error fails the suite instead.
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';
import { startupRunDelayMs } from '../health/health.js';

// The compilers (and ajv, fast-json-stringify under them: ~100 modules) are required on the first compile,
// which the warm-up makes happen after the box listens.
const require = createRequire(import.meta.url);

type Compile<F> = () => F;
interface ValidatorFn {
  (data: unknown, ctx?: unknown): unknown;
  errors?: unknown;
  schemaEnv?: unknown;
}
type SerializerFn = (data: unknown) => string;

/**
 * The test suite's boxes skip the warm-up (`npm test` sets EDGEBOX_TEST_LAZY_SCHEMAS=1): each box process would
 * spend about 0.7 s of CPU, two seconds after it listens, compiling the schemas of ~200 routes when a test calls a
 * handful, and the suite starts a hundred-odd boxes on two cores. A schema still compiles on its first use, and
 * test/unit/http-lazy-compilers.test.ts compiles every route of a full box.
 */
export const lazySchemasForTests = (): boolean => process.env.EDGEBOX_TEST_LAZY_SCHEMAS === '1';

/** Compilations recorded and not yet run, in registration order. */
export class SchemaWarmUp {
  private readonly pending: { label: string; compile: () => void }[] = [];
  compiled = 0;
  failures: { label: string; error: Error }[] = [];

  add(label: string, compile: () => void): void {
    this.pending.push({ label, compile });
  }

  get remaining(): number {
    return this.pending.length;
  }

  /** Compiles up to `n` pending schemas now; returns how many are left. */
  step(n: number): number {
    for (const item of this.pending.splice(0, n)) {
      try {
        item.compile();
        this.compiled++;
      } catch (err) {
        this.failures.push({ label: item.label, error: err as Error });
      }
    }
    return this.pending.length;
  }

  /**
   * Compiles everything pending, yielding to the event loop between steps so requests are served meanwhile.
   * It starts `startDelayMs` after it is called (the box calls it when it listens): loading ajv and
   * fast-json-stringify and the first steps took ≈230 ms of the turns in which the box was to answer its
   * first request (issue 11 §6); a route used before compiles its own schemas. The timer does not keep the
   * process alive.
   */
  async run(stepSize = 8, startDelayMs = startupRunDelayMs): Promise<void> {
    const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));
    if (startDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, startDelayMs).unref());
    do await yieldToLoop();
    while (this.step(stepSize) > 0);
  }
}

function once<F>(compile: Compile<F>): { get: () => F; done: () => boolean } {
  let fn: F | undefined;
  let failed: Error | undefined;
  return {
    get: () => {
      if (fn) return fn;
      if (failed) throw failed;
      try {
        fn = compile();
      } catch (err) {
        failed = err as Error;
        throw err;
      }
      return fn;
    },
    done: () => fn !== undefined || failed !== undefined,
  };
}

interface ValidatorRoute {
  schema: unknown;
  method: string;
  url: string;
  httpPart?: string;
}
interface SerializerRoute {
  schema: unknown;
  method: string;
  url: string;
  httpStatus: string;
  contentType?: string;
}

/** A headers schema with its property names and required names in lower case (as fastify does). */
export function lowerCaseHeaders(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s = { ...(schema as Record<string, unknown>) };
  if (s.properties && typeof s.properties === 'object') {
    s.properties = Object.fromEntries(Object.entries(s.properties as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
  }
  if (Array.isArray(s.required)) s.required = s.required.map((k) => (typeof k === 'string' ? k.toLowerCase() : k));
  return s;
}

type BuildValidator = (externalSchemas: unknown, options: unknown) => (route: ValidatorRoute) => ValidatorFn;
type BuildSerializer = (externalSchemas: unknown, options: unknown) => (route: SerializerRoute) => SerializerFn;

/**
 * Where a coerced part (query string, parameters, headers) holds a number that is not finite, as an ajv
 * instance path; null when none does. Ajv coerces `?limit=1e309` to Infinity, and then checks neither the
 * integer's finiteness nor `maximum` (its range keywords skip a non-finite number): Infinity reached the
 * handler (SQLite: 500 on GET /api/alarms?limit=1e309, the API fuzzer's seed 592380 at 5,000 runs). A JSON
 * body cannot carry one (JSON has no Infinity; 1e309 parses to it but is refused uncoerced by its type).
 */
export function nonFinite(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (typeof v === 'number' && !Number.isFinite(v)) return `/${k}`;
    if (Array.isArray(v)) {
      const i = v.findIndex((x) => typeof x === 'number' && !Number.isFinite(x));
      if (i >= 0) return `/${k}/${i}`;
    }
  }
  return null;
}

/** The same ajv options with type coercion off (for JSON bodies). */
export function withoutCoercion(options: unknown): unknown {
  const o = (options ?? {}) as { customOptions?: Record<string, unknown> };
  return { ...o, customOptions: { ...(o.customOptions ?? {}), coerceTypes: false } };
}

/** `compilersFactory` for Fastify(): fastify's default compilers, compiled on first use or by `warmUp`. */
export function lazyCompilersFactory(warmUp: SchemaWarmUp): NonNullable<FastifyServerOptions['schemaController']>['compilersFactory'] {
  let validatorSelector: BuildValidator | undefined;
  let serializerSelector: BuildSerializer | undefined;
  const buildValidator: BuildValidator = (externals, options) =>
    (validatorSelector ??= (require('@fastify/ajv-compiler') as () => BuildValidator)())(externals, options);
  const buildSerializer: BuildSerializer = (externals, options) =>
    (serializerSelector ??= (require('@fastify/fast-json-stringify-compiler') as () => BuildSerializer)())(externals, options);
  return {
    buildValidator: (externalSchemas: unknown, options: unknown) => {
      // Building the compiler creates the ajv instance and adds the shared schemas: deferred as well.
      let built: ((route: ValidatorRoute) => ValidatorFn) | undefined;
      let builtStrict: ((route: ValidatorRoute) => ValidatorFn) | undefined;
      // Query strings, path parameters and headers are text on the wire, so their schemas coerce ("7" → 7,
      // a repeated key → a list). A JSON body already carries its types: its schemas are compiled by a second
      // ajv that never coerces, so `null`, `[3]` or `"12"` where a number is due is refused (validation-failed),
      // not stored as 0, 3 or 12 (issue 13; README §The API, docs/errors.md).
      const compiler = (route: ValidatorRoute) =>
        route.httpPart === 'body'
          ? (builtStrict ??= buildValidator(externalSchemas, withoutCoercion(options)))(route)
          : (built ??= buildValidator(externalSchemas, options))(route);
      return (route: ValidatorRoute) => {
        // Header names arrive lower-cased; fastify lower-cases a header schema only for its default
        // compiler, so this one does it too.
        const r = route.httpPart === 'headers' ? { ...route, schema: lowerCaseHeaders(route.schema) } : route;
        const fn = once(() => compiler(r));
        const coerced = route.httpPart !== 'body';
        const validate: ValidatorFn = (data, ctx) => {
          const real = fn.get();
          const result = ctx === undefined ? real(data) : real(data, ctx);
          validate.errors = real.errors;
          if (result === true && coerced) {
            const at = nonFinite(data);
            if (at !== null) {
              validate.errors = [{ instancePath: at, schemaPath: '', keyword: 'type', params: { type: 'number' }, message: 'must be a finite number' }];
              return false;
            }
          }
          return result;
        };
        // Ajv's compiled functions carry schemaEnv, which tells fastify to pass the parent object so a
        // root value can be coerced; the real function is always one of ajv's.
        validate.schemaEnv = true;
        warmUp.add(`${route.method} ${route.url} ${route.httpPart ?? ''}`, () => void fn.get());
        return validate;
      };
    },
    buildSerializer: (externalSchemas: unknown, options: unknown) => {
      let built: ((route: SerializerRoute) => SerializerFn) | undefined;
      const compiler = (route: SerializerRoute) => (built ??= buildSerializer(externalSchemas, options))(route);
      return (route: SerializerRoute) => {
        const fn = once(() => compiler(route));
        warmUp.add(`${route.method} ${route.url} response ${route.httpStatus}`, () => void fn.get());
        return (data: unknown) => fn.get()(data);
      };
    },
  } as unknown as NonNullable<FastifyServerOptions['schemaController']>['compilersFactory'];
}
