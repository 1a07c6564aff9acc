// The appliance configuration (technician settings): a typed, documented schema with units, defaults and
// ranges. Validated when loaded; an unknown key or a bad value is named in the error and the box does not
// start on it. Runtime state (tickets, accounts, calendar corrections) lives in SQLite, not here.
import { Ajv, type ErrorObject } from 'ajv';

export type Role = 'city' | 'province' | 'ministry';

export interface BoxConfig {
  box: {
    /** Level in the three-level network. */
    role: Role;
    /** GB/T 2260 code of the region this box serves (6 digits). */
    region: string;
    /** Display name of the centre. */
    name: string;
    /** IANA time zone used for ticket numbers, business days and reports. */
    timezone: string;
  };
  http: {
    /** Address to listen on; 127.0.0.1 unless the LAN should reach it. */
    host: string;
    /** TCP port, 1–65535. */
    port: number;
  };
  tickets: {
    /** Handling limits in working days per ticket type. */
    deadlines: { inquiry: number; suggestion: number; complaint: number };
    /** A ticket is "due soon" when its due date is within this many working days. */
    dueSoonWorkingDays: number;
    /** Longest description accepted, in characters. */
    maxDescriptionLength: number;
  };
  auth: {
    /** Session lifetime in hours. */
    sessionHours: number;
    /** Failed logins of one user name from one client address before that pair is locked. */
    loginMaxFailures: number;
    /**
     * Failed logins of one user name from all addresses together, or from one address for all user names,
     * before the name (or the address) is locked everywhere. Looser than loginMaxFailures, so one machine
     * on the LAN cannot lock an account out; `edgebox user unlock NAME` lifts a lock.
     */
    loginMaxFailuresTotal: number;
    /** Lock duration in minutes after too many failures; doubles on each further failure, up to 24 h. */
    loginLockMinutes: number;
  };
  /** Three-level network (docs/exchange.md §Retention, §Confidential reporters). */
  network: {
    /** Days a received message stays acceptable after its `at`; older ones are refused (exchange-message-expired). */
    maxMessageAgeDays: number;
    /** Days a delivered outbox row is kept (a peer restored from a backup pulls it again within this time). */
    outboxRetentionDays: number;
    /** Days dead letters, refusal records, messages the receiver refused and spent enrollment codes are kept. */
    logRetentionDays: number;
    /**
     * Send a confidential reporter's phone and name upward in ticket reports. Off by default; turn on only
     * with the written authorisation of the policy that allows it.
     */
    revealConfidentialUpstream: boolean;
  };
  /** GET /metrics (Prometheus text format): open to the loopback, to these addresses, or to the token. */
  metrics: {
    /** Client addresses (exact IPv4/IPv6) of Prometheus scrapers allowed without a token. */
    allowAddresses: string[];
    /** SHA-256 (hex) of a bearer token a scraper may send instead (`Authorization: Bearer …`); null: none. */
    tokenSha256: string | null;
  };
}

export const defaultConfig: BoxConfig = {
  // 甘南藏族自治州: a small prefecture, as in the design's example ticket number.
  box: { role: 'city', region: '623000', name: '12328交通运输服务监督电话', timezone: 'Asia/Shanghai' },
  http: { host: '127.0.0.1', port: 8328 },
  tickets: {
    // No national figure is published; 12345 practice is 5 working days for inquiries, 15 for complaints.
    deadlines: { inquiry: 5, suggestion: 10, complaint: 15 },
    dueSoonWorkingDays: 1,
    maxDescriptionLength: 4000,
  },
  auth: { sessionHours: 12, loginMaxFailures: 5, loginMaxFailuresTotal: 20, loginLockMinutes: 15 },
  network: { maxMessageAgeDays: 30, outboxRetentionDays: 30, logRetentionDays: 90, revealConfidentialUpstream: false },
  metrics: { allowAddresses: [], tokenSha256: null },
};

const days = { type: 'integer', minimum: 1, maximum: 60 } as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['box', 'http', 'tickets', 'auth', 'network', 'metrics'],
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
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(configSchema);

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
