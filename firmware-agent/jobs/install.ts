// Jobs installer (firmware-agent/subsystems.ts, first): the box's one table of schedules (jobs/table.ts),
// run through node-cron once the box listens. The jobs defined here:
//   store-maintenance  every second   FTS merges, WAL checkpoint, the WAL bound under disk pressure
//   deadline-sweep     every 5 min    due-soon notices to departments, automatic 督办 of overdue tickets
//   backup             03:15          consistent online backup with manifest, rotated; USB copy
//   retention          03:45          SMS outbox, job runs, notices; call recordings by age and disk share
//   calendar-check     09:00          warns (alarm) when this or next year has no official holiday calendar
// and the network installer adds daily-stats, network-retention and kb-sync, the alarms installer
// alarm-sample (the box's one health sample, for the alarms and /healthz; defineJob). The deadline sweep,
// the calendar check and the first health sample also run once shortly after the box starts listening.
// A failed run raises the alarm `job-failed:<name>`; the next good run clears it. config.jobs.schedules
// replaces a job's default schedule.
import path from 'node:path';
import type { Box } from '../app.js';
import type { Logger } from '../../common/log.js';
import { clearAlarm, raiseAlarm } from '../alarms/install.js';
import { startupRunDelayMs } from '../health/health.js';
import { maintenanceOf } from '../store/maintenance.js';
import type { Installer } from '../subsystems.js';
import { type NoticeSms, sweepDeadlines } from '../tickets/deadlines.js';
import { backupNow, copyBackup, listBackups } from './backup.js';
import { controlServer } from './control.js';
import { pruneBox } from './retention.js';
import { jobRoutes } from './routes.js';
import { type JobDefinition, JobTable } from './table.js';

const tables = new WeakMap<object, JobTable>();

/** The box's jobs table, created on first use (installers that run later add their jobs to it). */
export function jobsOf(box: Box): JobTable {
  let t = tables.get(box.db);
  if (!t) {
    t = new JobTable({
      db: box.db,
      now: box.now,
      timezone: () => box.config.current().box.timezone,
      log: box.http.log.child({ module: 'jobs' }),
    });
    tables.set(box.db, t);
  }
  return t;
}

/** Adds a job with the configured schedule in place of its default. */
export function defineJob(box: Box, def: JobDefinition): void {
  const schedule = box.config.current().jobs?.schedules?.[def.name] ?? def.schedule;
  jobsOf(box).define({ ...def, schedule });
}

/** Runs a job once `startupRunDelayMs` after the box listens (reason 'startup'; health/health.ts says why); not in a box that never listens. */
export function runAfterStart(box: Box, name: string): void {
  box.http.addHook('onListen', async () => {
    if (jobsOf(box).has(name)) jobsOf(box).runAfter(name, startupRunDelayMs);
  });
}

/** The SMS outbox, when the box has a modem (the alarms' channel, set by subsystems.ts after the SMS installer). */
async function smsOf(box: Box): Promise<NoticeSms | null> {
  const { alarmsOf } = await import('../alarms/install.js');
  return (alarmsOf(box).sms as NoticeSms | null) ?? null;
}

/** Where the box's backups go. */
export const backupDirOf = (dataDir: string) => path.join(dataDir, 'backups');

/** The backup step the nightly job and `edgebox backup` share: write, rotate, copy to USB. */
export async function runBackup(box: Box, o: { to?: string } = {}) {
  const cfg = box.config.current();
  const r = await backupNow({
    db: box.db,
    dataDir: box.dataDir,
    dir: o.to ?? backupDirOf(box.dataDir),
    keep: cfg.jobs.backup.keep,
    at: box.now(),
    box: { role: cfg.box.role, region: cfg.box.region, name: cfg.box.name },
  });
  const detail: Record<string, unknown> = { file: r.file, bytes: r.bytes, counts: r.manifest.counts, pruned: r.pruned.length };
  if (cfg.jobs.backup.usbDir) detail.usb = copyBackup(r.file, cfg.jobs.backup.usbDir, cfg.jobs.backup.keep).file;
  // The off-site copy to the upstream: its failure (upstream unreachable) does not fail the local backup;
  // it raises its own alarm until a copy gets through.
  const net = cfg.jobs.backup.upstream ? (await import('../network/install.js')).networkOf.get(box) : undefined;
  if (net) {
    const { sendBackupUpstream } = await import('../network/backup-copy.js');
    try {
      detail.upstream = await sendBackupUpstream(box, net, r.file);
      clearAlarm(box, 'backup-offsite-failed', 'an off-site copy reached the upstream');
    } catch (err) {
      detail.upstream = { error: (err as Error).message };
      raiseAlarm(box, {
        key: 'backup-offsite-failed',
        message: `the off-site backup copy did not reach the upstream: ${(err as Error).message}`.slice(0, 500),
        messageZh: '备份未能发送到上级（异地备份）：请检查与上级的连接',
      });
    }
  }
  return { result: r, detail };
}

