// The V.253 voice modem on an analog line (drivers/voice-modem) as a trunk driver for the calls subsystem:
//
//   edgebox start --driver voice-modem --serial /dev/ttyACM0 [--baud 115200] [--called 12328]
//                 [--compression alaw,ulaw,linear16,linear8s,linear8u] [--duplex on|off]
//                 [--at-init "AT+VGT=128;AT+VGR=128"] [--silence-hangup 10]
//
// Registered before the calls installer picks a driver (firmware-agent/subsystems.ts); the modem is built
// only when --driver voice-modem selects it. The flags become a typed VoiceModemConfig here: the driver reads
// no flags and no environment. A bad flag stops the start with its name.
import { createVoiceModem, COMPRESSION_KINDS, type CompressionKind, type VoiceModemConfig } from '../../drivers/voice-modem/index.js';
import type { Logger } from '../../drivers/serial-at/log.js';
import { boxClock, registerTrunkDriver } from '../calls/install.js';
import type { Installer } from '../subsystems.js';

export class VoiceModemFlagError extends Error {
  override readonly name = 'VoiceModemFlagError';
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`--${flag}: ${message}`);
  }
}

/** Reads the `edgebox start` flags of the voice-modem driver. Throws VoiceModemFlagError naming the flag. */
export function voiceModemConfigFromFlags(flags: Record<string, string | boolean | undefined>): VoiceModemConfig {
  const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  const serial = str('serial');
  if (!serial) throw new VoiceModemFlagError('serial', '--driver voice-modem needs --serial <device path>');
  const baud = str('baud');
  const baudRate = baud === undefined ? undefined : Number(baud);
  if (baudRate !== undefined && (!Number.isInteger(baudRate) || baudRate < 300)) throw new VoiceModemFlagError('baud', `must be an integer ≥ 300, got ${baud}`);
  const called = str('called');
  if (called !== undefined && !/^\+?\d+$/.test(called)) throw new VoiceModemFlagError('called', `must be digits, got ${called}`);
  const comp = str('compression');
  const compressions = comp?.split(',').map((c) => c.trim()).filter(Boolean) as CompressionKind[] | undefined;
  const bad = compressions?.find((c) => !COMPRESSION_KINDS.includes(c));
  if (bad !== undefined || (compressions && !compressions.length)) {
    throw new VoiceModemFlagError('compression', `must be a list of ${COMPRESSION_KINDS.join(', ')}, got ${comp}`);
  }
  const duplexFlag = str('duplex');
  if (duplexFlag !== undefined && duplexFlag !== 'on' && duplexFlag !== 'off') throw new VoiceModemFlagError('duplex', `must be on or off, got ${duplexFlag}`);
  const atInit = str('at-init');
  const extraInit = atInit === undefined ? undefined : atInit.split(';').map((c) => c.trim()).filter(Boolean);
  const badInit = extraInit?.find((c) => !/^AT[^\r\n]*$/i.test(c) || /^AT\s*(D|A$|H|\+VLS=1|\+VTX|\+VRX|\+VTR|Z)/i.test(c));
  if (badInit !== undefined) throw new VoiceModemFlagError('at-init', `not an initialisation command: ${JSON.stringify(badInit)}`);
  const sh = str('silence-hangup');
  const silenceHangupS = sh === undefined ? undefined : Number(sh);
  if (silenceHangupS !== undefined && !(silenceHangupS >= 1 && silenceHangupS <= 120)) throw new VoiceModemFlagError('silence-hangup', `seconds 1..120, got ${sh}`);
  return Object.freeze({
    serial,
    ...(baudRate !== undefined ? { baudRate } : {}),
    ...(called ? { called } : {}),
    ...(compressions ? { compressions: Object.freeze(compressions) } : {}),
    ...(duplexFlag ? { duplex: duplexFlag === 'on' } : {}),
    ...(extraInit ? { extraInit: Object.freeze(extraInit) } : {}),
    ...(silenceHangupS !== undefined ? { silenceHangupMs: silenceHangupS * 1000 } : {}),
  });
}

export const installVoiceModem: Installer = async (box, opts) => {
  registerTrunkDriver('voice-modem', async () => {
    const config = voiceModemConfigFromFlags(opts.flags ?? {});
    const { trunk } = createVoiceModem(config, {
      logger: box.http.log.child({ module: 'voice-modem' }) as unknown as Logger,
      clock: boxClock(box),
    });
    return trunk; // the calls installer starts and stops it
  });
};
