// The self-test inside the running box: GET /api/admin/selftest (admin, technician) and the self-test socket
// `<data>/selftest.sock` through which `edgebox selftest` asks the box that holds the devices
// (docs/technician.md §Self-test). The socket is a Unix socket, mode 0600 inside the 0700 data directory:
// only the box's own user reaches it; nothing listens on the network.
import path from 'node:path';
import type { Box } from '../app.js';
import { type LocalHandler, replyJson, serveLocalSocket } from '../http/local-socket.js';
import { checkSettings } from '../config/check.js';
import { errorResponses } from '../http/server.js';
import type { SelfTest } from './checks.js';
import { runSelftest } from './run.js';
import { boxTrunk } from './trunk.js';

export const selftestSocketOf = (dataDir: string) => path.join(dataDir, 'selftest.sock');

const checkSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'ok', 'value', 'hint'],
  properties: { name: { type: 'string' }, ok: { type: 'boolean' }, value: {}, hint: { type: ['string', 'null'] } },
} as const;

export const selftestResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'at', 'source', 'checks'],
  properties: { ok: { type: 'boolean' }, at: { type: 'string' }, source: { type: 'string', enum: ['box', 'direct'] }, checks: { type: 'array', items: checkSchema } },
} as const;

/** The self-test of the running box. */
export async function boxSelftest(box: Box): Promise<SelfTest> {
  const settings = checkSettings(box.dataDir);
  const cfg = box.config.current();
  return runSelftest({
    source: 'box',
    dataDir: box.dataDir,
    db: box.db,
    config: cfg,
    configProblems: settings.problems,
    promptsDir: settings.promptsDir,
    trunk: () => boxTrunk(cfg.trunk, box.health.report().parts),
    now: box.now,
  });
}

async function selftestSocket(box: Box): Promise<void> {
  const file = selftestSocketOf(box.dataDir);
  const handle: LocalHandler = (req, _body, res) => {
    if (req.method !== 'GET' || req.url !== '/selftest') return replyJson(res, 404, { error: { code: 'route-not-found', message: `${req.method} ${req.url}` } });
    boxSelftest(box).then(
      (r) => replyJson(res, 200, r),
      (err: unknown) => replyJson(res, 500, { error: { code: 'selftest-failed', message: (err as Error).message } }),
    );
  };
  await serveLocalSocket(box, handle, file, { name: 'self-test socket', fallback: 'edgebox selftest will probe directly', module: 'selftest' });
}

export async function installSelftest(box: Box): Promise<void> {
  await box.http.register(async (app) => {
    app.get(
      '/api/admin/selftest',
      {
        config: { roles: ['admin', 'technician'] },
        schema: {
          tags: ['admin'],
          summary: 'Self-test: store, disk, clock, configuration, trunk (modem or E1), prompts, upstream, outbox, backup — each {name, ok, value, hint}',
          response: { 200: selftestResponseSchema, ...errorResponses(401, 403) },
        },
      },
      async () => boxSelftest(box),
    );
  });
  // The socket is opened when the box listens, so a box built only for a CLI step (jobs run) takes none.
  box.http.addHook('onListen', async () => selftestSocket(box));
}
