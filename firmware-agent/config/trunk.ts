// The trunk driver's settings between the `edgebox start` flags and the configuration's `trunk` section.
// `edgebox start --driver serial-at --serial /dev/ttyUSB2 --baud 115200` writes {driver, serial, options:
// {baud}} into config.json; a later start without flags runs the same driver. The composition plan
// (firmware-agent/compose.ts) turns the section into the driver's typed options (config/trunk-options.ts).
import type { TrunkConfig, TrunkDriverName } from './model.js';

/** Flags that are not trunk settings: `edgebox start`'s own options, network test tunables, the demo switch. */
const startOptions = new Set(['port', 'host', 'data', 'role', 'region', 'log-level', 'demo', 'exchange-tls-port']);
const notTrunk = (name: string) => name.startsWith('net-') || startOptions.has(name);

const drivers: readonly TrunkDriverName[] = ['simulator', 'serial-at', 'e1-pri', 'voice-modem'];

export class TrunkFlagError extends Error {
  readonly code = 'config-invalid';
}

/**
 * The trunk section the flags ask for, or null when they name no trunk setting. `--driver` replaces the whole
 * section (options of the previous driver do not leak into the new one); without it, the flags given change
 * only their own keys.
 */
export function trunkFromFlags(current: Readonly<TrunkConfig>, flags: Record<string, string | boolean | undefined>): TrunkConfig | null {
  const given = Object.entries(flags).filter((e): e is [string, string] => typeof e[1] === 'string' && !notTrunk(e[0]));
  if (given.length === 0) return null;
  const driver = flags.driver;
  if (typeof driver === 'string' && !drivers.includes(driver as TrunkDriverName)) {
    throw new TrunkFlagError(`--driver ${driver}: no such trunk driver (known: ${drivers.join(', ')})`);
  }
  const next: TrunkConfig =
    typeof driver === 'string'
      ? { driver: driver as TrunkDriverName, serial: null, dchannel: null, options: {} }
      : { ...current, options: { ...current.options } };
  for (const [k, v] of given) {
    if (k === 'driver') continue;
    if (k === 'serial') next.serial = v;
    else if (k === 'dchannel') next.dchannel = v;
    else next.options[k] = v;
  }
  return next;
}

/** The trunk section's values by setting name (`serial`, `dchannel`, the options), as config/trunk-options.ts reads them. */
export function trunkValues(t: Readonly<TrunkConfig>): Record<string, string> {
  return {
    ...t.options,
    driver: t.driver,
    ...(t.serial ? { serial: t.serial } : {}),
    ...(t.dchannel ? { dchannel: t.dchannel } : {}),
  };
}

export function sameTrunk(a: Readonly<TrunkConfig>, b: Readonly<TrunkConfig>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
