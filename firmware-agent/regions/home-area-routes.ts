// POST /api/ui/home-area: the home area (归属地) of a caller's number, for the desk's pop.
import type { FastifyPluginAsync } from 'fastify';
import { errorResponses } from '../http/server.js';
import { type HomeAreaTable, loadHomeAreaTableAsync } from './home-area.js';

export const homeAreaRoutes: FastifyPluginAsync = async (app) => {
  // Home area (归属地) of a caller's number for the desk's pop (live calls and callback tasks). The table is
  // read on the first lookup, not at start (boxes that never take a call do not pay for it), in slices that
  // leave the event loop free for the calls in progress.
  let homeAreas: Promise<HomeAreaTable> | null = null;
  // POST with the number in the body: a query string would put callers' numbers into the request log.
  app.post<{ Body: { number: string } }>(
    '/api/ui/home-area',
    {
      config: { roles: ['admin', 'supervisor', 'agent'] },
      schema: {
        tags: ['ui'],
        summary: 'Home area (归属地) of a Chinese phone number from its landline area code or mobile number block; homeArea null when unknown, kind local for a number without area code',
        body: { type: 'object', additionalProperties: false, required: ['number'], properties: { number: { type: 'string', minLength: 1, maxLength: 32 } } },
        response: {
          200: { type: 'object', properties: { number: { type: 'string' }, homeArea: { type: ['string', 'null'] }, kind: { type: ['string', 'null'], enum: ['mobile', 'landline', 'local', null] } } },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      homeAreas ??= loadHomeAreaTableAsync();
      // A failed load (package missing) is retried by the next request rather than remembered.
      const table = await homeAreas.catch((err: unknown) => {
        homeAreas = null;
        throw err;
      });
      const hit = table.lookup(request.body.number);
      return { number: request.body.number, homeArea: hit?.name ?? null, kind: hit?.kind ?? null };
    },
  );
};
