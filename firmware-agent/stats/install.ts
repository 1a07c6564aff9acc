// Statistics installer: mounts the statistics API (stats/routes.ts). The wrap-up time the capacity planner
// adds to talk time comes from the calls configuration when the box has one.
import type { Box } from '../app.js';
import { statsRoutes } from './routes.js';
import { weightRoutes } from './weights.js';

export async function installStats(box: Box): Promise<void> {
  let wrapUp = 0;
  try {
    const { loadCallsConfig } = await import('../calls/install.js');
    const cfg = box.config.current().box;
    wrapUp = loadCallsConfig(box.dataDir, cfg.region, cfg.timezone).queue.wrapUpMs / 1000;
  } catch {
    wrapUp = 0; // no calls configuration: the planner counts talk time only (documented in docs/statistics.md)
  }
  await box.http.register(statsRoutes, { box, wrapUpSeconds: () => wrapUp });
  await box.http.register(weightRoutes, { box });
}
