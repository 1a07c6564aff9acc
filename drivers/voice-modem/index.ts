// The V.253 voice-modem driver: one analog line, one call at a time, audio over the modem's serial port.
//
//   const { modem, trunk } = createVoiceModem(config, { logger, clock });
//   registerTrunkDriver('voice-modem', async () => trunk);   // firmware-agent/voice-modem/install.ts
//
// The configuration is a typed object (the installer reads the command-line flags into it); the driver
// reads no flags and no environment.
import { systemClock, type Clock } from '../../common/clock.js';
import { serialPortTransport, type TransportFactory } from '../serial-at/transport.js';
import type { Logger } from '../../common/log.js';
import type { CompressionKind } from './codec.js';
import { VoiceModemError, VoiceModemErrorCodes } from './errors.js';
import { VoiceModem } from './modem.js';
import { VoiceModemTrunk } from './trunk.js';

export interface VoiceModemConfig {
  /** Device path, e.g. /dev/ttyACM0 (USRobotics 5637 is a CDC-ACM device) or a udev symlink. Required. */
  serial: string;
  /** Bits per second (default 115200). */
  baudRate?: number;
  /** The number callers dial to reach the line (default 12328). */
  called?: string;
  /** Compressions the box may choose, in order (default alaw, ulaw, linear16, linear8s, linear8u). */
  compressions?: readonly CompressionKind[];
  /** Use +VTR full duplex where offered (default true). */
  duplex?: boolean;
  /** Extra AT commands at the end of initialisation (volume, country), each optional. */
  extraInit?: readonly string[];
  /** While recording a message, this much silence means the caller hung up, ms (default 10000). */
  silenceHangupMs?: number;
  /** Digit prompts 0.wav … 9.wav for spoken values (optional). */
  sayDir?: string;
  /** Ring gap meaning an abandoned call, ms (default 8000). */
  ringGapMs?: number;
}

export const COMPRESSION_KINDS: readonly CompressionKind[] = ['alaw', 'ulaw', 'linear16', 'linear8s', 'linear8u'];

export function createVoiceModem(
  config: VoiceModemConfig,
  deps: { logger?: Logger; clock?: Clock; transport?: TransportFactory } = {},
): { modem: VoiceModem; trunk: VoiceModemTrunk } {
  if (!config || typeof config.serial !== 'string' || config.serial === '') {
    throw new VoiceModemError(VoiceModemErrorCodes.BadOption, 'voice-modem: `serial` must be a device path', { param: 'serial' });
  }
  const bad = config.compressions?.find((c) => !COMPRESSION_KINDS.includes(c));
  if (bad !== undefined) throw new VoiceModemError(VoiceModemErrorCodes.BadOption, `voice-modem: unknown compression ${bad}`, { param: 'compressions' });
  const clock = deps.clock ?? systemClock;
  const modem = new VoiceModem({
    transport: deps.transport ?? serialPortTransport({ path: config.serial, ...(config.baudRate ? { baudRate: config.baudRate } : {}) }),
    clock,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(config.compressions ? { compressions: config.compressions } : {}),
    ...(config.duplex !== undefined ? { duplex: config.duplex } : {}),
    ...(config.extraInit ? { extraInit: config.extraInit } : {}),
    ...(config.ringGapMs ? { ringGapMs: config.ringGapMs } : {}),
  });
  const trunk = new VoiceModemTrunk({
    modem,
    clock,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(config.called ? { called: config.called } : {}),
    ...(config.silenceHangupMs ? { silenceHangupMs: config.silenceHangupMs } : {}),
    ...(config.sayDir ? { sayDir: config.sayDir } : {}),
  });
  return { modem, trunk };
}

export { VoiceModem, type VoiceModemOptions, type VoiceModemStatus, type VoiceModemEvents } from './modem.js';
export { VoiceModemTrunk, type VoiceModemTrunkOptions } from './trunk.js';
export { VoiceModemError, VoiceModemErrorCodes, isVoiceModemError } from './errors.js';
export type { CompressionKind } from './codec.js';
