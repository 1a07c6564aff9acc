// The 12345 exchange's domain side (docs/12345.md): turns ticket changes into outbox messages inside the
// change's transaction, and applies received messages exactly once (inbox record, ticket change and audit in
// one transaction). No I/O here: routes.ts receives, sender.ts delivers.
//
// Invariants:
// - A message id from a platform is applied at most once (gov12345_inbox primary key, checked and written in
//   the applying transaction); a repeat is answered `duplicate` and changes nothing.
// - A message for a platform is written in the transaction of the ticket change that causes it, so a
//   committed change is never lost and never sent without having happened (kill -9 safe).
// - Refused messages (a documented error code) change nothing and are not recorded: the platform may fix and
//   send them again under the same id.
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { TicketChange, TicketService } from '../tickets/service.js';
import type { Channel, TicketType } from '../tickets/codes.js';
import type { Actor } from '../accounts/actor.js';
import type { RegionTable } from '../regions/regions.js';
import { type Gov12345Config, type Gov12345Platform, defaultGov12345 } from './config.js';
import { type Kind, type Message, type Order, checkOrder, fromPlatform, toPlatform } from './mapping.js';
import { Gov12345Store, type OutboxRow } from './store.js';
import type { Gov12345State, Gov12345TicketState } from './view-types.js';

export interface Gov12345Deps {
  db: Db;
  tickets: TicketService;
  regions: RegionTable;
  /** The box's region (orders without one, and without a platform default, are filed here). */
  region: () => string;
  now: () => Date;
  settings: () => Readonly<Gov12345Config>;
}

export interface ReceiveResult {
  id: string;
  status: 'applied' | 'duplicate';
  /** The ticket the message created or changed (its number on this box). */
  ticket?: string;
}

/**
 * One word for where a ticket stands with 12345, from its latest message: a ticket this box sent (out) moves
 * transfer-queued → transfer-delivered → result-received → visit-queued → visit-delivered; one 12345 sent
 * (in) moves received → result-queued → result-delivered. A refusal by the platform shows as *-rejected.
 */
function summaryState(direction: 'out' | 'in' | null, sent: OutboxRow[], received: { kind: string }[]): Gov12345State {
  if (!direction) return 'none';
  const last = sent[sent.length - 1];
  const stage = (m: OutboxRow, what: 'transfer' | 'visit' | 'result'): Gov12345State =>
    `${what}-${m.rejected_code ? 'rejected' : m.delivered_at ? 'delivered' : 'queued'}`;
  if (direction === 'out') {
    if (last && last.kind === 'order.visit') return stage(last, 'visit');
    if (received.some((m) => m.kind === 'order.result')) return 'result-received';
    return last ? stage(last, 'transfer') : 'transfer-queued';
  }
  return last && last.kind === 'order.result' ? stage(last, 'result') : 'received';
}

/** The handler name results from 12345 are recorded under (tickets.handler_region). */
export const handlerName = '12345';

export class Gov12345Service {
  readonly store: Gov12345Store;
  /** Called after a commit that queued messages for a platform (the sender wakes). */
  onQueued: (platform: string) => void = () => undefined;

  constructor(readonly deps: Gov12345Deps) {
    this.store = new Gov12345Store(deps.db);
  }

  settings(): Readonly<Gov12345Config> {
    return this.deps.settings() ?? defaultGov12345;
  }

  platform(id: string): Gov12345Platform | undefined {
    return this.settings().platforms.find((p) => p.id === id);
  }

  /** The actor of changes a platform makes (role 'peer': the network does not echo them back). */
  static actor(p: Gov12345Platform): Actor {
    return { id: null, name: `12345:${p.id}`, role: 'peer' };
  }

