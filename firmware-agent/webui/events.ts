// Server-sent events to browsers. Each connection gets events that pass its filter; a comment line every
// 15 s keeps proxies from closing an idle stream; a client that cannot keep up (socket buffer over 1 MB)
// is dropped and reconnects by itself (EventSource does).
import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';

export type UiEvent =
  | { type: 'ticket.changed'; number: string; action: string; from: string | null; to: string; departmentId: number | null; actor: string; at: string }
  | { type: 'kb.changed'; id: number; version: number; status: string };

interface Conn {
  send: (e: UiEvent) => void;
  end: () => void;
}

export class EventHub {
  readonly #conns = new Set<Conn>();

  get size(): number {
    return this.#conns.size;
  }

  /**
   * `guard`: the stream lives only as long as the session that opened it (http/auth.ts sessionGuard) — every
   * event and ping checks it, and the session's end closes the stream at once.
   */
  attach(req: IncomingMessage, reply: FastifyReply, filter: (e: UiEvent) => boolean, guard?: { alive(): boolean; onEnd(fn: () => void): () => void }): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    const ping = setInterval(() => (guard && !guard.alive() ? conn.end() : res.write(': ping\n\n')), 15000);
    ping.unref();
    let stopWatching = (): void => undefined;
    const conn: Conn = {
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
  }

  publish(e: UiEvent): void {
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
