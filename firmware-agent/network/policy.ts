// The peer trust table (docs/exchange.md §5 "Who may send what"): one place that says, per message kind,
// which way it may travel, which peer may send it, which of its fields must match the region of the box
// that wrote it, and what the receiver applies. Signatures say who sent a request; this table says what
// that sender may say. Every check is a function of the envelope and who delivered it (door rules, checked
// before anything of a batch is applied: a violation refuses the batch with the rule's code) or of the
// envelope and the receiver's own copy of the ticket (held rules, checked as the message applies: a
// violation changes nothing and answers `ignored` with the rule's code). The exchange's tests walk this
// table (test/in-process/exchange-trust-table.test.ts): every rule has a violating message there.
import { AppError, type ErrorCode } from '../errors.js';
import { type ArticleBody, type Envelope, type MessageKind, type PeerKeyBody, type ReportBody, type ResultBody, type StatsBody, type TransferBody, type VisitBody, ministryAddress } from './messages.js';
import { addressServes, ministryNumberPrefix, peerMayOriginate } from './router.js';

type Destination = 'region' | 'above' | 'below';

/** Who delivered a message: a box below that pushed it, or this box's upstream from which it was pulled. */
export type Delivery = { way: 'up'; peer: { region: string; role: string } } | { way: 'down'; upstream: string };

/** The receiver's copy of the ticket a result or visit is about. */
export interface HeldTicket {
  number: string;
  origin_region: string | null;
  transferred_to: string | null;
}

export interface DoorRule {
  /** Stable name; the trust-table test has a violating message for each. */
  name: string;
  code: ErrorCode;
  /** Undefined when the message keeps the rule, else why not. */
  check(env: Envelope, by: Delivery): string | undefined;
}

export interface HeldRule {
  name: string;
  code: ErrorCode;
  check(env: Envelope, held: HeldTicket): string | undefined;
}

export interface KindTrust {
  /** May be pushed up by a box below. */
  up: boolean;
  /** May be pulled down from the upstream. */
  down: boolean;
  /** The only kind of `to` the message may carry: a box address, '^' or '*' (or one per way). */
  to: Destination | { up: Destination; down: Destination };
  /** Checked at the door, before anything of the batch applies. */
  door: DoorRule[];
  /** Checked against the receiver's copy of the ticket as the message applies. */
  held: HeldRule[];
  /** What the receiver applies (documentation; service.ts #applyLocal does it). */
  applies: string;
}

const day = 86_400_000;
/** 12328 opened in 2014: no ticket number is older. */
const firstDay = Date.UTC(2014, 0, 1);

/** The six digits that begin the numbers of the tickets the box at `address` takes (router.ts ticketNumberRegion). */
export function numberPrefixOf(address: string): string {
  return address === ministryAddress ? ministryNumberPrefix : address;
}

/** The UTC midnight of a number's yyyymmdd, or NaN when it is not a calendar day. */
export function numberDay(number: string): number {
  const y = Number(number.slice(6, 10));
  const m = Number(number.slice(10, 12));
  const d = Number(number.slice(12, 14));
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? t : Number.NaN;
}

/**
 * A number's date is sane for a message written at `at`: a calendar day, not after the day of `at` (one
 * day of slack for time zones: a number's day is the origin's local day), not before 12328 existed, and,
 * when `within` is given, not more than that many ms before `at`'s day.
 */
function numberDateProblem(number: string, at: string, within?: number): string | undefined {
  const d = numberDay(number);
  if (Number.isNaN(d)) return `ticket number ${number} carries no calendar day`;
  const atDay = Math.floor(Date.parse(at) / day) * day;
  if (d > atDay + day) return `ticket number ${number} is dated after the message (${at})`;
  if (d < firstDay || (within !== undefined && d < atDay - within)) return `ticket number ${number} is dated too long before the message (${at})`;
  return undefined;
}

const ticketRef: DoorRule = {
  name: 'ticket-reference',
  code: 'exchange-body-invalid',
  check(env) {
    const b = env.body as Partial<ReportBody & ResultBody>;
    const id = b.ticket?.id ?? b.ticketId;
    if (!env.ticket || env.ticket.id !== id) return `the envelope's ticket ${env.ticket?.id ?? '(none)'} is not the body's ticket ${id}`;
    return undefined;
  },
};

const heldNumber: HeldRule = {
  name: 'number-matches-copy',
  code: 'exchange-ticket-number-invalid',
  check(env, held) {
    const n = (env.body as ResultBody | VisitBody).number;
    return n === held.number ? undefined : `number ${n} is not the number ${held.number} of the ticket held here`;
  },
};

