// The network's domain side: turns ticket changes into outbox messages (inside the change's transaction),
// and applies received batches exactly once (inbox record, local effect and onward outbox rows in one
// transaction). No I/O here: the HTTP routes and the uplink move the bytes.
//
// Invariants:
// - A message id is applied at most once per box (net_inbox.id UNIQUE, checked and written in the
//   applying transaction); a repeat is acknowledged as a duplicate and changes nothing. Ids are pruned
//   only after their messages are too old to be accepted (retention.ts, checkMessageTime).
// - Outbox rows are per hop and FIFO (seq); a received message's onward rows are written in the
//   transaction that applies it, so messages about one ticket keep their order across every hop.
// - A confidential reporter's phone and name never leave the box (snapshots are the 'peer' view), except in
//   reports upward when network.revealConfidentialUpstream is set (a policy authorisation, off by default).
import { type BoxConfig, type Role, defaultConfig } from '../config/model.js';
import { AppError } from '../errors.js';
import type { RegionTable } from '../regions/regions.js';
import type { Db } from '../store/db.js';
import type { TicketRow } from '../tickets/model.js';
import type { TicketChange, TicketService, TransferredTicket } from '../tickets/service.js';
import type { Actor } from '../accounts/actor.js';
import type { Channel, TicketType } from '../tickets/codes.js';
import {
  type ArticleBody,
  type Envelope,
  type PeerKeyBody,
  type ReportBody,
  type ResultBody,
  type StatsBody,
  type TicketSnapshot,
  type TransferBody,
  type VisitBody,
  ministryAddress,
  newEnvelope,
} from './messages.js';
import { applyAlarmReport } from './alarm-reports.js';
import { type Clock, systemClock } from '../../common/clock.js';
import { KbRelay } from './kb-relay.js';
import { OriginKeys } from './keys.js';
import { Notifier } from './notifier.js';
import { type HeldTicket, checkHeld } from './policy.js';
import { type Route, type Self, route } from './router.js';
import { NetStore } from './store.js';
import type { Logger } from '../../common/log.js';

/** What the network needs of the knowledge base (firmware-agent/kb, issue 4). */
export interface KbPort {
  upsertUpstream(a: ArticleBody, actor: Actor): { applied: boolean };
  changedSince(since: number, limit?: number): { items: (ArticleBody & { rev: number; upstream: boolean })[]; rev: number; more: boolean };
  onChanged(fn: (a: unknown) => void): void;
}

export interface NetworkDeps {
  db: Db;
  tickets: TicketService;
  regions: RegionTable;
  role: () => Role;
  region: () => string;
  now: () => Date;
  /** Timers of the exchange (retry backoff, idle and long-poll waits); wall time when not given. */
  clock?: Clock;
  /** The configuration's network section (config/schema.ts); the defaults when not given. */
  settings?: () => Readonly<BoxConfig['network']>;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

type NetTicketRow = TicketRow & { origin_region: string | null; transferred_to: string | null; handler_region: string | null };

export interface ApplyResult {
  id: string;
  status: 'applied' | 'forwarded' | 'duplicate' | 'ignored' | 'set-aside';
  reason?: string;
}

/**
 * Store failures that say nothing about the message (disk full, I/O error, database busy or read-only):
 * the whole batch fails and the sender retries it later. Anything else a message causes (a constraint its
 * data breaks, a bug its content triggers) would fail the same way on every retry.
 */
export function isTransientStoreError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR|FULL|NOMEM|READONLY|CANTOPEN|INTERRUPT|PROTOCOL|NOTADB|CORRUPT)/.test(code);
}

export class NetworkService {
  readonly store: NetStore;
  readonly notifier: Notifier;
  kb: KbPort | null = null;
  /** Where this box serves the exchange over TLS (install.ts), once it listens. */
  exchangeTlsUrl: string | null = null;
  readonly #upsertReport;
  readonly #upsertStats;
  readonly #ticketLinks;
  /** One message applied in a savepoint of its own (made once: wrapping a function per message costs). */
  readonly #applyInSavepoint: (env: Envelope, at: Date, changes: TicketChange[]) => void;

  /** The exchange's timers: the injected clock, wall time when none was given. */
  readonly clock: Clock;
  /** The origin keys of every box this one hears from: lookups, checks, announcements (keys.ts). */
  readonly keys: OriginKeys;
  /** The knowledge base down the network (kb-relay.ts). */
  readonly kbRelay: KbRelay;

