// Composition root: opens the store and the configuration, builds the domain services, decides what runs
// (compose.ts: the trunk driver and each part's typed options), runs the installers of subsystems.ts with
// that plan, mounts the HTTP API, and closes everything in reverse order.
import { fastPasswordHashForTests } from './accounts/passwords.js';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { AccountService } from './accounts/service.js';
import type { BoxServices } from './box.js';
import { WorkCalendar } from './calendar/workdays.js';
import type { Role } from './config/model.js';
import { openConfig, regionAllowed, writeFileDurably } from './config/store.js';
import { configRoutes } from './config/routes.js';
import { type BoxPlan, type BuiltTrunk, buildTrunk, planBox } from './compose.js';
import { trunkDriverRegistered } from './calls/install.js';
import { secureDataDir } from './data-dir.js';
import { Health } from './health/health.js';
import { metricsRoutes } from './health/metrics.js';
import { accountRoutes } from './accounts/routes.js';
import { sessionRoutes } from './accounts/session-routes.js';
import { auditRoutes } from './audit/routes.js';
import { calendarRoutes } from './calendar/routes.js';
import { healthRoutes } from './health/routes.js';
import { homeAreaRoutes } from './regions/home-area-routes.js';
import { referenceRoutes } from './tickets/reference-routes.js';
import { ticketRoutes } from './tickets/routes.js';
import { ticketSettingsRoutes } from './tickets/settings-routes.js';
import { auditSchema, departmentSchema, ticketSchema, userSchema } from './http/schemas.js';
import { createHttp } from './http/server.js';
import { lazySchemasForTests } from './http/lazy-compilers.js';
import { ticketNumberRegion } from './network/router.js';
import { RegionTable } from './regions/regions.js';
import { openDb } from './store/db.js';
import { startMaintenance } from './store/maintenance.js';
import { defaultDomains } from './tickets/codes.js';
import { TicketService } from './tickets/service.js';
import { installers } from './subsystems.js';
import { version } from './version.js';

export interface BoxOptions {
  dataDir: string;
  /** Overrides of the configuration for this run (command-line flags). */
  host?: string;
  port?: number;
  /** Used when the configuration file is first created. */
  role?: Role;
  region?: string;
  now?: () => Date;
  logger?: FastifyServerOptions['logger'];
  /**
   * Start-time overrides (compose.ts planBox): a trunk for this run (driver: 'serial-at', serial: PATH, …;
   * without `driver`, the configuration's `trunk` section) and the network tunables (net-*).
   */
  flags?: Record<string, string | boolean | undefined>;
  /** Seed demo content (the demo knowledge base) into an empty store: `edgebox start --demo`. */
  demo?: boolean;
}

/** What each installer gets: the box's options, the composition plan (typed options per subsystem) and the built trunk. */
export interface InstallOptions extends BoxOptions {
  plan: BoxPlan;
  trunk: BuiltTrunk;
}

export interface Box extends BoxServices {
  http: FastifyInstance;
  /** Extra startup/shutdown steps registered by subsystems (drivers, jobs), run in order / reverse order. */
  onClose(fn: () => Promise<void> | void): void;
  listen(): Promise<string>;
  close(): Promise<void>;
  initialAdminPassword: string | null;
}

const regions = RegionTable.load();

