// Which messages may travel which way (docs/exchange.md §5 "Directions"). Signatures say who sent a
// batch; this says what that sender may send. A box below pushes up only what a box below produces
// (reports, statistics, and the ticket messages that travel between boxes); what only an upstream may
// send (knowledge-base articles) arrives only by pull, from the upstream, about articles owned at or above
// it. Each check is a pure function of the envelope and who delivered it, and throws an AppError whose code
// the sender treats as permanent (the message is set aside, never retried).
import { AppError } from '../errors.js';
import { type ArticleBody, type Envelope, type MessageKind, type StatsBody, ministryAddress } from './messages.js';
import { peerMayOriginate } from './router.js';

type Destination = 'region' | 'above' | 'below';

interface KindRule {
  /** May be pushed up by a box below. */
  up: boolean;
  /** May be pulled down from the upstream. */
  down: boolean;
  /** The only kind of `to` the message may carry: a box address, '^' or '*'. */
  to: Destination;
}

export const kindRules: Record<MessageKind, KindRule> = {
  'ticket.report': { up: true, down: false, to: 'above' },
  'ticket.transfer': { up: true, down: true, to: 'region' },
  'ticket.result': { up: true, down: true, to: 'region' },
  'ticket.visit': { up: true, down: true, to: 'region' },
  'kb.article': { up: false, down: true, to: 'below' },
  'stats.daily': { up: true, down: false, to: 'above' },
};

function destination(to: string): Destination {
  return to === '^' ? 'above' : to === '*' ? 'below' : 'region';
}

function checkKind(env: Envelope, index: number, way: 'up' | 'down'): void {
  const rule = kindRules[env.kind];
  if (!rule[way]) {
    throw new AppError('exchange-kind-not-allowed', `message ${index}: ${env.kind} travels only ${way === 'up' ? 'down, by pull' : 'up, by push'}`, {
      index,
      id: env.id,
      kind: env.kind,
      way,
    });
  }
  if (destination(env.to) !== rule.to) {
    throw new AppError('exchange-kind-not-allowed', `message ${index}: ${env.kind} may not be addressed to ${env.to}`, { index, id: env.id, kind: env.kind, to: env.to });
  }
}

/**
 * A message pushed up by the box below holding `peer.region`: it must come from a region that box holds,
 * be of a kind that travels up, and (statistics) describe the region it comes from.
 * Throws exchange-region-not-held | exchange-kind-not-allowed | exchange-stats-region-mismatch.
 */
export function checkPushed(env: Envelope, index: number, peer: { region: string; role: string }): void {
  if (!peerMayOriginate(peer.region, peer.role, env.from)) {
    throw new AppError('exchange-region-not-held', `message ${index} claims origin ${env.from}, which ${peer.region} does not hold`, { index, id: env.id, from: env.from });
  }
  checkKind(env, index, 'up');
  if (env.kind === 'stats.daily') {
    // The origin is a region the peer holds (checked above); a province passing on a city's figures keeps
    // the city as the origin, so the figures' region is always the origin's.
    const b = env.body as StatsBody;
    if (b.region !== env.from) {
      throw new AppError('exchange-stats-region-mismatch', `message ${index}: statistics of ${b.region} sent by ${env.from}`, { index, id: env.id, from: env.from, region: b.region });
    }
  }
}

/**
 * A message pulled from the upstream at `upstream` (its address; 000000 for the ministry): it must be of a
 * kind that travels down, and an article must be published by the upstream or the ministry above it
 * (never a city's, never another province's).
 * Throws exchange-kind-not-allowed | exchange-article-not-upstream.
 */
export function checkPulled(env: Envelope, index: number, upstream: string): void {
  checkKind(env, index, 'down');
  if (env.kind === 'kb.article') {
    const a = env.body as ArticleBody;
    // The ministry's articles carry the ministry's own region code as owner; they are recognised by their
    // origin address. Any other owner must be the upstream itself, and the origin must be that owner.
    const fromAbove = env.from === ministryAddress || env.from === upstream;
    const ownerMatches = env.from === ministryAddress || a.ownerRegion === env.from;
    if (!fromAbove || !ownerMatches || a.scope === 'city') {
      throw new AppError('exchange-article-not-upstream', `message ${index}: article ${a.uid} owned by ${a.ownerRegion} (${a.scope}) from ${env.from} is not the upstream's or above it`, {
        index,
        id: env.id,
        from: env.from,
        ownerRegion: a.ownerRegion,
        scope: a.scope,
      });
    }
  }
}
