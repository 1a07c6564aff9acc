// Disclosure (信息公开, issue 16 §3): the month's figures from the statistics module (volumes by type and
// industry, on-time and satisfaction rates — counts and rates only) and the typical cases a supervisor
// published. Staff API (supervisors, admins): a draft with the anonymised text to show before publishing,
// publishing (refused while the text still names the caller), the list, and withdrawing; every change audited.
import type { FastifyInstance } from 'fastify';
import type { Box } from '../app.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { buildReport } from '../stats/reports.js';
import { parsePeriod } from '../stats/period.js';
import { localDay } from '../calendar/time.js';
import { anonymise, identifies } from './anonymise.js';
import type { CaseDraft, PublishedCase } from './view-types.js';

const publishers = ['admin', 'supervisor'] as const;
const rates = ['nonComplaintOnTimeRate', 'complaintOnTimeRate', 'immediateAnswerSatisfactionRate', 'complaintVisitSatisfactionRate'] as const;

interface CaseRow {
  id: number;
  ticket_number: string;
  title: string;
  text: string;
  month: string;
  published_at: string;
}

export function disclosure(box: Box, month: string) {
  const tz = box.config.current().box.timezone;
  const period = parsePeriod({ period: 'month', at: month });
  const report = buildReport(box.db, { period, timezone: tz, now: box.now(), regions: box.regions });
  const figures = (rows: { key: string; zh: string; count: number; share: number | null }[]) => rows.map((r) => ({ key: r.key, zh: r.zh, count: r.count, share: r.share }));
  const cases = box.db.prepare('SELECT id, title, text, month, published_at FROM public_cases WHERE month = ? ORDER BY published_at DESC').all(month) as Omit<CaseRow, 'ticket_number'>[];
  return {
    month,
    timezone: tz,
    total: report.total.count,
    byType: figures(report.tables.type),
    byIndustry: figures(report.tables.domain),
    rates: Object.fromEntries(rates.map((k) => {
      const v = report.kpis[k];
      return [k, 'rate' in v ? { rate: v.rate, numerator: v.numerator, denominator: v.denominator } : { rate: null }];
    })),
    cases: cases.map((c) => ({ id: c.id, title: c.title, text: c.text, publishedAt: c.published_at })),
  };
}

export async function caseRoutes(app: FastifyInstance, box: Box): Promise<void> {
  const monthNow = () => localDay(box.now(), box.config.current().box.timezone).slice(0, 7);

  app.get<{ Querystring: { month?: string } }>(
    '/public/api/disclosure',
    {
      schema: {
        tags: ['public'],
        security: [],
        summary: "The month's figures and published typical cases",
        querystring: { type: 'object', additionalProperties: false, properties: { month: { type: 'string', pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])$' } } },
        response: errorResponses(400),
      },
    },
    async (request) => disclosure(box, request.query.month ?? monthNow()),
  );

  const draftOf = (number: string) => {
    const row = box.tickets.getRow(number);
    if (!row) throw new AppError('ticket-not-found', undefined, { number });
    const caller = { phone: row.caller_phone, name: row.caller_name };
    const result = row.reply_text ?? row.answer_text;
    const text = anonymise(`${row.description}${result ? `\n处理结果：${result}` : ''}`, caller);
    return { row, caller, draft: { number: row.number, title: anonymise(row.subject, caller), text } satisfies CaseDraft };
  };

  app.get<{ Params: { number: string } }>(
    '/api/public-cases/draft/:number',
    { config: { roles: publishers }, schema: { tags: ['public'], summary: 'A typical case as it would be published (anonymised)', params: { type: 'object', properties: { number: { type: 'string', pattern: '^[0-9]{19}$' } } }, response: errorResponses(400, 401, 403, 404) } },
    async (request) => draftOf(request.params.number).draft,
  );

  app.get('/api/public-cases', { config: { roles: publishers }, schema: { tags: ['public'], summary: 'Published typical cases' } }, async () => ({
    items: (box.db.prepare('SELECT * FROM public_cases ORDER BY published_at DESC LIMIT 200').all() as CaseRow[]).map((c): PublishedCase => ({ id: c.id, number: c.ticket_number, title: c.title, text: c.text, month: c.month, publishedAt: c.published_at })),
  }));

  app.post<{ Body: { number: string; title: string; text: string } }>(
    '/api/public-cases',
    {
      config: { roles: publishers },
      schema: {
        tags: ['public'],
        summary: 'Publish a typical case (the text as the supervisor saw and edited it)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['number', 'title', 'text'],
          properties: { number: { type: 'string', pattern: '^[0-9]{19}$' }, title: { type: 'string', minLength: 2, maxLength: 100 }, text: { type: 'string', minLength: 5, maxLength: 4000 } },
        },
        response: errorResponses(400, 401, 403, 404, 409, 422),
      },
    },
    async (request, reply) => {
      const { row, caller } = draftOf(request.body.number);
      const { title, text } = request.body;
      if (identifies(title, caller) || identifies(text, caller) || anonymise(text, caller) !== text || anonymise(title, caller) !== title) {
        throw new AppError('public-case-not-anonymous');
      }
      const who = actor(request);
      const at = box.now();
      const id = box.db.transaction(() => {
        if (box.db.prepare('SELECT 1 FROM public_cases WHERE ticket_number = ?').get(row.number)) throw new AppError('public-case-published');
        const r = box.db
          .prepare('INSERT INTO public_cases (ticket_number, title, text, month, published_at, published_by) VALUES (?, ?, ?, ?, ?, ?)')
          .run(row.number, title, text, monthNow(), at.toISOString(), who.name);
        box.tickets.audit.append(who, at, { entity: 'ticket', entityId: row.number, action: 'public-case-publish', note: title, data: { caseId: Number(r.lastInsertRowid) } });
        return Number(r.lastInsertRowid);
      })();
      return reply.code(201).send({ id, number: row.number, title, text });
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/api/public-cases/:id',
    { config: { roles: publishers }, schema: { tags: ['public'], summary: 'Withdraw a published case', params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } }, response: errorResponses(400, 401, 403, 404) } },
    async (request, reply) => {
      const who = actor(request);
      box.db.transaction(() => {
        const c = box.db.prepare('SELECT * FROM public_cases WHERE id = ?').get(request.params.id) as CaseRow | undefined;
        if (!c) throw new AppError('public-case-not-found');
        box.db.prepare('DELETE FROM public_cases WHERE id = ?').run(c.id);
        box.tickets.audit.append(who, box.now(), { entity: 'ticket', entityId: c.ticket_number, action: 'public-case-withdraw', note: c.title, data: { caseId: c.id } });
      })();
      return reply.code(204).send();
    },
  );
}
