// The calls behind a ticket and their audio, for the ticket page: GET /api/ui/tickets/:number/calls and the
// recordings and voicemails (WAV, with HTTP byte ranges for the browser's player).
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { actor } from '../../http/auth.js';
import { errorBody } from '../../http/errors.js';
import { errorResponses } from '../../http/server.js';
import type { CallRoutesOptions } from './shared.js';

/**
 * One byte range of a `Range: bytes=…` header (RFC 9110 §14.1.2): `a-b`, `a-` or the suffix `-n`. Null when
 * there is no header or it is not a single bytes range (then the whole file is sent, as the RFC allows);
 * 'unsatisfiable' when the range starts past the end.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
}

export const recordingRoutes: FastifyPluginAsync<CallRoutesOptions> = async (app, { box, center }) => {
  // Every call linked to a ticket (call_tickets, plus the call it was created from), oldest first, for the
  // ticket page: a caller who rang three times about one matter has three records and recordings.
  app.get<{ Params: { number: string } }>(
    '/api/ui/tickets/:number/calls',
    {
      config: { roles: ['admin', 'supervisor', 'agent'] },
      schema: {
        tags: ['ui'],
        summary: 'The call records linked to a ticket, each with its legs and whether a recording exists',
        params: { type: 'object', required: ['number'], properties: { number: { type: 'string', pattern: '^[1-9][0-9]{18}$' } } },
        response: errorResponses(400, 401, 403, 404),
      },
    },
    async (request) => {
      const ticket = box.tickets.get(request.params.number, actor(request));
      const records = center.records;
      const linked = box.db.prepare('SELECT call_id FROM call_tickets WHERE ticket_number = ? ORDER BY linked_at').all(ticket.number) as { call_id: string }[];
      const ids = [...new Set([...(ticket.callId ? [ticket.callId] : []), ...linked.map((l) => l.call_id)])];
      const items = ids.map((id) => records.get(id)).filter((v) => v !== undefined);
      items.sort((a, b) => a.call.arrived_at - b.call.arrived_at);
      return { items };
    },
  );

  // Call recordings and voicemails for the ticket page's players. Only files inside the box's data directory
  // are served.
  for (const [kind, field, summary] of [
    ['recording', 'recording_file', 'A call’s conversation recording (WAV) for the browser player'],
    ['voicemail', 'voicemail_file', 'A caller’s voicemail (WAV) for the browser player'],
  ] as const) {
    app.get<{ Params: { id: string } }>(
      `/api/ui/calls/:id/${kind}`,
      {
        config: { roles: ['admin', 'supervisor', 'agent'] },
        schema: { tags: ['ui'], summary, params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 80 } } } },
      },
      async (request, reply) => {
        const file = center.records.get(request.params.id)?.call[field];
        const data = path.resolve(box.dataDir);
        const abs = file ? path.resolve(data, file) : null;
        if (!abs || !abs.startsWith(data + path.sep) || !fs.existsSync(abs)) {
          return reply.code(404).send(errorBody('route-not-found', `no ${kind} for call ${request.params.id}`));
        }
        // HTTP Range (RFC 9110 §14): the browser's player asks for byte ranges to seek and to read the WAV
        // header and length; one range per request, as media elements send.
        const size = fs.statSync(abs).size;
        reply.type('audio/wav').header('cache-control', 'private, max-age=3600').header('accept-ranges', 'bytes');
        const range = parseRange(request.headers.range, size);
        if (range === 'unsatisfiable') {
          return reply.code(416).header('content-range', `bytes */${size}`).send(errorBody('range-not-satisfiable', `the ${kind} has ${size} bytes`));
        }
        if (!range) return reply.header('content-length', size).send(fs.createReadStream(abs));
        return reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
          .header('content-length', range.end - range.start + 1)
          .send(fs.createReadStream(abs, { start: range.start, end: range.end }));
      },
    );
  }
};
