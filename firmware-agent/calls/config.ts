// Call-handling configuration: the IVR menu, the national routing rules, business hours and the queue,
// kept as the configuration's `calls` section (config.json). Validated once at start (`callsConfig()` merges
// a partial over the defaults, names the bad field, and freezes the result). Units are in the names (Ms, S).
// The section's types live in view-types.ts, which the admin page reads too.
import { schemaValidator } from '../schema/compiled.js';
import type { BusinessHours, IvrConfig, MenuItem, QueueConfig } from './view-types.js';

export type { BusinessHours, IvrConfig, MenuAction, MenuItem, QueueConfig, RedirectTarget } from './view-types.js';

export interface CallsConfig {
  ivr: IvrConfig;
  queue: QueueConfig;
  /** Directory for recordings and voicemails (under the data dir). */
  recordingsDir: string;
  /** Directory with generated or recorded prompts `<id>.wav`. */
  promptsDir: string;
  /** Region of tickets created by the IVR (voicemail, callback) — the box's own region. */
  region: string;
  /** Agents' browser stations (issue 17): none of this is needed on a LAN. */
  softphone: SoftphoneConfig;
}

export interface SoftphoneConfig {
  /** STUN/TURN servers for a seat beyond the LAN (a remote agent over a VPN or the internet). Default none. */
  iceServers: { urls: string; username?: string; credential?: string }[];
  /** Extra addresses the box offers as its own (e.g. its VPN address), besides its interfaces'. */
  hostAddresses: string[];
}

export const defaultMenu: MenuItem[] = [
  { digit: '1', label: 'menu.1', action: { kind: 'distress' } },
  { digit: '2', label: 'menu.2', action: { kind: 'queue', ticketType: 'complaint' } },
  { digit: '3', label: 'menu.3', action: { kind: 'queue', ticketType: 'inquiry' } },
  { digit: '4', label: 'menu.4', action: { kind: 'queue', ticketType: 'suggestion' } },
  { digit: '5', label: 'menu.5', action: { kind: 'redirect', service: 'railway-aviation-postal' } },
  { digit: '0', label: 'menu.0', action: { kind: 'queue', ticketType: null } },
];

export function defaultCallsConfig(dataDir = './data', region = '000000'): CallsConfig {
  return {
    ivr: {
      menu: defaultMenu,
      digitTimeoutMs: 6000,
      maxRetries: 2,
      distressNumber: '12395',
      redirects: {
        railway: { number: '12306', transfer: false },
        aviation: { number: '12326', transfer: false },
        postal: { number: '12305', transfer: false },
      },
      legacyNumbers: [],
      hours: { open: '08:00', close: '18:00', days: 'workdays', timezone: 'Asia/Shanghai' },
    },
    queue: {
      announceEveryMs: 30_000,
      maxWaitMs: 180_000,
      ringTimeoutMs: 15_000,
      wrapUpMs: 30_000,
      defaultHandleMs: 180_000,
      voicemailMaxMs: 120_000,
      recordCalls: true,
      transferNumbers: [],
    },
    recordingsDir: `${dataDir}/recordings`,
    promptsDir: `${dataDir}/prompts`,
    region,
    softphone: { iceServers: [], hostAddresses: [] },
  };
}

export class CallsConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`calls config ${field}: ${message}`);
    this.name = 'CallsConfigError';
  }
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T>(base: T, over: unknown, at: string): T {
  if (over === undefined) return base;
  if (Array.isArray(base) || typeof base !== 'object' || base === null) return over as T;
  // A list where a section belongs is refused too (it was read as an empty section: the defaults).
  if (typeof over !== 'object' || over === null || Array.isArray(over)) throw new CallsConfigError(at || '(root)', 'must be an object');
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    const field = at ? `${at}.${k}` : k;
    if (!(k in out)) throw new CallsConfigError(field, 'unknown setting');
    out[k] = merge(out[k], v, field);
  }
  return out as T;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const hhmm = /^([01]\d|2[0-4]):[0-5]\d$/;
const number = /^\+?\d{3,20}$/;

const phone = { type: 'string', pattern: '^\\+?[0-9]{3,20}$' } as const;
const ms = { type: 'number' } as const;
const label = { type: 'string', minLength: 1, maxLength: 64 } as const;

/**
 * The shape of a merged calls configuration: every value's type, so that a technician's calls.json with an
 * object where a list belongs (or a number where a text belongs) is refused naming the field instead of
 * failing deep inside the call flow. Ranges and cross-field rules are checked after it, in callsConfig().
 */
