// 12345 exchange installer (docs/12345.md): builds the service from the configuration's `gov12345` section,
// hooks ticket changes into its outbox, mounts the platform endpoint and the staff routes, starts delivery
// (messages left from before a restart go first) and reports health.
import { systemClock } from '../../common/clock.js';
import type { Box, BoxOptions } from '../app.js';
import fs from 'node:fs';
import path from 'node:path';
import { type Gov12345Config, defaultGov12345, resolveKeys } from './config.js';
import { gov12345ExchangeRoutes, gov12345StaffRoutes } from './routes.js';
import { Sender } from './sender.js';
import { Gov12345Service } from './service.js';

/** Each box's 12345 service and sender (tests and other subsystems). */
export const gov12345Of = new WeakMap<Box, { gov: Gov12345Service; sender: Sender }>();

export async function installGov12345(box: Box, _opts: BoxOptions): Promise<void> {
  const log = box.http.log.child({ module: 'gov12345' });
  // Keys kept in files are read when the configuration in force changes (memoised per configuration object).
  const keyDir = path.join(box.dataDir, 'gov12345');
  const resolved = new WeakMap<object, Gov12345Config>();
  const settings = (): Gov12345Config => {
    const current = box.config.current();
    let cfg = resolved.get(current);
    if (!cfg) {
      const r = resolveKeys((current as { gov12345?: Gov12345Config }).gov12345 ?? defaultGov12345, (name) => {
        try {
          return fs.readFileSync(path.join(keyDir, name), 'utf8');
        } catch {
          return null;
        }
      });
      for (const p of r.problems) log.warn({}, p);
      resolved.set(current, (cfg = r.cfg));
    }
    return cfg;
  };
  const gov = new Gov12345Service({ db: box.db, tickets: box.tickets, regions: box.regions, region: () => box.config.current().box.region, now: box.now, settings });
  // The box's clock, as the network takes it: back-off timers run on it.
  const sender = new Sender(gov, { now: () => box.now().getTime(), setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout }, log);
  gov.onQueued = (platform) => sender.kick(platform);
  box.tickets.addTransactionHook((c) => gov.onTicketChange(c));
  box.tickets.onCommitted(() => gov.afterCommit());
  gov12345Of.set(box, { gov, sender });
  await box.http.register(gov12345ExchangeRoutes, { box, gov });
  await box.http.register(gov12345StaffRoutes, { box, gov, sender });
  box.health.register('gov12345', () => {
    const d = gov.store.depth();
    const warnings: string[] = [];
    if (d.rejected > 0) warnings.push(`${d.rejected} message(s) refused by a 12345 platform and set aside`);
    const off = sender.backingOff();
    for (const [id, n] of Object.entries(off)) warnings.push(`platform ${id}: ${n} failed deliveries in a row; retrying`);
    return { ok: d.rejected === 0, waiting: d.waiting, oldest: d.oldest, rejected: d.rejected, warnings };
  });
  sender.start();
  box.onClose(() => sender.stop());
}