export const trustTable: Record<MessageKind, KindTrust> = {
  'ticket.report': {
    up: true,
    down: false,
    to: 'above',
    door: [
      ticketRef,
      {
        // A box reports the tickets it took (numbered with its prefix) and the copies transferred to it
        // (numbered by their origin, about a matter in its area).
        name: 'number-held-by-origin',
        code: 'exchange-ticket-number-invalid',
        check(env) {
          const t = (env.body as ReportBody).ticket;
          const prefix = t.number.slice(0, 6);
          const own = prefix === numberPrefixOf(env.from);
          const transferredIn = !!t.originRegion && prefix === numberPrefixOf(t.originRegion) && addressServes(env.from, t.region);
          if (!own && !transferredIn) return `${env.from} reports ticket ${t.number}, which it neither took nor was transferred`;
          return numberDateProblem(t.number, env.at);
        },
      },
    ],
    held: [],
    applies: 'the latest snapshot per ticket and reporting box (net_reports); passed up',
  },
  'ticket.transfer': {
    up: true,
    down: true,
    to: 'region',
    door: [
      ticketRef,
      {
        // Finding 1 of issue 13: a transfer numbered like the receiver's own next ticket took its number.
        // A transfer is sent as its ticket is created, by the box that took it: the number is the origin's
        // and dated the day of the message.
        name: 'number-of-origin',
        code: 'exchange-ticket-number-invalid',
        check(env) {
          const n = (env.body as TransferBody).ticket.number;
          if (n.slice(0, 6) !== numberPrefixOf(env.from)) return `ticket number ${n} does not belong to ${env.from}, which sent it`;
          return numberDateProblem(n, env.at, day);
        },
      },
      {
        name: 'addressed-to-matter',
        code: 'exchange-body-invalid',
        check(env) {
          const r = (env.body as TransferBody).ticket.region;
          return env.to === r ? undefined : `a transfer addressed to ${env.to} about a matter in ${r}`;
        },
      },
    ],
    held: [],
    applies: 'a new ticket (same id and number) for the desks of the box serving the region; nothing if the id is held',
  },
  'ticket.result': {
    up: true,
    down: true,
    to: 'region',
    door: [ticketRef],
    held: [
      {
        // The handler: a box serving the region the ticket was sent to (or the province or ministry that
        // handled it for want of a box).
        name: 'from-handler',
        code: 'exchange-region-not-held',
        check(env, held) {
          return held.transferred_to !== null && addressServes(env.from, held.transferred_to) ? undefined : `a result from ${env.from}, which is not the box the ticket was sent to`;
        },
      },
      heldNumber,
    ],
    applies: 'the origin’s copy becomes replied with the text',
  },
  'ticket.visit': {
    up: true,
    down: true,
    to: 'region',
    door: [ticketRef],
    held: [
      {
        name: 'from-origin',
        code: 'exchange-region-not-held',
        check(env, held) {
          return held.origin_region === env.from ? undefined : `a visit from ${env.from}, which is not the box that took the call`;
        },
      },
      heldNumber,
    ],
    applies: 'the handler’s copy is closed, or visited when unsatisfied',
  },
  'kb.article': {
    up: false,
    down: true,
    to: 'below',
    door: [
      {
        // The ministry's articles carry the ministry's own region code as owner; they are recognised by
        // their origin address. Any other owner must be the upstream itself, and the origin that owner.
        name: 'published-above',
        code: 'exchange-article-not-upstream',
        check(env, by) {
          const a = env.body as ArticleBody;
          const upstream = by.way === 'down' ? by.upstream : null;
          const fromAbove = env.from === ministryAddress || env.from === upstream;
          const ownerMatches = env.from === ministryAddress || a.ownerRegion === env.from;
          if (!fromAbove || !ownerMatches || a.scope === 'city') return `article ${a.uid} owned by ${a.ownerRegion} (${a.scope}) from ${env.from} is not the upstream's or above it`;
          return undefined;
        },
      },
    ],
    held: [],
    applies: 'an upstream-owned article; a higher version replaces a lower one; passed down',
  },
  'stats.daily': {
    up: true,
    down: false,
    to: 'above',
    door: [
      {
        // A province passing on a city's figures keeps the city as the origin, so the figures' region is
        // always the origin's.
        name: 'region-of-origin',
        code: 'exchange-stats-region-mismatch',
        check(env) {
          const b = env.body as StatsBody;
          return b.region === env.from ? undefined : `statistics of ${b.region} sent by ${env.from}`;
        },
      },
    ],
    held: [],
    applies: 'the latest computation per region and day',
  },
  'alarm.report': {
    // The origin is the envelope's `from`, which the pushing peer must hold (checkDoor); the body names no
    // other box, so no door rule of its own.
    up: true,
    down: false,
    to: 'above',
    door: [],
    held: [],
    applies: 'the latest state of each alarm per origin, key and raise time (net_alarms); a cleared alarm stays cleared; passed up',
  },
  'peer.key': {
    // Origin signatures (docs/exchange.md §2.2): a key can only be introduced by the box that paired it.
    // Up: a province tells the ministry the keys of its own cities. Down: the upstream (or the ministry,
    // passed on by a province) tells the boxes below every key it registered.
    up: true,
    down: true,
    to: { up: 'above', down: 'below' },
    door: [
      {
        name: 'key-of-paired-box',
        code: 'exchange-region-not-held',
        check(env, by) {
          const b = env.body as PeerKeyBody;
          if (by.way === 'up') {
            const ok = by.peer.role === 'province' && env.from === by.peer.region && b.role === 'city' && b.region !== env.from && addressServes(env.from, b.region);
            return ok ? undefined : `${env.from} (pushed by ${by.peer.region}) may not attest the key of ${b.region} (${b.role})`;
          }
          return env.from === by.upstream || env.from === ministryAddress ? undefined : `a key attested by ${env.from}, which is neither the upstream nor the ministry`;
        },
      },
    ],
    held: [],
    applies: 'the key registered for the region (net_origin_keys), a revocation kept for ever; the ministry passes a province’s attestation down to every box; passed down',
  },
};

