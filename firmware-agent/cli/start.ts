// `edgebox start`: run a box until SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { createBox } from '../app.js';
import { applyIdentityFlags } from '../config/identity.js';
import { recordTrunkFlags } from '../config/record.js';
import type { Role } from '../config/model.js';
import { RegionTable } from '../regions/regions.js';
import { dataDirOf } from './main.js';
import { systemdNotifier, watchdogPingMs } from './sd-notify.js';

export async function startCommand(argv: string[]): Promise<number> {
  const { values: raw, tokens } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      role: { type: 'string' },
      region: { type: 'string' },
      'log-level': { type: 'string' },
      demo: { type: 'boolean' },
    },
    strict: false,
    tokens: true,
  });
  const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  const values = {
    port: str(raw.port),
    host: str(raw.host),
    data: str(raw.data),
    role: str(raw.role),
    region: str(raw.region),
    'log-level': str(raw['log-level']),
    demo: raw.demo === true,
  };
  // Flags this file does not know belong to subsystems (e.g. --driver, --serial, --dchannel).
  const flags: Record<string, string | boolean | undefined> = {};
  // parseArgs reads an unknown `--name value` as a boolean followed by a positional: pair them again.
  const list = tokens ?? [];
  list.forEach((t, i) => {
    if (t.kind !== 'option' || t.name === 'demo') return;
    const next = list[i + 1];
    if (t.value === undefined && !t.inlineValue && next?.kind === 'positional') flags[t.name] = next.value;
    else flags[t.name] = t.value ?? true;
  });
  const portText = values.port ?? process.env.EDGEBOX_PORT;
  const port = portText !== undefined ? Number(portText) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`--port must be a TCP port number, got ${portText}`);
  }
  if (values.role && !['city', 'province', 'ministry'].includes(values.role)) {
    throw new Error(`--role must be city, province or ministry, got ${values.role}`);
  }
  if (values.region && !/^[1-9]\d{5}$/.test(values.region)) throw new Error(`--region must be a 6-digit GB/T 2260 code, got ${values.region}`);
  const dataDir = dataDirOf(values);
  // --role/--region seed config.json on the first start; later they change it only while nothing is tied
  // to the box's identity (config/identity.ts), and otherwise the start is refused with config.json named.
  if (values.role || values.region) {
    const identity = { ...(values.role ? { role: values.role as Role } : {}), ...(values.region ? { region: values.region } : {}) };
    const changes = await applyIdentityFlags(dataDir, identity, RegionTable.load());
    for (const c of changes) process.stdout.write(`edgebox: ${path.join(dataDir, 'config.json')}: ${c.key} ${c.from} → ${c.to}\n`);
  }
  // --driver, --serial, --dchannel and the driver's other flags are technician settings: written into the
  // configuration's trunk section (audited), so the next start without flags runs the same trunk.
  const trunkChange = await recordTrunkFlags(dataDir, flags, values.role ? { role: values.role as Role, ...(values.region ? { region: values.region } : {}) } : {});
  if (trunkChange) process.stdout.write(`edgebox: ${path.join(dataDir, 'config.json')}: trunk ${JSON.stringify(trunkChange.old)} → ${JSON.stringify(trunkChange.value)}\n`);
  const box = await createBox({
    dataDir,
    ...(port !== undefined ? { port } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(values.role ? { role: values.role as Role } : {}),
    ...(values.region ? { region: values.region } : {}),
    flags,
    demo: values.demo,
    logger: {
      level: values['log-level'] ?? process.env.EDGEBOX_LOG_LEVEL ?? 'info',
      redact: ['req.headers.cookie', 'req.body.password', 'res.headers["set-cookie"]'],
    },
  });
  const address = await box.listen();
  const cfg = box.config.current();
  box.http.log.info({ address, role: cfg.box.role, region: cfg.box.region, data: dataDir }, 'edgebox listening');
  if (box.initialAdminPassword) {
    box.http.log.warn(`first start: the admin password is in ${path.join(dataDir, 'initial-admin-password')} (user "admin")`);
  }
  process.stdout.write(`edgebox ${cfg.box.role} ${cfg.box.region} listening on ${address}\n`);
  // Under systemd (Type=notify): ready now, and watchdog pings while the event loop turns.
  const notifier = await systemdNotifier().catch((err: unknown) => {
    box.http.log.error({ err }, 'sd_notify unavailable; systemd will not learn that the box is ready');
    return null;
  });
  notifier?.notify(`READY=1\nSTATUS=listening on ${address}\nMAINPID=${process.pid}`);
  const pingMs = notifier ? watchdogPingMs() : null;
  const watchdog = pingMs ? setInterval(() => notifier?.notify('WATCHDOG=1'), pingMs) : undefined;
  watchdog?.unref();
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      box.http.log.info({ signal }, 'shutting down');
      notifier?.notify('STOPPING=1');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await box.close();
  clearInterval(watchdog);
  notifier?.close();
  return 0;
}
