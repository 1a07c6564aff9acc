// The composite score's stored weights (issue 15): a setting of the one configuration (stats.weights in
// config.json), used by every statistics route when a request gives no `weights`. Supervisors and admins
// read and change it here; a change is validated whole and audited like any setting (config/edit.ts).
//   GET /api/stats/weights   {weights, defaults, usesDefaultWeights}
//   PUT /api/stats/weights   {weights: {kpiKey: n, …}}: the keys given replace the stored ones
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../box.js';
import type { BoxConfig } from '../config/model.js';
import { changeSettings } from '../config/edit.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';
import { errorResponses } from '../http/server.js';
import { defaultWeights, kpiKeys, type KpiKey } from './kpis.js';
import type { WeightsView } from './view-types.js';

/** The weights in force: the stored setting, or the documented defaults on a configuration without one. */
export function storedWeights(cfg: Readonly<BoxConfig>): Record<KpiKey, number> {
  return { ...defaultWeights, ...(cfg.stats?.weights ?? {}) };
}

const weight = { type: 'number', minimum: 0, maximum: 999 } as const;
const weightsObject = { type: 'object', additionalProperties: false, properties: Object.fromEntries(kpiKeys.map((k) => [k, weight])) } as const;
const roles = ['admin', 'supervisor'] as const;

export const weightRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  const answer = (): WeightsView => {
    const weights = storedWeights(box.config.current());
    return { weights, defaults: { ...defaultWeights }, usesDefaultWeights: kpiKeys.every((k) => weights[k] === defaultWeights[k]) };
  };
  const answerSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['weights', 'defaults', 'usesDefaultWeights'],
    properties: { weights: weightsObject, defaults: weightsObject, usesDefaultWeights: { type: 'boolean' } },
  } as const;

  app.get(
    '/api/stats/weights',
    { config: { roles }, schema: { tags: ['stats'], summary: 'The composite score weights in force (stored setting stats.weights) and the documented defaults', response: { 200: answerSchema, ...errorResponses(401, 403) } } },
    async () => answer(),
  );

  app.put<{ Body: { weights: Partial<Record<KpiKey, number>> } }>(
    '/api/stats/weights',
    {
      config: { roles },
      schema: {
        tags: ['stats'],
        summary: 'Store the composite score weights (0–999; keys not given keep their stored value; not all zero); audited as config set stats.weights',
        body: { type: 'object', additionalProperties: false, required: ['weights'], properties: { weights: { ...weightsObject, minProperties: 1 } } },
        response: { 200: answerSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const next = { ...storedWeights(box.config.current()), ...request.body.weights };
      if (!kpiKeys.some((k) => next[k] > 0)) throw new AppError('stats-weights-invalid', 'at least one weight must be above 0');
      changeSettings(box.config, box.db, actor(request), [{ key: 'stats.weights', value: next }], box.now());
      return answer();
    },
  );
};
