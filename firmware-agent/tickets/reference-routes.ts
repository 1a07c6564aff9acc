// Code tables and regions for forms and pickers; the domain table is editable by admins.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { AppError } from '../errors.js';
import { actionLabels, channels, satisfactions, statuses, subtypes, ticketTypes } from './codes.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { regionPattern } from '../http/schemas.js';
import { codesSchema, domainSchema, regionDetailSchema, regionListSchema } from './reference-schemas.js';

interface DomainRow {
  code: string;
  label_zh: string;
  label_en: string;
  parent: string | null;
  disabled: number;
}

export const referenceRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  const domains = () =>
    (box.db.prepare('SELECT * FROM domains ORDER BY sort, rowid').all() as DomainRow[]).map((d) => ({
      code: d.code,
      zh: d.label_zh,
      en: d.label_en,
      parent: d.parent,
      disabled: d.disabled === 1,
    }));

  app.get(
    '/api/codes',
    { schema: { tags: ['reference'], summary: 'All code tables with Chinese and English labels', response: { 200: codesSchema, ...errorResponses(401) } } },
    async () => ({
    types: ticketTypes,
    subtypes,
    channels,
    domains: domains(),
    statuses,
    satisfactions,
    actions: Object.values(actionLabels),
    }),
  );

  app.post<{ Body: { code: string; zh: string; en: string; parent?: string } }>(
    '/api/domains',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['reference'],
        summary: 'Add a business domain code',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['code', 'zh', 'en'],
          properties: {
            code: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,31}$' },
            zh: { type: 'string', minLength: 1, maxLength: 32 },
            en: { type: 'string', minLength: 1, maxLength: 64 },
            parent: { type: 'string', maxLength: 32 },
          },
        },
        response: { 201: domainSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const at = box.now();
      box.db.transaction(() => {
        if (box.db.prepare('SELECT 1 FROM domains WHERE code = ?').get(b.code)) throw new AppError('domain-exists', undefined, { code: b.code });
        box.db
          .prepare('INSERT INTO domains (code, label_zh, label_en, parent, sort) VALUES (?, ?, ?, ?, (SELECT coalesce(max(sort), 0) + 1 FROM domains))')
          .run(b.code, b.zh, b.en, b.parent ?? null);
        box.tickets.audit.append(actor(request), at, { entity: 'domain', entityId: b.code, action: 'create', data: { ...b } });
      })();
      return reply.code(201).send(domains().find((d) => d.code === b.code));
    },
  );

  app.patch<{ Params: { code: string }; Body: { zh?: string; en?: string; disabled?: boolean } }>(
    '/api/domains/:code',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['reference'],
        summary: 'Rename a business domain or disable it (new tickets cannot use a disabled code; old tickets keep it). Codes are never deleted or changed.',
        params: { type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 32 } } },
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { zh: { type: 'string', minLength: 1, maxLength: 32 }, en: { type: 'string', minLength: 1, maxLength: 64 }, disabled: { type: 'boolean' } },
        },
        response: {
          200: { type: 'object', properties: { code: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' }, parent: { type: ['string', 'null'] }, disabled: { type: 'boolean' } } },
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { code } = request.params;
      const b = request.body;
      box.db.transaction(() => {
        const before = domains().find((d) => d.code === code);
        if (!before) throw new AppError('domain-not-found', undefined, { code });
        box.db
          .prepare('UPDATE domains SET label_zh = coalesce(?, label_zh), label_en = coalesce(?, label_en), disabled = coalesce(?, disabled) WHERE code = ?')
          .run(b.zh ?? null, b.en ?? null, b.disabled === undefined ? null : b.disabled ? 1 : 0, code);
        const after = domains().find((d) => d.code === code)!;
        box.tickets.audit.append(actor(request), box.now(), { entity: 'domain', entityId: code, action: 'update', data: { before, after } });
      })();
      return domains().find((d) => d.code === code);
    },
  );

  regionRoutes(app, box);
};

/** GB/T 2260 regions (行政区划): a level, and one region with its province and city. */
function regionRoutes(app: FastifyInstance, box: BoxServices): void {
  app.get<{ Querystring: { parent?: string } }>(
    '/api/regions',
    {
      schema: {
        tags: ['reference'],
        summary: 'GB/T 2260 regions: provinces, or the children of `parent`',
        querystring: { type: 'object', additionalProperties: false, properties: { parent: { type: 'string', pattern: regionPattern } } },
        response: { 200: regionListSchema, ...errorResponses(400, 401) },
      },
    },
    async (request) => ({ source: box.regions.source, items: box.regions.children(request.query.parent ?? null) }),
  );

  app.get<{ Params: { code: string } }>(
    '/api/regions/:code',
    {
      schema: {
        tags: ['reference'],
        summary: 'One region with its province and city',
        params: { type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: regionPattern } } },
        response: { 200: regionDetailSchema, ...errorResponses(400, 401, 422) },
      },
    },
    async (request) => {
      const code = request.params.code;
      if (!box.regions.has(code)) throw new AppError('unknown-region', undefined, { region: code });
      return { code, name: box.regions.fullName(code), path: box.regions.path(code) };
    },
  );
}
