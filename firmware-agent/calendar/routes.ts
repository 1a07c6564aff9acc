// The official calendar (holidays and 调休 make-up days): GET /api/calendar, day corrections, a year's confirmation.
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { addDays, isDay, localDay } from './time.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';

// Response schemas: fastify serialises with them, so every field a route returns must be listed here
// (an unlisted one would be dropped); test/in-process/api-response-schemas.test.ts compares each answer
// with the service's own value.
const dayInfoSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['day', 'kind', 'working', 'name', 'source', 'uncertain'],
  properties: {
    day: { type: 'string' },
    kind: { type: 'string', enum: ['workday', 'holiday', 'weekend'] },
    working: { type: 'boolean' },
    name: { type: ['string', 'null'] },
    source: { type: 'string', enum: ['admin', 'package', 'weekday-rule'] },
    uncertain: { type: 'boolean' },
  },
} as const;
export const calendarRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  app.get<{ Querystring: { year?: number } }>(
    '/api/calendar',
    {
      schema: {
        tags: ['admin'],
        summary: 'Days of a year that are not ordinary (holidays, make-up working days), corrections, and coverage',
        querystring: { type: 'object', additionalProperties: false, properties: { year: { type: 'integer', minimum: 2000, maximum: 2100 } } },
      },
    },
    async (request) => {
      const now = box.now();
      const year = request.query.year ?? Number(localDay(now, box.calendar.timezone).slice(0, 4));
      const special = [];
      for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) {
        const info = box.calendar.info(d);
        if (info.source !== 'weekday-rule') special.push(info);
      }
      return { year, hasData: box.calendar.hasYear(year), coverage: box.calendar.coverage(now), days: special, corrections: box.calendar.overrides() };
    },
  );

  app.put<{ Params: { day: string }; Body: { kind: 'holiday' | 'workday' | null; name?: string } }>(
    '/api/calendar/days/:day',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: 'Correct one day: a holiday, a make-up working day (调休), or null to remove the correction',
        params: { type: 'object', required: ['day'], properties: { day: { type: 'string' } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          properties: { kind: { anyOf: [{ type: 'string', enum: ['holiday', 'workday'] }, { type: 'null' }] }, name: { type: 'string', maxLength: 32 } },
        },
        response: { 200: dayInfoSchema, ...errorResponses(400, 401, 403, 422) },
      },
    },
    async (request) => {
      const { day } = request.params;
      if (!isDay(day)) throw new AppError('calendar-day-invalid', undefined, { day });
      const before = box.calendar.info(day);
      box.db.transaction(() => {
        box.calendar.setDay(day, request.body.kind, request.body.name ?? null);
        box.tickets.audit.append(actor(request), box.now(), {
          entity: 'calendar',
          entityId: day,
          action: 'set-day',
          fromStatus: before.kind,
          toStatus: request.body.kind ?? 'cleared',
          data: { name: request.body.name ?? null },
        });
      })();
      return box.calendar.info(day);
    },
  );

  app.post<{ Params: { year: number } }>(
    '/api/calendar/years/:year/confirm',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['admin'],
        summary: 'Confirm that a year’s holidays and make-up days have been entered (clears the missing-calendar warning)',
        params: { type: 'object', required: ['year'], properties: { year: { type: 'integer', minimum: 2000, maximum: 2100 } } },
      },
    },
    async (request) => {
      const a = actor(request);
      box.db.transaction(() => {
        box.calendar.confirmYear(request.params.year, a.name, box.now());
        box.tickets.audit.append(a, box.now(), { entity: 'calendar', entityId: String(request.params.year), action: 'confirm-year' });
      })();
      return { year: request.params.year, hasData: true, coverage: box.calendar.coverage(box.now()) };
    },
  );
};