  #enqueue(p: Gov12345Platform, kind: Kind, ticketId: string, order: Order, at: Date): string {
    const id = uuidv7({ msecs: at.getTime() });
    const body = JSON.stringify({ id, kind, sentAt: at.toISOString(), order: toPlatform(order, p) });
    this.store.enqueue(id, p.id, kind, ticketId, body, at);
    return id;
  }

  /**
   * 工单转办 to 12345: the ticket leaves for the platform (received or returned → dispatched, no department),
   * the order is queued in the same transaction, and the hand-over is audited (action transfer12345).
   * Throws gov12345-platform-unknown, ticket-not-found, forbidden-role, illegal-transition.
   */
  transfer(number: string, platformId: string | undefined, note: string | null, actor: Actor): TicketChange {
    const platforms = this.settings().platforms.filter((p) => p.enabled);
    const p = platformId === undefined ? (platforms.length === 1 ? platforms[0] : undefined) : platforms.find((x) => x.id === platformId);
    if (!p) {
      throw new AppError('gov12345-platform-unknown', platformId ? `no enabled 12345 platform ${platformId}` : 'name the 12345 platform (none or several are configured)', {
        platform: platformId ?? null,
        configured: platforms.map((x) => x.id),
      });
    }
    const change = this.deps.db.transaction((): TicketChange => {
      const row = this.deps.tickets.getRow(number);
      if (row && this.store.linkOf(row.id)) {
        throw new AppError('illegal-transition', `ticket ${number} already travels with 12345`, { action: 'transfer12345', status: row.status });
      }
      const c = this.deps.tickets.handOver(number, actor, { action: 'transfer12345', note, data: { platform: p.id, name: p.name } });
      const t = c.ticket;
      this.store.link(t.id, p.id, 'out', t.number, c.at);
      const view = this.deps.tickets.view(t, { id: null, name: 'peer', role: 'peer' });
      const order: Order = {
        ref: t.number,
        type: t.type,
        domain: t.domain,
        region: t.region,
        subject: t.subject,
        description: note ? `${t.description}\n\n${note}` : t.description,
        ...(t.location ? { location: t.location } : {}),
        // A confidential reporter's identity never leaves the box (the 'peer' view withholds it).
        ...(view.caller.phone ? { callerPhone: view.caller.phone } : {}),
        ...(view.caller.name ? { callerName: view.caller.name } : {}),
        ...(t.due_at ? { dueAt: t.due_at } : {}),
        createdAt: t.created_at,
      };
      this.#enqueue(p, 'order.transfer', t.id, order, c.at);
      return c;
    }).immediate();
    this.deps.tickets.publishCommitted([change]);
    this.onQueued(p.id);
    return change;
  }

  /**
   * Where one ticket stands with 12345, for the ticket page and `edgebox gov12345 status`: the link (which
   * platform, which way, the platform's reference), every message sent (with delivery, attempts, the last
   * error, a platform's refusal) and received, one summary `state`, and whether `viewer` may transfer it now.
   * The ticket is looked up as `viewer` may see it (a department only its own: ticket-not-found otherwise).
   */
  ticketState(number: string, viewer: Actor): Gov12345TicketState {
    this.deps.tickets.get(number, viewer);
    const row = this.deps.tickets.getRow(number)!;
    const enabled = this.settings().platforms.filter((p) => p.enabled).map((p) => ({ id: p.id, name: p.name }));
    const link = this.store.linkOf(row.id);
    const sent = link ? this.store.outboxOf(row.id) : [];
    const received = link ? this.store.inboxOf(row.id) : [];
    const mayTransfer = ['admin', 'supervisor', 'agent'].includes(viewer.role) && (row.status === 'received' || row.status === 'returned');
    return {
      number,
      platforms: enabled,
      canTransfer: !link && mayTransfer && enabled.length > 0,
      link: link
        ? { platform: link.platform, platformName: this.platform(link.platform)?.name ?? link.platform, direction: link.direction, remoteRef: link.remote_ref, at: link.created_at }
        : null,
      state: summaryState(link?.direction ?? null, sent, received),
      sent: sent.map((m) => ({
        id: m.id,
        kind: m.kind,
        queuedAt: m.created_at,
        deliveredAt: m.rejected_code ? null : m.delivered_at,
        attempts: m.attempts,
        lastError: m.last_error,
        rejectedCode: m.rejected_code,
      })),
      received: received.map((m) => ({ id: m.id, kind: m.kind, receivedAt: m.received_at })),
    };
  }

  /** Transaction hook on every ticket change: results and visits of tickets that travel with 12345. */
  onTicketChange(c: TicketChange): void {
    // What a platform itself changed is not echoed back. A result another box sends for a 12345 order this box
    // passed on through the network (流转, actor role 'peer' too) does go to 12345.
    if (c.actor.role === 'peer' && c.actor.name.startsWith('12345:')) return;
    const link = this.store.linkOf(c.ticket.id);
    if (!link) return;
    const p = this.platform(link.platform);
    if (!p) return;
    const t = c.ticket;
    // 回复反馈: a department here answered an order 12345 sent.
    if (link.direction === 'in' && (c.action === 'reply' || c.action === 'answer')) {
      const text = (c.action === 'reply' ? t.reply_text : t.answer_text) ?? '';
      const order: Order = { ref: link.remote_ref, text, handledAt: c.at.toISOString(), ...(t.department_name ? { handler: t.department_name } : {}) };
      this.#enqueue(p, 'order.result', t.id, order, c.at);
      this.#queued.add(p.id);
    }
    // 回访: the centre's return visit of an order 12345 handled for it.
    if (link.direction === 'out' && c.action === 'visit' && t.satisfaction) {
      const order: Order = { ref: link.remote_ref, satisfaction: t.satisfaction, ...(t.visit_note ? { note: t.visit_note } : {}), visitedAt: c.at.toISOString() };
      this.#enqueue(p, 'order.visit', t.id, order, c.at);
      this.#queued.add(p.id);
    }
  }

  readonly #queued = new Set<string>();

  /** After a ticket change committed: wake the sender for what the hook queued. */
  afterCommit(): void {
    for (const id of this.#queued) this.onQueued(id);
    this.#queued.clear();
  }

  /** The platform refused a message for good: set aside and audited (entity gov12345, action rejected). */
  setAside(seq: number, id: string, platform: string, code: string, message: string, at: Date): void {
    this.deps.db.transaction(() => {
      this.store.rejected(seq, code, message, at);
      this.deps.tickets.audit.append({ id: null, name: 'gov12345', role: 'system' }, at, {
        entity: 'gov12345',
        entityId: id,
        action: 'rejected',
        note: `${code}: ${message}`.slice(0, 500),
        data: { platform, code },
      });
    })();
  }

  /**
   * Applies a message a platform sent, once. `nonce` is written in the same transaction. Throws the
   * documented refusals (validation-failed, gov12345-code-unknown, gov12345-order-unknown, unknown-region,
   * unknown-domain, illegal-transition); nothing is stored then.
   */
  receive(p: Gov12345Platform, raw: { id: string; kind: Kind; sentAt: string; order: Record<string, unknown> }, nonce: { value: string; expires: Date }): ReceiveResult {
    const now = this.deps.now();
    if (this.store.seen(p.id, raw.id)) {
      this.deps.db.transaction(() => this.store.rememberNonce(nonce.value, p.id, nonce.expires, now))();
      return { id: raw.id, status: 'duplicate' };
    }
    const order = fromPlatform(raw.order, p);
    checkOrder(raw.kind, order);
    const m: Message = { id: raw.id, kind: raw.kind, sentAt: raw.sentAt, order };
    const actor = Gov12345Service.actor(p);
    const changes: TicketChange[] = [];
    const result = this.deps.db.transaction((): ReceiveResult => {
      const ticket = this.#apply(p, m, actor, changes);
      // The ticket the message created or changed, so the ticket's exchange can be listed (ticketState).
      this.store.record(p.id, m.id, m.kind, changes[0]?.ticket.id ?? this.deps.tickets.getRow(ticket)?.id ?? null, 'applied', null, now);
      this.store.rememberNonce(nonce.value, p.id, nonce.expires, now);
      this.deps.tickets.audit.append(actor, now, {
        entity: 'gov12345',
        entityId: m.id,
        action: 'receive',
        note: `${m.kind} ${m.order.ref}`,
        data: { platform: p.id, kind: m.kind, ref: m.order.ref, ticket },
      });
      return { id: m.id, status: 'applied', ticket };
    }).immediate();
    this.deps.tickets.publishCommitted(changes);
    return result;
  }

  #apply(p: Gov12345Platform, m: Message, actor: Actor, changes: TicketChange[]): string {
    const o = m.order;
    const ref = o.ref!;
    if (m.kind === 'order.transfer') {
      if (this.store.linkByRef(p.id, 'in', ref)) throw new AppError('gov12345-order-exists', `order ${ref} was already received under another message id`, { ref });
      const view = this.deps.tickets.create(
        {
          type: o.type as TicketType,
          domain: o.domain ?? p.defaultDomain,
          channel: '12345' as Channel,
          region: o.region ?? p.defaultRegion ?? this.deps.region(),
          caller: { phone: o.callerPhone ?? null, name: o.callerName ?? null },
          subject: o.subject!,
          description: o.description!,
          location: o.location ?? null,
        },
        actor,
      );
      const row = this.deps.tickets.getRow(view.number)!;
      this.store.link(row.id, p.id, 'in', ref, this.deps.now());
      return view.number;
    }
    const direction = m.kind === 'order.result' ? 'out' : 'in';
    const link = this.store.linkByRef(p.id, direction, ref);
    if (!link) throw new AppError('gov12345-order-unknown', `no order ${ref} ${direction === 'out' ? 'was sent to' : 'was received from'} this platform`, { ref, kind: m.kind });
    const c =
      m.kind === 'order.result'
        ? this.deps.tickets.applyPeer(link.ticket_id, { event: 'result', kind: 'reply', text: o.text!, handlerRegion: handlerName }, actor)
        : this.deps.tickets.applyPeer(link.ticket_id, { event: 'visit', satisfaction: o.satisfaction as 'satisfied', note: o.note ?? null }, actor);
    changes.push(c);
    return c.ticket.number;
  }
}
