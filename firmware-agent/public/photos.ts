// For the centre: the photos a citizen attached on the public page (intake.ts), to staff with a session and
// the roles of any /api route. A department sees the photos of its own tickets only, and cannot tell another's
// from a missing one.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Box } from '../app.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { numberSchema } from './intake.js';
import type { PhotoView } from './view-types.js';

export async function intakePhotoRoutes(app: FastifyInstance, box: Box): Promise<void> {
  const db = box.db;
  const photoViewers = ['admin', 'supervisor', 'agent', 'department'] as const;
  const mayView = (request: FastifyRequest, ticketNumber: string): boolean => {
    const a = actor(request);
    if (a.role !== 'department') return true;
    const row = box.tickets.getRow(ticketNumber);
    return !!row && a.departmentId != null && row.department_id === a.departmentId;
  };
  app.get<{ Params: { number: string } }>(
    '/api/public-intake/:number/photos',
    { config: { roles: photoViewers }, schema: { tags: ['public'], summary: 'Photos attached on the public page (ids and types); a department: its own tickets only', params: { type: 'object', properties: { number: numberSchema } }, response: errorResponses(400, 401, 403, 404) } },
    async (request) => {
      if (!mayView(request, request.params.number)) throw new AppError('ticket-not-found', undefined, { number: request.params.number });
      return { items: db.prepare('SELECT id, mime, length(bytes) AS size, created_at AS createdAt FROM public_photos WHERE ticket_number = ? ORDER BY id').all(request.params.number) as PhotoView[] };
    },
  );
  app.get<{ Params: { id: number } }>(
    '/api/public-intake/photos/:id',
    { config: { roles: photoViewers }, schema: { tags: ['public'], summary: 'One attached photo (metadata already stripped)', params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } }, response: errorResponses(400, 401, 403, 404) } },
    async (request, reply) => {
      const p = db.prepare('SELECT mime, bytes, ticket_number AS number FROM public_photos WHERE id = ?').get(request.params.id) as { mime: string; bytes: Buffer; number: string } | undefined;
      if (!p || !mayView(request, p.number)) throw new AppError('route-not-found', 'no such photo');
      return reply.type(p.mime).header('content-security-policy', "default-src 'none'").header('x-content-type-options', 'nosniff').header('cache-control', 'private, max-age=3600').send(p.bytes);
    },
  );

}
