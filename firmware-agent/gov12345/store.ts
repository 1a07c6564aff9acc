// The 12345 exchange's tables (migration 202612042312-gov12345.sql) behind small typed methods. Every
// method is synchronous and may run inside a caller's transaction.
import type { Db } from '../store/db.js';

export interface OutboxRow {
  seq: number;
  id: string;
  platform: string;
  kind: string;
  ticket_id: string | null;
  body: string;
  created_at: string;
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
  rejected_code: string | null;
}

export interface Link {
  ticket_id: string;
  platform: string;
  direction: 'out' | 'in';
  remote_ref: string;
  created_at: string;
}

export class Gov12345Store {
  readonly #s;
  constructor(readonly db: Db) {
    this.#s = {
      enqueue: db.prepare('INSERT INTO gov12345_outbox (id, platform, kind, ticket_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      next: db.prepare('SELECT * FROM gov12345_outbox INDEXED BY gov12345_outbox_pending WHERE platform = ? AND delivered_at IS NULL ORDER BY seq LIMIT 1'),
      delivered: db.prepare('UPDATE gov12345_outbox SET delivered_at = ?, last_error = NULL WHERE seq = ? AND delivered_at IS NULL'),
      rejected: db.prepare('UPDATE gov12345_outbox SET delivered_at = ?, rejected_code = ?, last_error = ? WHERE seq = ? AND delivered_at IS NULL'),
      failed: db.prepare('UPDATE gov12345_outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?'),
      seen: db.prepare('SELECT outcome FROM gov12345_inbox WHERE platform = ? AND id = ?'),
      record: db.prepare('INSERT INTO gov12345_inbox (platform, id, kind, ticket_id, outcome, reason, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      link: db.prepare('INSERT INTO gov12345_links (ticket_id, platform, direction, remote_ref, created_at) VALUES (?, ?, ?, ?, ?)'),
      linkOf: db.prepare('SELECT * FROM gov12345_links WHERE ticket_id = ?'),
      linkByRef: db.prepare('SELECT * FROM gov12345_links WHERE platform = ? AND direction = ? AND remote_ref = ?'),
      nonceSeen: db.prepare('SELECT 1 FROM gov12345_nonces WHERE nonce = ?'),
      nonce: db.prepare('INSERT OR IGNORE INTO gov12345_nonces (nonce, platform, expires_at) VALUES (?, ?, ?)'),
      purgeNonces: db.prepare('DELETE FROM gov12345_nonces WHERE expires_at < ?'),
      outboxOf: db.prepare('SELECT * FROM gov12345_outbox WHERE ticket_id = ? ORDER BY seq'),
      inboxOf: db.prepare('SELECT id, kind, outcome, received_at FROM gov12345_inbox WHERE ticket_id = ? ORDER BY received_at, id'),
      depth: db.prepare(
        'SELECT sum(delivered_at IS NULL) AS waiting, min(CASE WHEN delivered_at IS NULL THEN created_at END) AS oldest, sum(rejected_code IS NOT NULL) AS rejected FROM gov12345_outbox',
      ),
    };
  }

  enqueue(id: string, platform: string, kind: string, ticketId: string | null, body: string, at: Date): void {
    this.#s.enqueue.run(id, platform, kind, ticketId, body, at.toISOString());
  }

  /** The oldest message still waiting for `platform` (FIFO: messages about one ticket keep their order). */
  next(platform: string): OutboxRow | undefined {
    return this.#s.next.get(platform) as OutboxRow | undefined;
  }

  delivered(seq: number, at: Date): void {
    this.#s.delivered.run(at.toISOString(), seq);
  }

  /** The platform refused the message for good: kept, set aside with its code, no longer sent. */
  rejected(seq: number, code: string, message: string, at: Date): void {
    this.#s.rejected.run(at.toISOString(), code, message.slice(0, 500), seq);
  }

  failed(seq: number, error: string): void {
    this.#s.failed.run(error.slice(0, 500), seq);
  }

  all(platform?: string): OutboxRow[] {
    return (platform
      ? this.db.prepare('SELECT * FROM gov12345_outbox WHERE platform = ? ORDER BY seq').all(platform)
      : this.db.prepare('SELECT * FROM gov12345_outbox ORDER BY seq').all()) as OutboxRow[];
  }

  depth(): { waiting: number; oldest: string | null; rejected: number } {
    const d = this.#s.depth.get() as { waiting: number | null; oldest: string | null; rejected: number | null };
    return { waiting: d.waiting ?? 0, oldest: d.oldest, rejected: d.rejected ?? 0 };
  }

  /** Every message queued about one ticket, oldest first. */
  outboxOf(ticketId: string): OutboxRow[] {
    return this.#s.outboxOf.all(ticketId) as OutboxRow[];
  }

  /** Every message a platform sent about one ticket and this box applied, oldest first. */
  inboxOf(ticketId: string): { id: string; kind: string; outcome: string; received_at: string }[] {
    return this.#s.inboxOf.all(ticketId) as { id: string; kind: string; outcome: string; received_at: string }[];
  }

  seen(platform: string, id: string): boolean {
    return this.#s.seen.get(platform, id) !== undefined;
  }

  record(platform: string, id: string, kind: string, ticketId: string | null, outcome: 'applied' | 'ignored', reason: string | null, at: Date): void {
    this.#s.record.run(platform, id, kind, ticketId, outcome, reason, at.toISOString());
  }

  link(ticketId: string, platform: string, direction: 'out' | 'in', remoteRef: string, at: Date): void {
    this.#s.link.run(ticketId, platform, direction, remoteRef, at.toISOString());
  }

  linkOf(ticketId: string): Link | undefined {
    return this.#s.linkOf.get(ticketId) as Link | undefined;
  }

  linkByRef(platform: string, direction: 'out' | 'in', ref: string): Link | undefined {
    return this.#s.linkByRef.get(platform, direction, ref) as Link | undefined;
  }

  nonceSeen(nonce: string): boolean {
    return this.#s.nonceSeen.get(nonce) !== undefined;
  }

  /** Writes a nonce (inside the applying transaction) and forgets expired ones. */
  rememberNonce(nonce: string, platform: string, expires: Date, now: Date): void {
    this.#s.purgeNonces.run(now.toISOString());
    this.#s.nonce.run(nonce, platform, expires.toISOString());
  }
}
