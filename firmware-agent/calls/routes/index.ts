// The calls capability's HTTP surface, split by concern; the simulator's routes only with the simulated trunk.
import type { FastifyPluginAsync } from 'fastify';
import type { SimulatorTrunk } from '../../../drivers/simulator/trunk.js';
import { agentRoutes } from './agents.js';
import { callbackRoutes } from './callbacks.js';
import { eventRoutes } from './events.js';
import { recordingRoutes } from './recordings.js';
import { recordRoutes } from './records.js';
import { callSettingsRoutes } from './settings.js';
import type { CallRoutesOptions } from './shared.js';
import { simulatorRoutes } from './simulator.js';

export const callRoutes: FastifyPluginAsync<CallRoutesOptions & { sim: SimulatorTrunk | null }> = async (app, { box, center, sim }) => {
  for (const routes of [agentRoutes, recordRoutes, recordingRoutes, callbackRoutes, eventRoutes]) await app.register(routes, { box, center });
  await app.register(callSettingsRoutes, { box });
  if (sim) await app.register(simulatorRoutes, { box, center, sim });
};
