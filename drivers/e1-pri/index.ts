/**
 * The E1 ISDN PRI card driver (issue 7). What the rest of the box uses:
 *  - `createE1PriTrunk(box, opts)`: the trunk factory for `registerTrunkDriver('e1-pri', …)`;
 *  - `E1PriDriver`: the TrunkDriver facade (libpri runs in a span worker child process);
 *  - `probeE1` / `formatProbe`: `edgebox probe`;
 *  - `TelcoSim` / `simulateE1`: the operator's exchange for tests and `edgebox simulate --driver e1-pri`.
 */
import { E1PriDriver, type E1Logger } from './driver.js';
import type { E1SpanConfigInput } from './config.js';

export { E1PriDriver, type E1Logger, type E1PriDriverOptions } from './driver.js';
export { validateConfig, parseChannelList, type E1SpanConfig, type E1SpanConfigInput } from './config.js';
export { E1Error, E1_ERROR_CODES, type E1ErrorCode } from './errors.js';
export { probeE1, formatProbe, type E1ProbeResult } from './probe.js';
export { TelcoSim, SimLine, type IncomingBehaviour } from './telco-sim/telco.js';
export { simulateE1 } from './telco-sim/cli.js';

/**
 * Trunk factory for the composition root, with the span's typed options (config/trunk-options.ts). `box.http.log` (pino) fits `E1Logger`; numbers are
 * redacted by the driver before they reach the log (T11).
 */
export async function createE1PriTrunk(
  box: { http?: { log?: { child?: (b: object) => unknown } } },
  config: E1SpanConfigInput,
): Promise<E1PriDriver> {
  const child = box.http?.log?.child?.({ module: 'e1-pri' }) as E1Logger | undefined;
  return new E1PriDriver({ config, ...(child ? { logger: child } : {}) });
}
