// GET /metrics: the box's figures in the Prometheus text format (prom-client), for a province's or a
// technician's Prometheus. Process figures (resident memory, event-loop delay, GC) come from prom-client's
// default collectors; the box's own are read at scrape time from what /healthz already knows — every numeric
// figure of every health part becomes `edgebox_part_<figure>{part="…"}` — and from the store (open tickets
// by status, overdue ones, active alarms by key). Callers' numbers and names never appear: only counts and states.
//
// Access (issue 12 §4): the loopback, the scraper addresses in config.metrics.allowAddresses, or a bearer
// token whose SHA-256 is config.metrics.tokenSha256; everyone else gets 403 metrics-forbidden.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Gauge as GaugeType, Registry } from 'prom-client';
import type { BoxServices } from '../box.js';
import { AppError } from '../errors.js';
import { startupRunDelayMs } from './health.js';

/** Metric names allow [a-zA-Z0-9_:]; health figure names are camelCase words. */
function metricName(figure: string): string {
  return `edgebox_part_${figure.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^a-zA-Z0-9_]/g, '_').toLowerCase()}`;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function metricsAllowed(box: BoxServices, request: FastifyRequest): boolean {
  const cfg = box.config.current().metrics;
  const ip = request.ip;
  if (isLoopback(ip) || cfg.allowAddresses.includes(ip) || cfg.allowAddresses.includes(ip.replace(/^::ffff:/, ''))) return true;
  const auth = request.headers.authorization;
  if (!cfg.tokenSha256 || !auth?.startsWith('Bearer ')) return false;
  const given = createHash('sha256').update(auth.slice(7).trim()).digest();
  const wanted = Buffer.from(cfg.tokenSha256, 'hex');
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

const refreshers = new WeakMap<Registry, () => void>();

/**
 * The registry of one box: default process metrics plus the box's gauges, collected at scrape time.
 * prom-client (with its OpenTelemetry dependency, ~90 modules) is loaded here rather than at import: the box
 * builds its registry once it listens, so loading it is not part of the boot (issue 11, ready within 1 s).
 */
export async function boxRegistry(box: BoxServices): Promise<Registry> {
  const { Gauge, Registry, collectDefaultMetrics } = await import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'edgebox_' });
  const cfg = box.config.current();
  registry.setDefaultLabels({ region: cfg.box.region, role: cfg.box.role });
  new Gauge({
    name: 'edgebox_info',
    help: 'The box: its version (the value is always 1)',
    labelNames: ['version'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ version: box.version }, 1);
    },
  });
  const openStatuses = box.db.prepare(
    `SELECT status, COUNT(*) AS n, SUM(CASE WHEN due_at IS NOT NULL AND due_at < ? THEN 1 ELSE 0 END) AS overdue
     FROM tickets WHERE status NOT IN ('closed', 'archived', 'merged') GROUP BY status`,
  );
  const overdue = new Gauge({ name: 'edgebox_tickets_overdue', help: 'Open tickets past their due date', registers: [registry] });
  new Gauge({
    name: 'edgebox_tickets_open',
    help: 'Open tickets (not closed, archived or merged) by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      let late = 0;
      for (const r of openStatuses.all(box.now().toISOString()) as { status: string; n: number; overdue: number }[]) {
        this.set({ status: r.status }, r.n);
        late += r.overdue ?? 0;
      }
      overdue.set(late);
    },
  });
  // Active alarms (firmware-agent/alarms): one series per alarm key, 1 while active; the table exists on
  // every store that ran migration 202612041900-alarms.
  const activeAlarms = box.db.prepare('SELECT key, severity FROM alarms WHERE cleared_at IS NULL');
  new Gauge({
    name: 'edgebox_alarm_active',
    help: 'Active alarms of the box, by key and severity (the value is always 1; cleared alarms have no series)',
    labelNames: ['key', 'severity'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of activeAlarms.all() as { key: string; severity: string }[]) this.set({ key: r.key, severity: r.severity }, 1);
    },
  });
  const up = new Gauge({ name: 'edgebox_up', help: 'The box answers, and its overall health (1 ok, 0 degraded)', registers: [registry] });
  const partOk = new Gauge({ name: 'edgebox_part_ok', help: 'Whether a part of the box is healthy (1) or not (0), as /healthz says', labelNames: ['part'], registers: [registry] });
  const figures = new Map<string, GaugeType>();
  /** Reads /healthz's report into gauges; run before each scrape so gauges made for new figures are included. */
  const refresh = (): void => {
    const report = box.health.report();
    up.set(report.status === 'ok' ? 1 : 0);
    partOk.reset();
    for (const g of figures.values()) g.reset();
    for (const [part, p] of Object.entries(report.parts)) {
      partOk.set({ part }, p.ok ? 1 : 0);
      for (const [k, v] of Object.entries(p)) {
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        const name = metricName(k);
        let g = figures.get(name);
        if (!g) {
          g = new Gauge({ name, help: `Health figure ${k} of a part of the box (see /healthz)`, labelNames: ['part'], registers: [registry] });
          figures.set(name, g);
        }
        g.set({ part }, v);
      }
    }
  };
  refreshers.set(registry, refresh);
  return registry;
}

export const metricsRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  let registry: Promise<Registry> | undefined;
  const registryOf = () => (registry ??= boxRegistry(box));
  // Built shortly after the box listens (with the jobs' start-up runs, not in the turns where the box answers
  // its first requests: prom-client and OpenTelemetry load then), so the event-loop and GC collectors run
  // from then on; a scrape before builds it at once.
  let soon: NodeJS.Timeout | undefined;
  app.addHook('onListen', async () => {
    soon = setTimeout(() => void registryOf().catch((err: unknown) => app.log.error({ err }, 'metrics registry failed')), startupRunDelayMs);
    soon.unref();
  });
  app.addHook('onClose', async () => clearTimeout(soon));
  app.get(
    '/metrics',
    { config: { public: true }, schema: { tags: ['health'], summary: 'Prometheus metrics (loopback, configured scraper addresses, or the bearer token)', hide: false } },
    async (request, reply) => {
      if (!metricsAllowed(box, request)) throw new AppError('metrics-forbidden');
      const reg = await registryOf();
      refreshers.get(reg)?.();
      const text = await reg.metrics();
      return reply.header('content-type', reg.contentType).send(text);
    },
  );
};
