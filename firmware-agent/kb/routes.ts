// Knowledge-base API: search (everyone logged in), the editor (admin, supervisor) and the change feed the
// three-level network reads. Citations and "answer now citing an article" are in citation-routes.ts.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { kbArticleReadSchema, kbArticleSchema, kbKindsSchema, kbSearchSchema, kbVersionListSchema, kbVersionSchema } from './schemas.js';
import type { KnowledgeBase } from './service.js';
import { type ArticleInput, type KbKind, type KbScope, kbKinds, kbScopes } from './types.js';

const kindCodes = kbKinds.map((k) => k.code);
const editors = ['admin', 'supervisor'] as const;
export const readers = ['admin', 'supervisor', 'agent', 'department'] as const;
const day = { anyOf: [{ type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, { type: 'null' }] };

const articleProps = {
  kind: { type: 'string', enum: kindCodes },
  scope: { type: 'string', enum: [...kbScopes] },
  title: { type: 'string', minLength: 1, maxLength: 200 },
  body: { type: 'string', minLength: 1, maxLength: 20000 },
  tags: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 32 }, maxItems: 20 },
  domain: { anyOf: [{ type: 'string', maxLength: 32 }, { type: 'null' }] },
  validFrom: day,
  validTo: day,
} as const;

export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

export const kbRoutes: FastifyPluginAsync<{ box: BoxServices; kb: KnowledgeBase }> = async (app, { box, kb }) => {
  app.get('/api/kb/kinds', { config: { roles: readers }, schema: { tags: ['kb'], summary: 'The six JT/T 1019.6 article kinds and the scopes', response: { 200: kbKindsSchema, ...errorResponses(401, 403) } } }, async () => ({
    kinds: kbKinds,
    scopes: kbScopes,
  }));

  app.get<{ Querystring: { q?: string; kind?: KbKind; scope?: KbScope; tag?: string; all?: boolean; limit?: number; offset?: number } }>(
    '/api/kb/articles',
    {
      config: { roles: readers },
      schema: {
        tags: ['kb'],
        summary: 'Search articles (Chinese words, bm25 ranking, title weighted); without q, most used first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 200 },
            kind: { type: 'string', enum: kindCodes },
            scope: { type: 'string', enum: [...kbScopes] },
            tag: { type: 'string', maxLength: 32 },
            all: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 100 },
            offset: { type: 'integer', minimum: 0, maximum: 100000 },
          },
        },
        response: { 200: kbSearchSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const mayAll = request.user?.role === 'admin' || request.user?.role === 'supervisor';
      return kb.search({ ...q, all: mayAll && q.all === true });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/kb/articles/:id',
    { config: { roles: readers }, schema: { tags: ['kb'], summary: 'One article with its latest citations', params: idParams, response: { 200: kbArticleReadSchema, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const a = kb.get(request.params.id);
      const role = request.user?.role;
      if (a.status === 'withdrawn' && role !== 'admin' && role !== 'supervisor') throw new AppError('kb-article-not-found', undefined, { id: a.id });
      // Departments do not see which tickets cited an article (they see only their own tickets).
      return { ...a, uses: role === 'department' ? [] : kb.usesOf(a.id, 20) };
    },
  );

  // Every version's text (kb_article_versions): the history view, and the version a ticket cited.
  const mayRead = (id: number, role: string | undefined) => {
    const a = kb.get(id);
    if (a.status === 'withdrawn' && role !== 'admin' && role !== 'supervisor') throw new AppError('kb-article-not-found', undefined, { id: a.id });
  };
  app.get<{ Params: { id: number } }>(
    '/api/kb/articles/:id/versions',
    {
      config: { roles: readers },
      schema: { tags: ['kb'], summary: 'Every kept version of an article, newest first, with its text', params: idParams, response: { 200: kbVersionListSchema, ...errorResponses(400, 401, 403, 404) } },
    },
    async (request) => {
      mayRead(request.params.id, request.user?.role);
      return { items: kb.versions(request.params.id) };
    },
  );
  app.get<{ Params: { id: number; version: number } }>(
    '/api/kb/articles/:id/versions/:version',
    {
      config: { roles: readers },
      schema: {
        tags: ['kb'],
        summary: 'One version of an article as it was (e.g. the one a ticket cited)',
        params: { type: 'object', required: ['id', 'version'], properties: { id: { type: 'integer', minimum: 1 }, version: { type: 'integer', minimum: 1 } } },
        response: { 200: kbVersionSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      mayRead(request.params.id, request.user?.role);
      return kb.version(request.params.id, request.params.version);
    },
  );

  editorRoutes(app, kb);

  app.get<{ Querystring: { since?: number; limit?: number } }>(
    '/api/kb/changes',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['kb'],
        summary: 'Articles changed after local revision `since` (the feed the three-level network pushes down)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { since: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 500 } },
        },
        response: errorResponses(400, 401, 403),
      },
    },
    async (request) => kb.changedSince(request.query.since ?? 0, request.query.limit ?? 200),
  );
};

/** The editor (admin, supervisor): new articles and new versions, publishing and withdrawing. */
function editorRoutes(app: FastifyInstance, kb: KnowledgeBase): void {
  app.post<{ Body: ArticleInput }>(
    '/api/kb/articles',
    {
      config: { roles: editors },
      schema: {
        tags: ['kb'],
        summary: 'Create a local article (owned by this box)',
        body: { type: 'object', additionalProperties: false, required: ['kind', 'title', 'body'], properties: articleProps },
        response: { 201: kbArticleSchema, ...errorResponses(400, 401, 403, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(kb.create(request.body, actor(request))),
  );

  app.patch<{ Params: { id: number }; Body: Partial<ArticleInput> & { version?: number; status?: 'published' | 'withdrawn' } }>(
    '/api/kb/articles/:id',
    {
      config: { roles: editors },
      schema: {
        tags: ['kb'],
        summary: 'Edit, withdraw or republish a local article; `version` guards against overwriting another edit. Articles owned upstream answer 409 kb-upstream-owned.',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { ...articleProps, version: { type: 'integer', minimum: 1 }, status: { type: 'string', enum: ['published', 'withdrawn'] } },
        },
        response: { 200: kbArticleSchema, ...errorResponses(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request) => kb.update(request.params.id, request.body, actor(request)),
  );
}