export async function createBox(opts: BoxOptions): Promise<Box> {
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o750 });
  // umask 077 and no access for others to what is already there (the store holds the box's private key).
  const modes = secureDataDir(opts.dataDir);
  const now = opts.now ?? (() => new Date());
  const initial: { role?: Role; region?: string } = {};
  if (opts.role) initial.role = opts.role;
  if (opts.region) initial.region = opts.region;
  const config = await openConfig(opts.dataDir, initial);
  const cfg = config.current();
  // What runs, with typed options for each part (compose.ts): a bad trunk setting stops the start here, naming it.
  const plan = planBox(cfg, opts.dataDir, opts.flags ?? {}, process.env, trunkDriverRegistered);
  if (!regionAllowed(regions, cfg.box.role, cfg.box.region)) {
    throw new Error(`${config.file}: box.region ${cfg.box.region} is not a GB/T 2260 code in the region table`);
  }
  const db = openDb({ file: path.join(opts.dataDir, 'edgebox.sqlite') });
  const closers: (() => Promise<void> | void)[] = [() => void db.close()];
  const maintenance = startMaintenance(db, { onError: (err) => http.log.error({ err }, 'store maintenance step failed') });
  closers.push(() => maintenance.stop());

  const seed = db.prepare('INSERT OR IGNORE INTO domains (code, label_zh, label_en, parent, sort) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => defaultDomains.forEach((d, i) => seed.run(d.code, d.zh, d.en, d.parent ?? null, i)))();

  const calendar = new WorkCalendar(db, cfg.box.timezone);
  const accounts = new AccountService({
    db,
    now,
    sessionHours: () => config.current().auth.sessionHours,
    throttle: () => ({
      maxFailures: config.current().auth.loginMaxFailures,
      maxFailuresTotal: config.current().auth.loginMaxFailuresTotal,
      lockMinutes: config.current().auth.loginLockMinutes,
    }),
  });
  const tickets = new TicketService({
    db,
    calendar,
    regions,
    boxRegion: () => ticketNumberRegion(config.current().box.role, config.current().box.region),
    timezone: cfg.box.timezone,
    deadlines: () => config.current().tickets.deadlines,
    dueSoonWorkingDays: () => config.current().tickets.dueSoonWorkingDays,
    complaintReviewRequired: () => config.current().tickets.complaintReviewRequired === true,
    now,
  });
  const health = new Health();
  health.register('store', () => {
    db.prepare('SELECT 1').get();
    return { ok: true, file: db.name };
  });
  health.register('calendar', () => {
    const cov = calendar.coverage(now());
    return {
      ok: true,
      ...cov,
      warnings: cov.missing.map((y) => `no official holiday calendar for ${y}: enter its holidays and make-up days, then confirm the year`),
    };
  });

  const initialAdminPassword = await accounts.ensureInitialAdmin();
  if (initialAdminPassword) {
    writeFileDurably(path.join(opts.dataDir, 'initial-admin-password'), `${initialAdminPassword}\n`, 0o600);
    fs.chmodSync(path.join(opts.dataDir, 'initial-admin-password'), 0o600);
  }

  const services: BoxServices = { version, dataDir: opts.dataDir, config, db, regions, calendar, accounts, tickets, health, now };
  const http = await createHttp({ accounts, version, logger: opts.logger ?? false });
  if (fastPasswordHashForTests()) http.log.warn('EDGEBOX_TEST_FAST_PASSWORD_HASH is set: passwords are hashed at a test cost; never serve people so');
  if (modes.fixed.length) http.log.warn({ fixed: modes.fixed }, 'data directory: took away access for other users');
  modes.deep
    .then((deep) => deep.length && http.log.warn({ count: deep.length, first: deep[0] }, 'data directory: took away access for other users (recordings, prompts, backups)'))
    .catch((err: unknown) => http.log.warn({ err }, 'data directory modes could not all be checked'));
  for (const s of [userSchema, departmentSchema, ticketSchema, auditSchema]) http.addSchema(s);
  const startedAt = now();
  await http.register(healthRoutes, { box: services, startedAt });
  await http.register(metricsRoutes, { box: services });
  await http.register(sessionRoutes, { box: services });
  await http.register(accountRoutes, { box: services });
  await http.register(ticketRoutes, { box: services });
  await http.register(referenceRoutes, { box: services });
  await http.register(homeAreaRoutes);
  await http.register(calendarRoutes, { box: services });
  await http.register(ticketSettingsRoutes, { box: services });
  await http.register(auditRoutes, { box: services });
  await http.register(configRoutes, { box: services });

  let closed = false;
  const box: Box = {
    ...services,
    http,
    initialAdminPassword,
    onClose: (fn) => closers.push(fn),
    async listen() {
      const c = config.current();
      const address = await http.listen({ host: opts.host ?? c.http.host, port: opts.port ?? c.http.port });
      // Route schemas compile on first use; the rest now, a few at a time between requests. Not in the test
      // suite's short-lived boxes (lazySchemasForTests): about 0.7 s of CPU each, for routes most never call.
      if (!lazySchemasForTests())
        void http.schemaWarmUp.run().then(() => {
          for (const f of http.schemaWarmUp.failures) http.log.error({ route: f.label, err: f.error }, 'route schema does not compile');
        });
      return address;
    },
    async close() {
      if (closed) return;
      closed = true;
      await http.close();
      for (const fn of closers.reverse()) await fn();
    },
  };
  try {
    const withPlan: InstallOptions = { ...opts, plan, trunk: await buildTrunk(box, plan.trunk) };
    for (const [, install] of await installers()) await install(box, withPlan);
  } catch (err) {
    await box.close();
    throw err;
  }
  return box;
}
