// The 12328 work order API: create, read, list and search, act on, and audit tickets.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { channels, reviewOutcomes, satisfactions, statuses, ticketTypes, type TicketAction } from './codes.js';
import type { ActionInput, CreateTicketInput, ListFilter } from './service.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { actionNames, phonePattern, regionPattern, ticketListSchema, ticketNumberPattern } from '../http/schemas.js';

const codes = (list: readonly { code: string }[]) => list.map((l) => l.code);
const centre = ['admin', 'supervisor', 'agent'] as const;
const handlers = ['admin', 'supervisor', 'agent', 'department'] as const;

const numberParams = {
  type: 'object',
  required: ['number'],
  properties: { number: { type: 'string', pattern: ticketNumberPattern } },
} as const;

export const ticketRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  const maxText = box.config.current().tickets.maxDescriptionLength;
  intakeAndReadRoutes(app, box, maxText);
  workflowRoutes(app, box, maxText);
};

/** Create, read, list and search. */
function intakeAndReadRoutes(app: FastifyInstance, box: BoxServices, maxText: number): void {
  app.post<{ Body: CreateTicketInput }>(
    '/api/tickets',
    {
      config: { roles: centre },
      schema: {
        tags: ['tickets'],
        summary: 'Receive a ticket (受理)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'domain', 'channel', 'region', 'caller', 'subject', 'description'],
          properties: {
            type: { type: 'string', enum: codes(ticketTypes) },
            subtype: { type: 'string', maxLength: 32 },
            domain: { type: 'string', minLength: 1, maxLength: 32 },
            channel: { type: 'string', enum: codes(channels) },
            region: { type: 'string', pattern: regionPattern },
            caller: {
              type: 'object',
              additionalProperties: false,
              required: ['phone'],
              properties: {
                phone: { anyOf: [{ type: 'string', pattern: phonePattern }, { type: 'null' }] },
                name: { type: 'string', maxLength: 64 },
                anonymous: { type: 'boolean' },
              },
            },
            confidential: { type: 'boolean' },
            urgent: { type: 'boolean' },
            subject: { type: 'string', minLength: 1, maxLength: 200 },
            description: { type: 'string', minLength: 1, maxLength: maxText },
            location: { type: 'string', maxLength: 200 },
            involved: {
              type: 'object',
              additionalProperties: false,
              properties: { plate: { type: 'string', maxLength: 20 }, company: { type: 'string', maxLength: 100 } },
            },
            callId: { type: 'string', maxLength: 64 },
          },
        },
        response: { 201: { $ref: 'Ticket#' }, ...errorResponses(400, 401, 403, 413, 415, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(box.tickets.create(request.body, actor(request))),
  );

  app.get<{ Params: { number: string } }>(
    '/api/tickets/:number',
    {
      config: { roles: handlers },
      schema: { tags: ['tickets'], summary: 'One ticket', params: numberParams, response: { 200: { $ref: 'Ticket#' }, ...errorResponses(400, 401, 403, 404) } },
    },
    async (request) => box.tickets.get(request.params.number, actor(request)),
  );

  app.get<{ Querystring: ListFilter & { status?: string[] } }>(
    '/api/tickets',
    {
      config: { roles: handlers },
      schema: {
        tags: ['tickets'],
        summary: 'List, filter and search tickets (Chinese full-text over subject and description), newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 100 },
            status: { type: 'array', items: { type: 'string', enum: codes(statuses) } },
            type: { type: 'string', enum: codes(ticketTypes) },
            domain: { type: 'string', maxLength: 32 },
            department: { type: 'integer' },
            overdue: { type: 'boolean' },
            dueSoon: { type: 'boolean' },
            mine: { type: 'boolean' },
            urgent: { type: 'boolean' },
            awaitingVisit: { type: 'boolean', description: 'the return-visit worklist: replied, or answered at once and not yet visited (with the review policy, not complaints still awaiting their approved review)' },
            awaitingReview: { type: 'boolean', description: 'the review worklist (复核): replied complaints a department here answered, result not approved yet' },
            caller: { type: 'string', pattern: phonePattern },
            page: { type: 'integer', minimum: 1, maximum: 10000 },
            pageSize: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
        response: {
          200: ticketListSchema,
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => box.tickets.list(request.query as ListFilter, actor(request)),
  );
}

/** The workflow's actions and the audit trail of what they changed. */
function workflowRoutes(app: FastifyInstance, box: BoxServices, maxText: number): void {
  app.post<{ Params: { number: string }; Body: ActionInput & { action: TicketAction } }>(
    '/api/tickets/:number/actions',
    {
      config: { roles: handlers },
      schema: {
        tags: ['tickets'],
        summary:
          'Apply a workflow action: answer {text} (422 answer-text-required when missing or blank), dispatch {department, dueAt?}, accept, return {reason}, reply {text}, visit {satisfaction, note?}, reopen {note?}, close {note?}, archive, merge {into}, escalate {note?, dueAt?} (督办: supervisors, the department holding the ticket sees it highlighted), review {outcome: approved|returned, note?} (复核 of a replied complaint: supervisors and admins; returned sends it back to the department; 409 ticket-review-required when policy needs an approved review before visit or close)',
        params: numberParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['action'],
          properties: {
            action: { type: 'string', enum: actionNames },
            text: { type: 'string', minLength: 1, maxLength: maxText },
            department: { type: 'integer' },
            dueAt: { type: 'string', format: 'date-time' },
            reason: { type: 'string', minLength: 1, maxLength: 1000 },
            satisfaction: { type: 'string', enum: codes(satisfactions) },
            note: { type: 'string', maxLength: 1000 },
            into: { type: 'string', pattern: ticketNumberPattern },
            outcome: { type: 'string', enum: codes(reviewOutcomes) },
          },
          allOf: [
            { if: { properties: { action: { const: 'dispatch' } } }, then: { required: ['department'] } },
            { if: { properties: { action: { const: 'return' } } }, then: { required: ['reason'] } },
            { if: { properties: { action: { const: 'reply' } } }, then: { required: ['text'] } },
            { if: { properties: { action: { const: 'visit' } } }, then: { required: ['satisfaction'] } },
            { if: { properties: { action: { const: 'merge' } } }, then: { required: ['into'] } },
            // 督办 carries only a note and a new due date.
            { if: { properties: { action: { const: 'escalate' } } }, then: { properties: { text: false, department: false, reason: false, satisfaction: false, into: false } } },
            // 复核 carries its outcome and a comment, nothing else; no other action takes an outcome.
            {
              if: { properties: { action: { const: 'review' } } },
              then: { required: ['outcome'], properties: { text: false, department: false, dueAt: false, reason: false, satisfaction: false, into: false } },
              else: { properties: { outcome: false } },
            },
          ],
        },
        response: { 200: { $ref: 'Ticket#' }, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const { action, ...input } = request.body;
      // An immediate answer closes the ticket with this text as what the caller was told; never empty.
      if (action === 'answer' && !input.text?.trim()) throw new AppError('answer-text-required', undefined, { field: 'text' });
      return box.tickets.act(request.params.number, action, input, actor(request));
    },
  );

  app.get<{ Params: { number: string } }>(
    '/api/tickets/:number/audit',
    {
      config: { roles: handlers },
      schema: {
        tags: ['tickets'],
        summary: 'The ticket’s audit trail: every change, who made it and when',
        params: numberParams,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'AuditRecord#' } } } }, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ items: box.tickets.auditTrail(request.params.number, actor(request)) }),
  );
}
