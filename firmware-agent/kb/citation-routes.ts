// Knowledge-base citations (知识引用): an agent answers a ticket at once citing an article (即时答复: the answer
// and the citation commit together), or records that an article was used for a ticket; and the articles a
// ticket cited. Centre roles write; whoever may read the ticket reads its citations.
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { ticketNumberPattern } from '../http/schemas.js';
import { idParams, readers } from './routes.js';
import type { KnowledgeBase } from './service.js';

const centre = ['admin', 'supervisor', 'agent'] as const;

export const kbCitationRoutes: FastifyPluginAsync<{ box: BoxServices; kb: KnowledgeBase }> = async (app, { box, kb }) => {
  app.post<{ Body: { ticket: string; article: number; version?: number; text?: string } }>(
    '/api/kb/answer',
    {
      config: { roles: centre },
      schema: {
        tags: ['kb'],
        summary: 'Answer a ticket at once (即时答复) citing an article: the answer text (required; 422 answer-text-required when blank) and the citation commit together',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['ticket', 'article'],
          properties: {
            ticket: { type: 'string', pattern: ticketNumberPattern },
            article: { type: 'integer', minimum: 1 },
            version: { type: 'integer', minimum: 1, description: 'the version the agent read (default: the current one)' },
            text: { type: 'string', minLength: 1, maxLength: 4000 },
          },
        },
        response: errorResponses(400, 401, 403, 404, 409, 415, 422),
      },
    },
    async (request) => {
      const a = actor(request);
      const article = kb.get(request.body.article);
      // The agent's own words to the caller (prefilled from the article's summary in the desk); never empty.
      const text = request.body.text?.trim();
      if (!text) throw new AppError('answer-text-required', undefined, { field: 'text' });
      const ticket = box.db.transaction(() => {
        const t = box.tickets.act(request.body.ticket, 'answer', { text }, a);
        kb.cite(article.id, t.number, a, request.body.version);
        return t;
      })();
      return { ticket, citations: kb.citationsOf(ticket.number) };
    },
  );

  app.post<{ Params: { id: number }; Body: { ticket: string; version?: number } }>(
    '/api/kb/articles/:id/citations',
    {
      config: { roles: centre },
      schema: {
        tags: ['kb'],
        summary: 'Record that an article was used for a ticket (without answering it)',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['ticket'],
          properties: { ticket: { type: 'string', pattern: ticketNumberPattern }, version: { type: 'integer', minimum: 1, description: 'the version the agent read (default: the current one)' } },
        },
        response: errorResponses(400, 401, 403, 404, 415),
      },
    },
    async (request) => {
      const a = actor(request);
      box.tickets.get(request.body.ticket, a);
      const added = box.db.transaction(() => kb.cite(request.params.id, request.body.ticket, a, request.body.version))();
      return { added, citations: kb.citationsOf(request.body.ticket) };
    },
  );

  app.get<{ Querystring: { ticket: string } }>(
    '/api/kb/citations',
    {
      config: { roles: readers },
      schema: {
        tags: ['kb'],
        summary: 'Articles cited by a ticket',
        querystring: { type: 'object', additionalProperties: false, required: ['ticket'], properties: { ticket: { type: 'string', pattern: ticketNumberPattern } } },
        response: errorResponses(400, 401, 403, 404),
      },
    },
    async (request) => {
      box.tickets.get(request.query.ticket, actor(request));
      return { items: kb.citationsOf(request.query.ticket) };
    },
  );
};