export const installJobs: Installer = async (box) => {
  const jobs = jobsOf(box);
  const log = box.http.log.child({ module: 'jobs' });
  const cfg = () => box.config.current();

  defineMaintenanceJob(box, log);

  defineJob(box, {
    name: 'deadline-sweep',
    schedule: '*/5 * * * *',
    description: 'Due-soon notices to departments (inbox, SMS), automatic 督办 of overdue tickets (reported upward)',
    run: async ({ at }) => {
      const sms = await smsOf(box);
      const r = await sweepDeadlines(
        {
          db: box.db,
          tickets: box.tickets,
          audit: box.tickets.audit,
          calendar: box.calendar,
          dueSoonWorkingDays: () => cfg().tickets.dueSoonWorkingDays,
          timezone: cfg().box.timezone,
          sms: () => sms,
          log,
        },
        at,
      );
      if (r.failed.length > 0 && r.dueSoon + r.escalated === 0) throw new Error(`deadline sweep: ${r.failed.length} ticket(s) failed, first: ${r.failed[0]!.number}: ${r.failed[0]!.error}`);
      return { ...r, failed: r.failed.length };
    },
  });

  defineJob(box, {
    name: 'backup',
    schedule: '15 3 * * *',
    description: 'Consistent online backup of the store and settings (one file with a manifest), rotated; copied to the USB directory when configured',
    run: async () => (await runBackup(box)).detail,
  });

  defineJob(box, {
    name: 'retention',
    schedule: '45 3 * * *',
    description: 'Prunes sent SMS, job runs and deadline notices by age, and call recordings by age and by disk share',
    run: async ({ at }) => ({ ...(await pruneBox(box.db, path.join(box.dataDir, 'recordings'), cfg().jobs.retention, at)) }),
  });

  defineJob(box, {
    name: 'calendar-check',
    schedule: '0 9 * * *',
    description: "Warns when this year, or from November next year, has no official holiday calendar (节假日与调休)",
    run: ({ at }) => {
      const cov = box.calendar.coverage(at);
      const thisYear = Number(new Intl.DateTimeFormat('en', { timeZone: cfg().box.timezone, year: 'numeric' }).format(at));
      const month = Number(new Intl.DateTimeFormat('en', { timeZone: cfg().box.timezone, month: 'numeric' }).format(at));
      // The State Council publishes next year's schedule late in the year: warn from November on.
      const due = cov.missing.filter((y) => y === thisYear || (y === thisYear + 1 && month >= 11));
      for (const y of [thisYear, thisYear + 1]) {
        const key = `calendar-missing:${y}`;
        if (due.includes(y)) {
          raiseAlarm(box, {
            key,
            severity: y === thisYear ? 'critical' : 'warning',
            message: `no official holiday calendar for ${y}: enter its holidays and make-up working days, then confirm the year (deadlines would count a holiday as a working day)`,
            messageZh: `缺少 ${y} 年法定节假日与调休安排：请在“日历”中录入并确认，否则办理时限可能把节假日算作工作日`,
            value: y,
          });
        } else clearAlarm(box, key, 'calendar present');
      }
      return { missing: cov.missing, warned: due };
    },
  });

  alarmOnFailedJobs(box, jobs, log);

  // The schedules start once the box listens (a box built for a CLI command or a test does not run them).
  box.http.addHook('onListen', async () => {
    await controlServer(box, jobs);
    jobs.start();
  });
  // Catching up on the time the box was off: the deadline sweep over what fell due meanwhile, the calendar.
  for (const name of ['deadline-sweep', 'calendar-check']) runAfterStart(box, name);
  box.onClose(() => jobs.stop());

  await box.http.register(jobRoutes, { box, jobs });

  box.health.register('backup', () => {
    const dir = backupDirOf(box.dataDir);
    const files = listBackups(dir);
    const last = jobs.list().find((j) => j.name === 'backup')?.lastRun ?? null;
    const warnings: string[] = [];
    if (last?.outcome === 'failed') warnings.push(`last backup failed: ${last.error}`);
    return { ok: last?.outcome !== 'failed', directory: dir, count: files.length, newest: files.at(-1) ?? null, lastRun: last?.finishedAt ?? null, warnings };
  });
  box.health.register('jobs', () => {
    const failed = jobs.list().filter((j) => j.lastRun?.outcome === 'failed');
    return { ok: failed.length === 0, jobs: jobs.names().length, failed: failed.map((j) => j.name), warnings: failed.map((j) => `job ${j.name} failed: ${j.lastRun?.error}`) };
  });
};

