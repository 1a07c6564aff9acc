// The appliance configuration (technician settings): a documented JSON schema with units and ranges, over the
// shape and defaults in model.ts. Validated when loaded; an unknown key or a bad value is named in the error
// and the box does not start on it. Runtime state (tickets, accounts, calendar corrections) lives in SQLite,
// not here.
import type { ErrorObject } from 'ajv';
import { schemaValidator } from '../schema/compiled.js';
import { type BoxConfig, defaultConfig } from './model.js';
import { kpiKeys } from '../stats/kpis.js';
import { gov12345SectionSchema } from '../gov12345/config.js';
import { callsSectionSchema, callsSettingsProblems } from '../calls/config.js';
import { smsSectionSchema, smsSettingsProblems } from '../sms/config.js';
import { networkTunablesSchema } from './network-tunables.js';

const days = { type: 'integer', minimum: 1, maximum: 60 } as const;

const limit = (max: number) => ({ type: ['number', 'null'], minimum: 0, maximum: max }) as const;
const alarmsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dutyTechnicianPhone', 'raiseAfterSamples', 'clearAfterSamples', 'clearMarginPercent', 'reportUpstream', 'thresholds'],
  properties: {
    dutyTechnicianPhone: { type: ['string', 'null'], pattern: '^(\\+?86)?1[3-9]\\d{9}$' },
    raiseAfterSamples: { type: 'integer', minimum: 1, maximum: 20 },
    clearAfterSamples: { type: 'integer', minimum: 1, maximum: 20 },
    clearMarginPercent: { type: 'number', minimum: 0, maximum: 50 },
    reportUpstream: { type: 'boolean' },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      required: ['load1PerCore', 'cpuUsePercent', 'temperatureC', 'memoryAvailableMinPercent', 'diskFreeMinPercent', 'diskFreeMinMB', 'rssMaxMB', 'eventLoopDelayMaxMs', 'modemSignalMinRssi', 'netOutboxMaxDepth', 'netOutboxMaxAgeMinutes', 'smsOutboxMaxDepth', 'overdueTicketsMax'],
      properties: {
        load1PerCore: limit(1000),
        cpuUsePercent: limit(100),
        temperatureC: limit(150),
        memoryAvailableMinPercent: limit(100),
        diskFreeMinPercent: limit(100),
        diskFreeMinMB: limit(1e9),
        rssMaxMB: limit(1e6),
        eventLoopDelayMaxMs: limit(1e6),
        modemSignalMinRssi: limit(31),
        netOutboxMaxDepth: limit(1e9),
        netOutboxMaxAgeMinutes: limit(1e7),
        smsOutboxMaxDepth: limit(1e9),
        overdueTicketsMax: limit(1e9),
      },
    },
  },
} as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['box', 'http', 'tickets', 'auth', 'network', 'metrics', 'alarms', 'jobs', 'trunk', 'hotline', 'selftest', 'provisioned'],
  properties: {
    box: {
      type: 'object',
      additionalProperties: false,
      required: ['role', 'region', 'name', 'timezone'],
      properties: {
        role: { enum: ['city', 'province', 'ministry'] },
        region: { type: 'string', pattern: '^[1-9]\\d{5}$' },
        name: { type: 'string', minLength: 1, maxLength: 100 },
        timezone: { type: 'string', minLength: 1 },
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port'],
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        httpsPort: { type: 'integer', minimum: -1, maximum: 65535 },
        tlsNames: {
          type: 'array',
          maxItems: 20,
          items: { type: 'string', minLength: 1, maxLength: 253, pattern: '^([0-9a-fA-F:.]+|(\\*\\.)?[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)$' },
        },
      },
    },
    tickets: {
      type: 'object',
      additionalProperties: false,
      required: ['deadlines', 'dueSoonWorkingDays', 'maxDescriptionLength'],
      properties: {
        deadlines: {
          type: 'object',
          additionalProperties: false,
          required: ['inquiry', 'suggestion', 'complaint'],
          properties: { inquiry: days, suggestion: days, complaint: days },
        },
        dueSoonWorkingDays: { type: 'integer', minimum: 0, maximum: 10 },
        maxDescriptionLength: { type: 'integer', minimum: 100, maximum: 20000 },
        complaintReviewRequired: { type: 'boolean' },
      },
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      required: ['sessionHours', 'loginMaxFailures', 'loginMaxFailuresTotal', 'loginLockMinutes'],
      properties: {
        sessionHours: { type: 'integer', minimum: 1, maximum: 720 },
        loginMaxFailures: { type: 'integer', minimum: 1, maximum: 100 },
        loginMaxFailuresTotal: { type: 'integer', minimum: 1, maximum: 1000 },
        loginLockMinutes: { type: 'integer', minimum: 1, maximum: 1440 },
      },
    },
    network: {
      type: 'object',
      additionalProperties: false,
      required: ['maxMessageAgeDays', 'outboxRetentionDays', 'logRetentionDays', 'revealConfidentialUpstream'],
      properties: {
        maxMessageAgeDays: { type: 'integer', minimum: 1, maximum: 3650 },
        outboxRetentionDays: { type: 'integer', minimum: 1, maximum: 3650 },
        logRetentionDays: { type: 'integer', minimum: 1, maximum: 3650 },
        revealConfidentialUpstream: { type: 'boolean' },
        tunables: networkTunablesSchema,
      },
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      required: ['allowAddresses', 'tokenSha256'],
      properties: {
        allowAddresses: { type: 'array', maxItems: 32, items: { type: 'string', minLength: 2, maxLength: 45, pattern: '^[0-9a-fA-F:.]+$' } },
        tokenSha256: { type: ['string', 'null'], pattern: '^[0-9a-f]{64}$' },
      },
    },
    alarms: alarmsSchema,
    trunk: {
      type: 'object',
      additionalProperties: false,
      required: ['driver', 'serial', 'dchannel', 'options'],
      properties: {
        driver: { enum: ['simulator', 'serial-at', 'e1-pri', 'voice-modem'] },
        serial: { type: ['string', 'null'], minLength: 1, maxLength: 4096 },
        dchannel: { type: ['string', 'null'], minLength: 1, maxLength: 4096 },
        options: {
          type: 'object',
          maxProperties: 32,
          propertyNames: { pattern: '^[a-z][a-z0-9-]{0,39}$' },
          additionalProperties: { type: 'string', maxLength: 1000 },
        },
      },
    },
    hotline: {
      type: 'object',
      additionalProperties: false,
      required: ['numbers'],
      properties: { numbers: { type: 'array', minItems: 1, maxItems: 16, items: { type: 'string', pattern: '^\\d{3,20}$' } } },
    },
    selftest: {
      type: 'object',
      additionalProperties: false,
      required: ['modemSignalMinRssi', 'diskFreeMinMB', 'diskFreeMinPercent', 'inodesFreeMinPercent', 'clockSkewMaxSeconds', 'outboxMaxAgeMinutes', 'backupMaxAgeHours'],
      properties: {
        modemSignalMinRssi: { type: 'integer', minimum: 0, maximum: 31 },
        diskFreeMinMB: { type: 'number', minimum: 0, maximum: 1e9 },
        diskFreeMinPercent: { type: 'number', minimum: 0, maximum: 100 },
        inodesFreeMinPercent: { type: 'number', minimum: 0, maximum: 100 },
        clockSkewMaxSeconds: { type: 'number', minimum: 1, maximum: 86400 },
        outboxMaxAgeMinutes: { type: 'number', minimum: 1, maximum: 1e7 },
        backupMaxAgeHours: { type: 'number', minimum: 1, maximum: 1e5 },
      },
    },
    provisioned: { type: ['string', 'null'], maxLength: 40 },
    gov12345: gov12345SectionSchema,
    calls: callsSectionSchema,
    sms: smsSectionSchema,
    stats: {
      type: 'object',
      additionalProperties: false,
      required: ['weights'],
      properties: { weights: { type: 'object', additionalProperties: false, required: [...kpiKeys], properties: Object.fromEntries(kpiKeys.map((k) => [k, { type: 'number', minimum: 0, maximum: 999 }])) } },
    },
    qa: {
      type: 'object',
      additionalProperties: false,
      required: ['criteria'],
      properties: {
        criteria: {
          type: 'array',
          minItems: 1,
          maxItems: 30,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['key', 'zh', 'en', 'maxPoints', 'weight'],
            properties: {
              key: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' },
              zh: { type: 'string', minLength: 1, maxLength: 50 },
              en: { type: 'string', minLength: 1, maxLength: 100 },
              maxPoints: { type: 'integer', minimum: 1, maximum: 100 },
              weight: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
            },
          },
        },
      },
    },
    jobs: {
      type: 'object',
      additionalProperties: false,
      required: ['schedules', 'backup', 'retention'],
      properties: {
        schedules: {
          type: 'object',
          maxProperties: 32,
          propertyNames: { pattern: '^[a-z][a-z0-9-]{1,39}$' },
          additionalProperties: { type: 'string', minLength: 9, maxLength: 100, pattern: '^[0-9*/,\\- A-Za-z?#LW]+$' },
        },
        backup: {
          type: 'object',
          additionalProperties: false,
          required: ['keep', 'usbDir', 'upstream', 'offsiteMaxMB'],
          properties: {
            keep: { type: 'integer', minimum: 1, maximum: 365 },
            usbDir: { type: ['string', 'null'], minLength: 1, maxLength: 4096 },
            upstream: { type: 'boolean' },
            offsiteMaxMB: { type: 'integer', minimum: 1, maximum: 1048576 },
          },
        },
        retention: {
          type: 'object',
          additionalProperties: false,
          required: ['messagesKeepDays', 'logsKeepDays', 'recordingsKeepDays', 'recordingsMaxDiskPercent', 'alarmsKeepDays'],
          properties: {
            messagesKeepDays: { type: 'integer', minimum: 1, maximum: 3650 },
            logsKeepDays: { type: 'integer', minimum: 1, maximum: 3650 },
            recordingsKeepDays: { type: 'integer', minimum: 1, maximum: 3650 },
            recordingsMaxDiskPercent: { type: 'integer', minimum: 1, maximum: 90 },
            alarmsKeepDays: { type: 'integer', minimum: 1, maximum: 3650 },
          },
        },
      },
    },
  },
} as const;

