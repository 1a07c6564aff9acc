// Public surface of the serial-AT driver (GSM / analog-GSM gateway on a serial port).
//
// Composition root (firmware-agent/compose.ts; `edgebox start --driver serial-at --serial /dev/ttyUSB0`):
//
//   const { modem, trunk } = createSerialAt(config, { logger, clock });   // config: a typed SerialAtConfig
//   (firmware-agent/compose.ts builds it from the configuration's trunk section; the driver reads no flags
//   and no environment)
//   registerTrunkDriver('serial-at', async () => trunk);   // calls: IVR/queue over the gateway
//   // SMS channel: modem.on('sms' | 'statusReport'), modem.sendSms(), modem.delete(index, { stored: true })
//
// One modem instance serves both the trunk and the SMS channel: they share the one serial port.
import type { Clock } from '../../common/clock.js';
import { systemClock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { moduleInit, type ModuleFamily } from './init.js';
import { GsmModem } from './modem.js';
import { serialPortTransport, type TransportFactory } from './transport.js';
import { SerialAtTrunk } from './trunk.js';
import { VoicePort } from './voice-port.js';

export interface SerialAtConfig {
  /** Device path, e.g. /dev/ttyUSB2 or a udev symlink /dev/gsm0. Required. */
  serial: string;
  /** Bits per second (default 115200). */
  baudRate?: number;
  /** The number callers dial to reach the gateway's line (default 12328). */
  called?: string;
  /** Agent positions wired to the gateway's audio (default none). */
  stations?: string[];
  /** Health poll period, ms (default 30000). */
  healthIntervalMs?: number;
  /** Service-centre number if the SIM has none. */
  smsc?: string;
  /** Request SMS status reports (default true). */
  statusReports?: boolean;
  /** Module family, for its default extra initialisation (`moduleInit`); default generic (none). */
  module?: ModuleFamily;
  /** Extra AT commands at the end of initialisation; replaces the family's default list when given. */
  extraInit?: readonly string[];
  /**
   * IVR prompts: `pause` (default; AT has no audio path) or `tts`, spoken by the module's own TTS
   * (SIMCom AT+CTTS / Quectel AT+QTTS, chosen by `module`, which must then be simcom or quectel).
   */
  prompts?: 'pause' | 'tts' | 'module-file';
  /** `module`: the module records calls itself (AT+QAUDRD / AT+CREC), the box fetches the file. Needs `module` quectel or simcom. */
  record?: 'module';
  /** Digit prompts 0.wav … 9.wav for the values a prompt says (queue position, minutes), played after it. */
  sayDir?: string;
  /**
   * The module's voice port (second serial device carrying PCM: Quectel AT+QPCMV=1,0, SIMCom AT+CPCMREG=1),
   * e.g. /dev/ttyUSB4. Needs `module` quectel or simcom. With it the box plays, hears and records the call.
   */
  voicePort?: string;
  /**
   * PCM rate on the voice port: 8000, 16000 (some SIMCom firmware) or `auto` (measured per call from the
   * downlink's byte rate; the first ~0.6 s of a call waits for it). Default: 8000 for Quectel (AT+QPCMV is 8 kHz
   * linear), auto for SIMCom.
   */
  voiceRate?: 8000 | 16000 | 'auto';
}

/**
 * Whether the extra initialisation turns a module DTMF detector on (SIMCom AT+DDET=1, Quectel AT+QTONEDET=1,
 * see init.ts moduleInit). A generic module without one cannot report keys: capabilities say digits 'none'
 * unless the box hears them itself on a voice port.
 */
export function turnsDetectorOn(extraInit: readonly string[]): boolean {
  return extraInit.some((c) => /^AT\s*\+\s*(DDET\s*=\s*1|QTONEDET\s*=\s*1)\b/i.test(c.trim()));
}

/**
 * The extra initialisation a configuration asks for: its own list, else its module family's default
 * (plus, for SIMCom TTS prompts, AT+CDTAM=1: speech goes to the far end of the call, not the local
 * speaker — SIMCom TTS application note, AT+CDTAM).
 */
export function extraInitOf(config: Pick<SerialAtConfig, 'module' | 'extraInit' | 'prompts'>): readonly string[] {
  if (config.extraInit) return config.extraInit;
  const family = moduleInit[config.module ?? 'generic'];
  return config.prompts === 'tts' && config.module === 'simcom' ? [...family, 'AT+CDTAM=1'] : family;
}

export function createSerialAt(
  config: SerialAtConfig,
  deps: { logger?: Logger; clock?: Clock; transport?: TransportFactory; voiceTransport?: TransportFactory } = {},
): { modem: GsmModem; trunk: SerialAtTrunk } {
  const clock = deps.clock ?? systemClock;
  const transport = deps.transport ?? serialPortTransport({ path: config.serial, ...(config.baudRate ? { baudRate: config.baudRate } : {}) });
  const modem = new GsmModem({
    transport,
    clock,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(config.healthIntervalMs ? { healthIntervalMs: config.healthIntervalMs } : {}),
    ...(config.smsc ? { smsc: config.smsc } : {}),
    ...(config.statusReports !== undefined ? { statusReports: config.statusReports } : {}),
    extraInit: extraInitOf(config),
  });
  const family = config.module === 'simcom' || config.module === 'quectel' ? config.module : undefined;
  const voiceTransport = deps.voiceTransport ?? (config.voicePort ? serialPortTransport({ path: config.voicePort, ...(config.baudRate ? { baudRate: config.baudRate } : {}) }) : undefined);
  const voice =
    voiceTransport && family
      ? {
          port: new VoicePort({ transport: voiceTransport, clock, ...(deps.logger ? { logger: deps.logger } : {}), rate: config.voiceRate ?? (family === 'quectel' ? 8000 : 'auto') }),
          family,
          ...(config.sayDir ? { sayDir: config.sayDir } : {}),
        }
      : undefined;
  const moduleFiles =
    family && (config.prompts === 'module-file' || config.record === 'module')
      ? { family, play: config.prompts === 'module-file', record: config.record === 'module', ...(config.sayDir ? { sayDir: config.sayDir } : {}) }
      : undefined;
  const trunk = new SerialAtTrunk({
    modem,
    clock,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(config.called ? { called: config.called } : {}),
    ...(config.stations ? { stations: config.stations } : {}),
    ...(config.prompts === 'tts' && (config.module === 'simcom' || config.module === 'quectel') ? { tts: config.module } : {}),
    moduleDetectsDigits: turnsDetectorOn(extraInitOf(config)),
    ...(voice ? { voice } : {}),
    ...(moduleFiles ? { moduleFiles } : {}),
  });
  return { modem, trunk };
}

export { GsmModem, type TtsEngine, type GsmModemOptions, type ModemStatus, type IncomingSms, type UndecodableSms, type ModemEvents, type LinkState } from './modem.js';
export { SerialAtTrunk, type SerialAtTrunkOptions } from './trunk.js';
export { VoicePort, type VoicePortOptions } from './voice-port.js';
export { ConcatAssembler, type AssembledMessage, type ReceivedPart } from './concat.js';
export { SerialAtError, SerialAtErrorCodes, isSerialAtError, type SerialAtErrorCode } from './errors.js';
export { serialPortTransport, mockPortTransport, memoryLink, type ByteTransport, type TransportFactory } from './transport.js';
export type { SendOptions, SendResult } from './outbox.js';
export { moduleInit, type ModuleFamily } from './init.js';
export type { Logger } from '../../common/log.js';
