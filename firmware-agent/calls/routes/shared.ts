// What the calls routes share: the centre's roles and the mapping of the call domain's errors to the API's
// documented codes.
import { AcdError } from '../acd.js';
import { CallbackError } from '../callbacks.js';
import { CallCenterError, type CallCenter } from '../center.js';
import type { BoxServices } from '../../box.js';
import { AppError, errorCatalogue, type ErrorCode } from '../../errors.js';

export const centre = ['admin', 'supervisor', 'agent'] as const;
export const supervisors = ['admin', 'supervisor'] as const;

export interface CallRoutesOptions {
  box: BoxServices;
  center: CallCenter;
}

/**
 * Throw the call-specific error code once the catalogue has it, else the nearest general code, with the
 * specific reason in `details.reason`, so clients can rely on `details.reason` either way.
 */
export function fail(code: string, fallback: ErrorCode, message: string): never {
  const c = (code in errorCatalogue ? code : fallback) as ErrorCode;
  throw new AppError(c, message, { reason: code });
}

export function rethrow(err: unknown): never {
  if (err instanceof AcdError) {
    fail(err.code, err.code === 'station-required' ? 'validation-failed' : 'illegal-transition', err.message);
  }
  if (err instanceof CallCenterError) throw new AppError(err.code, err.message, { reason: err.code });
  if (err instanceof CallbackError) {
    fail(err.code, err.code === 'callback-not-found' ? 'route-not-found' : 'forbidden-role', err.message);
  }
  throw err;
}

export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 80 } } } as const;
