/**
 * The one error class of the shared audio code (drivers/media): codecs, WAV files, prompts. Drivers wrap
 * it in their own error when it crosses their facade (the E1 span worker reports it as E1_MEDIA).
 */
export const MEDIA_ERROR_CODES = {
  MEDIA_FILE: 'an audio file could not be read or written',
  MEDIA_FORMAT: 'unsupported audio format',
} as const;

export type MediaErrorCode = keyof typeof MEDIA_ERROR_CODES;

export class MediaError extends Error {
  override readonly name = 'MediaError';
  readonly code: MediaErrorCode;
  constructor(code: MediaErrorCode, detail: string, opts?: { cause?: unknown }) {
    super(`${MEDIA_ERROR_CODES[code]}: ${detail}`, { cause: opts?.cause });
    this.code = code;
  }
}
