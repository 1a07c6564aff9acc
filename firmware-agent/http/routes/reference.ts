// Code tables and regions for forms and pickers; the domain table is editable by admins.
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../../box.js';
import { AppError } from '../../errors.js';
import { actionLabels, channels, satisfactions, statuses, subtypes, ticketTypes } from '../../tickets/codes.js';
import { actor } from '../auth.js';
import { errorResponses } from '../server.js';
import { regionPattern } from '../schemas.js';

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

  app.get('/api/codes', { schema: { tags: ['reference'], summary: 'All code tables with Chinese and English labels' } }, async () => ({
    types: ticketTypes,
    subtypes,
    channels,
    domains: domains(),
    statuses,
    satisfactions,
    actions: Object.values(actionLabels),
  }));

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
        response: { ...errorResponses(400, 401, 403, 409) },
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

  app.get<{ Querystring: { parent?: string } }>(
    '/api/regions',
    {
      schema: {
        tags: ['reference'],
        summary: 'GB/T 2260 regions: provinces, or the children of `parent`',
        querystring: { type: 'object', additionalProperties: false, properties: { parent: { type: 'string', pattern: regionPattern } } },
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
        response: { ...errorResponses(400, 401, 422) },
      },
    },
    async (request) => {
      const code = request.params.code;
      if (!box.regions.has(code)) throw new AppError('unknown-region', undefined, { region: code });
      return { code, name: box.regions.fullName(code), path: box.regions.path(code) };
    },
  );
};
