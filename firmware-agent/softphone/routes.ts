// The softphone's signalling over the agent's session (issue 17 §2): whether browser stations are possible
// here, the browser's answer to a call ringing it (its WebRTC offer in, the box's answer out), and the
// agent's hang-up from the browser. Agents go ready on their browser with `PUT /api/agent/state
// {state: 'ready', station: 'browser'}`; the call pop on the live stream is the ring.
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../errors.js';
import { errorResponses } from '../http/server.js';
import type { CallCenter } from '../calls/center.js';
import { SoftphoneError } from './peer.js';

const centre = ['admin', 'supervisor', 'agent'] as const;
const callId = { type: 'string', minLength: 1, maxLength: 80 } as const;

/** A SoftphoneError as the API's error of the same code. */
function apiError(err: unknown): unknown {
  return err instanceof SoftphoneError ? new AppError(err.code, err.message) : err;
}

export const softphoneRoutes: FastifyPluginAsync<{ center: CallCenter }> = async (app, { center }) => {
  app.get(
    '/api/softphone',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary: 'Whether agents can answer calls in the browser on this trunk (C6), and what the desk needs for it',
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['available', 'station', 'call'],
            properties: {
              available: { type: 'boolean' },
              /** The station to go ready with. */
              station: { type: 'string' },
              /** The call ringing or talking on my browser. */
              call: { anyOf: [{ type: 'null' }, { type: 'object', properties: { callId: { type: 'string' }, state: { type: 'string', enum: ['ringing', 'talking'] }, held: { type: 'boolean' } } }] },
            },
          },
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => ({
      available: center.browserStations !== null,
      station: 'browser',
      call: center.browserStations?.callOf(request.user!.id) ?? null,
    }),
  );

  app.post<{ Body: { callId: string; sdp: string } }>(
    '/api/softphone/answer',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary: "Answer the call ringing my browser: the browser's WebRTC offer (PCMA audio, all candidates) in, the box's answer out",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['callId', 'sdp'],
          properties: { callId, sdp: { type: 'string', minLength: 1, maxLength: 20_000 } },
        },
        response: {
          200: { type: 'object', additionalProperties: false, required: ['sdp'], properties: { sdp: { type: 'string' } } },
          ...errorResponses(400, 401, 403, 409, 415, 422),
        },
      },
    },
    async (request) => {
      const stations = center.browserStations;
      if (!stations) throw new AppError('softphone-unavailable');
      try {
        return { sdp: await stations.answer(request.user!.id, request.body.callId, request.body.sdp) };
      } catch (err) {
        throw apiError(err);
      }
    },
  );

  app.post<{ Body: { callId: string; on: boolean } }>(
    '/api/softphone/hold',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary: 'Hold (保持) or resume the call I am talking on in my browser: silence both ways while held',
        body: { type: 'object', additionalProperties: false, required: ['callId', 'on'], properties: { callId, on: { type: 'boolean' } } },
        response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 409, 415) },
      },
    },
    async (request, reply) => {
      const stations = center.browserStations;
      if (!stations) throw new AppError('softphone-unavailable');
      try {
        stations.hold(request.body.callId, request.user!.id, request.body.on);
      } catch (err) {
        throw apiError(err);
      }
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { callId: string } }>(
    '/api/softphone/hangup',
    {
      config: { roles: centre },
      schema: {
        tags: ['calls'],
        summary: 'Hang up the call I am talking on in my browser (the caller is released; I go to wrap-up)',
        body: { type: 'object', additionalProperties: false, required: ['callId'], properties: { callId } },
        response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 409, 415) },
      },
    },
    async (request, reply) => {
      const stations = center.browserStations;
      if (!stations) throw new AppError('softphone-unavailable');
      const mine = stations.callOf(request.user!.id);
      if (!mine || mine.callId !== request.body.callId || mine.state !== 'talking') throw new AppError('call-not-yours', `call ${request.body.callId} is not talking on your browser`);
      await stations.hangup(request.body.callId);
      return reply.code(204).send();
    },
  );
};
