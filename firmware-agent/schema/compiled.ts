// JSON-schema validators the box's own modules use (configuration, calls.json, peer messages), compiled at
// build time. Compiling a schema with ajv costs tens of milliseconds each (ajv generates and evaluates code,
// and each instance first compiles the JSON-Schema meta-schema); three at import time were 0.3 s of a 1 s
// boot budget (issue 11). `npm run build` (packaging/build.ts) imports the modules that declare validators,
// and writes each one as ajv standalone code to dist/firmware-agent/schema/compiled/<name>.cjs; the built box
// loads that file on first use. A validator whose file is missing or was generated from a different schema or
// options (its fingerprint differs) is compiled at run time as before — that is how the sources run under tsx
// in development and in tests, and behaviour is the same either way.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv as AjvType, ErrorObject, Options } from 'ajv';

export interface Validator<T = unknown> {
  (data: unknown): data is T;
  /** The errors of the last call that returned false (ajv's), null after a success. */
  errors: ErrorObject[] | null;
}

interface Declared {
  name: string;
  schema: object;
  options: Options;
  fingerprint: string;
}

/**
 * The modules (under firmware-agent/, without extension) that declare validators: the build imports them.
 * test/unit/schema-compiled.test.ts checks that every module calling schemaValidator is listed.
 */
export const declaringModules = ['config/schema', 'calls/config', 'network/messages'];

/** Every validator declared so far (the build reads it after importing the declaring modules). */
export const declared = new Map<string, Declared>();

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const compiledDir = path.join(here, 'compiled');

function fingerprintOf(schema: object, options: Options): string {
  return createHash('sha256').update(JSON.stringify([schema, options])).digest('hex').slice(0, 32);
}

interface CompiledModule {
  fingerprint: string;
  validate: (data: unknown) => boolean;
}

/** The build's file for `d`, or null when there is none for this very schema and these options. */
function loadCompiled(d: Declared): ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } | null {
  const file = path.join(compiledDir, `${d.name}.cjs`);
  if (!fs.existsSync(file)) return null;
  const m = require(file) as CompiledModule;
  return m.fingerprint === d.fingerprint ? m.validate : null;
}

/** ajv itself (90 modules) is loaded only where a validator has no precompiled file (development, tests). */
function newAjv(options: Options): AjvType {
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv(options);
}

/**
 * A validator for `schema` under a unique `name`, resolved on its first call: the build's precompiled code
 * when it matches, otherwise ajv compiles it then. `options` are ajv's (`code.source` is added by the build).
 */
export function schemaValidator<T>(name: string, schema: object, options: Options): Validator<T> {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`validator name ${name}: lower-case words and dashes only`);
  const d: Declared = { name, schema, options, fingerprint: fingerprintOf(schema, options) };
  if (declared.has(name) && declared.get(name)!.fingerprint !== d.fingerprint) throw new Error(`validator ${name} declared twice`);
  declared.set(name, d);
  let real: (((data: unknown) => boolean) & { errors?: ErrorObject[] | null }) | undefined;
  const validate = ((data: unknown) => {
    real ??= loadCompiled(d) ?? newAjv(options).compile(schema);
    const ok = real(data);
    validate.errors = ok ? null : (real.errors ?? null);
    return ok;
  }) as Validator<T>;
  validate.errors = null;
  return validate;
}

/** For the build: ajv standalone CommonJS source of a declared validator, with its fingerprint. */
export async function standaloneSource(d: Declared): Promise<string> {
  const standaloneCode = require('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js').default;
  const ajv = newAjv({ ...d.options, code: { ...(d.options.code ?? {}), source: true, esm: false } });
  const code = standaloneCode(ajv, ajv.compile(d.schema));
  return `${code}\nmodule.exports.fingerprint = ${JSON.stringify(d.fingerprint)};\nmodule.exports.validate = module.exports.default ?? module.exports;\n`;
}
