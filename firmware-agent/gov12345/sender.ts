// Delivers the 12345 outbox (docs/12345.md §5): per platform, oldest message first, one at a time, each
// signed afresh (new nonce and time) under its stored id, which the platform dedups on. A message is marked
// delivered only on a 200 answer whose signature verifies; a documented permanent refusal sets it aside; any
// other outcome (no connection, 5xx, an answer that does not verify, a transient refusal) is retried with
// exponential back-off on the injected clock, the same message first, so order and exactly-once hold.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Gov12345Platform } from './config.js';
import { headers, messagesPath, responseVerifies, signedHeaders } from './sign.js';
import type { Gov12345Service } from './service.js';
import type { OutboxRow } from './store.js';
import type { Logger } from '../../common/log.js';

/** Refusals a platform may give that a later attempt can overcome; every other 4xx is permanent. */
export const transientCodes = new Set(['gov12345-clock-skew', 'gov12345-replay', 'gov12345-rate-limited']);

export type Outcome = { kind: 'delivered' } | { kind: 'rejected'; code: string; message: string } | { kind: 'retry'; error: string };

export type Post = (url: string, init: { headers: Record<string, string>; body: string }) => Promise<{ status: number; headers: Headers; text: string }>;

const fetchPost: Post = async (url, init) => {
  const r = await fetch(url, { method: 'POST', headers: init.headers, body: init.body, signal: AbortSignal.timeout(30_000) });
  return { status: r.status, headers: r.headers, text: await r.text() };
};

/** One delivery attempt of `row` to `p`, classified. Never throws. */
export async function deliver(p: Gov12345Platform, row: OutboxRow, now: Date, post: Post = fetchPost): Promise<Outcome> {
  const h = signedHeaders({ secret: p.secret, platform: p.account, path: messagesPath, body: row.body, now });
  let r: Awaited<ReturnType<Post>>;
  try {
    r = await post(new URL(messagesPath, p.url).toString(), { headers: h, body: row.body });
  } catch (err) {
    return { kind: 'retry', error: `no answer: ${(err as Error).message}` };
  }
  if (!responseVerifies(p.secret, h[headers.nonce]!, r.headers.get(headers.timestamp) ?? undefined, r.headers.get(headers.signature) ?? undefined, r.text)) {
    return { kind: 'retry', error: `HTTP ${r.status} without a valid response signature` };
  }
  let body: { id?: unknown; status?: unknown; error?: { code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(r.text) as typeof body;
  } catch {
    return { kind: 'retry', error: `HTTP ${r.status}: answer is not JSON` };
  }
  if (r.status === 200) {
    if (body.id === row.id && (body.status === 'applied' || body.status === 'duplicate')) return { kind: 'delivered' };
    return { kind: 'retry', error: 'HTTP 200 that does not acknowledge this message' };
  }
  const code = typeof body.error?.code === 'string' ? body.error.code : '';
  if (r.status >= 400 && r.status < 500 && code && !transientCodes.has(code)) {
    return { kind: 'rejected', code, message: typeof body.error?.message === 'string' ? body.error.message : '' };
  }
  return { kind: 'retry', error: `HTTP ${r.status} ${code}`.trim() };
}

interface Lane {
  running: boolean;
  again: boolean;
  timer: TimerHandle | undefined;
  failures: number;
}

export class Sender {
  readonly #lanes = new Map<string, Lane>();
  #stopped = false;

  constructor(
    readonly gov: Gov12345Service,
    readonly clock: Clock,
    readonly log: Pick<Logger, 'warn' | 'error'>,
    readonly post: Post = fetchPost,
  ) {}

  #lane(id: string): Lane {
    let l = this.#lanes.get(id);
    if (!l) this.#lanes.set(id, (l = { running: false, again: false, timer: undefined, failures: 0 }));
    return l;
  }

  /** Starts every configured platform's lane (messages left from before a restart go first). */
  start(): void {
    for (const p of this.gov.settings().platforms) this.kick(p.id);
  }

  /** Something was queued for `platform`, or it may be reachable again: deliver unless backing off. */
  kick(platform: string): void {
    const l = this.#lane(platform);
    if (this.#stopped || l.timer) return;
    if (l.running) {
      l.again = true;
      return;
    }
    l.running = true;
    this.#drain(platform, l)
      .catch((err: unknown) => this.log.error({ err, platform }, '12345 delivery loop failed; it starts again on the next message'))
      .finally(() => {
        l.running = false;
        if (l.again && !l.timer) {
          l.again = false;
          this.kick(platform);
        }
      });
  }

  /** Ends the back-off of every lane and delivers now (an operator's "retry now", tests). */
  retryNow(): void {
    for (const [id, l] of this.#lanes) {
      this.clock.clearTimeout(l.timer);
      l.timer = undefined;
      this.kick(id);
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const l of this.#lanes.values()) this.clock.clearTimeout(l.timer);
  }

  async #drain(id: string, l: Lane): Promise<void> {
    for (;;) {
      l.again = false;
      const p = this.gov.platform(id);
      if (this.#stopped || !p || !p.enabled) return;
      const row = this.gov.store.next(id);
      if (!row) return;
      const now = new Date(this.clock.now());
      const out = await deliver(p, row, now, this.post);
      if (this.#stopped) return;
      const at = new Date(this.clock.now());
      if (out.kind === 'delivered') this.gov.store.delivered(row.seq, at);
      else if (out.kind === 'rejected') {
        this.gov.setAside(row.seq, row.id, id, out.code, out.message, at);
        this.log.warn({ platform: id, message: row.id, code: out.code }, '12345 platform refused a message; set aside');
      } else {
        this.gov.store.failed(row.seq, out.error);
        l.failures++;
        const s = this.gov.settings();
        const delay = Math.min(s.retryBaseMs * 2 ** Math.min(l.failures - 1, 30), s.retryMaxMs);
        this.log.warn({ platform: id, message: row.id, error: out.error, retryInMs: delay }, '12345 delivery failed; retrying');
        l.timer = this.clock.setTimeout(() => {
          l.timer = undefined;
          this.kick(id);
        }, delay);
        return;
      }
      l.failures = 0;
    }
  }

  /** Platforms backing off after a failure, and their consecutive failures. */
  backingOff(): Record<string, number> {
    return Object.fromEntries([...this.#lanes].filter(([, l]) => l.timer).map(([id, l]) => [id, l.failures]));
  }
}
