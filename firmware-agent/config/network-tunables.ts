// The exchange's timings (issue 12 §1): defaults, ranges, the configuration's `network.tunables` (each
// optional; `edgebox config set network.tunables.retryBaseMs 2000`) and the start-time overrides tests pass
// (`--net-retry-base-ms 50`, …). The composition plan (compose.ts) resolves them into one typed object for
// the network installer: override, else configuration, else default.
export interface NetworkTunables {
  /** First retry delay, ms. */
  retryBaseMs: number;
  /** Retry ceiling, ms. */
  retryMaxMs: number;
  /** Idle look-again interval of the push loop, ms. */
  idleMs: number;
  /** Long-poll wait, s. */
  pollWaitSeconds: number;
  /** Messages per batch. */
  batchSize: number;
  /** Most messages accepted in one pushed batch. */
  maxBatch: number;
  /** Delay of the daily jobs' catch-up run after start (at most 30 s), ms. */
  statsCheckMs: number;
  /** Oldest unsent message age that raises a warning, s. */
  backlogWarnS: number;
  /** Days the nightly statistics job computes again. */
  statsDays: number;
  /** The exchange over TLS (province, ministry): port, 0 any, -1 off; null: the HTTP port + 1 (0 when that is 0). */
  exchangeTlsPort: number | null;
}

/** Each tunable: its start flag, default, range (the defaults of the push loop are network/sync.ts's). */
export const networkTunables: readonly [key: Exclude<keyof NetworkTunables, 'exchangeTlsPort'>, flag: string, dflt: number, min: number, max: number][] = [
  ['retryBaseMs', 'net-retry-base-ms', 1000, 1, 600_000],
  ['retryMaxMs', 'net-retry-max-ms', 300_000, 1, 86_400_000],
  ['idleMs', 'net-idle-ms', 5000, 1, 3_600_000],
  ['pollWaitSeconds', 'net-poll-wait', 25, 0, 300],
  ['batchSize', 'net-batch', 200, 1, 5000],
  ['maxBatch', 'net-max-batch', 500, 1, 10_000],
  ['statsCheckMs', 'net-stats-check-ms', 600_000, 100, 86_400_000],
  ['backlogWarnS', 'net-backlog-warn-s', 3600, 1, 10_000_000],
  ['statsDays', 'net-stats-days', 7, 1, 90],
];

/** JSON schema of `network.tunables` (config/schema.ts): every key optional, each in its range. */
export const networkTunablesSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...Object.fromEntries(networkTunables.map(([key, , , min, max]) => [key, { type: 'number', minimum: min, maximum: max }])),
    exchangeTlsPort: { type: 'integer', minimum: -1, maximum: 65535 },
  },
} as const;
