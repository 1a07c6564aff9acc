// Off-site copies of the boxes below (issue 12 §6): a city without a data centre sends each nightly backup
// to its upstream, which keeps it per child box, size-capped (docs/technician.md §Backup and restore).
//   POST /api/exchange/v1/backups   signed exchange request, body {"name": "edgebox-<time>.ebk", "data":
//        base64 of the file}. Authenticated from the headers before the body is read; the body must hash to
//        the signed x-edgebox-content-sha256 and the file be a backup whose checksums verify. Stored in
//        <data>/offsite/<sender region>/; the newest jobs.backup.keep are kept, and the oldest go while the
//        region's copies take more than jobs.backup.offsiteMaxMB (a larger copy is refused: 413).
//   GET  /api/network/offsite-backups                         (admin, technician) what is kept, per box below
// The answer is signed like every exchange answer.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { Box } from '../app.js';
import { AppError } from '../errors.js';
import { errorResponses } from '../http/server.js';
import { BackupError, listBackups, verifyBackup } from '../jobs/backup.js';
import { authenticateHeaders, signResponse } from './auth.js';
import { UpstreamClient } from './client.js';
import { sha256Hex } from './crypto.js';
import type { NetworkService } from './service.js';
import type { Peer } from './store.js';

const namePattern = /^edgebox-\d{8}T\d{6}Z(-\d+)?\.ebk$/;
const MiB = 1024 * 1024;

export const offsiteDirOf = (dataDir: string) => path.join(dataDir, 'offsite');

export const offsiteBackupRoutes: FastifyPluginAsync<{ box: Box; net: NetworkService }> = async (app, { box, net }) => {
  const cap = () => box.config.current().jobs.backup.offsiteMaxMB * MiB;
  const peers = new WeakMap<object, { peer: Peer; bodySha256: string }>();
  // The raw text is kept: its hash must be the one the sender signed.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1400 * 1048576 }, (_req, body, done) => done(null, body));
  app.addHook('onSend', async (request, reply, payload) => {
    if (typeof payload !== 'string' || !request.url.startsWith('/api/exchange/')) return payload;
    const id = net.store.identity();
    if (id) signResponse(request, reply, payload, id.private_key, box.now());
    return payload;
  });
  app.addHook('onResponse', async (request) => {
    if (!request.url.startsWith('/api/exchange/')) return;
    try {
      net.store.flushNonces(box.now());
    } catch (err) {
      app.log.error({ err }, 'exchange nonces could not be written');
    }
  });

  app.post<{ Body: string }>(
    '/api/exchange/v1/backups',
    {
      config: { public: true },
      // The cap of the largest configurable copy; the configured cap is checked from content-length first.
      bodyLimit: 1400 * 1048576,
      onRequest: async (request) => {
        // The signature and the sender first, from the headers: nothing of the body is read for a stranger.
        peers.set(request, authenticateHeaders(request, net.store, box.now()));
        const len = Number(request.headers['content-length']);
        // base64 takes 4 bytes for 3.
        if (!Number.isFinite(len) || len > (cap() * 4) / 3 + 4096) throw new AppError('payload-too-large', `an off-site copy may take at most ${box.config.current().jobs.backup.offsiteMaxMB} MiB`);
      },
      schema: {
        tags: ['exchange'],
        summary: 'Store an off-site copy of a box below’s backup (signed; body: the backup file)',
        security: [],
        response: {
          200: { type: 'object', additionalProperties: false, properties: { stored: { type: 'string' }, bytes: { type: 'integer' }, kept: { type: 'integer' }, pruned: { type: 'integer' } } },
          ...errorResponses(400, 401, 403, 409, 413, 422),
        },
      },
    },
    async (request) => {
      const auth = peers.get(request)!;
      const raw = request.body;
      if (typeof raw !== 'string' || sha256Hex(raw) !== auth.bodySha256) throw new AppError('exchange-bad-signature', 'the body does not hash to the signed x-edgebox-content-sha256', { sender: auth.peer.region });
      let parsed: { name?: unknown; data?: unknown };
      try {
        parsed = JSON.parse(raw) as typeof parsed;
      } catch {
        throw new AppError('malformed-json');
      }
      const name = parsed?.name;
      if (typeof name !== 'string' || !namePattern.test(name) || typeof parsed.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(parsed.data)) {
        throw new AppError('exchange-backup-invalid', 'body must be {"name": "edgebox-<UTC time>.ebk", "data": base64}', { sender: auth.peer.region });
      }
      const body = Buffer.from(parsed.data, 'base64');
      if (body.length > cap()) throw new AppError('payload-too-large', `an off-site copy may take at most ${box.config.current().jobs.backup.offsiteMaxMB} MiB`);
      const dir = path.join(offsiteDirOf(box.dataDir), auth.peer.region);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, name);
      const tmp = `${file}.partial`;
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, body);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      try {
        // A copy from a newer build is kept: the box below restores it with its own build.
        verifyBackup(tmp, { allowNewer: true });
      } catch (err) {
        fs.rmSync(tmp, { force: true });
        if (err instanceof BackupError) throw new AppError('exchange-backup-invalid', err.message, { sender: auth.peer.region, reason: err.code });
        throw err;
      }
      fs.renameSync(tmp, file);
      // Rotation: the newest `keep`, then the oldest go while the region's copies exceed the cap.
      const all = listBackups(dir);
      const keep = box.config.current().jobs.backup.keep;
      let pruned = 0;
      const size = (f: string) => fs.statSync(path.join(dir, f)).size;
      let total = all.reduce((n, f) => n + size(f), 0);
      for (const f of all.slice(0, -1)) {
        const over = all.length - pruned > keep || total > cap();
        if (!over) break;
        total -= size(f);
        fs.rmSync(path.join(dir, f), { force: true });
        pruned++;
      }
      request.log.info({ region: auth.peer.region, file: name, bytes: body.length, pruned }, 'off-site backup copy stored');
      return { stored: name, bytes: body.length, kept: all.length - pruned, pruned };
    },
  );

  app.get(
    '/api/network/offsite-backups',
    {
      config: { roles: ['admin', 'technician'] },
      schema: { tags: ['network'], summary: 'Off-site backup copies kept for the boxes below, per region', response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses(401, 403) } },
    },
    async () => {
      const root = offsiteDirOf(box.dataDir);
      const regions = fs.existsSync(root) ? fs.readdirSync(root).filter((r) => /^\d{6}$/.test(r)) : [];
      return {
        maxMB: box.config.current().jobs.backup.offsiteMaxMB,
        boxes: regions.map((region) => {
          const files = listBackups(path.join(root, region)).map((f) => ({ name: f, bytes: fs.statSync(path.join(root, region, f)).size }));
          return { region, name: box.regions.fullName(region) ?? null, files, bytes: files.reduce((n, f) => n + f.bytes, 0) };
        }),
      };
    },
  );
};

/** Sends a backup file to the upstream (the backup job, when paired and jobs.backup.upstream). */
export async function sendBackupUpstream(box: Box, net: NetworkService, file: string): Promise<Record<string, unknown>> {
  if (box.config.current().box.role === 'ministry') return { skipped: 'a ministry box has no upstream' };
  const id = net.store.identity();
  if (!id?.upstream_url) return { skipped: 'not paired with an upstream' };
  const client = new UpstreamClient({ store: net.store, address: () => net.address(), now: box.now, timeoutMs: 600_000 });
  const r = await client.sendBackup(path.basename(file), fs.readFileSync(file));
  return { ...r, upstream: id.upstream_url };
}
