// The box's one health sample (issue 12 §4), taken by the jobs table's alarm-sample job: the machine through
// the kernel's files (health/system.ts) and the process (load average and CPU use, temperature where the board has a sensor,
// memory, the data directory's own filesystem, the box's resident memory and event-loop delay), and the
// box's parts as /healthz reports them (modem signal and registration, trunk/D-channel state, network outbox
// depth and oldest age, SMS outbox depth) plus the overdue open tickets from the store. The alarms apply
// their thresholds to it, and /healthz's `system` and `host` parts show the latest one (before, a second
// job sampled the machine again for /healthz alone).
import os from 'node:os';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Figures } from '../alarms/rules.js';
import type { Db } from '../store/db.js';
import { statuses } from '../tickets/codes.js';
import type { HealthPart } from './health.js';
import { sampleSystem } from './system.js';
import type { HealthSample } from './view-types.js';

export type { HealthSample } from './view-types.js';

const mib = 1024 ** 2;

/**
 * Open tickets: every status but the final ones, named, so SQLite counts them on the (status, due_at) index
 * in a few ranges. `NOT IN (closed, archived, merged)` read the whole index instead: ≈400 ms at 1M tickets,
 * taken at every sample and at the first one while the box started (issue 11 §6).
 */
const openStatuses = statuses.map((s) => s.code).filter((c) => c !== 'closed' && c !== 'archived' && c !== 'merged');
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Figures from /healthz parts; a part the box does not have gives nulls. */
export function partFigures(parts: Record<string, HealthPart>): Pick<Figures, 'modemSignalRssi' | 'modemReady' | 'modemRegistered' | 'trunkUp' | 'netOutboxDepth' | 'netOutboxAgeMinutes' | 'smsOutboxDepth'> {
  const sms = parts.sms as (HealthPart & { modem?: { state?: string; signal?: { rssi?: number | null } | null; registration?: { registered?: boolean } | null } | null; outboxPending?: number }) | undefined;
  const modem = sms?.modem ?? null;
  const net = parts.network as (HealthPart & { outboxDepth?: number; oldestAgeSeconds?: number }) | undefined;
  const calls = parts.calls as (HealthPart & { driver?: string }) | undefined;
  const rssi = modem?.signal?.rssi;
  return {
    // AT+CSQ 99 is "not known or not detectable" (TS 27.007 §8.5): no figure, not a weak one.
    modemSignalRssi: typeof rssi === 'number' && rssi !== 99 ? rssi : null,
    modemReady: modem ? modem.state === 'ready' : null,
    modemRegistered: modem?.registration && typeof modem.registration.registered === 'boolean' ? modem.registration.registered : null,
    // The simulator trunk (a box without telephony hardware) has no link to lose.
    trunkUp: calls && calls.driver !== 'simulator' ? calls.ok : null,
    netOutboxDepth: typeof net?.outboxDepth === 'number' ? net.outboxDepth : null,
    netOutboxAgeMinutes: typeof net?.oldestAgeSeconds === 'number' ? round(net.oldestAgeSeconds / 60) : null,
    smsOutboxDepth: typeof sms?.outboxPending === 'number' ? sms.outboxPending : null,
  };
}

const samplers = new WeakMap<object, HealthSampler>();

/** The box's one sampler (keyed by its store), created on first use: the alarms sample with it, /healthz reads it. */
export function healthSamplerOf(box: { dataDir: string; db: Db; now: () => Date; health: { report(): { parts: Record<string, HealthPart> } } }): HealthSampler {
  let s = samplers.get(box.db);
  if (!s) {
    s = new HealthSampler({ dataDir: box.dataDir, db: box.db, now: box.now, parts: () => box.health.report().parts });
    samplers.set(box.db, s);
  }
  return s;
}

export class HealthSampler {
  readonly #eld: IntervalHistogram;
  readonly #overdue;
  latest: HealthSample | null = null;

  constructor(
    readonly deps: {
      dataDir: string;
      db: Db;
      now: () => Date;
      parts: () => Record<string, HealthPart>;
    },
  ) {
    this.#eld = monitorEventLoopDelay({ resolution: 20 });
    this.#eld.enable();
    this.#overdue = deps.db.prepare(
      `SELECT COUNT(*) AS n FROM tickets WHERE status IN (${openStatuses.map((c) => `'${c}'`).join(', ')}) AND due_at < ?`,
    );
  }

  async sample(): Promise<HealthSample> {
    const now = this.deps.now();
    const system = await sampleSystem(this.deps.dataDir, now);
    // p99 of the event-loop delay since the previous sample, then start a new interval.
    const eld = this.#eld.count > 0 ? this.#eld.percentile(99) / 1e6 : null;
    this.#eld.reset();
    const rss = process.memoryUsage().rss;
    const cores = os.availableParallelism();
    const disk = system.disk;
    const figures: Figures = {
      load1PerCore: system.load1 === null ? null : round(system.load1 / cores, 2),
      cpuUsePercent: system.cpuUsePercent,
      temperatureC: system.cpuTemperatureC,
      memoryAvailablePercent: system.memory.totalBytes ? round((system.memory.availableBytes / system.memory.totalBytes) * 100) : null,
      diskFreePercent: disk && disk.sizeBytes ? round(100 - disk.usePercent) : null,
      diskFreeMB: disk ? Math.floor(disk.availableBytes / mib) : null,
      rssMB: round(rss / mib),
      eventLoopDelayMs: eld === null ? null : round(eld),
      overdueTickets: (this.#overdue.get(now.toISOString()) as { n: number }).n,
      ...partFigures(this.deps.parts()),
    };
    this.latest = { at: now.toISOString(), system, rssBytes: rss, figures };
    return this.latest;
  }

  stop(): void {
    this.#eld.disable();
  }
}
