// A simulated GSM module on real socat ptys — its AT port and its voice port (a second pty pair, as the
// module's second USB serial device) — and the serial-AT driver (GsmModem + VoicePort + SerialAtTrunk) on the
// near ends, through stable symlinks. `voice: false` leaves the voice device missing (the path the box is
// given does not exist), as on a module whose audio port is not enumerated.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../common/clock.js';
import type { TrunkEvents } from '../../drivers/trunk/types.js';
import { extraInitOf, turnsDetectorOn } from '../../drivers/serial-at/index.js';
import { recordingLogger } from '../../common/log.js';
import { GsmModem, type PcmFamily } from '../../drivers/serial-at/modem.js';
import { SimulatedModem, type SimOptions } from '../../drivers/serial-at/simulator/modem-sim.js';
import { openPtyPair, type PtyPair } from '../../drivers/serial-at/simulator/pty.js';
import { rigModemTimings } from './serial-at-rig.js';
import { SimulatedVoicePort, type VoicePortSimOptions } from '../../drivers/serial-at/simulator/voice-sim.js';
import { serialPortTransport, type ByteTransport } from '../../drivers/serial-at/transport.js';
import { SerialAtTrunk, type SerialAtTrunkOptions } from '../../drivers/serial-at/trunk.js';
import { VoicePort } from '../../drivers/serial-at/voice-port.js';
import { nextEvent } from '../helpers/trunk-contract.js';

export interface GsmVoiceRig {
  sim: SimulatedModem;
  voice: SimulatedVoicePort;
  modem: GsmModem;
  trunk: SerialAtTrunk;
  log: ReturnType<typeof recordingLogger>;
  dir: string;
  /** The path the box opens for the voice port. */
  voicePath: string;
  next<K extends keyof TrunkEvents>(event: K, filter?: (e: TrunkEvents[K]) => boolean): Promise<TrunkEvents[K]>;
  close(): Promise<void>;
}

export async function gsmVoiceRig(
  o: {
    family?: PcmFamily;
    voice?: VoicePortSimOptions | false;
    sim?: SimOptions;
    rate?: 8000 | 16000 | 'auto';
    trunk?: Partial<SerialAtTrunkOptions>;
    clock?: Clock;
  } = {},
): Promise<GsmVoiceRig> {
  const family = o.family ?? 'simcom';
  const clock = o.clock ?? systemClock;
  const dir = mkdtempSync(join(tmpdir(), 'gsm-voice-'));
  const atLink = join(dir, 'ttyUSB2');
  const voiceLink = join(dir, 'ttyUSB4');
  const sim = new SimulatedModem({ clock, restartMs: 20, ringIntervalMs: 400, ttsMsPerChar: 5, ...o.sim });
  const voice = new SimulatedVoicePort(sim, { clock, ...(o.voice || {}) });
  const pairs: PtyPair[] = [];
  const ports: ByteTransport[] = [];
  const at = await openPtyPair({ hostLink: atLink });
  pairs.push(at);
  ports.push(await serialPortTransport({ path: at.device }).open());
  sim.attach(ports[0]!);
  if (o.voice !== false) {
    const v = await openPtyPair({ hostLink: voiceLink });
    pairs.push(v);
    const vp = await serialPortTransport({ path: v.device }).open();
    ports.push(vp);
    voice.attach(vp);
  }
  const log = recordingLogger();
  const extraInit = extraInitOf({ module: family });
  const modem = new GsmModem({
    transport: serialPortTransport({ path: atLink }),
    clock,
    logger: log,
    ...rigModemTimings,
    extraInit,
  });
  const port = new VoicePort({ transport: serialPortTransport({ path: voiceLink }), clock, logger: log, rate: o.rate ?? (family === 'quectel' ? 8000 : 'auto') });
  const trunk = new SerialAtTrunk({
    modem,
    clock,
    logger: log,
    moduleDetectsDigits: turnsDetectorOn(extraInit),
    voice: { port, family },
    ...o.trunk,
  });
  let closed = false;
  return {
    sim,
    voice,
    modem,
    trunk,
    log,
    dir,
    voicePath: voiceLink,
    next: (event, filter) => nextEvent(trunk, event, filter),
    async close() {
      if (closed) return;
      closed = true;
      sim.callerHangsUp(); // stops the simulated voice stream and any ringing
      await trunk.stop();
      for (const p of ports) await p.close();
      for (const p of pairs) await p.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
