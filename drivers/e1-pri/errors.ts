/**
 * The one error class of the E1/PRI subsystem. Codes are stable: callers and logs match on
 * `code`, never on the message, and a code is never reused for another meaning.
 */
export const E1_ERROR_CODES = {
  E1_LIB_LOAD: 'libpri.so.1.4 could not be loaded',
  E1_SYSCALL: 'a libc call (socket, bind, accept, …) failed',
  E1_PRI_NEW: 'pri_new returned NULL',
  E1_BAD_CONFIG: 'invalid driver configuration',
  E1_DCHAN_DOWN: 'the D-channel is down',
  E1_NO_CHANNEL: 'no free B-channel in service',
  E1_UNKNOWN_CALL: 'no such call',
  E1_CALL_STATE: 'operation not allowed in the call state',
  E1_PRI_CALL_FAILED: 'a libpri call-control function returned an error',
  E1_WORKER_DIED: 'the span worker process died',
  E1_WORKER_TIMEOUT: 'the span worker did not answer in time',
  E1_CLOSED: 'the driver is closed',
  E1_MEDIA: 'B-channel media error (prompt, recording, audio socket)',
} as const;

export type E1ErrorCode = keyof typeof E1_ERROR_CODES;

export class E1Error extends Error {
  override readonly name = 'E1Error';
  readonly code: E1ErrorCode;
  /** Transient failures may be retried (link down, worker restarting); permanent ones not. */
  readonly transient: boolean;
  constructor(code: E1ErrorCode, detail?: string, opts?: { cause?: unknown; transient?: boolean }) {
    super(detail ? `${E1_ERROR_CODES[code]}: ${detail}` : E1_ERROR_CODES[code], { cause: opts?.cause });
    this.code = code;
    this.transient = opts?.transient ?? (code === 'E1_DCHAN_DOWN' || code === 'E1_WORKER_DIED' || code === 'E1_WORKER_TIMEOUT');
  }
}

export function isE1Error(e: unknown): e is E1Error {
  return e instanceof E1Error;
}
