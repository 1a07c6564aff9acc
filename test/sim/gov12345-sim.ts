// A 12345 platform simulator for the tests (docs/12345.md): a real HTTP server that speaks the signed
// request format with its own field names and code tables (like a real 12345 platform, which never uses the
// box's), verifies every request as the box does (headers, account, time window, signature, nonce, body
// size), dedups by message id, signs its answers, and sends work orders, results and visits to the box.
//
// Behaviours: `stop()` / `start()` on the same port make an outage; `refuseNext(code)` answers the next
// message with a refusal; everything received is kept in `received` (applied once) and `deliveries` (every
// attempt, duplicates included), so tests can tell "nothing lost" from "nothing doubled".
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalRequest, canonicalResponse, headers, hmac, messagesPath, sha256Hex, signatureMatches, signedHeaders, skewMs } from '../../firmware-agent/gov12345/sign.js';

/** The field names and codes of the simulated platform (a 12345 platform's usual pinyin abbreviations). */
export const simFields = {
  ref: 'gdbh', // 工单编号
  type: 'sqlx', // 诉求类型
  subject: 'bt', // 标题
  description: 'sqnr', // 诉求内容
  callerPhone: 'lxdh', // 联系电话
  callerName: 'lxr', // 联系人
  region: 'xzqh', // 行政区划
  location: 'fsdd', // 发生地点
  text: 'bljg', // 办理结果
  handler: 'cbdw', // 承办单位
  satisfaction: 'myd', // 满意度
  note: 'hfsm', // 回访说明
} as const;
export const simCodes = {
  type: { inquiry: '01', suggestion: '02', complaint: '03' },
  satisfaction: { satisfied: '1', neutral: '2', unsatisfied: '3' },
} as const;

export interface SimMessage {
  id: string;
  kind: 'order.transfer' | 'order.result' | 'order.visit';
  sentAt: string;
  order: Record<string, string>;
}

export interface Gov12345SimOptions {
  /** The name the box uses for itself (x-gov12345-platform on its requests to the simulator). */
  account: string;
  /** The simulator's id in the box's configuration (x-gov12345-platform on the simulator's requests). */
  platformId: string;
  secret: string;
  /** The box's origin, for what the simulator sends (settable later: `boxUrl`). */
  boxUrl?: string;
  port?: number;
  maxBodyBytes?: number;
}

