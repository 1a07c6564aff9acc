// The exchange's message model (docs/exchange.md §Messages): an envelope with a UUIDv7 id, origin,
// destination, time, kind and a versioned body. Bodies are validated per kind and version; a version
// newer than this build knows is refused (never guessed at), an older one is read as it was defined.
import { schemaValidator, type Validator } from '../schema/compiled.js';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../errors.js';
import { alarmReportSchema } from './alarm-reports.js';

export const envelopeVersion = 1;

/** Address of the ministry box: the national level, above every GB/T 2260 province code. */
export const ministryAddress = '000000';

export const messageKinds = [
  'ticket.report', // 上报: a snapshot of a ticket after each change, to every level above ('^')
  'ticket.transfer', // 流转: a ticket handed to the box that holds the matter's region
  'ticket.result', // 回复反馈: the handling result, back to the box that took the call
  'ticket.visit', // 回访: the return-visit outcome, from the origin to the handling box
  'kb.article', // 知识库: an article published above, to every box below ('*')
  'stats.daily', // 统计: one box's daily aggregate, to every level above ('^')
  'alarm.report', // 告警: one of a box's alarms raised or cleared, to every level above ('^') (alarm-reports.ts)
  'peer.key', // a box's key as the box that paired it attests it, for origin signatures (origin.ts)
] as const;
export type MessageKind = (typeof messageKinds)[number];

/** Highest body version of each kind this build understands. */
export const bodyVersions: Record<MessageKind, number> = {
  'ticket.report': 1,
  'ticket.transfer': 1,
  'ticket.result': 1,
  'ticket.visit': 1,
  'kb.article': 1,
  'stats.daily': 1,
  'alarm.report': 1,
  'peer.key': 1,
};

export interface Envelope<B = unknown> {
  v: number;
  id: string;
  kind: MessageKind;
  /** Address of the box that created the message (its region code; the ministry is 000000). */
  from: string;
  /** A box address, '^' (every level above the origin) or '*' (every box below the origin). */
  to: string;
  at: string;
  ticket?: { id: string; version: number };
  bodyVersion: number;
  body: B;
  /** The origin's signature (origin.ts; docs/exchange.md §2.2). */
  sig?: { key: string; value: string; path?: string[] };
}

export interface TicketSnapshot {
  id: string;
  number: string;
  type: string;
  subtype: string | null;
  domain: string;
  channel: string;
  region: string;
  caller: { phone: string | null; name: string | null; anonymous: boolean; hidden: boolean };
  confidential: boolean;
  urgent: boolean;
  subject: string;
  description: string;
  location: string | null;
  involved: { plate?: string; company?: string } | null;
  status: string;
  dueAt: string | null;
  answer: string | null;
  reply: string | null;
  satisfaction: string | null;
  reopenCount: number;
  createdAt: string;
  updatedAt: string;
  dispatchedAt: string | null;
  repliedAt: string | null;
  closedAt: string | null;
  version: number;
  /** Box that took the call, when not the reporting box. */
  originRegion?: string | null;
  /** Box the ticket was transferred to, or that answered it. */
  handlerRegion?: string | null;
  /** The centre's latest review (复核) of a complaint's current result (ticket.report of action 'review'). */
  review?: { outcome: 'approved' | 'returned'; at: string; note: string | null } | null;
}

export interface ReportBody {
  ticket: TicketSnapshot;
  action: string;
}
export interface TransferBody {
  ticket: TicketSnapshot;
}
export interface ResultBody {
  ticketId: string;
  number: string;
  kind: 'answer' | 'reply';
  text: string;
  at: string;
}
export interface VisitBody {
  ticketId: string;
  number: string;
  satisfaction: 'satisfied' | 'neutral' | 'unsatisfied';
  note: string | null;
  at: string;
}
export interface ArticleBody {
  uid: string;
  kind: string;
  scope: 'ministry' | 'province' | 'city';
  ownerRegion: string;
  title: string;
  body: string;
  tags: string[];
  domain: string | null;
  validFrom: string | null;
  validTo: string | null;
  status: 'published' | 'withdrawn';
  version: number;
  updatedAt: string;
}
/** peer.key: the key of the box holding `region`, as the box that paired it (or the ministry) attests it. */
export interface PeerKeyBody {
  region: string;
  role: 'city' | 'province' | 'ministry';
  publicKey: string;
  enrolledAt: string;
  revokedAt: string | null;
}
export interface StatsBody {
  region: string;
  day: string;
  computedAt: string;
  [figure: string]: unknown;
}

