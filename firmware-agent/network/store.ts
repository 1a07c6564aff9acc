// The network's tables (migration 202611281500-network.sql) behind small typed methods.
// Every method is synchronous and may run inside a caller's transaction.
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../store/db.js';
import { generateKeyPair, keyFingerprint } from './crypto.js';
import type { Envelope } from './messages.js';
import { envelopeText } from './origin.js';
import type { DeadLetter } from './view-types.js';

export interface Identity {
  box_id: string;
  public_key: string;
  private_key: string;
  created_at: string;
  upstream_url: string | null;
  upstream_address: string | null;
  upstream_role: string | null;
  upstream_key: string | null;
  paired_at: string | null;
  pull_cursor: number;
  last_contact: string | null;
  last_error: string | null;
}

export interface Peer {
  public_key: string;
  region: string;
  box_id: string;
  role: string;
  enrolled_at: string;
  revoked_at: string | null;
  last_contact: string | null;
}

export interface OutboxRow {
  seq: number;
  id: string;
  hop: string;
  kind: string;
  envelope: string;
  created_at: string;
  attempts: number;
}

/** An outbox row with its envelope as UTF-8 bytes (NetStore.pendingBytes). */
export type PushRow = Omit<OutboxRow, 'envelope'> & { envelope: Buffer };