const shape = {
  type: 'object',
  additionalProperties: false,
  required: ['ivr', 'queue', 'recordingsDir', 'promptsDir', 'region'],
  properties: {
    ivr: {
      type: 'object',
      additionalProperties: false,
      required: ['menu', 'digitTimeoutMs', 'maxRetries', 'distressNumber', 'redirects', 'legacyNumbers', 'hours'],
      properties: {
        menu: {
          type: 'array',
          minItems: 1,
          maxItems: 12,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['digit', 'label', 'action'],
            properties: {
              digit: { type: 'string' },
              label,
              action: {
                oneOf: [
                  { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { const: 'distress' } } },
                  {
                    type: 'object',
                    additionalProperties: false,
                    required: ['kind', 'ticketType'],
                    properties: { kind: { const: 'queue' }, ticketType: { enum: ['complaint', 'inquiry', 'suggestion', null] }, skill: label },
                  },
                  {
                    type: 'object',
                    additionalProperties: false,
                    required: ['kind', 'service'],
                    properties: { kind: { const: 'redirect' }, service: { enum: ['railway', 'aviation', 'postal', 'railway-aviation-postal'] } },
                  },
                ],
              },
            },
          },
        },
        digitTimeoutMs: ms,
        maxRetries: { type: 'number' },
        distressNumber: { type: 'string' },
        redirects: {
          type: 'object',
          additionalProperties: false,
          required: ['railway', 'aviation', 'postal'],
          properties: Object.fromEntries(
            ['railway', 'aviation', 'postal'].map((k) => [
              k,
              { type: 'object', additionalProperties: false, required: ['number', 'transfer'], properties: { number: { type: 'string' }, transfer: { type: 'boolean' } } },
            ]),
          ),
        },
        legacyNumbers: { type: 'array', maxItems: 100, items: phone },
        hours: {
          type: 'object',
          additionalProperties: false,
          required: ['open', 'close', 'days', 'timezone'],
          properties: { open: { type: 'string' }, close: { type: 'string' }, days: { enum: ['workdays', 'every-day'] }, timezone: { type: 'string' } },
        },
      },
    },
    queue: {
      type: 'object',
      additionalProperties: false,
      required: ['announceEveryMs', 'maxWaitMs', 'ringTimeoutMs', 'wrapUpMs', 'defaultHandleMs', 'voicemailMaxMs', 'recordCalls', 'transferNumbers'],
      properties: {
        announceEveryMs: ms,
        maxWaitMs: ms,
        ringTimeoutMs: ms,
        wrapUpMs: ms,
        defaultHandleMs: { type: 'number', minimum: 1000, maximum: 3_600_000 },
        voicemailMaxMs: ms,
        recordCalls: { type: 'boolean' },
        transferNumbers: { type: 'array', maxItems: 50, items: { type: 'string' } },
      },
    },
    recordingsDir: { type: 'string', minLength: 1 },
    promptsDir: { type: 'string', minLength: 1 },
    region: { type: 'string', pattern: '^[0-9]{6}$' },
    softphone: {
      type: 'object',
      additionalProperties: false,
      required: ['iceServers', 'hostAddresses'],
      properties: {
        iceServers: {
          type: 'array',
          maxItems: 8,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['urls'],
            properties: {
              urls: { type: 'string', pattern: '^(stun|stuns|turn|turns):[^\\s]{1,200}$' },
              username: { type: 'string', maxLength: 200 },
              credential: { type: 'string', maxLength: 200 },
            },
          },
        },
        hostAddresses: { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 64, pattern: '^[0-9A-Fa-f.:]+$' } },
      },
    },
  },
} as const;

// Precompiled by the build (schema/compiled.ts).
const checkShape = schemaValidator('calls-config', shape, { allErrors: false, strict: true });

/**
 * The call settings as the configuration's `calls` section holds them (config.json; calls.json before issue 12
 * §1): the IVR and the queue, without what the box derives — the region of IVR tickets (box.region), the
 * business hours' time zone (box.timezone unless set here) and the directories (under the data directory
 * unless set here).
 */
export interface CallsSettings {
  ivr: Omit<IvrConfig, 'hours'> & { hours: Omit<BusinessHours, 'timezone'> & { timezone?: string } };
  queue: QueueConfig;
  recordingsDir?: string;
  promptsDir?: string;
  softphone?: SoftphoneConfig;
}

export function defaultCallsSettings(): CallsSettings {
  const { ivr, queue } = defaultCallsConfig();
  const { timezone: _tz, ...hours } = ivr.hours;
  return structuredClone({ ivr: { ...ivr, hours }, queue });
}

