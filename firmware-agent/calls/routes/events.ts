// The call centre's live events (GET /api/events, Server-Sent Events).
import type { FastifyPluginAsync } from 'fastify';
import type { LiveEvent } from '../events.js';
import { sessionGuard } from '../../http/auth.js';
import { centre, type CallRoutesOptions } from './shared.js';

export const eventRoutes: FastifyPluginAsync<CallRoutesOptions> = async (app, { box, center }) => {
  const now = () => center.clock.now();

  // Live events as Server-Sent Events: one `data:` line of JSON per event, a comment every 15 s keeps
  // proxies from closing the stream. Agents see what concerns the centre; no secrets are in these events.
  // Open streams are ended when the box closes: the HTTP server waits for every connection to end.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.get(
    '/api/events',
    { config: { roles: centre }, schema: { tags: ['calls'], summary: 'Live events (SSE): calls offered with caller history, queue and agent states' } },
    async (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      // The stream lives only as long as the session that opened it (logout, disabling, a role change).
      const guard = sessionGuard(box.accounts, request);
      const send = (e: LiveEvent) => {
        if (!guard.alive()) return end();
        res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      };
      const keepAlive = setInterval(() => (guard.alive() ? res.write(': keep-alive\n\n') : end()), 15_000);
      let unsubscribe = (): void => undefined;
      const stopWatching = guard.onEnd(() => end());
      const end = () => {
        streams.delete(end);
        clearInterval(keepAlive);
        unsubscribe();
        stopWatching();
        res.end();
      };
      streams.add(end);
      request.raw.on('close', () => {
        streams.delete(end);
        clearInterval(keepAlive);
        unsubscribe();
        stopWatching();
      });
      send({ type: 'queue.state', at: now(), queue: center.acd.queueSnapshot() });
      for (const agent of center.acd.agentList()) send({ type: 'agent.state', at: now(), agent });
      unsubscribe = center.events.subscribe(send);
    },
  );
};
