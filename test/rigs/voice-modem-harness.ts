// A simulated V.253 voice modem on the far end of a real socat pty pair and the driver (VoiceModem +
// VoiceModemTrunk) on the near end, through a stable symlink so the pty can vanish and come back at the same
// path like a re-plugged USB modem.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialPortTransport } from '../../drivers/serial-at/transport.js';
import { pluggedPty } from './pty.js';
import { recordingLogger } from '../../common/log.js';
import { systemClock, type Clock } from '../../common/clock.js';
import type { TrunkEvents } from '../../drivers/trunk/types.js';
import { VoiceModem, type VoiceModemOptions } from '../../drivers/voice-modem/modem.js';
import { VoiceModemTrunk, type VoiceModemTrunkOptions } from '../../drivers/voice-modem/trunk.js';
import { SimulatedVoiceModem, type VoiceSimOptions } from '../../drivers/voice-modem/simulator/modem-sim.js';
import { nextEvent } from '../helpers/trunk-contract.js';

export interface VoicePtyRig {
  sim: SimulatedVoiceModem;
  modem: VoiceModem;
  trunk: VoiceModemTrunk;
  log: ReturnType<typeof recordingLogger>;
  dir: string;
  /** Resolves with the next trunk event of a kind. */
  next<K extends keyof TrunkEvents>(event: K, filter?: (e: TrunkEvents[K]) => boolean): Promise<TrunkEvents[K]>;
  disappear(): Promise<void>;
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

export async function voicePtyRig(
  o: { sim?: VoiceSimOptions; modem?: Partial<VoiceModemOptions>; trunk?: Partial<VoiceModemTrunkOptions>; clock?: Clock } = {},
): Promise<VoicePtyRig> {
  const dir = mkdtempSync(join(tmpdir(), 'voice-modem-'));
  const link = join(dir, 'ttyACM0');
  const clock = o.clock ?? systemClock;
  const sim = new SimulatedVoiceModem({ clock, ...o.sim });
  const log = recordingLogger();
  const { plug, unplug } = await pluggedPty(link, sim);
  const modem = new VoiceModem({
    transport: serialPortTransport({ path: link }),
    clock,
    logger: log,
    commandTimeoutMs: 1000,
    backoffMs: 50,
    maxBackoffMs: 400,
    healthIntervalMs: 60_000,
    ringGapMs: 3000,
    cidWaitMs: 2000,
    ...o.modem,
  });
  const trunk = new VoiceModemTrunk({ modem, clock, logger: log, ...o.trunk });
  let closed = false;
  return {
    sim,
    modem,
    trunk,
    log,
    dir,
    next: (event, filter) => nextEvent(trunk, event, filter),
    disappear: unplug,
    comeBack: plug,
    async close() {
      if (closed) return;
      closed = true;
      await trunk.stop();
      await unplug();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Peak absolute sample. */
export function peak(pcm: Int16Array): number {
  let p = 0;
  for (const s of pcm) p = Math.max(p, Math.abs(s));
  return p;
}
