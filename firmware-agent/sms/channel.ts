// The SMS channel (issue 6, design §1 "SMS platform"): an incoming SMS becomes a ticket (channel
// SMS, caller the sender) and the sender gets the ticket number; the public can text
// `查询 <ticket number>` for the status of their own ticket; ticket results go back by SMS; urgent
// tickets alert the responsible authority's duty phone.
//
// Durability, in order:
//  1. each part the modem hands over is stored (sms_parts, unique by PDU hash) — then, and only then,
//     the SIM copy is deleted; a part read twice (re-listed after a restart) is recognised and dropped;
//  2. when a message's parts are all stored (or its wait for a missing part ran out) one transaction
//     records the message (unique by its parts), creates the ticket and queues the reply — so a
//     message never makes two tickets, or a ticket without its reply;
//  3. outgoing notices are queued in the transaction of the ticket change that causes them.
import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { statuses } from '../tickets/codes.js';
import type { TicketChange, TicketService } from '../tickets/service.js';
import type { Actor } from '../accounts/actor.js';
import type { Db } from '../store/db.js';
import { render, type SmsConfig } from './config.js';
import { maskPhone, SmsOutbox, type SmsLogger } from './outbox.js';
import type { IncomingPart, SmsModemPort, UndecodablePart } from './port.js';

export const smsActor: Actor = { id: null, name: 'sms', role: 'system' };

