// Field mapping and validation of 12345 work orders (docs/12345.md §4, §6). The box works with canonical
// field names and its own codes; what crosses the wire uses each platform's names and code tables.
// Validation happens on the canonical form, after the inverse mapping, so every platform gets the same rules.
import { AppError } from '../errors.js';
import { satisfactions, ticketTypes } from '../tickets/codes.js';
import { type CanonicalField, type CodeTable, type Gov12345Platform, canonicalFields } from './config.js';

export const kinds = ['order.transfer', 'order.result', 'order.visit'] as const;
export type Kind = (typeof kinds)[number];

/** A work order in the box's own names and codes. */
export type Order = Partial<Record<CanonicalField, string>>;

export interface Message {
  /** Idempotency key: the receiver applies a message id once and answers `duplicate` to a repeat. */
  id: string;
  kind: Kind;
  sentAt: string;
  order: Order;
}

const codeField: Partial<Record<CanonicalField, CodeTable>> = { type: 'type', satisfaction: 'satisfaction' };

/** The order as `platform` names and codes it. */
export function toPlatform(order: Order, platform: Gov12345Platform): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(order) as [CanonicalField, string | undefined][]) {
    if (v === undefined) continue;
    const table = codeField[k];
    out[platform.fields[k] ?? k] = table ? (platform.codes[table]?.[v] ?? v) : v;
  }
  return out;
}

/**
 * A platform's order back in canonical names and codes. Throws validation-failed for a field the mapping
 * does not know or a value that is not a string, gov12345-code-unknown for a code outside the tables.
 */
export function fromPlatform(raw: Record<string, unknown>, platform: Gov12345Platform): Order {
  const byName = new Map<string, CanonicalField>();
  for (const f of canonicalFields) byName.set(platform.fields[f] ?? f, f);
  const out: Order = {};
  for (const [name, v] of Object.entries(raw)) {
    const f = byName.get(name);
    if (!f) throw new AppError('validation-failed', `unknown field ${name.slice(0, 40)}`, { field: name.slice(0, 40) });
    if (v === null) continue;
    if (typeof v !== 'string') throw new AppError('validation-failed', `field ${name} must be a string`, { field: name });
    const table = codeField[f];
    if (table) {
      const mapped = Object.entries(platform.codes[table] ?? {}).find(([, theirs]) => theirs === v)?.[0];
      const own = table === 'type' ? ticketTypes.map((t) => t.code as string) : satisfactions.map((s) => s.code as string);
      const code = mapped ?? (own.includes(v) ? v : undefined);
      if (!code) throw new AppError('gov12345-code-unknown', `${name} ${v.slice(0, 20)} is not in the ${table} code table`, { field: name, table });
      out[f] = code;
    } else out[f] = v;
  }
  return out;
}

const limits: Record<CanonicalField, number> = {
  ref: 64,
  type: 20,
  domain: 40,
  region: 6,
  subject: 200,
  description: 4000,
  location: 200,
  callerPhone: 20,
  callerName: 50,
  dueAt: 40,
  createdAt: 40,
  text: 4000,
  handledAt: 40,
  handler: 100,
  satisfaction: 20,
  note: 1000,
  visitedAt: 40,
};
const required: Record<Kind, CanonicalField[]> = {
  'order.transfer': ['ref', 'type', 'subject', 'description'],
  'order.result': ['ref', 'text'],
  'order.visit': ['ref', 'satisfaction'],
};
const allowed: Record<Kind, CanonicalField[]> = {
  'order.transfer': ['ref', 'type', 'domain', 'region', 'subject', 'description', 'location', 'callerPhone', 'callerName', 'dueAt', 'createdAt'],
  'order.result': ['ref', 'text', 'handledAt', 'handler'],
  'order.visit': ['ref', 'satisfaction', 'note', 'visitedAt'],
};
const times: CanonicalField[] = ['dueAt', 'createdAt', 'handledAt', 'visitedAt'];

/** Checks a canonical order for its kind. Throws validation-failed naming the field. */
export function checkOrder(kind: Kind, order: Order): void {
  const bad = (field: string, why: string) => new AppError('validation-failed', `order field ${field}: ${why}`, { field, kind });
  for (const f of required[kind]) if (!order[f] || order[f]!.trim() === '') throw bad(f, 'required');
  for (const [f, v] of Object.entries(order) as [CanonicalField, string][]) {
    if (!allowed[kind].includes(f)) throw bad(f, `not part of ${kind}`);
    if (v.length > limits[f]) throw bad(f, `longer than ${limits[f]} characters`);
    if (times.includes(f) && Number.isNaN(Date.parse(v))) throw bad(f, 'not an ISO 8601 time');
  }
  if (order.region !== undefined && !/^\d{6}$/.test(order.region)) throw bad('region', 'not a six-digit GB/T 2260 code');
  if (order.callerPhone !== undefined && !/^\+?\d{3,20}$/.test(order.callerPhone)) throw bad('callerPhone', 'not a phone number');
  if (!/^[\x21-\x7e]{1,64}$/.test(order.ref!)) throw bad('ref', 'printable ASCII, 1–64 characters');
}
