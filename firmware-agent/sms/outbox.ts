// Durable outgoing SMS queue. Rows are inserted inside the transaction of the change that causes them
// (ticket created, replied, closed, …), so a notice is never lost to a crash and never sent for a
// change that rolled back. One worker per modem sends them in order, retrying transient failures
// with backoff. The per-modem rate limit counts parts (what the network and the SIM's plan count): a
// message of n parts holds the next one back n × `minSendIntervalMs` from its start.
//
// Delivery is at-least-once: a crash after the network accepted a message but before the row was
// marked sent sends it again after restart.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Db } from '../store/db.js';
import type { SmsConfig } from './config.js';
import { SmsError } from './errors.js';
import type { SmsModemPort, StatusReport } from './port.js';
import type { Logger } from '../../common/log.js';

export type OutboxKind = 'auto-reply' | 'result' | 'closed' | 'alert' | 'query-reply';

export type SmsLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface OutboxRow {
  id: number;
  recipient: string;
  text: string;
  kind: OutboxKind;
  ticket_number: string | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  refs: string | null;
  delivery: string | null;
  created_at: string;
  sent_at: string | null;
}

export function maskPhone(n: string): string {
  return n.length <= 4 ? '*'.repeat(n.length) : '*'.repeat(n.length - 4) + n.slice(-4);
}

export class SmsOutbox {
  readonly #db: Db;
  readonly #port: SmsModemPort;
  readonly #cfg: () => SmsConfig;
  readonly #clock: Clock;
  readonly #log: SmsLogger;
  readonly #stmts;
  #running: Promise<void> | undefined;
  #stopped = true;
  #wake: (() => void) | undefined;
  /** Earliest start of the next send (the rate limit). */
  #nextSendAt = Number.NEGATIVE_INFINITY;
  #listeners = new Set<(row: OutboxRow) => void>();

