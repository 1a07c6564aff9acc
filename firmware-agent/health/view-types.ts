// A health sample (GET /api/health/sample, POST /api/alarms/sample) as types with no runtime import: the
// sampler builds it (sampler.ts, system.ts), the alarm rules read its figures (alarms/rules.ts) and the
// technician page shows it (web-ui/src/pages/technician.tsx), from this one file.

/** What a health sample measured; null where the box has no such figure. */
export interface Figures {
  load1PerCore: number | null;
  cpuUsePercent: number | null;
  temperatureC: number | null;
  memoryAvailablePercent: number | null;
  diskFreePercent: number | null;
  diskFreeMB: number | null;
  rssMB: number | null;
  eventLoopDelayMs: number | null;
  modemSignalRssi: number | null;
  netOutboxDepth: number | null;
  netOutboxAgeMinutes: number | null;
  smsOutboxDepth: number | null;
  overdueTickets: number | null;
  /** States: true good, false bad, null when the box has no such part. */
  modemReady: boolean | null;
  modemRegistered: boolean | null;
  trunkUp: boolean | null;
}

export interface SystemSample {
  at: string;
  disk: { mount: string; sizeBytes: number; availableBytes: number; usePercent: number } | null;
  memory: { totalBytes: number; availableBytes: number };
  cpuTemperatureC: number | null;
  /** The 1-minute load average (runnable processes), as `uptime` shows it. */
  load1: number | null;
  /** CPU use since the previous sample, percent of all cores — a different figure from the load average. */
  cpuUsePercent: number | null;
}

export interface HealthSample {
  at: string;
  system: SystemSample;
  rssBytes: number;
  figures: Figures;
}
