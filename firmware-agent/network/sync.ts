// The downstream's link to its upstream: one loop pushes the outbox up in FIFO batches, another pulls
// what is addressed to this box by long-polling from a durable cursor. The upstream never connects down.
//
// Invariants:
// - A pushed row is marked delivered only after the upstream's signed acknowledgement; a crash in
//   between re-sends it and the upstream answers "duplicate".
// - To an upstream that applies pipelined pushes in order (its answers say `ordered`), the next batch goes
//   out while the last is applied, naming it (x-edgebox-follows, push-order.ts): it is applied only right
//   after that one, so pipelining never reorders; when the batch before fails, the later one is sent again.
// - A pulled batch is applied and the cursor stored in one transaction; the next pull acknowledges it.
// - Transient failures back off exponentially with jitter up to a ceiling; a batch refused for its
//   content is split to find the message at fault, which is set aside (rejected_code) and reported in
//   /healthz instead of blocking the queue forever.
// - Both loops check the stop flag and every wait ends on stop.
import type { AppError } from '../errors.js';
import { checkEnvelope, checkMessageTime } from './messages.js';
import { checkPulled } from './policy.js';
import { NetworkError, type PreparedPush, type PushAnswer, type UpstreamClient } from './client.js';
import type { PushRow } from './store.js';
import type { NetworkService } from './service.js';
import type { Logger } from '../../common/log.js';

export interface SyncOptions {
  /** First retry delay after a failure, ms. */
  retryBaseMs: number;
  /** Ceiling of the retry delay, ms. */
  retryMaxMs: number;
  /** How long the push loop sleeps with nothing to send before looking again, ms (new rows wake it at once). */
  idleMs: number;
  /** Long-poll wait asked of the upstream, seconds (0: plain polling every idleMs). */
  pollWaitSeconds: number;
  /** Messages per pushed or pulled batch. */
  batchSize: number;
}

export const defaultSyncOptions: SyncOptions = { retryBaseMs: 1000, retryMaxMs: 300_000, idleMs: 5000, pollWaitSeconds: 25, batchSize: 200 };

