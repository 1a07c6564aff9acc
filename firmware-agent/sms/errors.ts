// The SMS channel's one error class. Codes are stable; callers match on `code`, never the message.
//  sms-send-transient   the modem or network failed in a way a later retry may fix
//  sms-send-permanent   the network refused the message (e.g. unassigned number); retrying will not help
//  sms-modem-stopped    the modem is shutting down; the message stays queued for the next start
//  sms-config-invalid   the configuration's sms section has an unknown or bad setting; `field` names it
export type SmsErrorCode = 'sms-send-transient' | 'sms-send-permanent' | 'sms-modem-stopped' | 'sms-config-invalid';

export class SmsError extends Error {
  override readonly name = 'SmsError';
  constructor(
    readonly code: SmsErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
