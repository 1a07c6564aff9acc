// A simulated modem on the far end of a real socat pty pair, and a GsmModem on the near end (through a
// stable symlink, so the pty can vanish and come back at the same path like a re-plugged USB modem).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GsmModem, type GsmModemOptions } from '../../drivers/serial-at/modem.js';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { serialPortTransport } from '../../drivers/serial-at/transport.js';
import { pluggedPty } from './pty.js';
import { recordingLogger } from '../../common/log.js';
import { systemClock } from '../../common/clock.js';

export interface PtyRig {
  sim: SimulatedModem;
  log: ReturnType<typeof recordingLogger>;
  /** A new modem on the pty (several may be made one after the other, as across box restarts). */
  newModem(overrides?: Partial<GsmModemOptions>): GsmModem;
  /** Kills socat: both pty ends vanish. */
  disappear(): Promise<void>;
  /** A new socat pair at the same host path, the simulator attached to its far end. */
  comeBack(): Promise<void>;
}

/** A GSM modem's timings on a test rig: short command and send timeouts and backoff, so faults show quickly. */
export const rigModemTimings = {
  commandTimeoutMs: 1000,
  sendTimeoutMs: 2500,
  backoffMs: 50,
  maxBackoffMs: 400,
  resetSettleMs: 3000,
  healthIntervalMs: 60_000,
  ringGapMs: 5000,
} as const;

export async function ptyRig(t: { teardown(fn: () => unknown): void }): Promise<PtyRig> {
  const dir = mkdtempSync(join(tmpdir(), 'edgebox-pty-'));
  const link = join(dir, 'ttyGSM0');
  const sim = new SimulatedModem({ restartMs: 20, ringIntervalMs: 400, ttsMsPerChar: 5 });
  const log = recordingLogger();
  const modems: GsmModem[] = [];
  const { plug, unplug } = await pluggedPty(link, sim);
  t.teardown(async () => {
    for (const m of modems) await m.stop();
    await unplug();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    sim,
    log,
    newModem(overrides = {}) {
      const m = new GsmModem({
        transport: serialPortTransport({ path: link }),
        clock: systemClock,
        logger: log,
        ...rigModemTimings,
        ...overrides,
      });
      modems.push(m);
      return m;
    },
    disappear: unplug,
    comeBack: plug,
  };
}
