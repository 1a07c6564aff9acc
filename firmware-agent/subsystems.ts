// Subsystems that plug into the box (calls, network, knowledge base, web UI, SMS). Each exports an
// installer the composition root runs after the core services and routes exist, in this order, with the
// composition plan and the trunk driver compose.ts built (opts.plan, opts.trunk); an
// installer registers its routes on box.http, its health part on box.health, its hooks on box.tickets,
// and its shutdown on box.onClose. Add one line per subsystem.
import type { Box, InstallOptions } from './app.js';
import { installJobs } from './jobs/install.js';
import { installKb } from './kb/install.js';
import { installWebUi } from './webui/install.js';
import { installCalls, registerCallerSms } from './calls/install.js';
import { callerSmsOf, installSms } from './sms/install.js';
import { installAlarms, setAlarmSms } from './alarms/install.js';

/** `opts.plan` (compose.ts) carries each part's typed options: the trunk driver's, the network's, the prompt cache. */
export type Installer = (box: Box, opts: InstallOptions) => Promise<void>;

export async function installers(): Promise<[name: string, install: Installer][]> {
  return [
    ['jobs', installJobs],
    ['kb', installKb],
    ['network', (await import('./network/install.js')).installNetwork],
    // The call centre texts callers (missed-call notices) and the alarms the duty technician through SMS.
    ['sms', async (box, opts) => {
      const sms = await installSms(box, opts);
      if (sms) registerCallerSms(box, callerSmsOf(sms.channel));
      setAlarmSms(box, sms);
    }],
    ['calls', installCalls],
    // After the parts whose health it samples (network, SMS, calls).
    ['alarms', installAlarms],
    ['selftest', async (box) => (await import('./selftest/install.js')).installSelftest(box)],
    ['stats', async (box) => (await import('./stats/install.js')).installStats(box)],
    ['qa', async (box) => (await import('./qa/install.js')).installQa(box)],
    ['gov12345', async (box, opts) => (await import('./gov12345/install.js')).installGov12345(box, opts)],
    ['public', async (box) => (await import('./public/install.js')).installPublic(box)],
    ['webui', installWebUi],
  ];
}
