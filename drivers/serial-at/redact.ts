// Redaction of raw AT lines for logs (a 举报人's number must not leak, design §4).
import { redactNumber } from '../../common/log.js';

/** Redacts every run of 5+ digits in a raw AT line (e.g. `+CLIP: "13800138000",129`). */
export function redactLine(line: string): string {
  // PDU hex lines carry numbers in swapped BCD; logging them whole would leak the number, so a
  // long hex-only line is reduced to its length.
  if (/^[0-9A-Fa-f]{20,}$/.test(line)) return `<hex ${line.length / 2} octets>`;
  return line.replace(/\+?\d{5,}/g, (m) => redactNumber(m));
}