const region = { type: 'string', pattern: '^\\d{6}$' } as const;
const uuid = { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } as const;
/** A message id: a UUID of version 7 (RFC 9562 §5.7: version nibble 7, variant bits 10), lower case. */
const uuidV7 = { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' } as const;
const iso = { type: 'string', minLength: 10, maxLength: 40 } as const;
const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
const nullable = (s: object) => ({ anyOf: [s, { type: 'null' }] });
const ticketNumber = { type: 'string', pattern: '^\\d{19}$' } as const;

const snapshotSchema = {
  type: 'object',
  required: ['id', 'number', 'type', 'domain', 'channel', 'region', 'caller', 'subject', 'description', 'status', 'createdAt', 'updatedAt', 'version'],
  properties: {
    id: uuid,
    number: ticketNumber,
    type: { enum: ['inquiry', 'suggestion', 'complaint'] },
    subtype: nullable(text(32)),
    domain: text(32),
    channel: text(32),
    region,
    caller: {
      type: 'object',
      required: ['anonymous', 'hidden'],
      properties: { phone: nullable(text(32)), name: nullable(text(64)), anonymous: { type: 'boolean' }, hidden: { type: 'boolean' } },
    },
    confidential: { type: 'boolean' },
    urgent: { type: 'boolean' },
    subject: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', minLength: 1, maxLength: 20000 },
    location: nullable(text(200)),
    status: text(32),
    review: nullable({
      type: 'object',
      additionalProperties: false,
      required: ['outcome', 'at'],
      properties: { outcome: { enum: ['approved', 'returned'] }, at: iso, note: nullable(text(1000)) },
    }),
    version: { type: 'integer', minimum: 1 },
    createdAt: iso,
    updatedAt: iso,
  },
} as const;

export const envelopeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['v', 'id', 'kind', 'from', 'to', 'at', 'bodyVersion', 'body'],
  properties: {
    v: { type: 'integer', minimum: 1 },
    id: uuidV7,
    kind: { type: 'string', maxLength: 64 },
    from: region,
    to: { type: 'string', pattern: '^(\\d{6}|\\^|\\*)$' },
    at: iso,
    ticket: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'version'],
      properties: { id: uuid, version: { type: 'integer', minimum: 1 } },
    },
    bodyVersion: { type: 'integer', minimum: 1 },
    body: { type: 'object' },
    sig: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'value'],
      properties: {
        key: { type: 'string', pattern: '^[0-9A-Z]{32}$' },
        value: { type: 'string', maxLength: 100 },
        path: { type: 'array', maxItems: 32, items: { type: 'string', maxLength: 45 } },
      },
    },
  },
} as const;

const bodySchemas: Record<MessageKind, object> = {
  'ticket.report': { type: 'object', required: ['ticket', 'action'], properties: { ticket: snapshotSchema, action: text(32) } },
  'ticket.transfer': { type: 'object', required: ['ticket'], properties: { ticket: snapshotSchema } },
  'ticket.result': {
    type: 'object',
    required: ['ticketId', 'number', 'kind', 'text', 'at'],
    properties: { ticketId: uuid, number: ticketNumber, kind: { enum: ['answer', 'reply'] }, text: text(20000), at: iso },
  },
  'ticket.visit': {
    type: 'object',
    required: ['ticketId', 'number', 'satisfaction', 'at'],
    properties: { ticketId: uuid, number: ticketNumber, satisfaction: { enum: ['satisfied', 'neutral', 'unsatisfied'] }, note: nullable(text(2000)), at: iso },
  },
  'kb.article': {
    type: 'object',
    required: ['uid', 'kind', 'scope', 'ownerRegion', 'title', 'body', 'status', 'version', 'updatedAt'],
    properties: {
      uid: uuid,
      kind: text(32),
      scope: { enum: ['ministry', 'province', 'city'] },
      ownerRegion: region,
      title: { type: 'string', minLength: 1, maxLength: 200 },
      body: text(100000),
      tags: { type: 'array', items: text(32), maxItems: 50 },
      status: { enum: ['published', 'withdrawn'] },
      version: { type: 'integer', minimum: 1 },
      updatedAt: iso,
    },
  },
  'stats.daily': {
    type: 'object',
    required: ['region', 'day', 'computedAt', 'volumes'],
    properties: { region, day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, computedAt: iso, volumes: { type: 'object' } },
  },
  'alarm.report': alarmReportSchema,
  'peer.key': {
    type: 'object',
    additionalProperties: false,
    required: ['region', 'role', 'publicKey', 'enrolledAt', 'revokedAt'],
    properties: {
      region,
      role: { enum: ['city', 'province', 'ministry'] },
      publicKey: { type: 'string', minLength: 40, maxLength: 200 },
      enrolledAt: iso,
      revokedAt: nullable(iso),
    },
  },
};

