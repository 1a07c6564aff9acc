// HTTP view of the error catalogue (firmware-agent/errors.ts): the response body every error takes.
import { AppError, type ErrorCode, errorCatalogue } from '../errors.js';

export { AppError, errorCatalogue, type ErrorCode };

export interface ErrorBody {
  error: { code: ErrorCode; message: string; messageZh: string; details?: Record<string, unknown> };
}

export function errorBody(code: ErrorCode, message?: string, details?: Record<string, unknown>): ErrorBody {
  const entry = errorCatalogue[code];
  return { error: { code, message: message ?? entry.en, messageZh: entry.zh, ...(details ? { details } : {}) } };
}

/** JSON schema of the error body, referenced from every route's responses in the OpenAPI description. */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'messageZh'],
      properties: {
        code: { type: 'string', enum: Object.keys(errorCatalogue) },
        message: { type: 'string' },
        messageZh: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;