  constructor(readonly deps: NetworkDeps) {
    this.clock = deps.clock ?? systemClock;
    this.store = new NetStore(deps.db);
    this.notifier = new Notifier(deps.clock);
    this.keys = new OriginKeys(this);
    this.kbRelay = new KbRelay(this);
    const db = deps.db;
    this.#applyInSavepoint = db.transaction((env: Envelope, at: Date, changes: TicketChange[]) => this.#applyLocal(env, at, changes));
    this.#ticketLinks = db.prepare('SELECT number, origin_region, transferred_to FROM tickets WHERE id = ?');
    this.#upsertReport = db.prepare(
      `INSERT INTO net_reports (ticket_id, reporter, number, region, type, domain, channel, status, version, snapshot, updated_at)
       VALUES (@ticketId, @reporter, @number, @region, @type, @domain, @channel, @status, @version, @snapshot, @updatedAt)
       ON CONFLICT (ticket_id, reporter) DO UPDATE SET number = excluded.number, region = excluded.region, type = excluded.type,
         domain = excluded.domain, channel = excluded.channel, status = excluded.status, version = excluded.version,
         snapshot = excluded.snapshot, updated_at = excluded.updated_at
       WHERE excluded.version > net_reports.version`,
    );
    this.#upsertStats = db.prepare(
      `INSERT INTO net_stats (region, day, computed_at, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (region, day) DO UPDATE SET computed_at = excluded.computed_at, body = excluded.body
       WHERE excluded.computed_at >= net_stats.computed_at`,
    );
  }

  settings(): Readonly<BoxConfig['network']> {
    return this.deps.settings?.() ?? defaultConfig.network;
  }

  /** Oldest a received message may be (network.maxMessageAgeDays), ms. */
  maxMessageAgeMs(): number {
    return this.settings().maxMessageAgeDays * 86_400_000;
  }

  /** This box's address on the network: its region code, or 000000 for the ministry. */
  address(): string {
    return this.deps.role() === 'ministry' ? ministryAddress : this.deps.region();
  }

  self(): Self {
    return {
      role: this.deps.role(),
      address: this.address(),
      hasUpstream: this.deps.role() !== 'ministry',
      peers: new Set(this.store.activePeers().map((p) => p.region)),
    };
  }

  /** Writes a message created on this box to the outbox of every hop it takes. Call inside the change's transaction. */
  send(env: Envelope, at: Date, self = this.self()): Route {
    const r = route(self, env.to, false);
    for (const hop of r.hops) {
      this.store.enqueue(env, hop, at);
      this.notifier.notify(hop);
    }
    return r;
  }

  /** Transaction hook on every ticket change (see tickets/service.ts addTransactionHook). */
  onTicketChange(c: TicketChange): void {
    const self = this.self();
    let row = c.ticket as NetTicketRow;
    const from = self.address;
    const ref = { id: row.id, version: row.version };
    // 流转: a ticket received here about a matter this box does not serve goes to the box that does.
    if (c.action === 'create' && !row.origin_region && !route(self, row.region, false).local) {
      row = this.deps.tickets.markTransferred(row, row.region, c.at) as NetTicketRow;
      this.send(newEnvelope<TransferBody>('ticket.transfer', from, row.region, c.at, { ticket: this.snapshot(row) }, ref), c.at, self);
    }
    if (c.actor.role !== 'peer') {
      // 回复反馈: the result of a transferred ticket goes back to the box that took the call.
      if (row.origin_region && (c.action === 'reply' || c.action === 'answer')) {
        const text = (c.action === 'reply' ? row.reply_text : row.answer_text) ?? '';
        this.send(
          newEnvelope<ResultBody>('ticket.result', from, row.origin_region, c.at, { ticketId: row.id, number: row.number, kind: c.action, text, at: c.at.toISOString() }, ref),
          c.at,
          self,
        );
      }
      // 回访: the origin's return-visit outcome goes to the box that handled it.
      if (row.transferred_to && c.action === 'visit' && row.satisfaction) {
        const to = row.handler_region ?? row.transferred_to;
        const body: VisitBody = { ticketId: row.id, number: row.number, satisfaction: row.satisfaction, note: row.visit_note, at: c.at.toISOString() };
        this.send(newEnvelope<VisitBody>('ticket.visit', from, to, c.at, body, ref), c.at, self);
      }
    }
    // 上报: every change of every ticket is reported to every level above.
    if (self.hasUpstream) {
      const ticket = this.snapshot(row, { revealConfidential: this.settings().revealConfidentialUpstream });
      this.send(newEnvelope<ReportBody>('ticket.report', from, '^', c.at, { ticket, action: c.action }, ref), c.at, self);
    }
  }

  /**
   * The ticket as another box may see it: a confidential reporter's identity withheld, unless
   * `revealConfidential` (only for reports upward, and only when policy authorises it: the setting
   * network.revealConfidentialUpstream).
   */
  snapshot(row: NetTicketRow, o: { revealConfidential?: boolean } = {}): TicketSnapshot {
    const v = this.deps.tickets.view(row, { id: null, name: 'peer', role: 'peer' });
    const caller = o.revealConfidential && v.caller.hidden ? { ...v.caller, phone: row.caller_phone, name: row.caller_name, hidden: false } : v.caller;
    return {
      id: v.id,
      number: v.number,
      type: v.type,
      subtype: v.subtype,
      domain: v.domain,
      channel: v.channel,
      region: v.region,
      caller,
      confidential: v.confidential,
      urgent: v.urgent,
      subject: v.subject,
      description: v.description,
      location: v.location,
      involved: v.involved,
      status: v.status,
      dueAt: v.dueAt,
      answer: v.answer,
      reply: v.reply,
      satisfaction: v.satisfaction,
      reopenCount: v.reopenCount,
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
      dispatchedAt: v.dispatchedAt,
      repliedAt: v.repliedAt,
      closedAt: v.closedAt,
      version: v.version,
      originRegion: row.origin_region,
      handlerRegion: row.handler_region ?? row.transferred_to,
      review: v.review,
    };
  }

  /**
   * Applies a batch received from `via` ('up' or a peer's region), in order, in one transaction together
   * with `also` (e.g. advancing the pull cursor). Returns one result per message.
   */
  applyBatch(envs: Envelope[], via: string, also?: () => void): ApplyResult[] {
    const changes: TicketChange[] = [];
    const at = this.deps.now();
    const results = this.deps.db
      .transaction(() => {
        const self = this.self();
        const out: ApplyResult[] = [];
        for (const env of envs) {
          if (this.store.seen(env.id)) {
            out.push({ id: env.id, status: 'duplicate' });
            continue;
          }
          const r = route(self, env.to, true);
          let status: ApplyResult['status'] = r.local ? 'applied' : 'forwarded';
          let reason: string | undefined;
          if (r.local) {
            // A savepoint per message: a message that cannot apply here changes nothing and does not hold up
            // the ones behind it. One the exchange foresees (an AppError: e.g. a result for a ticket this box
            // does not hold) is recorded as ignored; any other permanent failure sets the message aside in
            // net_dead_letters for a technician. Both are acknowledged, so the sender's queue moves on.
            const mark = changes.length;
            try {
              // A report or statistics message is one upsert, atomic by itself: no savepoint needed.
              if (env.kind === 'ticket.report' || env.kind === 'stats.daily') this.#applyLocal(env, at, changes);
              else this.#applyInSavepoint(env, at, changes);
            } catch (err) {
              changes.length = mark;
              if (err instanceof AppError) {
                status = 'ignored';
                reason = `${err.code}: ${err.message}`;
                this.deps.log?.warn({ id: env.id, kind: env.kind, from: env.from, code: err.code }, `exchange message ignored: ${err.message}`);
              } else if (isTransientStoreError(err)) {
                throw err;
              } else {
                status = 'set-aside';
                const e = err as Error;
                reason = `${(e as { code?: string }).code ?? e.name ?? 'Error'}: ${e.message ?? String(err)}`;
                this.store.deadLetter(env, via, reason, at);
                this.deps.log?.error({ id: env.id, kind: env.kind, from: env.from, via, err }, `exchange message cannot be applied; set aside: ${reason}`);
              }
            }
          }
          const onward = r.hops.filter((hop) => hop !== via);
          for (const hop of onward) {
            this.store.enqueue(env, hop, at);
            this.notifier.notify(hop);
          }
          if (!r.local && onward.length === 0) {
            // Addressed back where it came from: nowhere to go. Recorded, not bounced around.
            status = 'ignored';
            reason = `no route to ${env.to} from ${self.address} other than back to ${via}`;
            this.deps.log?.warn({ id: env.id, kind: env.kind, to: env.to, via }, 'exchange message has no route; ignored');
          }
          this.store.record(env, via, status, at);
          out.push(reason ? { id: env.id, status, reason } : { id: env.id, status });
        }
        also?.();
        return out;
      })
      .immediate();
    this.deps.tickets.publishCommitted(changes);
    return results;
  }

  #applyLocal(env: Envelope, at: Date, changes: TicketChange[]): void {
    const actor: Actor = { id: null, name: `peer:${env.from}`, role: 'peer' };
    switch (env.kind) {
      case 'ticket.report': {
        const b = env.body as ReportBody;
        const t = b.ticket;
        this.#upsertReport.run({
          ticketId: t.id,
          reporter: env.from,
          number: t.number,
          region: t.region,
          type: t.type,
          domain: t.domain,
          channel: t.channel,
          status: t.status,
          version: t.version,
          snapshot: JSON.stringify(t),
          updatedAt: at.toISOString(),
        });
        return;
      }
      case 'ticket.transfer': {
        const t = (env.body as TransferBody).ticket;
        const input: TransferredTicket = {
          id: t.id,
          number: t.number,
          type: t.type as TicketType,
          subtype: t.subtype,
          domain: t.domain,
          channel: t.channel as Channel,
          region: t.region,
          callerPhone: t.caller.phone,
          callerName: t.caller.name,
          anonymous: t.caller.anonymous,
          confidential: t.confidential,
          urgent: t.urgent,
          subject: t.subject,
          description: t.description,
          location: t.location,
          involved: t.involved,
          dueAt: t.dueAt,
          createdAt: t.createdAt,
          originRegion: env.from,
        };
        const c = this.deps.tickets.receiveTransferred(input, actor);
        if (c) changes.push(c);
        return;
      }
      case 'ticket.result': {
        const b = env.body as ResultBody;
        this.#checkPeerUpdate(env, b.ticketId);
        changes.push(this.deps.tickets.applyPeer(b.ticketId, { event: 'result', kind: b.kind, text: b.text, handlerRegion: env.from }, actor));
        return;
      }
      case 'ticket.visit': {
        const b = env.body as VisitBody;
        this.#checkPeerUpdate(env, b.ticketId);
        changes.push(this.deps.tickets.applyPeer(b.ticketId, { event: 'visit', satisfaction: b.satisfaction, note: b.note ?? null }, actor));
        return;
      }
      case 'kb.article': {
        if (!this.kb) throw new AppError('internal-error', 'no knowledge base on this box');
        this.kb.upsertUpstream(env.body as ArticleBody, actor);
        // Kept signed as received: a box below paired later is sent these very bytes (KbRelay.seedFor).
        this.store.keepKbEnvelope((env.body as ArticleBody).uid, (env.body as ArticleBody).version, JSON.stringify(env));
        return;
      }
      case 'stats.daily': {
        const b = env.body as StatsBody;
        this.#upsertStats.run(b.region, b.day, b.computedAt, JSON.stringify(b));
        return;
      }
      case 'alarm.report':
        applyAlarmReport(this.deps.db, env, at);
        return;
      case 'peer.key': {
        const b = env.body as PeerKeyBody;
        this.store.upsertOriginKey(b, env.from, at);
        // The ministry passes a province's attestation of its cities' keys down to every box below.
        if (this.deps.role() === 'ministry' && env.to === '^') this.send(newEnvelope<PeerKeyBody>('peer.key', this.address(), '*', at, b), at);
        return;
      }
    }
  }

  /**
   * Only the boxes involved may change a copy (policy.ts trustTable, held rules): a result only from a box
   * serving the region the ticket was sent to, a visit only from the box that took the call, each about the
   * number held here. Anything else is ignored with the rule's code, never applied.
   */
  #checkPeerUpdate(env: Envelope, ticketId: string): void {
    const row = this.#ticketLinks.get(ticketId) as HeldTicket | undefined;
    if (!row) return; // applyPeer answers ticket-not-found
    checkHeld(env, row);
  }

  /** Stores this box's own daily statistics and sends them up, in one transaction. */
  publishStats(body: StatsBody): void {
    const at = this.deps.now();
    this.deps.db.transaction(() => {
      this.#upsertStats.run(body.region, body.day, body.computedAt, JSON.stringify(body));
      if (this.self().hasUpstream) this.send(newEnvelope<StatsBody>('stats.daily', this.address(), '^', at, body), at);
    })();
  }

  meta(key: string): number {
    const r = this.deps.db.prepare('SELECT value FROM net_meta WHERE key = ?').get(key) as { value: number } | undefined;
    return r?.value ?? 0;
  }

  setMeta(key: string, value: number): void {
    this.deps.db.prepare('INSERT INTO net_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }


  // --- origin signatures (origin.ts; docs/exchange.md §2.2)
}