// Precompiled by the build (schema/compiled.ts), so the box does not compile them when it starts.
const options = { allErrors: false, strict: false };
const validators = Object.fromEntries(
  Object.entries(bodySchemas).map(([k, s]) => [k, schemaValidator(`exchange-${k.replace(/\./g, '-')}`, s, options)]),
) as Record<MessageKind, Validator>;
const validateEnvelopeShape = schemaValidator('exchange-envelope', envelopeSchema, options);

/**
 * Checks one envelope: shape, known kind, supported versions and the body for its kind.
 * Throws AppError validation-failed | exchange-version-unsupported | exchange-body-invalid.
 */
export function checkEnvelope(e: unknown, index = 0): Envelope {
  if (!validateEnvelopeShape(e)) {
    const err = validateEnvelopeShape.errors?.[0];
    throw new AppError('exchange-body-invalid', `message ${index}: ${err?.instancePath || 'envelope'} ${err?.message ?? 'is invalid'}`, { index });
  }
  const env = e as Envelope;
  if (env.v > envelopeVersion) {
    throw new AppError('exchange-version-unsupported', `message ${index}: envelope version ${env.v} is newer than ${envelopeVersion}`, { index, id: env.id, v: env.v });
  }
  if (!(messageKinds as readonly string[]).includes(env.kind)) {
    throw new AppError('exchange-version-unsupported', `message ${index}: kind ${env.kind} is not known to this box`, { index, id: env.id, kind: env.kind });
  }
  if (env.bodyVersion > bodyVersions[env.kind]) {
    throw new AppError('exchange-version-unsupported', `message ${index}: ${env.kind} body version ${env.bodyVersion} is newer than ${bodyVersions[env.kind]}`, {
      index,
      id: env.id,
      kind: env.kind,
      bodyVersion: env.bodyVersion,
      supported: bodyVersions[env.kind],
    });
  }
  const validate = validators[env.kind];
  if (!validate(env.body)) {
    const err = validate.errors?.[0];
    throw new AppError('exchange-body-invalid', `message ${index} (${env.kind}): body${err?.instancePath ?? ''} ${err?.message ?? 'is invalid'}`, { index, id: env.id, kind: env.kind });
  }
  return env;
}

/** Clocks of paired boxes agree within the request skew (5 min); a message may be dated at most this far ahead. */
export const messageLeadMs = 3_600_000;

/**
 * How long a receiver keeps the ids of the messages it applied: longer than any message it still accepts
 * (`maxAgeMs` after its time, which is at most messageLeadMs after its receipt), plus a day for clock
 * corrections. A repeat arriving after its id was pruned is refused by checkMessageTime.
 */
export function inboxKeepMs(maxAgeMs: number): number {
  return maxAgeMs + 86_400_000;
}

/**
 * A message's time against the receiver's clock (docs/exchange.md §Retention). The receiver forgets the ids
 * of applied messages after inboxKeepMs, so a message older than `maxAgeMs` is refused, never applied
 * again; one dated more than messageLeadMs ahead (or with no readable time) is refused too, since it would
 * outlive its own id. Throws AppError exchange-message-expired | exchange-message-time-invalid.
 */
export function checkMessageTime(env: Envelope, index: number, now: Date, maxAgeMs: number): void {
  const t = Date.parse(env.at);
  if (Number.isNaN(t) || t - now.getTime() > messageLeadMs) {
    throw new AppError('exchange-message-time-invalid', `message ${index}: time ${env.at} is not a time up to ${messageLeadMs / 60_000} min ahead of ${now.toISOString()}`, {
      index,
      id: env.id,
      at: env.at,
    });
  }
  if (now.getTime() - t > maxAgeMs) {
    throw new AppError('exchange-message-expired', `message ${index}: created at ${env.at}, older than the ${Math.round(maxAgeMs / 86_400_000)} days this box accepts`, {
      index,
      id: env.id,
      at: env.at,
      maxAgeDays: Math.round(maxAgeMs / 86_400_000),
    });
  }
}

export function newEnvelope<B>(kind: MessageKind, from: string, to: string, at: Date, body: B, ticket?: { id: string; version: number }): Envelope<B> {
  return {
    v: envelopeVersion,
    id: uuidv7({ msecs: at.getTime() }),
    kind,
    from,
    to,
    at: at.toISOString(),
    ...(ticket ? { ticket } : {}),
    bodyVersion: bodyVersions[kind],
    body,
  };
}