export class NetStore {
  readonly #s;
  constructor(readonly db: Db) {
    this.#s = {
      identity: db.prepare('SELECT * FROM net_identity WHERE id = 1'),
      insertIdentity: db.prepare('INSERT OR IGNORE INTO net_identity (id, box_id, public_key, private_key, created_at) VALUES (1, ?, ?, ?, ?)'),
      activePeers: db.prepare('SELECT * FROM net_peers WHERE revoked_at IS NULL ORDER BY region'),
      allPeers: db.prepare('SELECT * FROM net_peers ORDER BY region, enrolled_at'),
      peerByRegion: db.prepare('SELECT * FROM net_peers WHERE region = ? ORDER BY revoked_at IS NULL DESC, enrolled_at DESC LIMIT 1'),
      enqueue: db.prepare('INSERT OR IGNORE INTO net_outbox (id, hop, kind, ticket_id, envelope, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      // The partial index of waiting rows, named: left to itself the planner takes net_outbox_hop_seq and walks
      // every delivered row before the first waiting one, on every batch (quadratic in a catch-up's backlog).
      pending: db.prepare(
        'SELECT seq, id, hop, kind, envelope, created_at, attempts FROM net_outbox INDEXED BY net_outbox_pending WHERE hop = ? AND delivered_at IS NULL AND seq > ? ORDER BY seq LIMIT ?',
      ),
      // The same rows with the envelope as its UTF-8 bytes, for the push (no decoding and encoding again).
      pendingBytes: db.prepare(
        'SELECT seq, id, hop, kind, CAST(envelope AS BLOB) AS envelope, created_at, attempts FROM net_outbox INDEXED BY net_outbox_pending WHERE hop = ? AND delivered_at IS NULL AND seq > ? ORDER BY seq LIMIT ?',
      ),
      pendingSeqs: db.prepare('SELECT seq FROM net_outbox INDEXED BY net_outbox_pending WHERE hop = ? AND delivered_at IS NULL ORDER BY seq LIMIT ?').pluck(),
      forPull: db.prepare('SELECT seq, id, hop, kind, envelope, created_at, attempts FROM net_outbox WHERE hop = ? AND seq > ? AND rejected_code IS NULL ORDER BY seq LIMIT ?'),
      // AUTOINCREMENT's counter, not max(seq): delivered rows are pruned, and an emptied outbox must not look
      // like a store restored from an old backup to a peer whose cursor is ahead of max(seq).
      head: db.prepare("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'net_outbox'), 0) AS seq"),
      setCursor: db.prepare('UPDATE net_identity SET pull_cursor = ? WHERE id = 1'),
      delivered: db.prepare('UPDATE net_outbox SET delivered_at = ? WHERE hop = ? AND seq = ? AND delivered_at IS NULL'),
      deliveredRange: db.prepare('UPDATE net_outbox SET delivered_at = ? WHERE hop = ? AND seq BETWEEN ? AND ? AND delivered_at IS NULL'),
      waitingBetween: db.prepare('SELECT count(*) AS n FROM net_outbox INDEXED BY net_outbox_pending WHERE hop = ? AND delivered_at IS NULL AND seq BETWEEN ? AND ?'),
      deliveredUpTo: db.prepare('UPDATE net_outbox SET delivered_at = ? WHERE hop = ? AND seq <= ? AND delivered_at IS NULL'),
      attempt: db.prepare('UPDATE net_outbox SET attempts = attempts + 1 WHERE hop = ? AND seq = ?'),
      reject: db.prepare('UPDATE net_outbox SET delivered_at = ?, rejected_code = ? WHERE hop = ? AND seq = ?'),
      depth: db.prepare('SELECT count(*) AS n, min(created_at) AS oldest FROM net_outbox WHERE delivered_at IS NULL'),
      rejected: db.prepare('SELECT count(*) AS n FROM net_outbox WHERE rejected_code IS NOT NULL'),
      deadLetters: db.prepare('SELECT count(*) AS n FROM net_dead_letters'),
      deadLetter: db.prepare('INSERT OR IGNORE INTO net_dead_letters (id, kind, origin, via, ticket_id, envelope, error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      seen: db.prepare('SELECT 1 FROM net_inbox WHERE id = ?'),
      record: db.prepare(
        'INSERT INTO net_inbox (id, kind, origin, via, ticket_id, ticket_version, outcome, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      nonce: db.prepare('INSERT OR IGNORE INTO net_nonces (nonce, peer, expires_at) VALUES (?, ?, ?)'),
      purgeNonces: db.prepare('DELETE FROM net_nonces WHERE expires_at < ?'),
      nonceSeen: db.prepare('SELECT 1 FROM net_nonces WHERE nonce = ?'),
      refusal: db.prepare('INSERT INTO net_refusals (at, peer, code, message, path, address) VALUES (?, ?, ?, ?, ?, ?)'),
      refusalCount: db.prepare('UPDATE net_refusals SET count = count + ? WHERE id = ?'),
      peerContact: db.prepare('UPDATE net_peers SET last_contact = ? WHERE public_key = ?'),
      upContact: db.prepare('UPDATE net_identity SET last_contact = ?, last_error = NULL WHERE id = 1'),
      upError: db.prepare('UPDATE net_identity SET last_error = ? WHERE id = 1'),
      cursor: db.prepare('UPDATE net_identity SET pull_cursor = ? WHERE id = 1 AND pull_cursor < ?'),
    };
  }

  /** This box's identity, creating its Ed25519 key pair on first use. */
  ensureIdentity(now: Date): Identity {
    let id = this.#s.identity.get() as Identity | undefined;
    if (!id) {
      const kp = generateKeyPair();
      this.#s.insertIdentity.run(uuidv7(), kp.publicKey, kp.privateKey, now.toISOString());
      id = this.#s.identity.get() as Identity;
    }
    return id;
  }

  identity(): Identity | undefined {
    return this.#s.identity.get() as Identity | undefined;
  }

  /** This box's key pair replaced (a rotation the upstream accepted). */
  replaceKeys(kp: { publicKey: string; privateKey: string }): void {
    this.db.prepare('UPDATE net_identity SET public_key = ?, private_key = ? WHERE id = 1').run(kp.publicKey, kp.privateKey);
  }

  setUpstream(u: { url: string; address: string; role: string; key: string }, now: Date): void {
    this.db
      .prepare('UPDATE net_identity SET upstream_url = ?, upstream_address = ?, upstream_role = ?, upstream_key = ?, paired_at = ?, pull_cursor = 0 WHERE id = 1')
      .run(u.url, u.address, u.role, u.key, now.toISOString());
  }

  activePeers(): Peer[] {
    return this.#s.activePeers.all() as Peer[];
  }

  allPeers(): Peer[] {
    return this.#s.allPeers.all() as Peer[];
  }

  /** The newest key for a region, active first (a revoked one is returned so the refusal can say so). */
  peer(region: string): Peer | undefined {
    return this.#s.peerByRegion.get(region) as Peer | undefined;
  }

  revokedKeys(region: string): Peer[] {
    return this.db.prepare('SELECT * FROM net_peers WHERE region = ? AND revoked_at IS NOT NULL ORDER BY revoked_at DESC LIMIT 5').all(region) as Peer[];
  }

  enqueue(env: Envelope, hop: string, at: Date): void {
    this.#s.enqueue.run(env.id, hop, env.kind, env.ticket?.id ?? null, envelopeText(env), at.toISOString());
  }

  pending(hop: string, limit: number, after = 0): OutboxRow[] {
    return this.#s.pending.all(hop, after, limit) as OutboxRow[];
  }

  /** `pending` with each envelope as the bytes stored (what a push sends). */
  pendingBytes(hop: string, limit: number, after = 0): PushRow[] {
    return this.#s.pendingBytes.all(hop, after, limit) as PushRow[];
  }

  /** The sequence numbers `pending` would give (read from the index alone). */
  pendingSeqs(hop: string, limit: number): number[] {
    return this.#s.pendingSeqs.all(hop, limit) as number[];
  }

  /**
   * What a downstream peer pulls after its cursor: every row of its hop, acknowledged or not (a peer restored
   * from a backup asks from an older cursor and must get again what its store lost).
   */
  forPull(hop: string, after: number, limit: number): OutboxRow[] {
    return this.#s.forPull.all(hop, after, limit) as OutboxRow[];
  }

  /** Highest outbox sequence number on this box. */
  head(): number {
    return (this.#s.head.get() as { seq: number }).seq;
  }

  /** Sets the pull cursor back (the upstream's store is older than the cursor: it was restored from a backup). */
  resetCursor(seq: number): void {
    this.#s.setCursor.run(seq);
  }

  markDelivered(hop: string, seqs: number[], at: Date): void {
    const iso = at.toISOString();
    const first = seqs[0];
    const last = seqs[seqs.length - 1];
    if (first === undefined || last === undefined) return;
    // A batch is the first waiting rows of its hop in order (pending), so the waiting rows from its first to
    // its last seq are exactly the batch: one statement, not one per row.
    this.#withoutFsync(() => {
      if (last - first + 1 === seqs.length || this.#waitingBetween(hop, first, last) === seqs.length) {
        this.#s.deliveredRange.run(iso, hop, first, last);
        return;
      }
      this.db.transaction(() => {
        for (const s of seqs) this.#s.delivered.run(iso, hop, s);
      })();
    });
  }

  /**
   * Runs a write whose loss in a power cut is harmless without waiting for its fsync (synchronous=NORMAL
   * for that one commit; the store's setting is restored at once). A delivered mark is one: lost, the rows
   * are sent again and the receiver, which applied them durably, answers `duplicate`. The next durable
   * commit (any other write) makes it durable too: the write-ahead log is written in order. This spares
   * the sender one fsync per acknowledged batch during a catch-up. Inside a caller's transaction, or when
   * the store does not sync fully, it just runs.
   */
  #withoutFsync(fn: () => void): void {
    const level = this.db.inTransaction ? 0 : (this.db.pragma('synchronous', { simple: true }) as number);
    if (level < 2) {
      fn();
      return;
    }
    this.db.pragma('synchronous = NORMAL');
    try {
      fn();
    } finally {
      this.db.pragma(`synchronous = ${level}`);
    }
  }

