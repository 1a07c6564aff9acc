// The call centre's live events (GET /api/events, Server-Sent Events).
import type { FastifyPluginAsync } from 'fastify';
import type { LiveEvent } from '../events.js';
import { sessionGuard } from '../../http/auth.js';
import { EventHub } from '../../http/event-stream.js';
import { centre, type CallRoutesOptions } from './shared.js';

export const eventRoutes: FastifyPluginAsync<CallRoutesOptions> = async (app, { box, center }) => {
  const now = () => center.clock.now();

  // Live events as Server-Sent Events (http/event-stream.ts: pings, the slow-client cut, the session's life).
  // Agents see what concerns the centre; no secrets are in these events. Open streams end when the box closes.
  const hub = new EventHub<LiveEvent>();
  const unsubscribe = center.events.subscribe((e) => hub.publish(e));
  app.addHook('preClose', async () => {
    unsubscribe();
    hub.closeAll();
  });
  app.get(
    '/api/events',
    { config: { roles: centre }, schema: { tags: ['calls'], summary: 'Live events (SSE): calls offered with caller history, queue and agent states' } },
    async (request, reply) => {
      const initial: LiveEvent[] = [{ type: 'queue.state', at: now(), queue: center.acd.queueSnapshot() }];
      for (const agent of center.acd.agentList()) initial.push({ type: 'agent.state', at: now(), agent });
      hub.attach(request.raw, reply, () => true, sessionGuard(box.accounts, request), initial);
    },
  );
};
