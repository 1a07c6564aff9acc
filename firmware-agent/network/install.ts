// Network installer: builds the network service, hooks ticket changes into the outbox, mounts the exchange
// and admin routes, starts the uplink (city and province boxes), the daily statistics job and the
// knowledge-base pump and the nightly retention, and reports health. Its timings are the composition plan's
// network tunables (compose.ts: defaults, or a test's start-time overrides --net-*, --exchange-tls-port).
import { systemClock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type https from 'node:https';
import type { Box, InstallOptions } from '../app.js';
import { addDays, localDay } from '../calendar/time.js';
import { knowledgeBase } from '../kb/install.js';
import { computeDailyStats } from '../stats/daily.js';
import { networkAdminRoutes, networkStatus } from './admin-routes.js';
import { UpstreamClient } from './client.js';
import { type RetentionResult, pruneNetwork } from './retention.js';
import { exchangeRoutes } from './routes.js';
import { type KbPort, NetworkService } from './service.js';
import { Uplink } from './sync.js';
import { exchangeTlsServer } from './tls.js';

/** Each box's network service, for subsystems that send messages of their own (alarms: alarm.report). */
export const networkOf = new WeakMap<Box, NetworkService>();

export async function installNetwork(box: Box, opts: InstallOptions): Promise<void> {
  const t = opts.plan.network;
  const o = { retryBaseMs: t.retryBaseMs, retryMaxMs: t.retryMaxMs, idleMs: t.idleMs, pollWaitSeconds: t.pollWaitSeconds, batchSize: t.batchSize };
  const { maxBatch, statsCheckMs, backlogWarnS, statsDays } = t;
  const log = box.http.log.child({ module: 'network' });
  const cfg = () => box.config.current();
  const net = new NetworkService({
    db: box.db,
    tickets: box.tickets,
    regions: box.regions,
    role: () => cfg().box.role,
    region: () => cfg().box.region,
    now: box.now,
    // The box's clock, as the call code takes it (calls/install.ts boxClock).
    clock: { now: () => box.now().getTime(), setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout },
    settings: () => cfg().network,
    log,
  });
  net.store.ensureIdentity(box.now());
  networkOf.set(box, net);
  box.tickets.addTransactionHook((c) => net.onTicketChange(c));

  // Knowledge base (issue 4): articles published here go down, upstream ones are applied.
  const kb: KbPort = knowledgeBase(box);
  net.kb = kb;
  const pumpKb = () => {
    try {
      const n = net.kbRelay.pump();
      if (n > 0) log.info({ articles: n }, 'knowledge-base articles queued for the boxes below');
    } catch (err) {
      log.error({ err }, 'knowledge-base pump failed; it runs again on the next change');
    }
  };
  kb.onChanged(() => setImmediate(pumpKb));
  pumpKb();

  const { publishStats, retention } = await defineNetworkJobs(box, net, log, statsDays, statsCheckMs);

  await box.http.register(exchangeRoutes, { box, net, limits: { maxBatch, maxBodyBytes: 16 * 1024 * 1024, maxWaitSeconds: 60 } });
  // Boxes paired before origin signatures: their keys are announced to the other levels once.
  net.keys.announceExisting();
  // Off-site copies of the backups of the boxes below (docs/technician.md §Backup and restore).
  await box.http.register((await import('./backup-copy.js')).offsiteBackupRoutes, { box, net });

  // The exchange over TLS for the boxes below (issue 13, finding 5): started once the box listens, on the
  // same address, with a certificate made at start for the exchange key (pinned by its fingerprint).
  const httpPort = opts.port ?? cfg().http.port;
  const tlsPort = t.exchangeTlsPort ?? (httpPort === 0 ? 0 : httpPort + 1);
  let tlsServer: https.Server | null = null;
  if (cfg().box.role !== 'city' && tlsPort >= 0) {
    box.http.addHook('onListen', async () => {
      const a = box.http.server.address();
      const host = a && typeof a === 'object' ? a.address : '127.0.0.1';
      const id = net.store.ensureIdentity(box.now());
      const server = exchangeTlsServer(id.private_key, `edgebox exchange ${net.address()}`, box.now(), (req, res) => box.http.routing(req, res));
      server.on('tlsClientError', (err) => log.debug({ err }, 'exchange TLS handshake failed'));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(tlsPort, host, () => resolve());
      });
      tlsServer = server;
      const p = (server.address() as { port: number }).port;
      net.exchangeTlsUrl = `https://${host.includes(':') ? `[${host}]` : host}:${p}`;
      log.info({ url: net.exchangeTlsUrl }, 'exchange listening over TLS');
    });
    box.http.addHook('preClose', async () => {
      const s = tlsServer;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    });
  }
  await box.http.register(networkAdminRoutes, { box, net, publishStats });
  box.http.addHook('preClose', async () => net.notifier.close());

  box.health.register('network', () => {
    const s = networkStatus(box, net);
    const warnings: string[] = [];
    if (s.role !== 'ministry' && !s.upstream) warnings.push('not paired with an upstream: run `edgebox pair --upstream URL --code CODE`');
    if (s.oldestAgeSeconds > backlogWarnS) warnings.push(`oldest unsent message is ${s.oldestAgeSeconds} s old (${s.outboxDepth} waiting)`);
    if (s.rejected > 0) warnings.push(`${s.rejected} message(s) refused by the receiver and set aside`);
    if (s.deadLetters > 0) warnings.push(`${s.deadLetters} received message(s) could not be applied and were set aside (GET /api/network/dead-letters)`);
    if (s.upstream?.lastError) warnings.push(`last upstream error: ${s.upstream.lastError}`);
    const lastRetention = retention();
    if (lastRetention?.error) warnings.push(`last retention run failed: ${lastRetention.error}`);
    return {
      ok: s.rejected === 0 && s.deadLetters === 0,
      outboxDepth: s.outboxDepth,
      deadLetters: s.deadLetters,
      oldestAgeSeconds: s.oldestAgeSeconds,
      lastContact: s.upstream?.lastContact ?? s.peers.map((p) => p.lastContact).filter((x): x is string => !!x).sort().at(-1) ?? null,
      upstream: s.upstream ? { address: s.upstream.address, url: s.upstream.url } : null,
      peers: s.peers.filter((p) => !p.revokedAt).length,
      retention: lastRetention,
      warnings,
    };
  });

  // Closers run in reverse order: the uplink stops before the notifier closes.
  box.onClose(() => {
    net.notifier.close();
  });
  if (cfg().box.role !== 'ministry') {
    const client = new UpstreamClient({ store: net.store, address: () => net.address(), now: box.now });
    const uplink = new Uplink(net, client, o, log);
    uplink.start();
    box.onClose(() => uplink.stop());
  }
}

