// A citizen's own case on the public page (docs/public.md): look-up by number and the last four digits of the
// phone, a follow-up, and the rating of the result (the return visit, through the normal ticket flow). One
// answer (public-case-not-found) for a wrong number and a wrong phone, and the same work for both (a look-up
// and a constant-time comparison against a dummy); per-address and per-number limits.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Box } from '../app.js';
import { AppError } from '../errors.js';
import { errorResponses } from '../http/server.js';
import { satisfactions } from '../tickets/codes.js';
import type { TicketRow } from '../tickets/model.js';
import { type CaseBody, last4Schema, limits, noControl, numberSchema, publicActor, publicCase, rateRules } from './intake.js';
import { RateLimiter } from './limiter.js';

export async function caseFollowUpRoutes(app: FastifyInstance, box: Box): Promise<void> {
  const db = box.db;
  const now = () => box.now().getTime();
  const perAddress = new RateLimiter(rateRules.casePerAddress, now);
  const perNumber = new RateLimiter(rateRules.casePerNumber, now);
  const limit = (l: RateLimiter, key: string, what: string) => {
    if (!l.take(key)) throw new AppError('public-rate-limited', `too many ${what}; try again later`, { retryAfterSeconds: l.retryAfter(key) });
  };
  // Keyed hashes of the last four digits, compared in constant time; the key lives in memory only.
  const key = randomBytes(32);
  const schemaBase = { tags: ['public'], security: [] };
  const dummy = Buffer.alloc(32);
  const findCase = (request: FastifyRequest, b: CaseBody): TicketRow => {
    limit(perAddress, request.ip, 'look-ups from this address');
    limit(perNumber, b.number, 'look-ups of this number');
    const row = box.tickets.getRow(b.number);
    const expected = row?.caller_phone ? createHmac('sha256', key).update(row.caller_phone.replace(/\D/g, '').slice(-4)).digest() : dummy;
    const given = createHmac('sha256', key).update(b.phoneLast4).digest();
    const match = timingSafeEqual(expected, given);
    if (!row || !match || row.status === 'merged' || !row.caller_phone) {
      box.tickets.audit.append(publicActor, box.now(), { entity: 'public', entityId: b.number, action: 'lookup-refused', note: null, data: { address: request.ip } });
      throw new AppError('public-case-not-found');
    }
    return row;
  };
  const caseSchema = (extra: Record<string, object>, required: string[] = []) => ({
    type: 'object',
    additionalProperties: false,
    required: ['number', 'phoneLast4', ...required],
    properties: { number: numberSchema, phoneLast4: last4Schema, ...extra },
  });

  app.post<{ Body: CaseBody }>(
    '/public/api/cases/lookup',
    { bodyLimit: limits.smallBodyBytes, schema: { ...schemaBase, summary: 'Look a case up by number and the last four digits of the phone', body: caseSchema({}), response: errorResponses(400, 404, 429) } },
    async (request) => {
      const row = findCase(request, request.body);
      box.tickets.audit.append(publicActor, box.now(), { entity: 'ticket', entityId: row.number, action: 'public-lookup', data: { address: request.ip } });
      return publicCase(row);
    },
  );

  app.post<{ Body: CaseBody }>(
    '/public/api/cases/follow-up',
    {
      bodyLimit: limits.smallBodyBytes,
      schema: { ...schemaBase, summary: 'Add to what the citizen said', body: caseSchema({ text: { type: 'string', minLength: 2, maxLength: 1000, pattern: noControl } }, ['text']), response: errorResponses(400, 404, 409, 429) },
    },
    async (request) => {
      const row = findCase(request, request.body);
      if (['closed', 'archived', 'merged'].includes(row.status)) throw new AppError('public-case-closed');
      const text = request.body.text!.trim();
      const stamp = box.now().toISOString().slice(0, 16).replace('T', ' ');
      const change = db.transaction(() =>
        box.tickets.amendDescription(row.number, (d) => `${d}\n【市民补充 ${stamp} UTC】${text}`, publicActor, { action: 'public-follow-up', note: text, data: { address: request.ip } }),
      )();
      box.tickets.publishCommitted([change]);
      return publicCase(change.ticket);
    },
  );

  app.post<{ Body: CaseBody }>(
    '/public/api/cases/rating',
    {
      bodyLimit: limits.smallBodyBytes,
      schema: {
        ...schemaBase,
        summary: 'Rate the result: the return visit (回访)',
        body: caseSchema({ satisfaction: { type: 'string', enum: satisfactions.map((s) => s.code) }, note: { type: 'string', maxLength: 500, pattern: noControl } }, ['satisfaction']),
        response: errorResponses(400, 404, 409, 429),
      },
    },
    async (request) => {
      const row = findCase(request, request.body);
      if (!publicCase(row).canRate) throw new AppError('public-case-not-ratable');
      try {
        box.tickets.act(row.number, 'visit', { satisfaction: request.body.satisfaction!, note: request.body.note?.trim() ? `市民网上评价：${request.body.note.trim()}` : '市民网上评价' }, publicActor);
      } catch (e) {
        if (e instanceof AppError && (e.code === 'illegal-transition' || e.code === 'ticket-review-required')) throw new AppError('public-case-not-ratable');
        throw e;
      }
      return publicCase(box.tickets.getRow(row.number)!);
    },
  );
}
