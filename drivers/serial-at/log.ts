// Logging seam. The composition root hands in a pino logger (fastify's, namespaced with
// `.child({ module })`); tests hand in a recorder. Drivers never construct their own logger.

export interface Logger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
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

/** Redacts every run of 5+ digits in a raw AT line (e.g. `+CLIP: "13800138000",129`). */
export function redactLine(line: string): string {
  // PDU hex lines carry numbers in swapped BCD; logging them whole would leak the number, so a
  // long hex-only line is reduced to its length.
  if (/^[0-9A-Fa-f]{20,}$/.test(line)) return `<hex ${line.length / 2} octets>`;
  return line.replace(/\+?\d{5,}/g, (m) => redactNumber(m));
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
