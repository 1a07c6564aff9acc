// Admin pages for the call settings the technician file `<data>/calls.json` holds (IVR menu, business
// hours, legacy numbers, national redirects, queue timings) and for recorded prompts. A change here is
// validated with the same rules as at start (`callsConfig()`), written durably, audited, and then applied
// to the running call centre (`CallCenter.reconfigure()`): calls that arrive from then on use it, calls in
// progress keep the settings they started with. `restartRequired` stays in the answer for a box without a
// call centre (calls not installed), where the file is only read at the next start.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BoxServices } from '../box.js';
import { callCenterOf, loadCallsConfig } from '../calls/install.js';
import { CallsConfigError, callsConfig, defaultCallsConfig, type CallsConfig, type DeepPartial } from '../calls/config.js';
import { writeFileDurably } from '../config/store.js';
import { AppError } from '../errors.js';
import { actor } from '../http/auth.js';

const admin = ['admin'] as const;
const promptId = '^[a-z0-9][a-z0-9._-]{0,39}$';

export function registerCallsSettings(app: FastifyInstance, box: BoxServices): void {
  const file = path.join(box.dataDir, 'calls.json');
  const readPartial = (): DeepPartial<CallsConfig> => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as DeepPartial<CallsConfig>) : {});
  const effective = () => {
    const c = box.config.current().box;
    return loadCallsConfig(box.dataDir, c.region, c.timezone);
  };
  const view = (restartRequired: boolean, e = effective()) => {
    const prompts = fs.existsSync(e.promptsDir) ? fs.readdirSync(e.promptsDir).filter((f) => f.endsWith('.wav') && !f.startsWith('.')).sort() : [];
    return { ivr: e.ivr, queue: e.queue, prompts, file: readPartial(), restartRequired };
  };

  app.get('/api/ui/calls-settings', { config: { roles: admin }, schema: { tags: ['ui'], summary: 'Call settings (calls.json merged over the defaults) and the prompt files' } }, async () => view(false));

  app.put<{ Body: { ivr?: Record<string, unknown>; queue?: Record<string, unknown> } }>(
    '/api/ui/calls-settings',
    {
      config: { roles: admin },
      schema: {
        tags: ['ui'],
        summary: 'Change call settings (IVR menu, hours, legacy numbers, redirects, queue); validated, audited, applied to calls that arrive from now on',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { ivr: { type: 'object', additionalProperties: true }, queue: { type: 'object', additionalProperties: true } },
        },
      },
    },
    async (request) => {
      const before = readPartial();
      const next: DeepPartial<CallsConfig> = { ...before };
      if (request.body.ivr) next.ivr = { ...(before.ivr ?? {}), ...(request.body.ivr as DeepPartial<CallsConfig['ivr']>) };
      if (request.body.queue) next.queue = { ...(before.queue ?? {}), ...(request.body.queue as DeepPartial<CallsConfig['queue']>) };
      const c = box.config.current().box;
      const base = defaultCallsConfig(box.dataDir, c.region);
      base.ivr.hours.timezone = c.timezone;
      let validated;
      try {
        validated = callsConfig(next, base);
      } catch (err) {
        if (err instanceof CallsConfigError) throw new AppError('validation-failed', err.message, { field: err.field });
        throw new AppError('validation-failed', (err as Error).message);
      }
      box.db.transaction(() => {
        box.tickets.audit.append(actor(request), box.now(), { entity: 'config', entityId: 'calls', action: 'update', data: { before, after: next } });
        writeFileDurably(file, `${JSON.stringify(next, null, 2)}\n`, 0o640);
      })();
      // Applied after the file is durable, so the running centre never uses settings a power cut would lose.
      const center = callCenterOf(box);
      if (!center) return view(true, validated);
      center.reconfigure(validated);
      return view(false, validated);
    },
  );

  app.put<{ Params: { id: string }; Body: { wavBase64: string } }>(
    '/api/ui/prompts/:id',
    {
      config: { roles: admin },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: ['ui'],
        summary: 'Upload a recorded prompt `<id>.wav` (base64 in JSON; RIFF/WAVE checked), replacing the generated one',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: promptId } } },
        body: { type: 'object', additionalProperties: false, required: ['wavBase64'], properties: { wavBase64: { type: 'string', minLength: 60, maxLength: 11_000_000 } } },
      },
    },
    async (request) => {
      const buf = Buffer.from(request.body.wavBase64, 'base64');
      if (buf.length < 44 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
        throw new AppError('validation-failed', 'not a WAV file (RIFF/WAVE header missing)', { field: 'body.wavBase64' });
      }
      const dir = effective().promptsDir;
      fs.mkdirSync(dir, { recursive: true });
      const target = path.join(dir, `${request.params.id}.wav`);
      const tmp = path.join(dir, `.${request.params.id}.${process.pid}.upload`);
      const fd = fs.openSync(tmp, 'w', 0o640);
      try {
        fs.writeSync(fd, buf);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, target);
      box.tickets.audit.append(actor(request), box.now(), { entity: 'prompt', entityId: request.params.id, action: 'upload', data: { bytes: buf.length } });
      return { id: request.params.id, bytes: buf.length };
    },
  );
}
