// fast-check arbitraries derived from JSON Schemas (the route schemas of the API, as its OpenAPI document
// publishes them): `valid(schema)` makes values the schema accepts as far as a generator can tell (types,
// enums, lengths, ranges, required and known properties, patterns); `hostile(schema)` makes values that are
// nearly valid — one field of the wrong type, a missing required field, an unknown field, a string far too
// long, a control character or a lone surrogate — which is where input handling breaks.
import fc, { type Arbitrary } from 'fast-check';

export type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  if?: Schema;
  then?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
};

export interface SchemaContext {
  /** Resolves `#/components/schemas/…` references. */
  resolve(ref: string): Schema;
  /**
   * Values that mean something to the box for a property of this name (a region code in the table, a
   * department that exists), so that generated requests get past lookups and reach the logic.
   */
  hint?(property: string): Arbitrary<unknown> | undefined;
}

/** Strings a person might type, and the ones that break parsers. */
const nastyStrings = fc.constantFrom(
  '',
  ' ',
  '拒载',
  '公交车司机拒载，投诉 13800138000',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '\u0000',
  '\ud800',
  '🚕🚌',
  '%00%ff',
  'a'.repeat(5000),
  '{"a":',
  'null',
  '-1',
  '1e309',
);

function text(s: Schema): Arbitrary<string> {
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((x) => lengthOk(x, s));
    } catch {
      // a pattern fast-check cannot generate from: fall through to plain text
    }
  }
  if (s.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'date') return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 40, min + 60);
  return fc.oneof(fc.string({ minLength: min, maxLength: max }), fc.string({ unit: 'grapheme', minLength: min, maxLength: max })).filter((x) => lengthOk(x, s));
}

function lengthOk(x: string, s: Schema): boolean {
  const n = [...x].length;
  return n >= (s.minLength ?? 0) && n <= (s.maxLength ?? Infinity);
}

function types(s: Schema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (s.type) return [s.type];
  if (s.properties) return ['object'];
  return ['string', 'integer', 'boolean', 'null'];
}

export function valid(s: Schema, ctx: SchemaContext, depth = 0): Arbitrary<unknown> {
  if (s.$ref) return valid(ctx.resolve(s.$ref), ctx, depth);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.oneOf?.length) return fc.oneof(...s.oneOf.map((x) => valid(x, ctx, depth + 1)));
  if (s.anyOf?.length) return fc.oneof(...s.anyOf.map((x) => valid(x, ctx, depth + 1)));
  if (s.allOf?.some((x) => x.if)) return conditional(s, ctx, depth);
  if (s.allOf?.length) return valid(Object.assign({}, ...s.allOf.map((x) => (x.$ref ? ctx.resolve(x.$ref) : x))), ctx, depth + 1);
  const options = types(s).map((t) => one(t, s, ctx, depth));
  return options.length === 1 ? options[0]! : fc.oneof(...options);
}

function one(t: string, s: Schema, ctx: SchemaContext, depth: number): Arbitrary<unknown> {
  switch (t) {
    case 'string':
      return text(s);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 100_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 100_000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > 4) return fc.constant([]);
      return fc.array(s.items ? valid(s.items, ctx, depth + 1) : fc.string(), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 5, (s.minItems ?? 0) + 5) });
    }
    case 'object': {
      if (depth > 4) return fc.constant({});
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const rec: Record<string, Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) {
        const h = ctx.hint?.(k);
        rec[k] = h ? fc.oneof({ weight: 4, arbitrary: h }, { weight: 1, arbitrary: valid(v, ctx, depth + 1) }) : valid(v, ctx, depth + 1);
      }
      return fc.record(rec, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
    }
    default:
      return fc.constant(null);
  }
}

/**
 * An object schema with `allOf: [{if: {properties: {k: {const: v}}}, then: {...}}]` branches (fastify's way of
 * saying "dispatch needs a department"): choose a branch, fix `k` to its `v`, add the branch's required
 * properties and drop the ones it forbids (`false`); or no branch, with `k` outside all of them.
 */
function conditional(s: Schema, ctx: SchemaContext, depth: number): Arbitrary<unknown> {
  const base: Schema = { ...s, allOf: (s.allOf ?? []).filter((x) => !x.if) };
  if (!base.allOf?.length) delete base.allOf;
  const branches = (s.allOf ?? []).filter((x) => x.if?.properties);
  const options = branches.map((b) => {
    const [key, test] = Object.entries(b.if!.properties!)[0]!;
    const props: Record<string, Schema> = { ...(base.properties ?? {}), [key]: { const: test.const } };
    const required = new Set([...(base.required ?? []), key, ...(b.then?.required ?? [])]);
    for (const [k, v] of Object.entries(b.then?.properties ?? {})) {
      if ((v as unknown) === false) {
        delete props[k];
        required.delete(k);
      }
    }
    return valid({ ...base, properties: props, required: [...required] }, ctx, depth + 1);
  });
  return fc.oneof(...options, valid(base, ctx, depth + 1));
}