/**
 * The exchange's daily jobs in the box's jobs table (docs/technician.md §Jobs): statistics published up and
 * retention, and the knowledge-base catch-up. Returns the statistics publisher (the admin routes publish a day
 * by hand) and the outcome of the last retention run (for /healthz).
 */
async function defineNetworkJobs(box: Box, net: NetworkService, log: Pick<Logger, 'info'>, statsDays: number, statsCheckMs: number) {
  const cfg = () => box.config.current();
  const publishStats = (day: string) => {
    const body = computeDailyStats(box.db, net.address(), day, cfg().box.timezone, box.now());
    net.publishStats(body as unknown as Parameters<NetworkService['publishStats']>[0]);
    return body;
  };
  // Once per local day (the first check after midnight, or after start): the last `statsDays` days again,
  // oldest first. A day's figures change for weeks (replies, visits, rectification), so each night sends
  // fresh ones and the receiver keeps the latest computation of each day.
  const statsJob = () => {
    const today = localDay(box.now(), cfg().box.timezone);
    if (net.meta(`stats-run:${today}`)) return { skipped: `already computed on ${today}` };
    const days = Array.from({ length: statsDays }, (_, i) => addDays(today, i - statsDays));
    for (const day of days) publishStats(day);
    net.setMeta(`stats-run:${today}`, 1);
    log.info({ from: days[0], to: days.at(-1) }, 'daily statistics computed and queued up');
    return { from: days[0], to: days.at(-1) };
  };
  // Retention (docs/exchange.md §Retention), once per local day on the same checks as the statistics: the
  // first check after midnight, or after start for a box that was off. Its outcome shows in /healthz.
  let retention: { at: string; result?: RetentionResult; error?: string } | null = null;
  let pruning = false;
  const retentionJob = async (): Promise<Record<string, unknown>> => {
    const today = localDay(box.now(), cfg().box.timezone);
    if (pruning || net.meta(`retention-run:${today}`)) return { skipped: pruning ? 'running' : `already pruned on ${today}` };
    pruning = true;
    try {
      const result = await pruneNetwork(net.store, cfg().network, box.now());
      net.setMeta(`retention-run:${today}`, 1);
      retention = { at: box.now().toISOString(), result };
      log.info(result, 'network retention: old message ids, delivered outbox rows and records pruned');
      return { ...result };
    } catch (err) {
      retention = { at: box.now().toISOString(), error: (err as Error).message };
      throw err;
    } finally {
      pruning = false;
    }
  };
  // Jobs of the box's jobs table (docs/technician.md §Jobs): hourly checks that do the work once per local
  // day (a failed day is tried again the next hour), and once soon after start (a box that was off at
  // midnight catches up; --net-stats-check-ms sets how soon, at most 30 s).
  const { defineJob, jobsOf } = await import('../jobs/install.js');
  defineJob(box, { name: 'daily-stats', schedule: '5 * * * *', description: 'Daily statistics of the last days computed again once a day and queued for the upstream', run: statsJob });
  defineJob(box, { name: 'network-retention', schedule: '35 * * * *', description: 'Network retention once a day: old message ids, delivered outbox rows, refusal and dead-letter records', run: retentionJob });
  jobsOf(box).runAfter('daily-stats', Math.min(statsCheckMs, 30_000));
  jobsOf(box).runAfter('network-retention', Math.min(statsCheckMs, 30_000));
  // The knowledge-base pump runs on every change; the job catches anything a failed pump left behind.
  if (net.kb) defineJob(box, { name: 'kb-sync', schedule: '*/10 * * * *', description: 'Knowledge-base articles published here queued for the boxes below', run: () => ({ articles: net.kbRelay.pump() }) });
  return { publishStats, retention: () => retention };
}