export class Gov12345Sim {
  readonly received: SimMessage[] = [];
  /** Every delivery attempt that verified, duplicates included: the message id and what was answered. */
  readonly deliveries: { id: string; status: string }[] = [];
  boxUrl: string | undefined;
  port = 0;
  #server: http.Server | null = null;
  readonly #nonces = new Set<string>();
  #refuse: string[] = [];
  readonly #waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(readonly o: Gov12345SimOptions) {
    this.boxUrl = o.boxUrl;
    this.port = o.port ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    const server = http.createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this.url;
  }

  /** An outage: the port stops answering (connections refused) until start() again. */
  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Answers the next message with this documented refusal (e.g. 'validation-failed', 'gov12345-clock-skew'). */
  refuseNext(code: string): void {
    this.#refuse.push(code);
  }

  /** Resolves once `test` holds (checked after every message the simulator receives). */
  waitFor(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ test, resolve }));
  }

  #reply(res: http.ServerResponse, status: number, body: unknown, nonce: string | undefined): void {
    const text = JSON.stringify(body);
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    if (nonce) {
      const ts = new Date().toISOString();
      res.setHeader(headers.timestamp, ts);
      res.setHeader(headers.signature, hmac(this.o.secret, canonicalResponse(nonce, ts, text)));
    }
    res.end(text);
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const h = (n: string) => (typeof req.headers[n] === 'string' ? (req.headers[n] as string) : undefined);
    const refuse = (status: number, code: string, nonce?: string) => this.#reply(res, status, { error: { code, message: code } }, nonce);
    if (req.method !== 'POST' || req.url !== messagesPath) return refuse(404, 'route-not-found');
    const [platform, timestamp, nonce, bodySha256, signature] = [headers.platform, headers.timestamp, headers.nonce, headers.contentSha256, headers.signature].map(h);
    if (!platform || !timestamp || !nonce || !bodySha256 || !signature) return refuse(401, 'gov12345-unsigned');
    if (platform !== this.o.account) return refuse(401, 'gov12345-unknown-platform');
    if (Math.abs(Date.parse(timestamp) - Date.now()) > skewMs || Number.isNaN(Date.parse(timestamp))) return refuse(401, 'gov12345-clock-skew', nonce);
    if (Number(req.headers['content-length'] ?? 'x') > (this.o.maxBodyBytes ?? 256 * 1024)) return refuse(413, 'payload-too-large', nonce);
    const text = canonicalRequest({ method: 'POST', path: req.url, platform, timestamp, nonce, bodySha256 });
    if (!signatureMatches(this.o.secret, text, signature)) return refuse(401, 'gov12345-bad-signature', nonce);
    if (this.#nonces.has(nonce)) return refuse(409, 'gov12345-replay', nonce);
    this.#nonces.add(nonce);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (sha256Hex(raw) !== bodySha256) return refuse(401, 'gov12345-bad-signature', nonce);
    let m: SimMessage;
    try {
      m = JSON.parse(raw) as SimMessage;
    } catch {
      return refuse(400, 'malformed-json', nonce);
    }
    const refusal = this.#refuse.shift();
    if (refusal) return refuse(refusal === 'validation-failed' ? 400 : 409, refusal, nonce);
    const dup = this.received.some((r) => r.id === m.id);
    if (!dup) this.received.push(m);
    this.deliveries.push({ id: m.id, status: dup ? 'duplicate' : 'applied' });
    this.#reply(res, 200, { id: m.id, status: dup ? 'duplicate' : 'applied' }, nonce);
    for (const w of [...this.#waiters]) {
      if (w.test()) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  /** A message in the simulator's own names and codes. */
  message(kind: SimMessage['kind'], order: Record<string, string>, id: string = crypto.randomUUID()): SimMessage {
    return { id, kind, sentAt: new Date().toISOString(), order };
  }

  /** Sends one message to the box, signed; returns the HTTP status, the answer and whether its signature verified. */
  async send(m: SimMessage | string, o: { nonce?: string; now?: Date } = {}): Promise<{ status: number; body: Record<string, unknown>; signed: boolean }> {
    if (!this.boxUrl) throw new Error('the simulator does not know the box’s address');
    const body = typeof m === 'string' ? m : JSON.stringify(m);
    const hs = signedHeaders({ secret: this.o.secret, platform: this.o.platformId, path: messagesPath, body, now: o.now ?? new Date(), ...(o.nonce ? { nonce: o.nonce } : {}) });
    const r = await fetch(new URL(messagesPath, this.boxUrl), { method: 'POST', headers: hs, body });
    const text = await r.text();
    const ts = r.headers.get(headers.timestamp);
    const sig = r.headers.get(headers.signature);
    const signed = !!ts && !!sig && signatureMatches(this.o.secret, canonicalResponse(hs[headers.nonce]!, ts, text), sig);
    return { status: r.status, body: JSON.parse(text) as Record<string, unknown>, signed };
  }
}

/** The box's `gov12345` configuration section for a simulator (its field names and code tables). */
export function boxSectionFor(sim: { o: Gov12345SimOptions; url: string }, o: { retryBaseMs?: number; retryMaxMs?: number } = {}) {
  return {
    platforms: [
      {
        id: sim.o.platformId,
        name: '模拟12345平台',
        url: sim.url,
        account: sim.o.account,
        secret: sim.o.secret,
        enabled: true,
        fields: { ...simFields },
        codes: { type: { ...simCodes.type }, satisfaction: { ...simCodes.satisfaction } },
        defaultRegion: null,
        defaultDomain: 'other',
      },
    ],
    maxBodyBytes: 64 * 1024,
    retryBaseMs: o.retryBaseMs ?? 50,
    retryMaxMs: o.retryMaxMs ?? 400,
  };
}
