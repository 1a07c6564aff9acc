// One error class for the voice-modem subsystem. Codes are stable: callers and logs match on `code`,
// never on the message text. Add new codes at the end; never rename or reuse one.

export const VoiceModemErrorCodes = {
  /** A constructor or factory was given a bad option; `detail.param` names it. */
  BadOption: 'VOICE_MODEM_BAD_OPTION',
  /** The modem answered ERROR to a command the driver needs, or did not answer in time. */
  CommandFailed: 'VOICE_MODEM_COMMAND_FAILED',
  /** `AT+VSM=?` offered no 8 kHz compression the box can encode (A-law, µ-law, 8/16-bit linear). */
  NoCompression: 'VOICE_MODEM_NO_COMPRESSION',
  /** The port closed (unplugged, or the driver was stopped) while the operation was pending. */
  PortClosed: 'VOICE_MODEM_PORT_CLOSED',
  /** The driver was stopped; the operation will never run. */
  Stopped: 'VOICE_MODEM_STOPPED',
  /** `AT+FCLASS=8` refused: the modem has no voice mode. Permanent. */
  NoVoiceMode: 'VOICE_MODEM_NO_VOICE_MODE',
} as const;

export type VoiceModemErrorCode = (typeof VoiceModemErrorCodes)[keyof typeof VoiceModemErrorCodes];

export class VoiceModemError extends Error {
  override readonly name = 'VoiceModemError';
  constructor(
    readonly code: VoiceModemErrorCode,
    message: string,
    readonly detail: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isVoiceModemError(err: unknown, code?: VoiceModemErrorCode): err is VoiceModemError {
  return err instanceof VoiceModemError && (code === undefined || err.code === code);
}