function destination(to: string): Destination {
  return to === '^' ? 'above' : to === '*' ? 'below' : 'region';
}

function refuse(code: ErrorCode, env: Envelope, index: number, why: string, extra: Record<string, unknown> = {}): never {
  throw new AppError(code, `message ${index}: ${why}`, { index, id: env.id, kind: env.kind, ...extra });
}

function numberOf(env: Envelope): string | undefined {
  const b = env.body as { ticket?: { number?: unknown }; number?: unknown };
  const n = b?.ticket?.number ?? b?.number;
  return typeof n === 'string' ? n : undefined;
}

/** The door rules of `env`'s kind, delivered `by`. Throws the first violated rule's code. */
export function checkDoor(env: Envelope, index: number, by: Delivery): void {
  const rule = trustTable[env.kind];
  if (by.way === 'up' && !peerMayOriginate(by.peer.region, by.peer.role, env.from)) {
    refuse('exchange-region-not-held', env, index, `claims origin ${env.from}, which ${by.peer.region} does not hold`, { from: env.from });
  }
  if (!rule[by.way]) refuse('exchange-kind-not-allowed', env, index, `${env.kind} travels only ${by.way === 'up' ? 'down, by pull' : 'up, by push'}`, { way: by.way });
  const want = typeof rule.to === 'string' ? rule.to : rule.to[by.way];
  if (destination(env.to) !== want) refuse('exchange-kind-not-allowed', env, index, `${env.kind} may not be addressed to ${env.to}`, { to: env.to });
  for (const r of rule.door) {
    const why = r.check(env, by);
    if (why) refuse(r.code, env, index, why, { rule: r.name, from: env.from, ...(numberOf(env) ? { number: numberOf(env) } : {}) });
  }
}

/** The held rules of `env`'s kind against the receiver's copy. Throws the first violated rule's code. */
export function checkHeld(env: Envelope, held: HeldTicket): void {
  for (const r of trustTable[env.kind].held) {
    const why = r.check(env, held);
    if (why) throw new AppError(r.code, `${env.kind} ${env.id}: ${why}`, { id: env.id, from: env.from, rule: r.name });
  }
}

/**
 * A message pushed up by the box below holding `peer.region`.
 * Throws exchange-region-not-held | exchange-kind-not-allowed | a door rule's code.
 */
export function checkPushed(env: Envelope, index: number, peer: { region: string; role: string }): void {
  checkDoor(env, index, { way: 'up', peer });
}

/**
 * A message pulled from the upstream at `upstream` (its address; 000000 for the ministry).
 * Throws exchange-kind-not-allowed | a door rule's code (e.g. exchange-article-not-upstream).
 */
export function checkPulled(env: Envelope, index: number, upstream: string): void {
  checkDoor(env, index, { way: 'down', upstream });
}