/** Store maintenance (store/maintenance.ts): app.ts starts it with its own timer; the jobs table takes its steps over. */
function defineMaintenanceJob(box: Box, log: Pick<Logger, 'error'>): void {
  const maintenance = maintenanceOf(box.db);
  if (maintenance) {
    maintenance.external();
    let pressure = false;
    defineJob(box, {
      name: 'store-maintenance',
      schedule: '* * * * * *',
      description: 'FTS index merges and WAL checkpoint; under disk pressure, checkpoint first and refuse writes that would grow the store',
      quiet: true,
      run: async () => {
        // One bounded piece at a time, with a turn of the event loop between: requests are not held up
        // for a whole step.
        const it = maintenance.steps();
        let r = it.next();
        while (!r.done) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          r = it.next();
        }
        const s = r.value;
        if (s.pressure !== pressure) {
          const mb = (n: number) => Math.round(n / 1048576);
          // On a full disk the alarm itself may not be storable yet: then the next step tries again.
          try {
            if (s.pressure) {
              raiseAlarm(box, {
                key: 'store-disk-pressure',
                severity: 'critical',
                message: `data disk nearly full (${mb(s.freeBytes)} MiB free, reserve ${mb(s.reserveBytes)} MiB): new writes that need space are refused (store-full)`,
                messageZh: `数据盘将满（剩余 ${mb(s.freeBytes)} MiB）：需要空间的新写入被拒绝，请清理数据盘`,
                value: mb(s.freeBytes),
                threshold: mb(s.reserveBytes),
              });
            } else clearAlarm(box, 'store-disk-pressure', `${mb(s.freeBytes)} MiB free again`);
            pressure = s.pressure;
          } catch (err) {
            log.error({ err }, 'the store-disk-pressure alarm could not be stored; the next step tries again');
          }
        }
        if (s.checkpointError && s.checkpointError !== 'busy') throw new Error(`WAL checkpoint failed: ${s.checkpointError}`);
        return { pressure: s.pressure, freeBytes: s.freeBytes, walLimitPages: s.walLimitPages, walFrames: s.walFrames };
      },
    });
  }
}

/** A job that fails raises an alarm (critical for the backup and the store's upkeep); its next good run clears it. */
function alarmOnFailedJobs(box: Box, jobs: JobTable, log: Pick<Logger, 'error'>): void {
  jobs.on('failed', (run) => {
    try {
      raiseAlarm(box, {
        key: `job-failed:${run.name}`,
        severity: run.name === 'backup' || run.name === 'store-maintenance' ? 'critical' : 'warning',
        message: `job ${run.name} failed: ${(run.error ?? 'failed').slice(0, 400)}`,
        messageZh: `定时任务 ${run.name} 执行失败：${(run.error ?? 'failed').slice(0, 200)}`,
      });
    } catch (err) {
      log.error({ err, job: run.name }, 'the job-failed alarm could not be raised');
    }
  });
  jobs.on('finished', (run) => {
    if (run.outcome !== 'ok') return;
    try {
      clearAlarm(box, `job-failed:${run.name}`, `ran well at ${run.finishedAt}`);
    } catch (err) {
      log.error({ err, job: run.name }, 'the job-failed alarm could not be cleared');
    }
  });
}
