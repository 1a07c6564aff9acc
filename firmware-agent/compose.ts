// The composition plan: what the box runs, decided in one place from the configuration and the start-time
// overrides, handed to the subsystems as typed option objects. Drivers and domain modules read no command-line
// flags and no environment variables; they get:
//   trunk           the driver the configuration's `trunk` section names, with its typed options
//                   (config/trunk-options.ts); `edgebox start --driver … --serial …` has already written them
//                   there (config/record.ts), a test's in-process box may pass them as `flags`
//   network         the exchange's timings (config/network-tunables.ts: network.tunables in the
//                   configuration, a test's start-time overrides --net-* winning, else the defaults)
//   promptCacheDir  the synthesised-prompt cache, `<data>/cache/prompts` (EDGEBOX_PROMPT_CACHE, read here and
//                   only here, lets a test suite share one cache between data directories)
// app.ts builds the plan, then the trunk driver it names (buildTrunk: the one place that chooses and
// constructs a driver), before the installers of subsystems.ts run, and passes both to each of them: the
// calls installer runs the driver, the SMS installer the serial-at driver's modem.
import path from 'node:path';
import { systemClock } from '../common/clock.js';
import type { TrunkDriver } from '../drivers/trunk/types.js';
import { SimulatorTrunk } from '../drivers/simulator/trunk.js';
import type { GsmModem, Logger as SerialAtLogger } from '../drivers/serial-at/index.js';
import type { Box } from './app.js';
import { boxClock, registeredTrunk } from './calls/install.js';
import { explainLibLoad } from './e1/install.js';
import type { SerialAtConfig } from '../drivers/serial-at/index.js';
import type { E1SpanConfigInput } from '../drivers/e1-pri/config.js';
import type { VoiceModemConfig } from '../drivers/voice-modem/index.js';
import type { BoxConfig, TrunkConfig } from './config/model.js';
import { e1Options, serialAtOptions, voiceModemOptions } from './config/trunk-options.js';
import { trunkFromFlags, trunkValues } from './config/trunk.js';
import { type NetworkTunables, networkTunables } from './config/network-tunables.js';

export type TrunkPlan =
  | { driver: 'simulator' }
  | { driver: 'serial-at'; options: SerialAtConfig }
  | { driver: 'e1-pri'; options: E1SpanConfigInput }
  | { driver: 'voice-modem'; options: VoiceModemConfig }
  /** A driver an in-process caller registered by name (calls/install.ts registerTrunkDriver; tests' simulators). */
  | { driver: 'registered'; name: string };

export type { NetworkTunables };

export interface BoxPlan {
  trunk: TrunkPlan;
  network: NetworkTunables;
  promptCacheDir: string;
}

export class StartOptionError extends Error {
  readonly code = 'config-invalid';
}

function number(flags: Readonly<Record<string, string | boolean | undefined>>, flag: string, min: number, max: number): number | undefined {
  const raw = flags[flag];
  if (typeof raw !== 'string') return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new StartOptionError(`--${flag} must be a number from ${min} to ${max}, got ${raw}`);
  return n;
}

/** The network tunables: a start-time override, else the configuration's network.tunables, else the default. */
export function resolveNetworkTunables(configured: Readonly<Partial<NetworkTunables>> = {}, flags: Readonly<Record<string, string | boolean | undefined>> = {}): NetworkTunables {
  const out = { exchangeTlsPort: number(flags, 'exchange-tls-port', -1, 65535) ?? configured.exchangeTlsPort ?? null } as NetworkTunables;
  for (const [key, flag, dflt, min, max] of networkTunables) out[key] = number(flags, flag, min, max) ?? configured[key] ?? dflt;
  return out;
}

const builtIn = new Set(['simulator', 'serial-at', 'e1-pri', 'voice-modem']);

