// Scheduled jobs (node-cron): the nightly store backup, and the hardware health sample every minute. Each run's failure is caught and reported in
// /healthz; a failing job never takes the box down.
import path from 'node:path';
import cron from 'node-cron';
import type { Installer } from '../subsystems.js';
import { type SystemSample, sampleSystem, systemWarnings } from '../health/system.js';
import { backupNow, listBackups } from './backup.js';

export const installJobs: Installer = async (box) => {
  const dir = path.join(box.dataDir, 'backups');
  const keep = 14;
  let lastError: string | null = null;
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const r = await backupNow(box.db, dir, keep, box.now());
      lastError = null;
      box.http.log.info({ file: r.file, bytes: r.bytes, pruned: r.pruned.length }, 'store backup written');
    } catch (err) {
      lastError = (err as Error).message;
      box.http.log.error({ err }, 'store backup failed');
    } finally {
      running = false;
    }
  };
  const task = cron.schedule('15 3 * * *', () => run().catch(() => undefined), {
    timezone: box.config.current().box.timezone,
    name: 'store-backup',
  });
  box.onClose(async () => {
    await task.destroy();
  });
  let sample: SystemSample | null = null;
  const takeSample = () =>
    sampleSystem(box.dataDir, box.now())
      .then((s) => {
        sample = s;
      })
      .catch((err: unknown) => box.http.log.warn({ err }, 'hardware health sample failed'));
  // The first sample waits until the box listens: systeminformation's probes cost CPU that would otherwise
  // delay the start (and /healthz) on a small board; until then the part says `sampled: false`.
  box.http.addHook('onListen', async () => {
    void takeSample();
  });
  const sampler = setInterval(() => void takeSample(), 60_000);
  sampler.unref();
  box.onClose(() => clearInterval(sampler));
  box.health.register('system', () => {
    if (!sample) return { ok: true, sampled: false };
    const warnings = systemWarnings(sample);
    return { ok: warnings.length === 0, ...sample, warnings };
  });

  box.health.register('backup', () => {
    const files = listBackups(dir);
    const newest = files.at(-1);
    const warnings: string[] = [];
    if (lastError) warnings.push(`last backup failed: ${lastError}`);
    return { ok: lastError === null, directory: dir, count: files.length, newest: newest ?? null, warnings };
  });
};
