// 质检 installer: mounts the quality-inspection API (qa/routes.ts).
import type { Box } from '../app.js';
import { qaRoutes } from './routes.js';

export async function installQa(box: Box): Promise<void> {
  await box.http.register(qaRoutes, { box });
}