/** Exponential backoff with "equal jitter": half fixed, half random, so a fleet does not retry in step. */
export function backoffMs(failures: number, o: Pick<SyncOptions, 'retryBaseMs' | 'retryMaxMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

type Log = Pick<Logger, 'info' | 'warn' | 'error'>;

/** A push sent and not yet answered. */
interface InFlight {
  rows: PushRow[];
  batch: PreparedPush;
  answer: Promise<PushAnswer>;
  /** The body hash of the batch it was sent after, when pipelined. */
  follows?: string;
}

/** Pushes in flight at most, once the upstream applies pipelined pushes in order; one otherwise. */
const pipelineDepth = 2;

export class Uplink {
  #stopped = false;
  readonly #abort = new AbortController();
  readonly #loops: Promise<void>[] = [];
  #isolate = false;
  /**
   * Messages per push: the configured batch, lowered to what the upstream takes when it refuses a batch as too
   * many messages (its net-max-batch, sent in the refusal) or too many bytes (halved until it passes). Not
   * raised again while the box runs: a restart starts from the configuration.
   */
  #batch: number;
  readonly failures = { push: 0, pull: 0 };
  /** Pushes sent and not yet answered, oldest first (#pushOnce). */
  #inflight: InFlight[] = [];
  /** The upstream's last answer said it applies pipelined pushes in order (push-order.ts). */
  #ordered = false;

  constructor(
    private readonly net: NetworkService,
    private readonly client: UpstreamClient,
    private readonly o: SyncOptions,
    private readonly log: Log,
    private readonly random: () => number = Math.random,
  ) {
    this.#batch = o.batchSize;
  }

  /** Messages per push now (tests, status). */
  get batchSize(): number {
    return this.#batch;
  }

  start(): void {
    for (const [name, once] of [
      ['push', () => this.#pushOnce()],
      ['pull', () => this.#pullOnce()],
    ] as const) {
      this.#loops.push(
        this.#loop(name, once).catch((err: unknown) => this.log.error({ err, loop: name }, 'network loop stopped unexpectedly')),
      );
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    await Promise.all(this.#loops);
  }

  #sleep(ms: number, hop?: string): Promise<void> {
    return this.net.notifier.wait(hop ?? '\u0000none', ms, this.#abort.signal);
  }

  async #loop(name: 'push' | 'pull', once: () => Promise<'busy' | 'idle'>): Promise<void> {
    while (!this.#stopped) {
      // Yield to the event loop every turn: a loop whose steps all complete synchronously (nothing to
      // send, waits that resolve at once) must never starve timers, I/O and shutdown.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#stopped) break;
      try {
        const r = await once();
        this.failures[name] = 0;
        if (r === 'idle' && !this.#stopped) await this.#sleep(this.o.idleMs, name === 'push' ? 'up' : undefined);
      } catch (err) {
        if (this.#stopped) break;
        this.failures[name]++;
        const delay = backoffMs(this.failures[name], this.o, this.random);
        const e = err as NetworkError;
        if (e.code !== 'network-not-paired') {
          try {
            this.net.store.upstreamError(`${name}: ${e.message}`);
          } catch {
            // the store may be closing
          }
          this.log.warn({ loop: name, code: e.code, failures: this.failures[name], retryInMs: delay }, `network ${name} failed: ${e.message}`);
        }
        await this.#sleep(delay);
      }
    }
  }

  /** Sends a batch: after `follows` (the body hash of the batch before it, still in flight) when given. */
  #launch(rows: PushRow[], batch: PreparedPush, follows?: string): void {
    const answer = this.client.send(batch, this.#abort.signal, follows);
    answer.catch(() => undefined);
    this.#inflight.push({ rows, batch, answer, follows });
  }

  /** Forgets the batches in flight once their answers are in: their rows stay pending and go again. */
  async #dropInFlight(): Promise<void> {
    const gone = this.#inflight.splice(0);
    await Promise.allSettled(gone.map((f) => f.answer));
  }

  async #pushOnce(): Promise<'busy' | 'idle'> {
    const id = this.net.store.identity();
    if (!id?.upstream_url) {
      await this.#dropInFlight();
      return 'idle';
    }
    const limit = this.#isolate ? 1 : this.#batch;
    if (this.#inflight.length === 0) {
      const rows = this.net.store.pendingBytes('up', limit);
      if (rows.length === 0) return 'idle';
      this.#launch(rows, this.client.preparePush(rows.map((r) => r.envelope)));
      // fetch writes the request on a later turn of the event loop: let it go out before making the next.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const head = this.#inflight[0]!;
    // While the upstream verifies and applies this batch (on its own machine), the next one goes out, naming
    // this one (push-order.ts): only to an upstream that applies pipelined pushes in order, only while what is
    // in flight is still the head of the queue (`network resend` may re-open older rows; they go first), and
    // only signed with the key this box holds.
    if (this.#ordered && !this.#isolate && this.#inflight.length < pipelineDepth && head.batch.signedBy === id.public_key && this.net.store.pendingSeqs('up', 1)[0] === head.rows[0]!.seq) {
      const tail = this.#inflight[this.#inflight.length - 1]!;
      const next = this.net.store.pendingBytes('up', limit, tail.rows[tail.rows.length - 1]!.seq);
      if (next.length > 0) {
        this.#launch(next, this.client.preparePush(next.map((r) => r.envelope)), tail.batch.sha256);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    this.#inflight.shift();
    const rows = head.rows;
    try {
      const res = await head.answer;
      const now = this.net.deps.now();
      if (res.results.length !== rows.length) throw new NetworkError('network-bad-response', `pushed ${rows.length} messages, ${res.results.length} acknowledged`);
      this.net.store.markDelivered('up', rows.map((r) => r.seq), now);
      this.net.store.upstreamContact(now);
      this.#ordered = res.ordered === true;
      this.#isolate = false;
      return 'busy';
    } catch (err) {
      // What went after this batch is dropped: its rows go again once this one is through (the upstream
      // refused them as out of order, or answers them 'duplicate' next time).
      await this.#dropInFlight();
      if (head.follows !== undefined) {
        // A pipelined batch that failed after the one before it went through: sent again at once, on its own
        // and without `follows`, where a failure of its own is handled as for any batch. An upstream that
        // does not know x-edgebox-follows cannot verify its signature: no more pipelining to it.
        if (err instanceof NetworkError && err.detail.refusal === 'exchange-bad-signature') this.#ordered = false;
        return 'busy';
      }
      if (err instanceof NetworkError && !err.transient) {
        // The batch's size, not a message, was refused: send smaller batches from now on (a city configured
        // with a larger net-batch than its province's net-max-batch would otherwise crawl, one message at a
        // time between refused batches).
        const refusal = err.detail.refusal;
        if (rows.length > 1 && (refusal === 'exchange-batch-too-large' || refusal === 'payload-too-large')) {
          const max = Number(err.detail.details?.max);
          this.#batch = refusal === 'exchange-batch-too-large' && Number.isInteger(max) && max >= 1 && max < rows.length ? max : Math.max(1, Math.floor(rows.length / 2));
          this.log.warn({ refusal, batch: this.#batch }, `upstream refused a batch of ${rows.length} messages (${refusal}); pushing ${this.#batch} at a time`);
          return 'busy';
        }
        if (rows.length > 1) {
          // Send one at a time until the message at fault is found and set aside.
          this.#isolate = true;
          this.log.warn({ refusal: err.detail.refusal }, 'batch refused for its content; isolating the message at fault');
          return 'busy';
        }
        const row = rows[0]!;
        this.net.store.reject('up', row.seq, err.detail.refusal ?? 'refused', this.net.deps.now());
        this.log.error({ id: row.id, kind: row.kind, refusal: err.detail.refusal }, `upstream refused message ${row.id} permanently; set aside`);
        return 'busy';
      }
      this.net.store.countAttempt('up', rows.map((r) => r.seq));
      throw err;
    }
  }

  async #pullOnce(): Promise<'busy' | 'idle'> {
    const id = this.net.store.identity();
    if (!id?.upstream_url) return 'idle';
    this.net.keys.announceUpstreamIfNew();
    const res = await this.client.pull(id.pull_cursor, this.o.pollWaitSeconds, this.o.batchSize, this.#abort.signal);
    const now = this.net.deps.now();
    if (res.messages.length > 0) {
      // The upstream is trusted (its answer is signed), but its messages are still checked like any other.
      // One it cannot read (e.g. a newer body version) is recorded as a refusal and skipped, not retried forever.
      // A message of a kind only a box below may send, or an article not owned at or above the upstream, is
      // refused the same way: recorded, logged, skipped, nothing applied. So is one too old to be told from a
      // repeat once its id is pruned (exchange-message-expired, docs/exchange.md §Retention).
      // Each message's origin signature is verified too (docs/exchange.md §2.2); a peer.key counts for the
      // messages behind it in the batch (they apply in order). A message whose origin's key has
      // not arrived yet is not applied: the batch stops before it, and it is asked for again later.
      const envs = [];
      const upstream = id.upstream_address ?? '';
      let cursor = res.cursor;
      let held: Error | null = null;
      const checkOrigin = this.net.keys.checker();
      for (const [i, m] of res.messages.entries()) {
        try {
          const env = checkEnvelope(m.message, i);
          checkPulled(env, i, upstream);
          checkMessageTime(env, i, now, this.net.maxMessageAgeMs());
          checkOrigin(env, i);
          envs.push(env);
        } catch (err) {
          if ((err as AppError).code === 'exchange-origin-key-unknown') {
            cursor = i > 0 ? res.messages[i - 1]!.seq : id.pull_cursor;
            held = err as Error;
            break;
          }
          const code = (err as { code?: string }).code ?? 'exchange-body-invalid';
          this.net.store.refusal(now, 'up', code, (err as Error).message, `pull seq ${m.seq}`);
          this.log.error({ seq: m.seq, code }, `message from upstream refused: ${(err as Error).message}`);
        }
      }
      this.net.applyBatch(envs, 'up', () => this.net.store.advanceCursor(cursor));
      if (held) {
        this.log.warn({ cursor }, `pulled message held until its origin's key arrives: ${held.message}`);
        throw new NetworkError('network-refused', held.message, { refusal: 'exchange-origin-key-unknown', transient: true });
      }
    }
    if (res.messages.length === 0 && typeof res.head === 'number' && res.head < id.pull_cursor) {
      // The upstream's store is older than our cursor (restored from a backup): start over from its head;
      // anything already applied here is recognised by its id and acknowledged as a duplicate.
      this.log.warn({ cursor: id.pull_cursor, head: res.head }, 'upstream is behind our pull cursor (restored from a backup?); starting over from its head. If it was restored, run `edgebox network resend --since <backup time>` here');
      this.net.store.resetCursor(res.head);
    }
    this.net.store.upstreamContact(now);
    return res.messages.length > 0 || this.o.pollWaitSeconds > 0 ? 'busy' : 'idle';
  }
}