  constructor(deps: { db: Db; port: SmsModemPort; config: () => SmsConfig; clock: Clock; log: SmsLogger }) {
    this.#db = deps.db;
    this.#port = deps.port;
    this.#cfg = deps.config;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#stmts = {
      insert: this.#db.prepare(
        `INSERT INTO sms_outbox (recipient, text, kind, ticket_number, next_attempt_at, created_at)
         VALUES (@recipient, @text, @kind, @ticket, @at, @at)`,
      ),
      due: this.#db.prepare(`SELECT * FROM sms_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1`),
      nextDue: this.#db.prepare(`SELECT MIN(next_attempt_at) AS at FROM sms_outbox WHERE status = 'pending'`),
      sent: this.#db.prepare(`UPDATE sms_outbox SET status = 'sent', refs = ?, sent_at = ?, attempts = attempts + 1 WHERE id = ?`),
      retry: this.#db.prepare(`UPDATE sms_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?`),
      failed: this.#db.prepare(`UPDATE sms_outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`),
      pending: this.#db.prepare(`SELECT COUNT(*) AS n FROM sms_outbox WHERE status = 'pending'`),
      repliesSince: this.#db.prepare(
        `SELECT COUNT(*) AS n FROM sms_outbox WHERE recipient = ? AND kind IN ('auto-reply', 'query-reply') AND created_at > ?`,
      ),
      delivery: this.#db.prepare(
        `UPDATE sms_outbox SET delivery = ? WHERE id = (
           SELECT o.id FROM sms_outbox o, json_each(o.refs) r
           WHERE o.status = 'sent' AND r.value = ? ORDER BY o.id DESC LIMIT 1)`,
      ),
    };
  }

  #iso(ms = this.#clock.now()): string {
    return new Date(ms).toISOString();
  }

  /**
   * Adds a message. Call inside the transaction of the change that causes it; then `kick()` after commit.
   * An automatic reply (`auto-reply`, `query-reply`) to a number that already got
   * `maxRepliesPerSenderPerHour` of them in the last hour is not queued: null, and a warning.
   */
  enqueue(m: { recipient: string; text: string; kind: OutboxKind; ticketNumber?: string | null }): number | null {
    if (m.kind === 'auto-reply' || m.kind === 'query-reply') {
      const since = this.#iso(this.#clock.now() - 3_600_000);
      const { n } = this.#stmts.repliesSince.get(m.recipient, since) as { n: number };
      if (n >= this.#cfg().maxRepliesPerSenderPerHour) {
        this.#log.warn({ to: maskPhone(m.recipient), kind: m.kind, lastHour: n }, 'automatic SMS reply not sent: this number had its hourly share');
        return null;
      }
    }
    const r = this.#stmts.insert.run({ recipient: m.recipient, text: m.text, kind: m.kind, ticket: m.ticketNumber ?? null, at: this.#iso() });
    return Number(r.lastInsertRowid);
  }

  get pending(): number {
    return (this.#stmts.pending.get() as { n: number }).n;
  }

  counts(): Record<'pending' | 'sent' | 'failed', number> {
    const out = { pending: 0, sent: 0, failed: 0 };
    for (const r of this.#db.prepare('SELECT status, COUNT(*) AS n FROM sms_outbox GROUP BY status').all() as { status: keyof typeof out; n: number }[]) out[r.status] = r.n;
    return out;
  }

  recent(limit: number, status?: OutboxRow['status']): OutboxRow[] {
    return (
      status
        ? this.#db.prepare('SELECT * FROM sms_outbox WHERE status = ? ORDER BY id DESC LIMIT ?').all(status, limit)
        : this.#db.prepare('SELECT * FROM sms_outbox ORDER BY id DESC LIMIT ?').all(limit)
    ) as OutboxRow[];
  }

  rows(): OutboxRow[] {
    return this.#db.prepare('SELECT * FROM sms_outbox ORDER BY id').all() as OutboxRow[];
  }

  /** Called after a row was marked sent or failed (for live views and tests). */
  onSettled(listener: (row: OutboxRow) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #settled(id: number): void {
    const row = this.#db.prepare('SELECT * FROM sms_outbox WHERE id = ?').get(id) as OutboxRow;
    for (const l of [...this.#listeners]) {
      try {
        l(row);
      } catch (err) {
        this.#log.error({ err: String(err) }, 'sms outbox listener threw');
      }
    }
  }

  kick(): void {
    this.#wake?.();
  }

  onStatusReport(r: StatusReport): void {
    this.#stmts.delivery.run(r.outcome, r.reference);
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#running = this.#loop().catch((err: unknown) => this.#log.error({ err: String(err) }, 'sms outbox worker stopped'));
  }

  /** Stops the worker; a send in progress is left to the modem (whose own stop ends it). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let h: TimerHandle | undefined;
      const done = () => {
        this.#clock.clearTimeout(h);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
      if (Number.isFinite(ms)) h = this.#clock.setTimeout(done, Math.max(0, ms));
    });
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const now = this.#clock.now();
      const gap = this.#nextSendAt - now;
      if (gap > 0) {
        await this.#sleep(gap);
        continue;
      }
      const row = this.#stmts.due.get(this.#iso(now)) as OutboxRow | undefined;
      if (!row) {
        const next = (this.#stmts.nextDue.get() as { at: string | null }).at;
        await this.#sleep(next ? Date.parse(next) - now : Number.POSITIVE_INFINITY);
        continue;
      }
      // The rate limit counts attempts, failed ones too (as one part: how many went out before the
      // failure is not known), and every part of a message sent: it protects the modem and the SIM's plan.
      const interval = this.#cfg().minSendIntervalMs;
      this.#nextSendAt = now + interval;
      try {
        const r = await this.#port.sendSms(row.recipient, row.text);
        this.#nextSendAt = now + interval * Math.max(1, r.references.length);
        this.#stmts.sent.run(JSON.stringify(r.references), this.#iso(), row.id);
        this.#log.info({ id: row.id, kind: row.kind, to: maskPhone(row.recipient), ticket: row.ticket_number }, 'sms sent');
        this.#settled(row.id);
      } catch (err) {
        if (err instanceof SmsError && err.code === 'sms-modem-stopped') break;
        const permanent = err instanceof SmsError && err.code === 'sms-send-permanent';
        const attempts = row.attempts + 1;
        const message = err instanceof Error ? err.message : String(err);
        if (permanent || attempts >= this.#cfg().maxAttempts) {
          this.#stmts.failed.run(message, row.id);
          this.#log.error({ id: row.id, kind: row.kind, to: maskPhone(row.recipient), attempts, err: message }, 'sms given up');
          this.#settled(row.id);
        } else {
          const delay = Math.min(3_600_000, this.#cfg().retryBaseMs * 2 ** (attempts - 1));
          this.#stmts.retry.run(this.#iso(this.#clock.now() + delay), message, row.id);
          this.#log.warn({ id: row.id, attempts, retryInMs: delay, err: message }, 'sms send failed; will retry');
        }
      }
    }
  }
}