// `查询` alone or followed by one token of digits/letters is a status query (after NFKC, so full-width
// digits and the full-width colon count); only a 19-digit token is a ticket number. `查询一下…` (a
// question in words) is not a query: it becomes a ticket like any message.
const QUERY = /^\s*查询\s*[:#]?\s*([0-9A-Za-z-]*)\s*$/;
const TICKET_NUMBER = /^\d{19}$/;
const MOBILE = /^(?:\+?86)?(1[3-9]\d{9})$/;

/** National form of a Chinese number (+8613800138000 → 13800138000); other numbers as given. */
export function nationalNumber(n: string): string {
  const m = MOBILE.exec(n.replace(/[\s-]/g, ''));
  return m ? m[1]! : n.replace(/[\s-]/g, '');
}

/** The line added to the description of a ticket whose SMS is missing parts. */
function incompleteNote(missing: number[], total: number): string {
  return missing.length ? `\n（短信不完整：共${total}段，缺第${missing.join('、')}段）` : '';
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

interface PartRow {
  id: number;
  pdu_hash: string;
  sender: string;
  group_key: string;
  seq: number;
  total: number;
  text: string;
  sc_time: string;
  received_at: string;
}

export interface SmsChannelDeps {
  db: Db;
  tickets: TicketService;
  port: SmsModemPort;
  config: () => SmsConfig;
  clock: Clock;
  log: SmsLogger;
  /** Region code of tickets the channel creates (the box's own). */
  boxRegion: () => string;
  /** IANA zone for times quoted in replies. */
  timezone: string;
}

export class SmsChannel {
  readonly outbox: SmsOutbox;
  readonly #d: SmsChannelDeps;
  readonly #stmts;
  readonly #timers = new Map<string, TimerHandle>();
  #unsubscribe: Array<() => void> = [];
  #started = false;
  #hooked = false;
  /** Work in progress (stores, deletes), so stop() can wait for it. */
  #inflight = new Set<Promise<void>>();

  constructor(deps: SmsChannelDeps) {
    this.#d = deps;
    this.outbox = new SmsOutbox({ db: deps.db, port: deps.port, config: deps.config, clock: deps.clock, log: deps.log });
    const db = deps.db;
    this.#stmts = {
      insertPart: db.prepare(
        `INSERT OR IGNORE INTO sms_parts (pdu_hash, sender, group_key, seq, total, text, sc_time, received_at)
         VALUES (@hash, @sender, @group, @seq, @total, @text, @scTime, @at)`,
      ),
      // The same part (same sender, reference, position and text) under another PDU — a network
      // duplicate with a new time stamp — of a message already handled: dropped, so it cannot start a
      // second, partial ticket. A new message that happens to reuse the reference has other text.
      handledTwin: db.prepare(
        `SELECT 1 FROM sms_parts WHERE group_key = ? AND seq = ? AND text = ? AND message_id IS NOT NULL AND received_at >= ? LIMIT 1`,
      ),
      // The incomplete message a late part belongs to: same group, kept after the timeout, recent.
      incompleteFor: db.prepare(
        `SELECT id, missing FROM sms_messages
         WHERE complete = 0 AND received_at >= @since
           AND id IN (SELECT message_id FROM sms_parts WHERE group_key = @group AND message_id IS NOT NULL)
         ORDER BY id DESC LIMIT 1`,
      ),
      messageParts: db.prepare(`SELECT * FROM sms_parts WHERE message_id = ? ORDER BY seq, id`),
      messageRow: db.prepare(`SELECT text, missing, kind, ticket_number FROM sms_messages WHERE id = ?`),
      amendMessage: db.prepare(`UPDATE sms_messages SET text = @text, complete = @complete, missing = @missing WHERE id = @id`),
      // A single-part network duplicate: same sender and text, and the same SC time stamp or recent.
      singleTwin: db.prepare(
        `SELECT 1 FROM sms_parts WHERE sender = @sender AND total = 1 AND text = @text
           AND (sc_time = @scTime OR received_at >= @recent) LIMIT 1`,
      ),
      openParts: db.prepare(`SELECT * FROM sms_parts WHERE group_key = ? AND message_id IS NULL ORDER BY seq, id`),
      openGroups: db.prepare(`SELECT group_key, MIN(received_at) AS first FROM sms_parts WHERE message_id IS NULL GROUP BY group_key`),
      insertMessage: db.prepare(
        `INSERT OR IGNORE INTO sms_messages (msg_key, sender, text, complete, missing, kind, ticket_number, received_at)
         VALUES (@key, @sender, @text, @complete, @missing, @kind, NULL, @at)`,
      ),
      messageId: db.prepare(`SELECT id FROM sms_messages WHERE msg_key = ?`),
      setTicket: db.prepare(`UPDATE sms_messages SET ticket_number = ? WHERE id = ?`),
      consume: db.prepare(`UPDATE sms_parts SET message_id = ? WHERE id = ?`),
      ticket: db.prepare(`SELECT number, status, caller_phone, updated_at FROM tickets WHERE number = ?`),
      domainName: db.prepare(`SELECT label_zh FROM domains WHERE code = ?`),
      reject: db.prepare(`INSERT OR IGNORE INTO sms_rejected (pdu_hash, pdu, reason, received_at) VALUES (?, ?, ?, ?)`),
    };
  }

  /** Subscribes to the modem and the ticket service, and picks up work left by a previous run. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (!this.#hooked) {
      // Ticket hooks cannot be removed from the service; they check #started instead.
      this.#d.tickets.addTransactionHook((c) => {
        if (this.#started) this.#onTicketChange(c);
      });
      this.#hooked = true;
    }
    this.#unsubscribe = [
      this.#d.tickets.onCommitted(() => this.outbox.kick()),
      this.#d.port.onMessage((p) => this.#track(this.#onPart(p))),
      this.#d.port.onStatusReport((r) => this.outbox.onStatusReport(r)),
      ...(this.#d.port.onUndecodable ? [this.#d.port.onUndecodable((u) => this.#track(this.#onUndecodable(u)))] : []),
    ];
    // Groups still open from before a restart: wait out what is left of their time, or finish now.
    for (const g of this.#stmts.openGroups.all() as { group_key: string; first: string }[]) this.#schedule(g.group_key, Date.parse(g.first));
    this.outbox.start();
  }

  recentMessages(limit: number): Array<{ id: number; sender: string; text: string; complete: boolean; missing: number[]; kind: string; ticketNumber: string | null; receivedAt: string }> {
    const rows = this.#d.db.prepare('SELECT * FROM sms_messages ORDER BY id DESC LIMIT ?').all(limit) as Array<{
      id: number;
      sender: string;
      text: string;
      complete: number;
      missing: string;
      kind: string;
      ticket_number: string | null;
      received_at: string;
    }>;
    return rows.map((r) => ({
      id: r.id,
      sender: r.sender,
      text: r.text,
      complete: r.complete === 1,
      missing: JSON.parse(r.missing) as number[],
      kind: r.kind,
      ticketNumber: r.ticket_number,
      receivedAt: r.received_at,
    }));
  }

  /** Stop the modem first: work waiting on it (deletes, sends) then settles and this returns. */
  async stop(): Promise<void> {
    this.#started = false;
    for (const u of this.#unsubscribe.splice(0)) u();
    for (const h of this.#timers.values()) this.#d.clock.clearTimeout(h);
    this.#timers.clear();
    await Promise.allSettled([...this.#inflight]);
    await this.outbox.stop();
  }

  #track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => this.#d.log.error({ err: String(err) }, 'sms: handling a message failed'));
    this.#inflight.add(tracked);
    void tracked.finally(() => this.#inflight.delete(tracked));
  }

  #now(): Date {
    return new Date(this.#d.clock.now());
  }

  async #onPart(p: IncomingPart): Promise<void> {
    const hash = sha(p.pdu.toUpperCase());
    const multi = p.concat && p.concat.total > 1 ? p.concat : undefined;
    const group = multi ? `${p.from}|${multi.referenceBits}|${multi.reference}|${multi.total}` : `single|${hash}`;
    const at = this.#now();
    const amended: TicketChange[] = [];
    const stored = this.#d.db.transaction(() => {
      const since = new Date(at.getTime() - 24 * 3600_000).toISOString();
      if (multi && this.#stmts.handledTwin.get(group, multi.sequence, p.text, since)) return 'duplicate' as const;
      if (!multi) {
        const query = QUERY.test(p.text.normalize('NFKC'));
        const recent = query ? '9999-12-31T23:59:59.999Z' : new Date(at.getTime() - this.#d.config().duplicateWindowMs).toISOString();
        if (this.#stmts.singleTwin.get({ sender: p.from, text: p.text, scTime: p.scTime, recent })) return 'duplicate' as const;
      }
      const r = this.#stmts.insertPart.run({
        hash,
        sender: p.from,
        group,
        seq: multi?.sequence ?? 1,
        total: multi?.total ?? 1,
        text: p.text,
        scTime: p.scTime,
        at: at.toISOString(),
      });
      if (r.changes !== 1) return 'duplicate' as const;
      // A part that comes after its message was kept as incomplete belongs to that message (and its
      // ticket), not to a new group that would time out into a second, partial ticket and reply.
      if (multi) {
        const late = this.#stmts.incompleteFor.get({ group, since }) as { id: number; missing: string } | undefined;
        if (late && (JSON.parse(late.missing) as number[]).includes(multi.sequence)) {
          const change = this.#attachLate(late.id, Number(r.lastInsertRowid));
          if (change) amended.push(change);
          return 'attached' as const;
        }
      }
      return 'new' as const;
    }).immediate();
    this.#d.tickets.publishCommitted(amended);
    if (stored === 'duplicate') this.#d.log.info({ from: maskPhone(p.from), index: p.index }, 'sms: part already stored');
    if (stored === 'new') {
      const assembled = this.#assemble(group, false);
      if (!assembled) this.#schedule(group, at.getTime());
    }
    // Stored (now or before): the SIM copy has done its job. Deleting waits for the modem, so it
    // comes last; the ticket never waits for it.
    if (p.index >= 0) {
      await this.#d.port.delete(p.index, p.storage).catch((err: unknown) => {
        // Left on the SIM it is read again at the next start and recognised as already stored.
        this.#d.log.warn({ index: p.index, err: String(err) }, 'sms: deleting from the modem failed');
      });
    }
  }

  /** An undecodable stored message: keep the raw PDU as evidence, then free its SIM slot. No ticket. */
  async #onUndecodable(u: UndecodablePart): Promise<void> {
    this.#stmts.reject.run(sha(u.pdu.toUpperCase()), u.pdu.slice(0, 1000), u.reason, this.#now().toISOString());
    this.#d.log.warn({ index: u.index, reason: u.reason }, 'sms: undecodable message kept as evidence, no ticket');
    if (u.index >= 0) {
      await this.#d.port.delete(u.index, u.storage).catch((err: unknown) => this.#d.log.warn({ index: u.index, err: String(err) }, 'sms: deleting from the modem failed'));
    }
  }

  #schedule(group: string, firstMs: number): void {
    if (this.#timers.has(group)) return;
    const wait = firstMs + this.#d.config().concatTimeoutMs - this.#d.clock.now();
    const h = this.#d.clock.setTimeout(() => {
      this.#timers.delete(group);
      try {
        this.#assemble(group, true);
      } catch (err) {
        this.#d.log.error({ err: String(err) }, 'sms: keeping an incomplete message failed');
      }
    }, Math.max(0, wait));
    this.#timers.set(group, h);
  }

  /** Turns a group's stored parts into one message, if complete (or `force`). Returns true if it did. */
  #assemble(group: string, force: boolean): boolean {
    const done = this.#d.db.transaction((): boolean => {
      const parts = this.#stmts.openParts.all(group) as PartRow[];
      if (parts.length === 0) return false;
      const { text, missing, complete } = joinParts(parts);
      if (!complete && !force) return false;
      const sender = parts[0]!.sender;
      const key = sha(parts.map((p) => p.pdu_hash).sort().join('|'));
      const at = this.#now().toISOString();
      const query = complete ? QUERY.exec(text.normalize('NFKC')) : null;
      const ignored = this.#ignored(sender);
      const kind = ignored ? 'ignored' : query ? 'query' : 'ticket';
      const r = this.#stmts.insertMessage.run({ key, sender, text, complete: complete ? 1 : 0, missing: JSON.stringify(missing), kind, at });
      const messageId = r.changes === 1 ? Number(r.lastInsertRowid) : (this.#stmts.messageId.get(key) as { id: number }).id;
      for (const p of parts) this.#stmts.consume.run(messageId, p.id);
      if (r.changes === 0) return true; // handled before (e.g. a crash after commit): nothing more to do
      if (ignored) this.#d.log.info({ from: maskPhone(sender) }, 'sms: message from an ignored sender kept, no ticket');
      else if (query) this.#answerQuery(sender, query[1]!);
      else this.#fileTicket(messageId, sender, text, missing, parts[0]!.total);
      return true;
    }).immediate();
    if (done) {
      const h = this.#timers.get(group);
      if (h) this.#d.clock.clearTimeout(h);
      this.#timers.delete(group);
      this.outbox.kick();
    }
    return done;
  }

  /**
   * Inside the part's transaction: joins a late part to the message kept as incomplete, completes it
   * if it is now whole, and brings its ticket's description up to date with an audit note. No new
   * ticket and no second acknowledgement: the sender already has the ticket number.
   */
  #attachLate(messageId: number, partId: number): TicketChange | null {
    this.#stmts.consume.run(messageId, partId);
    const before = this.#stmts.messageRow.get(messageId) as { text: string; missing: string; kind: string; ticket_number: string | null };
    const parts = this.#stmts.messageParts.all(messageId) as PartRow[];
    const total = parts[0]!.total;
    const { text, missing, complete, bySeq } = joinParts(parts);
    this.#stmts.amendMessage.run({ id: messageId, text, complete: complete ? 1 : 0, missing: JSON.stringify(missing) });
    const seq = parts.find((p) => p.id === partId)!.seq;
    this.#d.log.info({ from: maskPhone(parts[0]!.sender), part: seq, of: total, complete }, 'sms: late part joined its incomplete message');
    if (before.kind !== 'ticket' || !before.ticket_number) return null;
    const oldMissing = JSON.parse(before.missing) as number[];
    // The description was the text plus the incomplete note; if nobody changed it since, it is
    // rewritten whole (the late part in its place); otherwise the part is appended.
    return this.#d.tickets.amendDescription(
      before.ticket_number,
      (current) =>
        current === before.text + incompleteNote(oldMissing, total)
          ? text + incompleteNote(missing, total)
          : `${current}\n（补收第${seq}段）${bySeq.get(seq)!.text}`,
      smsActor,
      {
        action: 'sms-late-part',
        note: complete ? `补收短信第${seq}段（共${total}段），短信已完整` : `补收短信第${seq}段（共${total}段），仍缺第${missing.join('、')}段`,
        data: { part: seq, total, complete, missing },
      },
    );
  }

  /** Operator service numbers and alphanumeric senders cannot be answered and are not the public. */
  #ignored(sender: string): boolean {
    if (!/^\+?\d+$/.test(sender)) return true;
    return this.#d.config().ignoreSenders.some((p) => (p.endsWith('*') ? sender.startsWith(p.slice(0, -1)) : sender === p));
  }

  #fileTicket(messageId: number, sender: string, text: string, missing: number[], total: number): void {
    const phone = nationalNumber(sender);
    const clean = text.replace(/\s+/g, ' ').trim();
    const subject = clean.slice(0, 30) || '（空短信）';
    const note = incompleteNote(missing, total);
    const ticket = this.#d.tickets.create(
      {
        type: this.#d.config().ticketType,
        domain: 'other',
        channel: 'sms',
        region: this.#d.boxRegion(),
        caller: { phone },
        subject,
        description: text + note,
      },
      smsActor,
    );
    this.#stmts.setTicket.run(ticket.number, messageId);
    this.outbox.enqueue({ recipient: phone, text: render(this.#d.config().autoReply, { number: ticket.number }), kind: 'auto-reply', ticketNumber: ticket.number });
    this.#d.log.info({ ticket: ticket.number, from: maskPhone(phone), complete: missing.length === 0 }, 'sms: ticket filed');
  }

  #answerQuery(sender: string, number: string): void {
    const phone = nationalNumber(sender);
    if (!TICKET_NUMBER.test(number)) {
      // Not a ticket number: say how to ask, rather than file the query as a complaint.
      this.outbox.enqueue({ recipient: phone, text: render(this.#d.config().queryInvalid, { number }), kind: 'query-reply', ticketNumber: null });
      return;
    }
    const t = this.#stmts.ticket.get(number) as { number: string; status: string; caller_phone: string | null; updated_at: string } | undefined;
    const cfg = this.#d.config();
    // Only the phone that filed the ticket learns anything about it, not even whether it exists.
    const mine = t && t.caller_phone && nationalNumber(t.caller_phone) === phone;
    const text = mine
      ? render(cfg.queryReply, {
          number,
          status: statuses.find((s) => s.code === t.status)?.zh ?? t.status,
          updated: this.#localTime(t.updated_at),
        })
      : render(cfg.queryNotFound, { number });
    this.outbox.enqueue({ recipient: phone, text, kind: 'query-reply', ticketNumber: mine ? number : null });
  }

  #localTime(iso: string): string {
    const parts = new Intl.DateTimeFormat('zh-CN', {
      timeZone: this.#d.timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).formatToParts(new Date(iso));
    const get = (k: string) => parts.find((p) => p.type === k)?.value ?? '';
    return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
  }

  /** Runs inside the ticket change's transaction: queue the notices it causes. */
  #onTicketChange(c: TicketChange): void {
    const cfg = this.#d.config();
    const t = c.ticket;
    // Urgent: alert the duty phone whether the ticket was taken here or transferred here by another
    // box (receive) — the authority that must act is this box's.
    if ((c.action === 'create' || c.action === 'receive') && t.urgent) {
      const duty = cfg.dutyPhones[t.domain] ?? cfg.dutyPhones['*'];
      if (duty) {
        const domain = (this.#stmts.domainName.get(t.domain) as { label_zh: string } | undefined)?.label_zh ?? t.domain;
        // The alert names the matter, never the reporter (a 举报人's number stays confidential).
        this.outbox.enqueue({ recipient: duty, text: render(cfg.alertTemplate, { number: t.number, domain, subject: t.subject }), kind: 'alert', ticketNumber: t.number });
      } else {
        this.#d.log.warn({ ticket: t.number, domain: t.domain }, 'sms: urgent ticket but no duty phone configured for its domain');
      }
    }
    // A ticket another box took and transferred here (流转): that box tells its caller when the result
    // travels back, so this box sends nothing to the caller (or the caller gets every notice twice).
    if (t.origin_region) return;
    const phone = t.caller_phone ? nationalNumber(t.caller_phone) : null;
    if (!phone || !MOBILE.test(phone) || t.anonymous || !cfg.notifyChannels.includes(t.channel)) return;
    const cut = (s: string) => (s.length > cfg.maxResultChars ? `${s.slice(0, cfg.maxResultChars)}…` : s);
    if (c.action === 'answer' && t.answer_text) {
      this.outbox.enqueue({ recipient: phone, text: render(cfg.resultTemplate, { number: t.number, result: cut(t.answer_text) }), kind: 'result', ticketNumber: t.number });
    } else if (c.action === 'reply' && t.reply_text) {
      this.outbox.enqueue({ recipient: phone, text: render(cfg.resultTemplate, { number: t.number, result: cut(t.reply_text) }), kind: 'result', ticketNumber: t.number });
    } else if ((c.action === 'close' || c.action === 'visit') && c.to === 'closed' && c.from !== 'closed') {
      this.outbox.enqueue({ recipient: phone, text: render(cfg.closedTemplate, { number: t.number }), kind: 'closed', ticketNumber: t.number });
    }
  }
}

/** The text of a message's parts in order (the first copy of each part), and the parts still missing. */
function joinParts(parts: PartRow[]): { text: string; missing: number[]; complete: boolean; bySeq: Map<number, PartRow> } {
  const total = parts[0]!.total;
  const bySeq = new Map<number, PartRow>();
  for (const p of parts) if (!bySeq.has(p.seq)) bySeq.set(p.seq, p);
  const missing: number[] = [];
  let text = '';
  for (let s = 1; s <= total; s++) {
    const p = bySeq.get(s);
    if (p) text += p.text;
    else missing.push(s);
  }
  return { text, missing, complete: missing.length === 0, bySeq };
}
