// The `gov12345` section of the configuration (config/schema.ts; docs/12345.md §6): the 12345 platforms this
// box exchanges work orders with, each with its address, shared key and field mapping. Platforms differ in
// field names and code tables, so the mapping is configuration, not code.

/** The box's own names for the fields of a work order (docs/12345.md §4); a platform may rename any. */
export const canonicalFields = [
  'ref',
  'type',
  'domain',
  'region',
  'subject',
  'description',
  'location',
  'callerPhone',
  'callerName',
  'dueAt',
  'createdAt',
  'text',
  'handledAt',
  'handler',
  'satisfaction',
  'note',
  'visitedAt',
] as const;
export type CanonicalField = (typeof canonicalFields)[number];

/** Code tables a platform may map: the box's code → the platform's code. */
export const codeTables = ['type', 'satisfaction'] as const;
export type CodeTable = (typeof codeTables)[number];

export interface Gov12345Platform {
  /** The platform's id in this box (1–32 of a-z, 0-9, dash); it also names it in the outbox and audit. */
  id: string;
  name: string;
  /** Where the platform serves the 12345 endpoint (its origin; the box posts to <url>/api/gov12345/v1/messages). */
  url: string;
  /** The name the platform knows this box by (x-gov12345-platform on the box's requests). */
  account: string;
  /**
   * The shared HMAC-SHA256 key: 32–256 printable characters, or `file:NAME` for a key kept in the file
   * `<data dir>/gov12345/NAME` (so it is neither in config.json nor in the audit of configuration changes).
   */
  secret: string;
  enabled: boolean;
  /** Canonical field name → the platform's field name; fields not listed keep their canonical name. */
  fields: Partial<Record<CanonicalField, string>>;
  /** Per code table: the box's code → the platform's code; codes not listed are sent as they are. */
  codes: Partial<Record<CodeTable, Record<string, string>>>;
  /** Region code of orders received from this platform without one (GB/T 2260); the box's own when null. */
  defaultRegion: string | null;
  /** Business domain of orders received without one. */
  defaultDomain: string;
}

export interface Gov12345Config {
  platforms: Gov12345Platform[];
  /** Largest request body accepted from a platform, bytes. */
  maxBodyBytes: number;
  /** First retry delay and ceiling of the exponential back-off, ms. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export const defaultGov12345: Gov12345Config = { platforms: [], maxBodyBytes: 256 * 1024, retryBaseMs: 2000, retryMaxMs: 300_000 };

const fieldName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,39}$' } as const;
const codeMap = { type: 'object', maxProperties: 20, additionalProperties: { type: 'string', minLength: 1, maxLength: 20 } } as const;

/** JSON schema of the section (config/schema.ts). Optional: a box without it exchanges with no platform. */
export const gov12345SectionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['platforms', 'maxBodyBytes', 'retryBaseMs', 'retryMaxMs'],
  properties: {
    platforms: {
      type: 'array',
      maxItems: 8,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'url', 'account', 'secret', 'enabled', 'fields', 'codes', 'defaultRegion', 'defaultDomain'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' },
          name: { type: 'string', minLength: 1, maxLength: 100 },
          url: { type: 'string', pattern: '^https?://[^/@\\s]+/?$', maxLength: 200 },
          account: { type: 'string', pattern: '^[\\x21-\\x7e]{1,64}$' },
          secret: { type: 'string', pattern: '^(file:[A-Za-z0-9._-]{1,64}|[\\x21-\\x7e]{32,256})$' },
          enabled: { type: 'boolean' },
          fields: { type: 'object', additionalProperties: false, properties: Object.fromEntries(canonicalFields.map((f) => [f, fieldName])) },
          codes: { type: 'object', additionalProperties: false, properties: Object.fromEntries(codeTables.map((t) => [t, codeMap])) },
          defaultRegion: { type: ['string', 'null'], pattern: '^\\d{6}$' },
          defaultDomain: { type: 'string', minLength: 1, maxLength: 40 },
        },
      },
    },
    maxBodyBytes: { type: 'integer', minimum: 1024, maximum: 4 * 1024 * 1024 },
    retryBaseMs: { type: 'integer', minimum: 1, maximum: 600_000 },
    retryMaxMs: { type: 'integer', minimum: 1, maximum: 86_400_000 },
  },
} as const;

/**
 * The section with every `file:NAME` key read from `<keyDir>/NAME`. A platform whose key file is missing or
 * shorter than 32 characters is disabled (never run with an empty or guessable key); `problems` says why.
 */
export function resolveKeys(cfg: Gov12345Config, readKey: (name: string) => string | null): { cfg: Gov12345Config; problems: string[] } {
  const problems: string[] = [];
  const platforms = cfg.platforms.map((p) => {
    if (!p.secret.startsWith('file:')) return p;
    const name = p.secret.slice(5);
    const key = readKey(name)?.trim() ?? '';
    if (key.length < 32) {
      problems.push(`platform ${p.id}: key file ${name} is missing or shorter than 32 characters; the platform is disabled`);
      return { ...p, secret: '', enabled: false };
    }
    return { ...p, secret: key };
  });
  return { cfg: { ...cfg, platforms }, problems };
}
