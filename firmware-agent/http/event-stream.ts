// Server-sent events to browsers, the one stream mechanism of the box (the web UI's ticket and KB changes,
// the call centre's live events). Each connection gets events that pass its filter; a comment line every
// 15 s keeps proxies from closing an idle stream; a client that cannot keep up (socket buffer over 1 MB)
// is dropped and reconnects by itself (EventSource does); a stream lives only as long as its session.
import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';

interface Conn<E> {
  send: (e: E) => void;
  end: () => void;
}

export class EventHub<E extends { type: string }> {
  readonly #conns = new Set<Conn<E>>();

  get size(): number {
    return this.#conns.size;
  }

  /**
   * `guard`: the stream lives only as long as the session that opened it (http/auth.ts sessionGuard) — every
   * event and ping checks it, and the session's end closes the stream at once. `initial`: events for this
   * connection alone, first (the state it starts from).
   */
  attach(
    req: IncomingMessage,
    reply: FastifyReply,
    filter: (e: E) => boolean,
    guard?: { alive(): boolean; onEnd(fn: () => void): () => void },
    initial: E[] = [],
  ): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    const ping = setInterval(() => (guard && !guard.alive() ? conn.end() : res.write(': ping\n\n')), 15000);
    ping.unref();
    let stopWatching = (): void => undefined;
    const conn: Conn<E> = {
      send: (e) => {
        if (guard && !guard.alive()) return conn.end();
        if (!filter(e)) return;
        if (res.writableLength > 1024 * 1024) return conn.end();
        res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      },
      end: () => {
        clearInterval(ping);
        stopWatching();
        this.#conns.delete(conn);
        res.end();
      },
    };
    this.#conns.add(conn);
    if (guard) stopWatching = guard.onEnd(() => conn.end());
    req.on('close', () => {
      clearInterval(ping);
      stopWatching();
      this.#conns.delete(conn);
    });
    for (const e of initial) conn.send(e);
  }

  publish(e: E): void {
    for (const c of [...this.#conns]) {
      try {
        c.send(e);
      } catch {
        c.end();
      }
    }
  }

  closeAll(): void {
    for (const c of [...this.#conns]) c.end();
  }
}
