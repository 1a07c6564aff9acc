// The configuration through the admin API (docs/technician.md §Configuration), admin and technician only:
//   GET /api/admin/config          the configuration in force
//   PUT /api/admin/config/:key     {value}: one setting by dotted key, validated whole, written durably,
//                                  audited with the caller as actor; 400 validation-failed naming the key
// A change takes effect for the settings read on each use (deadlines, login policy, thresholds) at once,
// and for the rest (listen address, trunk driver) at the next start.
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { changeSettings, getSetting, identityProblem, parseKey, redactSecrets, restoreRedacted } from './edit.js';
import { ConfigError } from './schema.js';

const roles = ['admin', 'technician'] as const;

function refused(key: string, err: unknown): never {
  if (err instanceof ConfigError) throw new AppError('validation-failed', err.message, { key, problems: err.problems });
  throw err;
}

export const configRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  app.get(
    '/api/admin/config',
    {
      config: { roles },
      schema: {
        tags: ['admin'],
        summary: 'The configuration in force (config.json)',
        response: { 200: { type: 'object', additionalProperties: false, required: ['config'], properties: { config: { type: 'object', additionalProperties: true } } }, ...errorResponses(401, 403) },
      },
    },
    async () => ({ config: redactSecrets(box.config.current()) }),
  );

  app.put<{ Params: { key: string }; Body: { value: unknown } }>(
    '/api/admin/config/:key',
    {
      config: { roles },
      schema: {
        tags: ['admin'],
        summary: 'Change one setting by dotted key (box.name, selftest.modemSignalMinRssi); validated whole and audited. 400 validation-failed names the key',
        params: { type: 'object', additionalProperties: false, required: ['key'], properties: { key: { type: 'string', minLength: 1, maxLength: 250 } } },
        body: { type: 'object', additionalProperties: false, required: ['value'], properties: { value: {} } },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['key', 'old', 'value', 'changed', 'config'],
            properties: { key: { type: 'string' }, old: {}, value: {}, changed: { type: 'boolean' }, config: { type: 'object', additionalProperties: true } },
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { key } = request.params;
      let old: unknown;
      try {
        parseKey(key);
        old = getSetting(box.config.current(), key);
      } catch (err) {
        refused(key.slice(0, 250), err);
      }
      const value = restoreRedacted(request.body.value, old);
      const identity = identityProblem(box.config.current(), key, value, box.regions, box.dataDir);
      if (identity) throw new AppError('validation-failed', identity, { key, problems: [identity] });
      try {
        const [change] = changeSettings(box.config, box.db, actor(request), [{ key, value }], box.now());
        return redactSecrets({ key, old, value, changed: change !== undefined, config: box.config.current() });
      } catch (err) {
        refused(key, err);
      }
    },
  );
};