/** JSON schema of the `calls` section (config/schema.ts): the shape above, the derived values optional. */
export const callsSectionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ivr', 'queue'],
  properties: {
    ivr: {
      ...shape.properties.ivr,
      properties: { ...shape.properties.ivr.properties, hours: { ...shape.properties.ivr.properties.hours, required: ['open', 'close', 'days'] } },
    },
    queue: shape.properties.queue,
    recordingsDir: shape.properties.recordingsDir,
    promptsDir: shape.properties.promptsDir,
    softphone: shape.properties.softphone,
  },
} as const;

/** The call settings in force: the configuration's section over the defaults of this data directory and region. */
export function callsConfigOf(settings: Readonly<DeepPartial<CallsSettings>> | undefined, dataDir: string, region: string, timezone: string): Readonly<CallsConfig> {
  const base = defaultCallsConfig(dataDir, region);
  base.ivr.hours.timezone = timezone;
  return callsConfig((settings ?? {}) as DeepPartial<CallsConfig>, base);
}

/** The rules the JSON schema cannot say (digits, ranges, numbers), as configuration problems `calls.<field>: …`. */
export function callsSettingsProblems(settings: unknown): string[] {
  try {
    callsConfig(settings as DeepPartial<CallsConfig>, defaultCallsConfig('/data', '000000'));
    return [];
  } catch (err) {
    if (err instanceof CallsConfigError) return [`calls.${err.field}: ${err.message.replace(/^calls config [^:]*: /, '')}`];
    throw err;
  }
}

/** Merge `partial` over the defaults, validate, freeze. Throws CallsConfigError naming the field. */
export function callsConfig(partial: DeepPartial<CallsConfig> = {}, base = defaultCallsConfig()): Readonly<CallsConfig> {
  const c = merge(structuredClone(base), partial, '');
  if (!checkShape(c)) {
    const e = checkShape.errors?.[0];
    const field = (e?.instancePath ?? '').replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.') || '(root)';
    throw new CallsConfigError(field, e?.message ?? 'invalid');
  }
  const digits = new Set<string>();
  c.ivr.menu.forEach((m, i) => {
    if (!/^[0-9*#]$/.test(m.digit)) throw new CallsConfigError(`ivr.menu[${i}].digit`, 'must be one DTMF digit');
    if (digits.has(m.digit)) throw new CallsConfigError(`ivr.menu[${i}].digit`, `digit ${m.digit} used twice`);
    digits.add(m.digit);
  });
  if (!c.ivr.menu.some((m) => m.action.kind === 'distress')) {
    throw new CallsConfigError('ivr.menu', 'must keep the water distress (水上遇险) entry');
  }
  for (const [k, v] of [
    ['ivr.digitTimeoutMs', c.ivr.digitTimeoutMs],
    ['queue.announceEveryMs', c.queue.announceEveryMs],
    ['queue.maxWaitMs', c.queue.maxWaitMs],
    ['queue.ringTimeoutMs', c.queue.ringTimeoutMs],
    ['queue.voicemailMaxMs', c.queue.voicemailMaxMs],
  ] as const) {
    if (!(typeof v === 'number' && v >= 1000 && v <= 3_600_000)) throw new CallsConfigError(k, 'must be 1000..3600000 ms');
  }
  if (!(c.queue.wrapUpMs >= 0 && c.queue.wrapUpMs <= 600_000)) throw new CallsConfigError('queue.wrapUpMs', 'must be 0..600000 ms');
  if (!(Number.isInteger(c.ivr.maxRetries) && c.ivr.maxRetries >= 0 && c.ivr.maxRetries <= 5)) {
    throw new CallsConfigError('ivr.maxRetries', 'must be 0..5');
  }
  if (!number.test(c.ivr.distressNumber)) throw new CallsConfigError('ivr.distressNumber', 'not a phone number');
  for (const [k, r] of Object.entries(c.ivr.redirects)) {
    if (!number.test(r.number)) throw new CallsConfigError(`ivr.redirects.${k}.number`, 'not a phone number');
  }
  if (!Array.isArray(c.queue.transferNumbers)) throw new CallsConfigError('queue.transferNumbers', 'must be a list of phone numbers');
  c.queue.transferNumbers.forEach((n, i) => {
    if (!number.test(n)) throw new CallsConfigError(`queue.transferNumbers[${i}]`, 'not a phone number');
  });
  c.ivr.legacyNumbers.forEach((n, i) => {
    if (!number.test(n)) throw new CallsConfigError(`ivr.legacyNumbers[${i}]`, 'not a phone number');
  });
  if (!hhmm.test(c.ivr.hours.open)) throw new CallsConfigError('ivr.hours.open', 'must be HH:MM');
  if (!hhmm.test(c.ivr.hours.close)) throw new CallsConfigError('ivr.hours.close', 'must be HH:MM');
  return deepFreeze(c);
}
