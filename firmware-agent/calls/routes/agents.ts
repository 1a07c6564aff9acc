// Agent states (the ACD) and the queue: GET /api/agents, PUT /api/agent/state, PUT /api/agents/:id/state,
// GET /api/queue.
import type { FastifyPluginAsync } from 'fastify';
import type { AgentState } from '../events.js';
import { actor } from '../../http/auth.js';
import { errorResponses } from '../../http/server.js';
import { AppError } from '../../errors.js';
import { browserStation } from '../../softphone/stations.js';
import type { CallCenter } from '../center.js';
import { centre, fail, rethrow, supervisors, type CallRoutesOptions } from './shared.js';

/**
 * The station an agent asks for: `browser` is their own browser (issue 17; only where the trunk has an audio
 * port), `browser/…` names are the box's own, anything else a telephone station.
 */
function stationFor(center: CallCenter, agentId: number, station: string | undefined): { station?: string } {
  if (!station) return {};
  if (station === 'browser') {
    if (!center.browserStations) throw new AppError('softphone-unavailable', `the trunk has no audio path for browser stations`);
    return { station: browserStation(agentId) };
  }
  if (station.startsWith('browser/')) throw new AppError('station-reserved');
  return { station };
}

const agentStates: AgentState[] = ['logged-out', 'ready', 'on-call', 'wrap-up', 'break'];

const agentSchema = {
  type: 'object',
  properties: {
    agentId: { type: 'integer' },
    name: { type: 'string' },
    station: { type: ['string', 'null'] },
    skills: { type: 'array', items: { type: 'string' } },
    state: { type: 'string', enum: agentStates },
    since: { type: 'integer' },
    ringing: { type: ['string', 'null'] },
    callId: { type: ['string', 'null'] },
    callbackId: { type: ['string', 'null'] },
    rev: { type: 'integer' },
  },
} as const;

const stateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['state'],
  properties: {
    state: { type: 'string', enum: ['logged-out', 'ready', 'break', 'wrap-up'] },
    station: { type: 'string', pattern: '^[A-Za-z0-9/_.-]{1,32}$' },
    reason: { type: 'string', maxLength: 100 },
  },
} as const;

export const agentRoutes: FastifyPluginAsync<CallRoutesOptions> = async (app, { center }) => {
  app.get(
    '/api/agents',
    { config: { roles: centre }, schema: { tags: ['calls'], summary: 'Agent states (ACD)', response: { 200: { type: 'array', items: agentSchema }, ...errorResponses(401, 403) } } },
    async () => center.acd.agentList(),
  );

  app.put<{ Body: { state: 'logged-out' | 'ready' | 'break' | 'wrap-up'; station?: string; reason?: string } }>(
    '/api/agent/state',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary: 'Set my agent state (ready needs a station); skills come from my account',
        body: stateBody,
        response: { 200: agentSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      const u = request.user!;
      try {
        return center.acd.setState({
          agentId: u.id,
          name: u.displayName ?? u.username,
          state: request.body.state,
          ...stationFor(center, u.id, request.body.station),
          skills: u.skills,
          reason: request.body.reason ?? 'api',
        });
      } catch (err) {
        rethrow(err);
      }
    },
  );

  app.put<{ Params: { id: number }; Body: { state: 'logged-out' | 'ready' | 'break' | 'wrap-up'; station?: string; reason?: string } }>(
    '/api/agents/:id/state',
    {
      config: { roles: supervisors },
      schema: {
        tags: ['calls'],
        summary: "Set an agent's state (supervisor), e.g. log out an agent who left",
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } },
        body: stateBody,
        response: { 200: agentSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const a = center.acd.agents.get(request.params.id);
      if (!a) fail('agent-not-found', 'user-not-found', `no agent ${request.params.id} in the ACD`);
      try {
        return center.acd.setState({
          agentId: a.id,
          name: a.name,
          state: request.body.state,
          ...stationFor(center, a.id, request.body.station),
          reason: request.body.reason ?? `by ${actor(request).name}`,
        });
      } catch (err) {
        rethrow(err);
      }
    },
  );

  app.get('/api/queue', { config: { roles: centre }, schema: { tags: ['calls'], summary: 'Waiting calls and callback tasks' } }, async () =>
    center.acd.queueSnapshot(),
  );
};
