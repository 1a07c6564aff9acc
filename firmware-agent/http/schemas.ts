// Shared JSON schemas of the API's objects (also the OpenAPI description's components). They are written
// `as const` and closed (every property listed, the ones always sent required) so that they are also the
// types: the web UI reads `FromSchema<typeof ticketSchema>` (web-ui/src/api.ts) instead of a hand copy, and
// test/unit/api-schema-types.test.ts holds the server's own view types to them both ways.
import { userRoles } from '../accounts/actor.js';
import { actions, channels, satisfactions, statuses, ticketTypes } from '../tickets/codes.js';

export const codes = <const T extends readonly { code: string }[]>(list: T) => list.map((l) => l.code) as { -readonly [K in keyof T]: T[K]['code'] };
export const nullable = <const S extends object>(s: S) => ({ anyOf: [s, { type: 'null' }] }) as const;
/** An object whose properties are all always sent, and nothing else. */
export const record = <const P extends Record<string, object>>(properties: P) =>
  ({ type: 'object', additionalProperties: false, properties, required: Object.keys(properties) as (keyof P & string)[] }) as const;

export const phonePattern = '^\\+?[0-9][0-9-]{2,19}$';
export const regionPattern = '^[1-9][0-9]{5}$';
export const ticketNumberPattern = '^[1-9][0-9]{18}$';

const idName = record({ id: { type: 'integer' }, name: { type: 'string' } });

export const userSchema = {
  $id: 'User',
  ...record({
    id: { type: 'integer' },
    username: { type: 'string' },
    displayName: nullable({ type: 'string' }),
    role: { type: 'string', enum: [...userRoles] },
    department: nullable(idName),
    skills: { type: 'array', items: { type: 'string' } },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string' },
  }),
} as const;

export const departmentSchema = {
  $id: 'Department',
  ...record({
    id: { type: 'integer' },
    name: { type: 'string' },
    phone: nullable({ type: 'string' }),
    disabled: { type: 'boolean' },
    createdAt: { type: 'string' },
  }),
} as const;

export const ticketSchema = {
  $id: 'Ticket',
  ...record({
    id: { type: 'string', description: 'UUIDv7 used by the three-level exchange' },
    number: { type: 'string', description: '19 digits: {region 6}{yyyymmdd}{sequence 5}' },
    type: { type: 'string', enum: codes(ticketTypes) },
    subtype: nullable({ type: 'string' }),
    domain: { type: 'string' },
    channel: { type: 'string', enum: codes(channels) },
    region: { type: 'string' },
    regionName: nullable({ type: 'string' }),
    caller: record({
      phone: nullable({ type: 'string' }),
      name: nullable({ type: 'string' }),
      anonymous: { type: 'boolean' },
      hidden: { type: 'boolean', description: 'true when a confidential reporter’s identity is withheld from this viewer' },
    }),
    confidential: { type: 'boolean' },
    urgent: { type: 'boolean' },
    subject: { type: 'string' },
    description: { type: 'string' },
    location: nullable({ type: 'string' }),
    involved: nullable({ type: 'object', additionalProperties: false, properties: { plate: { type: 'string' }, company: { type: 'string' } } }),
    status: { type: 'string', enum: codes(statuses) },
    department: nullable(idName),
    dueAt: nullable({ type: 'string' }),
    deadline: record({
      state: { type: 'string', enum: ['on-time', 'due-soon', 'overdue', 'met', 'missed', 'none'] },
      uncertain: { type: 'boolean', description: 'the due date counts days of a year with no official calendar data' },
    }),
    answer: nullable({ type: 'string' }),
    reply: nullable({ type: 'string' }),
    satisfaction: nullable({ type: 'string', enum: codes(satisfactions) }),
    visitNote: nullable({ type: 'string' }),
    reopenCount: { type: 'integer' },
    mergedInto: nullable({ type: 'string' }),
    callId: nullable({ type: 'string' }),
    originRegion: nullable({ type: 'string', description: 'the box that took the call, for a ticket transferred here (流转)' }),
    transferredTo: nullable({ type: 'string', description: 'the matter’s region, for a ticket this box transferred elsewhere' }),
    handlerRegion: nullable({ type: 'string', description: 'the box that answered a transferred ticket' }),
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    dispatchedAt: nullable({ type: 'string' }),
    repliedAt: nullable({ type: 'string' }),
    closedAt: nullable({ type: 'string' }),
    escalation: nullable({
      description: 'the latest overdue escalation (督办) while the department holds the ticket',
      ...record({ at: { type: 'string' }, note: nullable({ type: 'string' }) }),
    }),
    review: nullable({
      description: 'the centre’s latest review (复核) of a complaint’s current result',
      ...record({ outcome: { type: 'string', enum: ['approved', 'returned'] }, at: { type: 'string' }, note: nullable({ type: 'string' }) }),
    }),
    version: { type: 'integer' },
  }),
} as const;

/** A page of `GET /api/tickets` (its type: `FromSchema<typeof ticketListSchema, { references: [typeof ticketSchema] }>`). */
export const ticketListSchema = record({
  items: { type: 'array', items: { $ref: 'Ticket#' } },
  page: { type: 'integer' },
  pageSize: { type: 'integer' },
  total: { type: 'integer' },
  totalCapped: { type: 'boolean' },
});

export const auditSchema = {
  $id: 'AuditRecord',
  ...record({
    id: { type: 'integer' },
    at: { type: 'string' },
    actor: record({ id: nullable({ type: 'integer' }), name: { type: 'string' }, role: nullable({ type: 'string' }) }),
    entity: { type: 'string' },
    entityId: { type: 'string' },
    action: { type: 'string' },
    fromStatus: nullable({ type: 'string' }),
    toStatus: nullable({ type: 'string' }),
    note: nullable({ type: 'string' }),
    data: nullable({ type: 'object', additionalProperties: true }),
  }),
} as const;

export const actionNames = [...actions];
