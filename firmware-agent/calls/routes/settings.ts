// Admin pages for the call settings (the configuration's `calls` section: IVR menu, business hours, legacy
// numbers, national redirects, queue timings) and for recorded prompts. A change here is merged over the
// section in force, validated with the same rules as at start (`callsConfig()`, then the whole configuration),
// written durably and audited (config set calls, config/edit.ts), and then applied to the running call centre
// (`CallCenter.reconfigure()`): calls that arrive from then on use it, calls in progress keep the settings
// they started with. `restartRequired` stays in the answer for a box without a call centre (calls not
// installed), where the section is only read at the next start.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { BoxServices } from '../../box.js';
import { callCenterOf, callsConfigFor } from '../install.js';
import { CallsConfigError, callsConfigOf, type CallsSettings } from '../config.js';
import { changeSettings } from '../../config/edit.js';
import { ConfigError } from '../../config/schema.js';
import { writeFileDurably } from '../../config/store.js';
import { AppError } from '../../errors.js';
import { actor } from '../../http/auth.js';
import type { CallsSettingsView } from '../view-types.js';

/** `over` merged into `base`: objects key by key, everything else (lists, texts, numbers) replaced. */
function mergeInto(base: unknown, over: unknown): unknown {
  if (!over || typeof over !== 'object' || Array.isArray(over) || !base || typeof base !== 'object' || Array.isArray(base)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = mergeInto(out[k], v);
  return out;
}

const admin = ['admin'] as const;
const promptId = '^[a-z0-9][a-z0-9._-]{0,39}$';

export const callSettingsRoutes: FastifyPluginAsync<{ box: BoxServices }> = async (app, { box }) => {
  const effective = () => callsConfigFor(box);
  const view = (restartRequired: boolean, e = effective()): CallsSettingsView => {
    const prompts = fs.existsSync(e.promptsDir) ? fs.readdirSync(e.promptsDir).filter((f) => f.endsWith('.wav') && !f.startsWith('.')).sort() : [];
    return { ivr: e.ivr, queue: e.queue, prompts, file: box.config.current().calls, restartRequired };
  };

  app.get('/api/ui/calls-settings', { config: { roles: admin }, schema: { tags: ['ui'], summary: 'Call settings (the configuration\'s calls section over the defaults) and the prompt files' } }, async () => view(false));

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
      const c = box.config.current();
      const next = mergeInto(c.calls, { ...(request.body.ivr ? { ivr: request.body.ivr } : {}), ...(request.body.queue ? { queue: request.body.queue } : {}) }) as CallsSettings;
      let validated;
      try {
        validated = callsConfigOf(next, box.dataDir, c.box.region, c.box.timezone);
        changeSettings(box.config, box.db, actor(request), [{ key: 'calls', value: next }], box.now(), 'call settings page');
      } catch (err) {
        if (err instanceof CallsConfigError) throw new AppError('validation-failed', err.message, { field: err.field });
        if (err instanceof ConfigError) throw new AppError('validation-failed', err.message, { problems: err.problems });
        throw err;
      }
      // The running call centre applies the change itself once the configuration is durable (calls/install.ts,
      // config onChange), so it never uses settings a power cut would lose.
      return view(!callCenterOf(box), validated);
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
      writeFileDurably(path.join(dir, `${request.params.id}.wav`), buf, 0o640);
      box.tickets.audit.append(actor(request), box.now(), { entity: 'prompt', entityId: request.params.id, action: 'upload', data: { bytes: buf.length } });
      return { id: request.params.id, bytes: buf.length };
    },
  );
};
