// `edgebox provision [--answers FILE] [--serial PATH]… [--data DIR] [--json]`: detect the hardware, ask (or read from FILE,
// JSON or YAML) the driver, identity, business hours, hotline numbers, first accounts and pairing, apply what
// differs, then run the self-test (docs/technician.md §Provisioning). Exit status 0 when the self-test passes.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dataDirOf } from './main.js';

function readAnswersFile(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  if (/\.ya?ml$/i.test(file)) {
    return import('yaml').then((y) => y.parse(text, { schema: 'core', uniqueKeys: true }) as unknown);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}); name a YAML file *.yaml or *.yml`);
  }
}

export async function provisionCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      answers: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
      // Ports serialport's list does not show (a udev symlink, a pty, a port without USB ids) are probed too.
      serial: { type: 'string', multiple: true },
      'probe-timeout-ms': { type: 'string' },
    },
    strict: true,
  });
  const dataDir = dataDirOf(values);
  const json = values.json === true;
  const say = (s: string) => {
    if (!json) process.stdout.write(`${s}\n`);
  };
  const probeTimeout = values['probe-timeout-ms'] !== undefined ? Number(values['probe-timeout-ms']) : undefined;
  if (probeTimeout !== undefined && (!Number.isInteger(probeTimeout) || probeTimeout < 100 || probeTimeout > 60_000)) throw new Error('--probe-timeout-ms must be 100 to 60000');

  const { checkSettings } = await import('../config/check.js');
  const { RegionTable } = await import('../regions/regions.js');
  const { detectHardware, formatHardware } = await import('../provision/hardware.js');
  const { answersFromDoc } = await import('../provision/questions.js');
  const { applyProvision, currentHours } = await import('../provision/apply.js');
  const { shellActor } = await import('../config/record.js');

  const settings = checkSettings(dataDir);
  if (settings.exists && settings.problems.some((p) => p.startsWith('config.json'))) throw new Error(`the configuration is invalid; fix it first (edgebox config validate): ${settings.problems.join('; ')}`);
  const cur = settings.config;
  const doc = values.answers ? await readAnswersFile(path.resolve(values.answers)) : undefined;
  const named = (k: string) => (doc && typeof doc === 'object' && typeof (doc as Record<string, unknown>)[k] === 'string' ? ((doc as Record<string, unknown>)[k] as string) : undefined);

  say(`edgebox provision: ${dataDir}${cur.provisioned ? ` (provisioned ${cur.provisioned}; Enter keeps each current value / 回车保留当前值)` : ''}`);
  const extra = [...(values.serial ?? []), named('serial') ?? cur.trunk.serial].filter((s): s is string => !!s);
  const hardware = await detectHardware({ extraSerial: extra, dchannel: named('dchannel') ?? cur.trunk.dchannel, ...(probeTimeout ? { timeoutMs: probeTimeout } : {}) });
  say(formatHardware(hardware));

  const users = new Set<string>();
  const storeFile = path.join(dataDir, 'edgebox.sqlite');
  if (fs.existsSync(storeFile)) {
    const { openDb } = await import('../store/db.js');
    const db = openDb({ file: storeFile });
    try {
      for (const r of db.prepare('SELECT username FROM users').all() as { username: string }[]) users.add(r.username);
    } finally {
      db.close();
    }
  }
  const ctx = {
    regions: RegionTable.load(),
    current: cur,
    hours: currentHours(dataDir, cur.box.region, cur.box.timezone),
    modems: hardware.modems.filter((m) => m.answers).map((m) => m.port),
    users,
  };
  let answers;
  if (doc !== undefined) answers = answersFromDoc(doc, ctx);
  else {
    const { runWizard } = await import('../provision/wizard.js');
    answers = await runWizard(ctx, { input: process.stdin, output: process.stdout });
  }

  const report = await applyProvision(dataDir, answers, { actor: shellActor('edgebox provision'), now: () => new Date() });
  say(report.changed.length ? `已更改 / changed:\n${report.changed.map((c) => `  ${c}`).join('\n')}` : '无更改 / nothing changed');
  if (report.prompts.failed) say(`  ${report.prompts.failed} IVR prompts could not be generated (espeak-ng, sox) / 部分语音提示未能生成`);

  const { askRunningBox, directSelftest, formatSelftest } = await import('./selftest.js');
  const selftest = (await askRunningBox(dataDir)) ?? (await directSelftest(dataDir, probeTimeout ? { modemTimeoutMs: probeTimeout } : {}));
  if (json) process.stdout.write(`${JSON.stringify({ hardware, changed: report.changed, paired: report.paired, selftest }, null, 2)}\n`);
  else say(`\n自检 / self-test:\n${formatSelftest(selftest)}`);
  return selftest.ok ? 0 : 1;
}
