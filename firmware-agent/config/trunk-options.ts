// The trunk drivers' typed option objects, built from the configuration's `trunk` section (which
// `edgebox start --driver … --serial … --dchannel …` writes, config/trunk.ts). Drivers take these objects and
// read no flags and no environment; the composition root (firmware-agent/compose.ts) hands them over. A bad
// value stops the start naming its setting (the name of its start flag).
import { SerialAtError, SerialAtErrorCodes } from '../../drivers/serial-at/errors.js';
import { isInitCommand, moduleInit, type ModuleFamily } from '../../drivers/serial-at/init.js';
import type { SerialAtConfig } from '../../drivers/serial-at/index.js';
import { parseChannelList, type E1SpanConfig, type E1SpanConfigInput } from '../../drivers/e1-pri/config.js';
import { TrunkError } from '../../drivers/trunk/types.js';
import { COMPRESSION_KINDS, type CompressionKind, type VoiceModemConfig } from '../../drivers/voice-modem/index.js';

/** The trunk section's values by setting name: `serial`, `dchannel` and the `options` (config/trunk.ts trunkValues). */
export type TrunkValues = Readonly<Record<string, string | boolean | undefined>>;

/**
 * The serial-at driver's options from the trunk section: `serial`, `baud`, `--called`, `--stations 801,802`, `--smsc`, `--module simcom|quectel|generic`
 * `--at-init "AT+DDET=1;AT+CLVL=80"` (`;`-separated; `--at-init none` for no extra commands),
 * `--prompts pause|tts|module-file`, `--record module`, `--say-dir <dir>` (each set by
 * the `edgebox start` flag of that name). Throws SerialAtError BadOption naming the setting when one is wrong.
 */
export function serialAtOptions(values: TrunkValues): SerialAtConfig {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const serial = str('serial');
  if (!serial) {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, '--driver serial-at needs --serial <device path>', { param: 'serial' });
  }
  const baud = str('baud');
  const baudRate = baud === undefined ? undefined : Number(baud);
  if (baudRate !== undefined && !Number.isInteger(baudRate)) {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, `--baud must be an integer, got ${baud}`, { param: 'baud' });
  }
  const stations = str('stations')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const called = str('called');
  const smsc = str('smsc');
  const family = str('module');
  if (family !== undefined && !(family in moduleInit)) {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, `--module must be one of ${Object.keys(moduleInit).join(', ')}, got ${family}`, { param: 'module' });
  }
  const atInit = str('at-init');
  const extraInit =
    atInit === undefined
      ? undefined
      : atInit.trim().toLowerCase() === 'none'
        ? []
        : atInit
            .split(';')
            .map((c) => c.trim())
            .filter(Boolean);
  const prompts = str('prompts');
  if (prompts !== undefined && prompts !== 'pause' && prompts !== 'tts' && prompts !== 'module-file') {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, `--prompts must be pause, tts or module-file, got ${prompts}`, { param: 'prompts' });
  }
  if ((prompts === 'tts' || prompts === 'module-file') && family !== 'simcom' && family !== 'quectel') {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, `--prompts ${prompts} needs --module simcom or quectel (the commands differ per module)`, { param: 'prompts' });
  }
  const record = str('record');
  if (record !== undefined && record !== 'module') {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, `--record must be module, got ${record}`, { param: 'record' });
  }
  if (record === 'module' && family !== 'simcom' && family !== 'quectel') {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, '--record module needs --module simcom or quectel (AT+QAUDRD or AT+CREC)', { param: 'record' });
  }
  const sayDir = str('say-dir');
  const voicePort = str('voice-port');
  if (voicePort !== undefined && family !== 'simcom' && family !== 'quectel') {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, '--voice-port needs --module simcom or quectel (AT+CPCMREG or AT+QPCMV turns the voice port on)', { param: 'voice-port' });
  }
  if (voicePort !== undefined && voicePort === serial) {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, '--voice-port must be a different device from --serial', { param: 'voice-port' });
  }
  const rate = str('voice-rate');
  if (rate !== undefined && rate !== '8000' && rate !== '16000' && rate !== 'auto') {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, `--voice-rate must be 8000, 16000 or auto, got ${rate}`, { param: 'voice-rate' });
  }
  if (rate !== undefined && voicePort === undefined) {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, '--voice-rate needs --voice-port', { param: 'voice-rate' });
  }
  const badInit = extraInit?.find((c) => !isInitCommand(c));
  if (badInit !== undefined) {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, `--at-init: not an AT command line: ${JSON.stringify(badInit)}`, { param: 'at-init' });
  }
  return Object.freeze({
    serial,
    ...(baudRate !== undefined ? { baudRate } : {}),
    ...(called ? { called } : {}),
    ...(stations ? { stations } : {}),
    ...(smsc ? { smsc } : {}),
    ...(family ? { module: family as ModuleFamily } : {}),
    ...(extraInit ? { extraInit: Object.freeze(extraInit) } : {}),
    ...(prompts ? { prompts: prompts as 'pause' | 'tts' | 'module-file' } : {}),
    ...(record ? { record: 'module' as const } : {}),
    ...(sayDir ? { sayDir } : {}),
    ...(voicePort ? { voicePort } : {}),
    ...(rate ? { voiceRate: rate === 'auto' ? ('auto' as const) : (Number(rate) as 8000 | 16000) } : {}),
  });
}

