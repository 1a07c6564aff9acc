// One error class for the whole serial-AT subsystem. Codes are stable: callers and logs match on
// `code`, never on the message text. Add new codes at the end; never rename or reuse one.

export const SerialAtErrorCodes = {
  /** A constructor or factory was given a bad option; `detail.param` names it. */
  BadOption: 'SERIAL_AT_BAD_OPTION',
  /** The PDU ended before a field it announced (TS 23.040 length fields disagree with the data). */
  PduTruncated: 'SERIAL_AT_PDU_TRUNCATED',
  /** The PDU is well-formed hex but a field holds a value the codec cannot interpret. */
  PduMalformed: 'SERIAL_AT_PDU_MALFORMED',
  /** Text cannot be encoded in the requested alphabet (e.g. a non-GSM character forced to 7-bit). */
  EncodeFailed: 'SERIAL_AT_ENCODE_FAILED',
  /** The modem answered ERROR / +CME ERROR / +CMS ERROR, or did not answer in time. */
  CommandFailed: 'SERIAL_AT_COMMAND_FAILED',
  /** The port closed (unplugged, or the driver was stopped) while the operation was pending. */
  PortClosed: 'SERIAL_AT_PORT_CLOSED',
  /** The driver was stopped; the operation will never run. */
  Stopped: 'SERIAL_AT_STOPPED',
  /** A send failed permanently (the network or modem rejected it in a way a retry will not fix). */
  SendRejected: 'SERIAL_AT_SEND_REJECTED',
  /** The transport could not be opened. */
  OpenFailed: 'SERIAL_AT_OPEN_FAILED',
  /** A voice-call operation referred to a call that does not exist or is in the wrong state. */
  CallState: 'SERIAL_AT_CALL_STATE',
  /**
   * AT+CMGS went unanswered `maxSendTimeouts` times on one part: given up for now (transient), so the
   * queue behind it moves on and the caller retries later. `detail.part`/`parts`/`sentParts` say where.
   */
  SendTimedOut: 'SERIAL_AT_SEND_TIMED_OUT',
  /**
   * A file transfer to or from the module failed: refused, cut short, checksum mismatch, an answer not as the
   * manual gives it, or no answer in time. `detail.failure` (files.ts TransferFailure) says which.
   */
  ModuleFile: 'SERIAL_AT_MODULE_FILE',
  /** The module's file storage is full (Quectel +CME ERROR: 403/420, SIMCom +CME ERROR: 20). */
  ModuleStorageFull: 'SERIAL_AT_MODULE_STORAGE_FULL',
  /** The file is not on the module (Quectel +CME ERROR: 405, SIMCom +CME ERROR: 22). */
  ModuleFileMissing: 'SERIAL_AT_MODULE_FILE_MISSING',
} as const;

export type SerialAtErrorCode = (typeof SerialAtErrorCodes)[keyof typeof SerialAtErrorCodes];

export class SerialAtError extends Error {
  override readonly name = 'SerialAtError';
  constructor(
    readonly code: SerialAtErrorCode,
    message: string,
    readonly detail: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isSerialAtError(err: unknown, code?: SerialAtErrorCode): err is SerialAtError {
  return err instanceof SerialAtError && (code === undefined || err.code === code);
}
