// Departments (业务部门) and user accounts. Admins manage them; every change is audited.
import type { FastifyPluginAsync } from 'fastify';
import { userRoles } from './actor.js';
import type { BoxServices } from '../box.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';

export const accountRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  app.post<{ Body: { name: string; phone?: string } }>(
    '/api/departments',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['accounts'],
        summary: 'Create a department',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, phone: { type: 'string', maxLength: 30 } },
        },
        response: { 201: { $ref: 'Department#' }, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(box.accounts.createDepartment(request.body, actor(request))),
  );

  app.patch<{ Params: { id: number }; Body: { name?: string; phone?: string | null; disabled?: boolean } }>(
    '/api/departments/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['accounts'],
        summary: 'Rename a department, change its phone, disable or re-enable it (a disabled one takes no new dispatches)',
        params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, phone: { anyOf: [{ type: 'string', maxLength: 30 }, { type: 'null' }] }, disabled: { type: 'boolean' } },
        },
        response: { 200: { $ref: 'Department#' }, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => box.accounts.updateDepartment(request.params.id, request.body, actor(request)),
  );

  app.get(
    '/api/departments',
    {
      schema: {
        tags: ['accounts'],
        summary: 'List departments',
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'Department#' } } } }, ...errorResponses(401) },
      },
    },
    async () => ({ items: box.accounts.departments() }),
  );

  const userBody = {
    type: 'object',
    additionalProperties: false,
    required: ['username', 'password', 'role'],
    properties: {
      username: { type: 'string', pattern: '^[A-Za-z0-9_.-]{2,64}$' },
      password: { type: 'string', minLength: 1, maxLength: 256 },
      role: { type: 'string', enum: [...userRoles] },
      department: { anyOf: [{ type: 'integer' }, { type: 'string', minLength: 1 }] },
      displayName: { type: 'string', maxLength: 64 },
      skills: { type: 'array', items: { type: 'string', maxLength: 32 }, maxItems: 20 },
    },
  } as const;

  app.post<{ Body: { username: string; password: string; role: (typeof userRoles)[number]; department?: number | string; displayName?: string; skills?: string[] } }>(
    '/api/users',
    {
      config: { roles: ['admin'] },
      schema: { tags: ['accounts'], summary: 'Create a user', body: userBody, response: { 201: { $ref: 'User#' }, ...errorResponses(400, 401, 403, 404, 409, 422) } },
    },
    async (request, reply) => reply.code(201).send(await box.accounts.createUser(request.body, actor(request))),
  );

  app.get(
    '/api/users',
    {
      config: { roles: ['admin', 'supervisor'] },
      schema: {
        tags: ['accounts'],
        summary: 'List users',
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'User#' } } } }, ...errorResponses(401, 403) },
      },
    },
    async () => ({ items: box.accounts.users() }),
  );

  app.patch<{ Params: { id: number }; Body: { password?: string; disabled?: boolean; displayName?: string; skills?: string[]; role?: (typeof userRoles)[number]; department?: number | string | null } }>(
    '/api/users/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['accounts'],
        summary: 'Change a user: new password, disable, display name, skills, role and department (a department user needs one; 409 last-admin for the last enabled admin)',
        params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            password: { type: 'string', minLength: 1, maxLength: 256 },
            disabled: { type: 'boolean' },
            displayName: { type: 'string', maxLength: 64 },
            skills: { type: 'array', items: { type: 'string', maxLength: 32 }, maxItems: 20 },
            role: { type: 'string', enum: [...userRoles] },
            department: { anyOf: [{ type: 'integer' }, { type: 'string', minLength: 1 }, { type: 'null' }] },
          },
        },
        response: { 200: { $ref: 'User#' }, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => box.accounts.updateUser(request.params.id, request.body, actor(request)),
  );
};
