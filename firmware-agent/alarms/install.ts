// Alarms subsystem installer (firmware-agent/subsystems.ts, after the jobs, network, SMS and calls): samples
// the box's health each minute (the jobs table's alarm-sample job, the box's one health sample, also shown
// by /healthz as its `system` and `host` parts), applies the thresholds of the
// configuration, and keeps the alarm history; raised alarms go to the duty technician by SMS and to the upstream as alarm.report.
//
// Other subsystems use the alarm API through `alarmsOf(box)` (or raiseAlarm/clearAlarm below); it exists
// from the first call, so an installer that runs before this one (jobs) can hold it.
import type { Box } from '../app.js';
import type { BoxServices } from '../box.js';
import { healthSamplerOf } from '../health/sampler.js';
import { systemWarnings } from '../health/system.js';
import { defineJob, runAfterStart } from '../jobs/install.js';
import type { AlarmReportBody } from '../network/alarm-reports.js';
import { newEnvelope } from '../network/messages.js';
import type { Installer } from '../subsystems.js';
import type { Alarm, AlarmInput } from './model.js';
import { alarmRoutes } from './routes.js';
import { type AlarmSms, AlarmService } from './service.js';

const services = new WeakMap<BoxServices, AlarmService>();

/** The box's alarm service, created on first use. */
export function alarmsOf(box: Box): AlarmService {
  let s = services.get(box);
  if (!s) {
    s = new AlarmService({
      db: box.db,
      audit: box.tickets.audit,
      now: box.now,
      config: () => box.config.current().alarms,
      identity: () => ({ name: box.config.current().box.name, region: box.config.current().box.region }),
      log: box.http.log.child({ module: 'alarms' }),
    });
    services.set(box, s);
  }
  return s;
}

/** Raises (or refreshes) an alarm of another subsystem. Throws AlarmError `alarm-input-invalid` on bad input. */
export function raiseAlarm(box: Box, input: AlarmInput): Alarm {
  return alarmsOf(box).raiseAlarm(input);
}

/** Clears the active alarm of `key`; null when none was active. */
export function clearAlarm(box: Box, key: string, reason?: string): Alarm | null {
  return alarmsOf(box).clearAlarm(key, reason);
}

/** The SMS installer's channel, when the box has a modem (subsystems.ts hands it over). */
export function setAlarmSms(box: Box, installed: { channel: { outbox: AlarmSms } } | null): void {
  if (installed) alarmsOf(box).sms = installed.channel.outbox;
}

export const installAlarms: Installer = async (box) => {
  const alarms = alarmsOf(box);
  // The network installer is loaded lazily by subsystems.ts; so is its registry here.
  const net = (await import('../network/install.js')).networkOf.get(box);
  if (net) {
    alarms.upstream = (a, at) => {
      if (!net.self().hasUpstream) return;
      const body: AlarmReportBody = { key: a.key, severity: a.severity, message: a.message, messageZh: a.messageZh, value: a.value, threshold: a.threshold, raisedAt: a.raisedAt, clearedAt: a.clearedAt };
      net.send(newEnvelope<AlarmReportBody>('alarm.report', net.address(), '^', at, body), at);
    };
  }
  const sampler = healthSamplerOf(box);
  let running: Promise<Awaited<ReturnType<typeof step>>> | null = null;
  const step = async () => {
    const sample = await sampler.sample();
    return { sample, decisions: alarms.evaluate(sample.figures) };
  };
  /** One sample at a time: a sample asked for while one runs gets that one's result. */
  const sampleNow = () => {
    running ??= step().finally(() => {
      running = null;
    });
    return running;
  };
  // The sample is a job of the jobs table (every minute at second 0; jobs.schedules['alarm-sample'] changes
  // it), so every schedule of the box runs through node-cron from one table (issue 12 §5). A sample that
  // fails fails the job, which raises job-failed:alarm-sample.
  defineJob(box, {
    name: 'alarm-sample',
    schedule: '0 * * * * *',
    description: 'Health sample (system and box figures) and the alarm thresholds applied to it',
    quiet: true,
    run: async () => {
      const r = await sampleNow();
      return { raised: r.decisions.filter((d) => d.action === 'raise').map((d) => d.key), cleared: r.decisions.filter((d) => d.action === 'clear').map((d) => d.key) };
    },
  });
  // The first sample shortly after the box listens, with the jobs' other start-up runs: not in the turns
  // where it answers its first requests (the store's counts cost CPU).
  runAfterStart(box, 'alarm-sample');
  box.onClose(() => sampler.stop());

  await box.http.register(alarmRoutes, { box, alarms, sampler, sampleNow });

  // The machine's figures of the latest sample (data disk, memory, temperature, load) with their warnings.
  box.health.register('system', () => {
    const s = sampler.latest;
    if (!s) return { ok: true, sampled: false };
    const warnings = systemWarnings(s.system);
    return { ok: warnings.length === 0, ...s.system, warnings };
  });
  box.health.register('host', () => {
    const s = sampler.latest;
    if (!s) return { ok: true, sampled: false };
    return { ok: true, at: s.at, ...Object.fromEntries(Object.entries(s.figures).filter(([, v]) => typeof v === 'number')) };
  });
  // A critical alarm (disk nearly full, trunk down) degrades the box; a warning (a calendar year not yet
  // loaded, a busy CPU) is listed among the warnings but leaves /healthz ok, so monitoring that pages on
  // `degraded` is woken only for what needs a technician now.
  box.health.register('alarms', () => {
    const active = alarms.active();
    const critical = active.filter((a) => a.severity === 'critical').length;
    return { ok: critical === 0, active: active.length, critical, warnings: active.map((a) => `${a.key}: ${a.message}`) };
  });
};