// Precompiled by the build (schema/compiled.ts).
const validate = schemaValidator<BoxConfig>('box-config', configSchema, { allErrors: true, strict: true });

export class ConfigError extends Error {
  readonly code = 'config-invalid';
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

function describe(e: ErrorObject): string {
  const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)';
  if (e.keyword === 'additionalProperties') {
    return `${where === '(root)' ? '' : `${where}.`}${(e.params as { additionalProperty: string }).additionalProperty}: unknown setting`;
  }
  if (e.keyword === 'enum') return `${where}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${where}: ${e.message ?? 'invalid'}`;
}

/** Validates a configuration document and returns it frozen; throws ConfigError naming every bad value. */
export function validateConfig(doc: unknown, source = 'configuration'): Readonly<BoxConfig> {
  if (!validate(doc)) {
    const problems = (validate.errors ?? []).map(describe);
    throw new ConfigError(`${source} is invalid: ${problems.join('; ')}`, problems);
  }
  const cfg = doc as BoxConfig;
  try {
    new Intl.DateTimeFormat('en', { timeZone: cfg.box.timezone });
  } catch {
    throw new ConfigError(`${source} is invalid: box.timezone: unknown time zone`, ['box.timezone: unknown time zone']);
  }
  // The call and SMS sections' own rules (a menu digit used twice, a template without {number}, …).
  const deep = [...callsSettingsProblems(cfg.calls ?? {}), ...smsSettingsProblems(cfg.sms ?? {})];
  if (deep.length) throw new ConfigError(`${source} is invalid: ${deep.join('; ')}`, deep);
  return deepFreeze(structuredClone(cfg));
}

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Fills keys missing from an older config file with defaults (never overwrites a value that is set). */
export function withDefaults(doc: Record<string, unknown>, defaults: unknown = defaultConfig): unknown {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return doc;
  const out: Record<string, unknown> = { ...doc };
  for (const [k, v] of Object.entries(defaults as Record<string, unknown>)) {
    if (!(k in out)) out[k] = structuredClone(v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = withDefaults(out[k] as Record<string, unknown>, v);
  }
  return out;
}
