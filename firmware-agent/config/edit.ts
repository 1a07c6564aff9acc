// Reading and changing one setting by its dotted key (`selftest.modemSignalMinRssi`, `trunk.options.baud`),
// for `edgebox config get|set` and the admin API. A change is validated whole, written durably and audited
// (entity `config`, the key as its id, action `set`, old and new value) in one SQLite transaction: the audit
// record is inserted first and the file written inside the transaction, so a refused or failed write leaves
// no record, and a record never describes a change that was not made.
import { AuditLog } from '../audit/audit.js';
import type { Db } from '../store/db.js';
import type { Actor } from '../accounts/actor.js';
import { identityInUse } from './identity.js';
import { type BoxConfig } from './model.js';
import { ConfigError } from './schema.js';
import { type ConfigStore, regionAllowed } from './store.js';

const keyPattern = /^[A-Za-z][A-Za-z0-9-]{0,39}(\.[A-Za-z][A-Za-z0-9-]{0,39}){0,5}$/;

export function parseKey(key: string): string[] {
  if (!keyPattern.test(key)) throw new ConfigError(`${key.slice(0, 80)}: not a setting name (dotted names like box.region)`, [`${key.slice(0, 80)}: not a setting name`]);
  return key.split('.');
}

/** The value at `key`; throws ConfigError naming the key when there is no such setting. */
export function getSetting(cfg: Readonly<BoxConfig>, key: string): unknown {
  let v: unknown = cfg;
  for (const part of parseKey(key)) {
    if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, part)) {
      throw new ConfigError(`${key}: unknown setting`, [`${key}: unknown setting`]);
    }
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Sets `key` in a draft; the parent must exist (a new key only inside a map such as trunk.options). */
export function setSetting(draft: BoxConfig, key: string, value: unknown): void {
  const parts = parseKey(key);
  let o: unknown = draft;
  for (const part of parts.slice(0, -1)) {
    if (!o || typeof o !== 'object' || Array.isArray(o) || !Object.hasOwn(o, part)) throw new ConfigError(`${key}: unknown setting`, [`${key}: unknown setting`]);
    o = (o as Record<string, unknown>)[part];
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new ConfigError(`${key}: unknown setting`, [`${key}: unknown setting`]);
  (o as Record<string, unknown>)[parts.at(-1)!] = value;
}

/** What a secret written inline reads as wherever the configuration is shown or audited. */
export const redacted = '[redacted]';

/**
 * A copy of a configuration value with every inline secret (a `secret` property that is not a `file:NAME`
 * reference, e.g. a 12345 platform's key) replaced by `[redacted]`: the admin API, `edgebox config get` and
 * the audit trail never show a key, only that one is set (docs/12345.md recommends `file:NAME`).
 */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactSecrets) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'secret' && typeof v === 'string' && v !== '' && !v.startsWith('file:') ? redacted : redactSecrets(v);
  }
  return out as T;
}

/**
 * A value sent back as it was shown: every `[redacted]` secret takes the secret stored at the same place in
 * `stored` (an admin who edits a platform's address need not re-enter its key). A `[redacted]` with nothing
 * stored there stays, and the schema refuses it as a key.
 */
export function restoreRedacted<T>(value: T, stored: unknown): T {
  if (Array.isArray(value)) return value.map((v, i) => restoreRedacted(v, Array.isArray(stored) ? stored[i] : undefined)) as T;
  if (!value || typeof value !== 'object') return value;
  const old = stored && typeof stored === 'object' && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'secret' && v === redacted && typeof old[k] === 'string' ? old[k] : restoreRedacted(v, old[k]);
  }
  return out as T;
}

export interface ConfigChange {
  key: string;
  old: unknown;
  value: unknown;
  config: Readonly<BoxConfig>;
}

/** Applies changes to several keys as one validated write with one audit record per changed key. */
export function changeSettings(store: ConfigStore, db: Db, actor: Actor, changes: { key: string; value: unknown }[], now: Date, note?: string): ConfigChange[] {
  const cur = store.refresh();
  const olds = changes.map((c) => {
    try {
      return getSetting(cur, c.key);
    } catch {
      return undefined;
    }
  });
  const changed = changes.map((c, i) => ({ ...c, old: olds[i] })).filter((c) => JSON.stringify(c.old) !== JSON.stringify(c.value));
  if (changed.length === 0) return [];
  const audit = new AuditLog(db);
  return db.transaction(() => {
    for (const c of changed) audit.append(actor, now, { entity: 'config', entityId: c.key, action: 'set', note: note ?? null, data: redactSecrets({ old: c.old ?? null, value: c.value }) });
    const config = store.updateSync((d) => {
      for (const c of changed) setSetting(d, c.key, structuredClone(c.value));
    });
    return changed.map((c) => ({ key: c.key, old: c.old, value: c.value, config }));
  })();
}

/**
 * Why a change of `key` may not touch the box's identity, or null. The schema only checks a region's shape;
 * here the region must be in the region table (or the national code for a ministry), and role and region are
 * fixed once the box holds tickets or has network peers (config/identity.ts).
 */
export function identityProblem(cur: Readonly<BoxConfig>, key: string, value: unknown, regions: { has(code: string): boolean }, dataDir: string): string | null {
  const draft = structuredClone(cur) as BoxConfig;
  try {
    setSetting(draft, key, structuredClone(value));
  } catch {
    return null; // refused by the ordinary path, naming the key
  }
  const box = draft.box as Partial<BoxConfig['box']> | undefined;
  if (!box || typeof box !== 'object') return null;
  if (box.role === cur.box.role && box.region === cur.box.region) return null;
  if (typeof box.region === 'string' && typeof box.role === 'string' && !regionAllowed(regions, box.role, box.region)) return `${key}: box.region ${box.region} is not a GB/T 2260 code in the region table`;
  const reasons = identityInUse(dataDir);
  return reasons.length ? `${key}: the box's role and region can no longer change: ${reasons.join(' and ')}` : null;
}
