// The knowledge base's answers as schemas (http/schemas.ts's way: closed, required, `as const`): fastify
// serialises with them, the OpenAPI description shows them, and the web UI takes its types from them.
import { codes, nullable, record } from '../http/schemas.js';
import { kbKinds, kbScopes } from './types.js';

const articleHead = {
  id: { type: 'integer' },
  uid: { type: 'string' },
  kind: { type: 'string', enum: codes(kbKinds) },
  scope: { type: 'string', enum: [...kbScopes] },
  ownerRegion: { type: 'string' },
  upstream: { type: 'boolean', description: 'synchronised down from the province or the ministry (read-only here)' },
  title: { type: 'string' },
  tags: { type: 'array', items: { type: 'string' } },
  domain: nullable({ type: 'string' }),
  validFrom: nullable({ type: 'string' }),
  validTo: nullable({ type: 'string' }),
  status: { type: 'string', enum: ['published', 'withdrawn'] },
  version: { type: 'integer' },
  rev: { type: 'integer' },
  useCount: { type: 'integer' },
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
} as const;

/** An article (知识库条目) as the editor writes it. */
export const kbArticleSchema = record({ ...articleHead, body: { type: 'string' } });

/** One article with the tickets that cited it last (none for a department). */
export const kbArticleReadSchema = record({
  ...articleHead,
  body: { type: 'string' },
  uses: { type: 'array', items: record({ ticket: { type: 'string' }, version: { type: 'integer' }, usedAt: { type: 'string' } }) },
});

/** A page of search hits: the text's best passage instead of its body. */
export const kbSearchSchema = record({
  items: { type: 'array', items: record({ ...articleHead, snippet: { type: 'string' }, score: { type: 'number' } }) },
  total: { type: 'integer' },
  totalCapped: { type: 'boolean' },
});

/** One kept version of an article, with its text (the history view, the version a ticket cited). */
export const kbVersionSchema = record({
  version: { type: 'integer' },
  kind: articleHead.kind,
  scope: articleHead.scope,
  title: { type: 'string' },
  body: { type: 'string' },
  tags: articleHead.tags,
  domain: articleHead.domain,
  validFrom: articleHead.validFrom,
  validTo: articleHead.validTo,
  status: articleHead.status,
  changedBy: nullable({ type: 'string' }),
  changedAt: { type: 'string' },
});

export const kbVersionListSchema = record({ items: { type: 'array', items: kbVersionSchema } });

/** The six JT/T 1019.6 article kinds with their names, and the scopes. */
export const kbKindsSchema = record({
  kinds: { type: 'array', items: record({ code: { type: 'string', enum: codes(kbKinds) }, zh: { type: 'string' }, en: { type: 'string' } }) },
  scopes: { type: 'array', items: { type: 'string', enum: [...kbScopes] } },
});