/**
 * The e1-pri span's options from the trunk section (each set by the `edgebox start` flag of that name):
 *   --driver e1-pri --dchannel PATH [--media PATH] [--e1-media socket|dahdi] [--e1-dahdi-device /dev/dahdi/channel] [--e1-dahdi-first-channel N] [--e1-side cpe|network] [--e1-switch euroisdn_e1|qsig|ni2|…]
 *   [--e1-channels 1-15,17-31] [--e1-stations 801=6801,802=6802] [--e1-caller 12328] [--e1-debug N]
 */
export function e1Options(values: TrunkValues): E1SpanConfigInput {
  const s = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const dchannel = s('dchannel');
  if (!dchannel) throw new TrunkError('invalid-argument', '--driver e1-pri needs --dchannel PATH (a socket path or a DAHDI D-channel device)');
  const input: E1SpanConfigInput = { dchannel };
  const media = s('media');
  if (media) input.media = media;
  // --e1-media socket|dahdi: what carries B-channel audio (default: DAHDI with a /dev/dahdi D-channel).
  const kind = s('e1-media');
  const dahdiDevice = s('e1-dahdi-device');
  const firstChannel = s('e1-dahdi-first-channel');
  if (kind !== undefined && kind !== 'socket' && kind !== 'dahdi') throw new TrunkError('invalid-argument', `--e1-media must be socket or dahdi, got ${kind}`);
  if (kind === 'socket') input.bchannels = { kind: 'socket' };
  else if (kind === 'dahdi' || dahdiDevice || firstChannel) {
    input.bchannels = { kind: 'dahdi', ...(dahdiDevice ? { device: dahdiDevice } : {}), ...(firstChannel ? { firstChannel: Number(firstChannel) } : {}) };
  }
  const side = s('e1-side');
  if (side) input.side = side as E1SpanConfig['side'];
  const sw = s('e1-switch');
  if (sw) input.switchType = sw as E1SpanConfig['switchType'];
  const channels = s('e1-channels');
  if (channels) input.channels = parseChannelList(channels);
  const stations = s('e1-stations');
  if (stations) {
    input.stations = Object.fromEntries(stations.split(',').map((p) => p.split('=').map((x) => x.trim()) as [string, string]));
  }
  const caller = s('e1-caller');
  if (caller) input.outgoingCaller = caller;
  const debug = s('e1-debug');
  if (debug) input.debug = Number(debug);
  return input;
}

export class VoiceModemFlagError extends Error {
  override readonly name = 'VoiceModemFlagError';
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`--${flag}: ${message}`);
  }
}

/**
 * The voice-modem driver's options from the trunk section: `serial`, `baud`, `called`, `compression`, `duplex`,
 * `at-init`, `silence-hangup` (each set by the `edgebox start` flag of that name). Throws VoiceModemFlagError
 * naming the setting.
 */
export function voiceModemOptions(values: TrunkValues): VoiceModemConfig {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
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
