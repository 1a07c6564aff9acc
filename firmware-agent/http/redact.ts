// What the request log may say about a request. Callers' numbers — confidential reporters' among them —
// reach the API in query strings (`GET /api/tickets?caller=…`, a contract) and must not reach the log
// (issue 13 finding 7): query values under names that carry numbers or free text are replaced, and any run
// of 7 or more digits left in the query is masked to its last 4 (a ticket number in the path stays: it
// names a work order, not a person).
import type { FastifyRequest } from 'fastify';

/** Query parameters whose whole value is withheld from the log. */
const secretParams = new Set(['caller', 'number', 'phone', 'from', 'to', 'q', 'name', 'token', 'password']);

/** `url` with its query string made safe to log. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const parts = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq < 0 ? pair : pair.slice(0, eq);
      let key: string;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' ')).toLowerCase();
      } catch {
        key = rawKey.toLowerCase();
      }
      if (eq >= 0 && secretParams.has(key)) return `${rawKey}=[redacted]`;
      return maskDigits(pair);
    });
  return `${url.slice(0, at)}?${parts.join('&')}`;
}

/** Masks every run of 7+ digits (also percent-encoded or split by separators a number may carry) but its last 4. */
function maskDigits(s: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    decoded = s;
  }
  return decoded.replace(/\+?\d(?:[\d\s().-]*\d){6,}/g, (m) => {
    const digits = m.replace(/\D/g, '');
    return `${'*'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
  });
}

/** Fastify's `req` log serializer, with the URL redacted. */
export function requestSerializer(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