  #waitingBetween(hop: string, first: number, last: number): number {
    return (this.#s.waitingBetween.get(hop, first, last) as { n: number }).n;
  }

  markDeliveredUpTo(hop: string, seq: number, at: Date): number {
    return this.#s.deliveredUpTo.run(at.toISOString(), hop, seq).changes;
  }

  countAttempt(hop: string, seqs: number[]): void {
    this.db.transaction(() => {
      for (const s of seqs) this.#s.attempt.run(hop, s);
    })();
  }

  reject(hop: string, seq: number, code: string, at: Date): void {
    this.#s.reject.run(at.toISOString(), code, hop, seq);
  }

  depth(): { n: number; oldest: string | null; rejected: number; deadLetters: number } {
    const d = this.#s.depth.get() as { n: number; oldest: string | null };
    return { ...d, rejected: (this.#s.rejected.get() as { n: number }).n, deadLetters: (this.#s.deadLetters.get() as { n: number }).n };
  }

  /** Sets aside a received message that cannot be applied here (kept with its error for technicians). */
  deadLetter(env: Envelope, via: string, error: string, at: Date): void {
    this.#s.deadLetter.run(env.id, env.kind, env.from, via, env.ticket?.id ?? null, JSON.stringify(env), error.slice(0, 1000), at.toISOString());
  }

  deadLetters(limit: number): DeadLetter[] {
    return this.db.prepare('SELECT id, kind, origin, via, ticket_id, error, at FROM net_dead_letters ORDER BY at DESC LIMIT ?').all(limit) as DeadLetter[];
  }

  seen(id: string): boolean {
    return this.#s.seen.get(id) !== undefined;
  }

  record(env: Envelope, via: string, outcome: 'applied' | 'forwarded' | 'ignored' | 'set-aside', at: Date): void {
    this.#s.record.run(env.id, env.kind, env.from, via, env.ticket?.id ?? null, env.ticket?.version ?? null, outcome, at.toISOString());
  }

  /** Remembers a request nonce; false when it was already seen (a replay). */
  rememberNonce(nonce: string, peer: string, expires: Date, now: Date): boolean {
    if (!this.reserveNonce(nonce, peer, expires)) return false;
    this.flushNonces(now);
    return true;
  }

  // Nonces of requests being served, not yet written: a push writes its nonce in the transaction that
  // applies its batch (one fsync per batch, not two), any other request when its answer is sent
  // (flushNonces from the routes' onResponse hook). Held in memory meanwhile, so a concurrent replay is seen.
  readonly #reservedNonces = new Map<string, { peer: string; expires: string }>();

  /** Reserves a nonce for a request being served; false when it was seen or is reserved (a replay). */
  reserveNonce(nonce: string, peer: string, expires: Date): boolean {
    if (this.#reservedNonces.has(nonce) || this.#s.nonceSeen.get(nonce)) return false;
    this.#reservedNonces.set(nonce, { peer, expires: expires.toISOString() });
    return true;
  }

  /** Writes the reserved nonces and forgets expired ones (inside the caller's transaction, if any). */
  flushNonces(now: Date): void {
    if (this.#reservedNonces.size === 0) return;
    const write = () => {
      this.#s.purgeNonces.run(now.toISOString());
      for (const [n, r] of this.#reservedNonces) this.#s.nonce.run(n, r.peer, r.expires);
    };
    if (this.db.inTransaction) write();
    else this.db.transaction(write)();
    this.#reservedNonces.clear();
  }

  /** Records a refusal; returns its row id. */
  refusal(at: Date, peer: string | null, code: string, message: string, path: string, address: string | null = null): number {
    return Number(this.#s.refusal.run(at.toISOString(), peer, code, message.slice(0, 500), path.slice(0, 200), address?.slice(0, 64) ?? null).lastInsertRowid);
  }

  /** Adds `n` refusals to an aggregated refusal row (throttle.ts RefusalLog). */
  addRefusalCount(id: number, n: number): void {
    this.#s.refusalCount.run(n, id);
  }

  /**
   * Deletes, oldest first, up to `limit` leading rows of net_inbox or net_refusals (by their integer key)
   * whose time is before `before`; stops at the first newer row, so a row written while the clock was set
   * back is kept longer, never pruned early. Returns the number deleted (0: nothing left to prune).
   */
  pruneLeading(table: 'net_inbox' | 'net_refusals', before: Date, limit: number): number {
    const [key, time] = table === 'net_inbox' ? ['seq', 'received_at'] : ['id', 'at'];
    const rows = this.db.prepare(`SELECT ${key} AS k, ${time} AS t FROM ${table} ORDER BY ${key} LIMIT ?`).all(limit) as { k: number; t: string }[];
    const cutoff = before.toISOString();
    let last: number | null = null;
    for (const r of rows) {
      if (r.t >= cutoff) break;
      last = r.k;
    }
    if (last === null) return 0;
    return this.db.prepare(`DELETE FROM ${table} WHERE ${key} <= ?`).run(last).changes;
  }

  /**
   * Deletes delivered outbox rows among the `limit` rows after `afterSeq`: acknowledged ones delivered
   * before `delivered`, ones the receiver refused (set aside) before `rejected`. Rows still waiting are
   * never touched. Returns the last seq looked at, or null when the scan reached rows created after both
   * cutoffs (no later row can have been delivered before them).
   */
  pruneOutbox(afterSeq: number, delivered: Date, rejected: Date, limit: number): { deleted: number; next: number | null } {
    const d = delivered.toISOString();
    const r = rejected.toISOString();
    const newest = d > r ? d : r;
    const rows = this.db
      .prepare('SELECT seq, created_at, delivered_at, rejected_code FROM net_outbox WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(afterSeq, limit) as { seq: number; created_at: string; delivered_at: string | null; rejected_code: string | null }[];
    const del = this.db.prepare('DELETE FROM net_outbox WHERE seq = ?');
    let deleted = 0;
    let next: number | null = rows.length === limit ? rows[rows.length - 1]!.seq : null;
    for (const row of rows) {
      if (row.created_at >= newest) {
        next = null;
        break;
      }
      if (row.delivered_at === null) continue;
      if (row.rejected_code === null ? row.delivered_at < d : row.delivered_at < r) deleted += del.run(row.seq).changes;
    }
    return { deleted, next };
  }

  /** Deletes dead letters set aside and enrollment codes that expired before `before`. */
  pruneRecords(before: Date): { deadLetters: number; enrollments: number } {
    const b = before.toISOString();
    return {
      deadLetters: this.db.prepare('DELETE FROM net_dead_letters WHERE at < ?').run(b).changes,
      enrollments: this.db.prepare('DELETE FROM net_enrollments WHERE expires_at < ?').run(b).changes,
    };
  }

  // Last-contact times are written at most every few seconds: each write is an fsync of its own, and
  // during a catch-up they would otherwise cost as much as the batches they stamp.
  readonly #contactWritten = new Map<string, number>();
  #contactDue(key: string, at: Date): boolean {
    const last = this.#contactWritten.get(key);
    if (last !== undefined && at.getTime() - last < 2000 && at.getTime() >= last) return false;
    this.#contactWritten.set(key, at.getTime());
    return true;
  }

  peerContact(publicKey: string, at: Date): void {
    if (this.#contactDue(publicKey, at)) this.#s.peerContact.run(at.toISOString(), publicKey);
  }

  upstreamContact(at: Date): void {
    const id = this.identity();
    if (id?.last_error || this.#contactDue('\u0000up', at)) this.#s.upContact.run(at.toISOString());
  }

  upstreamError(message: string): void {
    this.#s.upError.run(message.slice(0, 500));
  }

  advanceCursor(seq: number): void {
    this.#s.cursor.run(seq, seq);
  }

  /** Keys registered for `region` by peer.key messages (origin.ts; docs/exchange.md §2.2). */
  originKeys(region: string): OriginKeyRow[] {
    return this.db.prepare('SELECT * FROM net_origin_keys WHERE region = ? ORDER BY enrolled_at').all(region) as OriginKeyRow[];
  }

  allOriginKeys(): OriginKeyRow[] {
    return this.db.prepare('SELECT * FROM net_origin_keys ORDER BY region, enrolled_at').all() as OriginKeyRow[];
  }

  /** Registers a key as `attestedBy` attests it; a revocation is never undone. */
  upsertOriginKey(k: { region: string; role: string; publicKey: string; enrolledAt: string; revokedAt: string | null }, attestedBy: string, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO net_origin_keys (region, role, public_key, fingerprint, attested_by, enrolled_at, revoked_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (region, public_key) DO UPDATE SET revoked_at = coalesce(net_origin_keys.revoked_at, excluded.revoked_at)`,
      )
      .run(k.region, k.role, k.publicKey, keyFingerprint(k.publicKey), attestedBy, k.enrolledAt, k.revokedAt, now.toISOString());
  }

  /** Keeps the signed envelope of an article received from above (a higher version replaces a lower one). */
  keepKbEnvelope(uid: string, version: number, envelope: string): void {
    this.db
      .prepare('INSERT INTO net_kb_envelopes (uid, version, envelope) VALUES (?, ?, ?) ON CONFLICT (uid) DO UPDATE SET version = excluded.version, envelope = excluded.envelope WHERE excluded.version >= net_kb_envelopes.version')
      .run(uid, version, envelope);
  }

  kbEnvelope(uid: string): string | undefined {
    return (this.db.prepare('SELECT envelope FROM net_kb_envelopes WHERE uid = ?').get(uid) as { envelope: string } | undefined)?.envelope;
  }

  /** Queues an envelope (JSON text exactly as received) for `hop`. */
  enqueueRaw(id: string, kind: string, ticketId: string | null, envelope: string, hop: string, at: Date): void {
    this.#s.enqueue.run(id, hop, kind, ticketId, envelope, at.toISOString());
  }
}

export interface OriginKeyRow {
  region: string;
  role: string;
  public_key: string;
  fingerprint: string;
  attested_by: string;
  enrolled_at: string;
  revoked_at: string | null;
  received_at: string;
}
