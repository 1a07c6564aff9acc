// The one logging seam of domains and drivers. The composition root hands in a pino logger (fastify's,
// namespaced with `.child({ module })`); tests hand in a recorder (recordingLogger) or silentLogger. Nothing
// constructs its own logger. A part that only warns takes `Pick<Logger, 'warn' | 'error'>`.

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: Record<string, unknown>): Logger;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export function childLogger(log: Logger, module: string): Logger {
  return log.child ? log.child({ module }) : log;
}

/**
 * Phone numbers are personal data (a 举报人's number must not leak, design §4). Same rule as the
 * trunk drivers (drivers/trunk/types.ts T11): keep the last 4 digits only.
 */
export function redactNumber(number: string | undefined | null): string {
  if (!number) return '(none)';
  return number.length <= 4 ? '*'.repeat(number.length) : '*'.repeat(number.length - 4) + number.slice(-4);
}

/** A logger that records entries, for tests and for the simulator's transcript. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg?: string | undefined;
}

export function recordingLogger(entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  const make = (bindings: Record<string, unknown>): Logger & { entries: LogEntry[] } => ({
    entries,
    debug: (obj, msg) => entries.push({ level: 'debug', obj: { ...bindings, ...obj }, msg }),
    info: (obj, msg) => entries.push({ level: 'info', obj: { ...bindings, ...obj }, msg }),
    warn: (obj, msg) => entries.push({ level: 'warn', obj: { ...bindings, ...obj }, msg }),
    error: (obj, msg) => entries.push({ level: 'error', obj: { ...bindings, ...obj }, msg }),
    child: (b) => make({ ...bindings, ...b }),
  });
  return make({});
}