/** A value close to valid but wrong in one place, or plain junk. */
export function hostile(s: Schema, ctx: SchemaContext): Arbitrary<unknown> {
  const resolved = s.$ref ? ctx.resolve(s.$ref) : s;
  const junk = fc.oneof(nastyStrings, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 }), fc.object({ maxDepth: 2 }));
  if (!resolved.properties) return fc.oneof(junk, valid(resolved, ctx));
  const keys = Object.keys(resolved.properties);
  const base = valid(resolved, ctx) as Arbitrary<Record<string, unknown>>;
  return fc.oneof(
    junk,
    // one known field replaced by junk
    fc.tuple(base, fc.constantFrom(...keys), junk).map(([o, k, v]) => ({ ...o, [k]: v })),
    // a required field taken away
    fc.tuple(base, fc.constantFrom(...(resolved.required?.length ? resolved.required : keys))).map(([o, k]) => {
      const c = { ...o };
      delete c[k];
      return c;
    }),
    // an unknown field added
    fc.tuple(base, fc.string({ minLength: 1, maxLength: 12 }), junk).map(([o, k, v]) => ({ ...o, [k.startsWith('__') ? `x${k}` : k]: v })),
    // a nasty string in a known string field
    fc.tuple(base, fc.constantFrom(...keys), nastyStrings).map(([o, k, v]) => ({ ...o, [k]: v })),
  );
}

/** The JSON types a value can have on the wire. */
export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';
const jsonTypes: readonly JsonType[] = ['null', 'boolean', 'number', 'string', 'array', 'object'];

/** A field of a body schema whose JSON types are known: where it is and which types it accepts. */
export interface TypedField {
  path: string[];
  schema: Schema;
  accepts: ReadonlySet<JsonType>;
}

/** The JSON types `s` accepts, or null when it does not say (no type: anything goes). */
function acceptedTypes(s: Schema, ctx: SchemaContext): Set<JsonType> | null {
  if (s.$ref) return acceptedTypes(ctx.resolve(s.$ref), ctx);
  const out = new Set<JsonType>();
  const of = (v: unknown): JsonType => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as JsonType));
  if (s.const !== undefined) out.add(of(s.const));
  else if (s.enum) for (const v of s.enum) out.add(of(v));
  else if (s.anyOf || s.oneOf) {
    for (const b of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
      const t = acceptedTypes(b, ctx);
      if (!t) return null;
      for (const x of t) out.add(x);
    }
  } else if (s.type) {
    for (const t of Array.isArray(s.type) ? s.type : [s.type]) out.add(t === 'integer' ? 'number' : (t as JsonType));
  } else if (s.properties) out.add('object');
  else return null;
  if (s.nullable) out.add('null');
  return out;
}

/** Every property (nested objects included, to `depth`) of an object schema whose accepted JSON types are known. */
export function typedFields(s: Schema, ctx: SchemaContext, depth = 3, path: string[] = []): TypedField[] {
  const resolved = s.$ref ? ctx.resolve(s.$ref) : s;
  const out: TypedField[] = [];
  for (const [k, v] of Object.entries(resolved.properties ?? {})) {
    if ((v as unknown) === false) continue;
    const field = v.$ref ? ctx.resolve(v.$ref) : v;
    const accepts = acceptedTypes(field, ctx);
    if (accepts && accepts.size < jsonTypes.length) out.push({ path: [...path, k], schema: field, accepts });
    if (field.properties && depth > 1) out.push(...typedFields(field, ctx, depth - 1, [...path, k]));
  }
  return out;
}

/**
 * The value of the wrong JSON type a lenient server would turn into the right one (ajv's `coerceTypes:
 * 'array'`): `null` for a number (0) or a string (""), `[v]` for a scalar, `"12"` for a number, `12` for a
 * string, `true` or `1` for a number or a boolean, `"x"` for a list.
 */
export function wrongTypeValue(kind: JsonType, sample: unknown): unknown {
  switch (kind) {
    case 'null':
      return null;
    case 'array':
      return [sample];
    case 'string': {
      // For a list, its first item as a lone string (what 'array' coercion would have wrapped).
      const v: unknown = Array.isArray(sample) ? sample[0] : sample;
      return typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v === 'string' ? v : '1';
    }
    case 'number':
      return typeof sample === 'string' && sample.trim() !== '' && Number.isFinite(Number(sample)) ? Number(sample) : typeof sample === 'boolean' ? Number(sample) : 12;
    case 'boolean':
      return typeof sample === 'number' ? sample !== 0 : true;
    case 'object':
      return {};
  }
}

/**
 * A body valid but for one field given a value of a JSON type its schema does not accept (the field
 * path, the type given and the body): what a typed API must refuse instead of converting.
 */
export function wrongTypeBody(s: Schema, ctx: SchemaContext): Arbitrary<{ path: string[]; kind: JsonType; body: Record<string, unknown> }> | null {
  const fields = typedFields(s, ctx);
  if (!fields.length) return null;
  // Built once (a pattern's generator is costly to build), not per value.
  const valids = valid(s, ctx) as Arbitrary<Record<string, unknown>>;
  const perField = fields.map((f) =>
    fc.record({
      base: valids,
      sample: valid(f.schema, ctx),
      kind: fc.constantFrom(...jsonTypes.filter((t) => !f.accepts.has(t))),
    }).map(({ base, sample, kind }) => {
      const body = structuredClone(base);
      let at: Record<string, unknown> = body;
      for (const k of f.path.slice(0, -1)) {
        const next = at[k];
        at = at[k] = next && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : {};
      }
      at[f.path[f.path.length - 1]!] = wrongTypeValue(kind, sample);
      return { path: f.path, kind, body };
    }),
  );
  return fc.oneof(...perField);
}