export function trunkPlan(trunk: Readonly<TrunkConfig>): TrunkPlan {
  const values = trunkValues(trunk);
  switch (trunk.driver) {
    case 'serial-at':
      return { driver: 'serial-at', options: serialAtOptions(values) };
    case 'e1-pri':
      return { driver: 'e1-pri', options: e1Options(values) };
    case 'voice-modem':
      return { driver: 'voice-modem', options: voiceModemOptions(values) };
    default:
      return { driver: 'simulator' };
  }
}

/**
 * The plan of a box on `dataDir` with configuration `cfg`. `flags` are start-time overrides: with `driver`, a
 * trunk for this run (an in-process test box; `edgebox start` has written its flags into the configuration
 * already, so the two agree), and the network tunables.
 */
export function planBox(
  cfg: Readonly<BoxConfig>,
  dataDir: string,
  flags: Readonly<Record<string, string | boolean | undefined>> = {},
  env: NodeJS.ProcessEnv = process.env,
  registered: (name: string) => boolean = () => false,
): BoxPlan {
  const driver = flags.driver;
  const custom = typeof driver === 'string' && !builtIn.has(driver) && registered(driver);
  const trunk = typeof driver === 'string' && !custom ? trunkFromFlags(cfg.trunk, flags)! : cfg.trunk;
  return {
    trunk: custom ? { driver: 'registered', name: driver } : trunkPlan(trunk),
    network: resolveNetworkTunables(cfg.network.tunables, flags),
    promptCacheDir: promptCacheDirOf(dataDir, env),
  };
}

/** The synthesised-prompt cache of a data directory: `<data>/cache/prompts`, or a suite's shared EDGEBOX_PROMPT_CACHE. */
export function promptCacheDirOf(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.EDGEBOX_PROMPT_CACHE || path.join(dataDir, 'cache', 'prompts');
}

/** The trunk driver a plan names, built; `modem` is the serial-at driver's modem (the SMS channel's), else null. */
export interface BuiltTrunk {
  driver: TrunkDriver;
  modem: GsmModem | null;
}

/** Builds the driver the plan names with its typed options (not started: the calls installer starts it). */
export async function buildTrunk(box: Box, trunk: TrunkPlan): Promise<BuiltTrunk> {
  const logger = (module: string) => box.http.log.child({ module }) as unknown as SerialAtLogger;
  switch (trunk.driver) {
    case 'serial-at': {
      // The serial AT driver (36 modules) is loaded only when it is the chosen driver. One modem serves the
      // trunk and the SMS channel: they share the one serial port.
      const { createSerialAt } = await import('../drivers/serial-at/index.js');
      const { modem, trunk: gateway } = createSerialAt(trunk.options, { logger: logger('serial-at'), clock: systemClock });
      return { driver: gateway, modem };
    }
    case 'e1-pri': {
      // koffi and libpri are loaded only for an E1 box; without libpri the start fails naming the package.
      const { createE1PriTrunk } = await import('../drivers/e1-pri/index.js').catch((err: unknown) => {
        throw explainLibLoad(err);
      });
      const driver = await createE1PriTrunk(box, trunk.options);
      const start = driver.start.bind(driver);
      driver.start = () => start().catch((err: unknown) => {
        throw explainLibLoad(err);
      });
      return { driver, modem: null };
    }
    case 'voice-modem': {
      const { createVoiceModem } = await import('../drivers/voice-modem/index.js');
      return { driver: createVoiceModem(trunk.options, { logger: logger('voice-modem'), clock: boxClock(box) }).trunk, modem: null };
    }
    case 'registered':
      return { driver: await registeredTrunk(trunk.name)(box), modem: null };
    default: {
      const sim = new SimulatorTrunk({ channels: 120, clock: boxClock(box) });
      // Demo stations so a fresh box can take a call end to end: 8001..8004 answer after 3 s and the
      // simulated agent hangs up after 15 s (an agent who goes ready with station 8001 gets such calls).
      for (let i = 1; i <= 4; i++) sim.addStation(`800${i}`, { answerAfterMs: 3000, talkMs: 15_000 });
      return { driver: sim, modem: null };
    }
  }
}
