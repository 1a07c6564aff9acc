// The code tables' and regions' answers (tickets/reference-routes.ts) as schemas, apart from the routes so
// that the web UI takes its types from them (web-ui/src/api.ts).
// Response schemas: fastify serialises with them, so every field a route returns must be listed here
// (an unlisted one would be dropped); test/in-process/api-response-schemas.test.ts compares each answer
// with the service's own value.
export const labelSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'zh', 'en'],
  properties: { code: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' } },
} as const;
const labels = { type: 'array', items: labelSchema } as const;
export const domainSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'zh', 'en', 'parent', 'disabled'],
  properties: {
    code: { type: 'string' },
    zh: { type: 'string' },
    en: { type: 'string' },
    parent: { type: ['string', 'null'] },
    disabled: { type: 'boolean' },
  },
} as const;
export const codesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['types', 'subtypes', 'channels', 'domains', 'statuses', 'satisfactions', 'actions'],
  properties: {
    types: labels,
    // Keyed by ticket type: { inquiry: [...], suggestion: [...], complaint: [...] }.
    subtypes: { type: 'object', additionalProperties: labels },
    channels: labels,
    domains: { type: 'array', items: domainSchema },
    statuses: labels,
    satisfactions: labels,
    actions: labels,
  },
} as const;
export const regionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name', 'parent', 'level'],
  properties: {
    code: { type: 'string' },
    name: { type: 'string' },
    parent: { type: ['string', 'null'] },
    level: { type: 'string', enum: ['province', 'city', 'county'] },
  },
} as const;
export const regionDetailSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name', 'path'],
  properties: {
    code: { type: 'string' },
    /** Full name without 市辖区/县 placeholders, e.g. 甘肃省甘南藏族自治州合作市. */
    name: { type: 'string' },
    /** From the province down to the region itself. */
    path: { type: 'array', items: regionSchema },
  },
} as const;
export const regionListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'items'],
  properties: {
    /** Where the region table comes from (its edition). */
    source: { type: 'string' },
    items: { type: 'array', items: regionSchema },
  },
} as const;
