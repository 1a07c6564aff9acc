// Applies the answers of `edgebox provision` to a data directory. Each part changes only what differs from
// what is there (a re-run with the same answers changes nothing and writes no audit record):
//   config.json   identity, trunk, hotline numbers, business hours (calls.ivr.hours), provisioned
//                                                                  (config/edit.ts: validated, audited)
//   accounts      first admin and supervisor                       (AccountService: audited)
//   network       pairing with the upstream                         (network/pairing.ts: audited)
//   prompts       generated once (espeak-ng + sox), kept afterwards
import fs from 'node:fs';
import path from 'node:path';
import { AccountService } from '../accounts/service.js';
import { loadCallsConfig } from '../calls/install.js';
import { generatePrompts } from '../calls/prompts.js';
import { changeSettings } from '../config/edit.js';
import { IdentityError, identityInUse } from '../config/identity.js';
import type { TrunkConfig } from '../config/model.js';
import { openConfig } from '../config/store.js';
import { sameTrunk } from '../config/trunk.js';
import { pairWithUpstream } from '../network/pairing.js';
import { promptCacheDirOf } from '../compose.js';
import { NetStore } from '../network/store.js';
import { openDb } from '../store/db.js';
import type { Actor } from '../accounts/actor.js';
import type { Answers } from './questions.js';

export interface ProvisionReport {
  /** What changed, one line each (config keys, files, accounts, pairing). */
  changed: string[];
  paired: { upstream: string; region: string } | null;
  prompts: { generated: number; failed: number };
}

export interface ApplyOptions {
  actor: Actor;
  now: () => Date;
  fetch?: typeof fetch;
}

/** The current business hours of a data directory (the configuration's calls section over the defaults). */
export function currentHours(dataDir: string, region: string, timezone: string): { open: string; close: string; days: 'workdays' | 'every-day' } {
  const h = loadCallsConfig(dataDir, region, timezone).ivr.hours;
  return { open: h.open, close: h.close, days: h.days };
}

export async function applyProvision(dataDir: string, a: Answers, o: ApplyOptions): Promise<ProvisionReport> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const report: ProvisionReport = { changed: [], paired: null, prompts: { generated: 0, failed: 0 } };
  const existed = fs.existsSync(path.join(dataDir, 'config.json'));
  // A new data directory starts from the defaults; the answers then change it like any other change (audited).
  const config = await openConfig(dataDir);
  const cur = config.current();
  // Role and region are fixed once tickets are numbered under them or the box joined the network.
  if (existed && ((a.role && a.role !== cur.box.role) || (a.region && a.region !== cur.box.region))) {
    const reasons = identityInUse(dataDir);
    if (reasons.length) throw new IdentityError(`this box is ${cur.box.role} ${cur.box.region} and ${reasons.join(' and ')}: its role and region can no longer change`);
  }
  const db = openDb({ file: path.join(dataDir, 'edgebox.sqlite') });
  try {
    const now = o.now();
    const driver = a.driver ?? cur.trunk.driver;
    const trunk: TrunkConfig = {
      driver,
      serial: driver === 'serial-at' || driver === 'voice-modem' ? (a.serial ?? cur.trunk.serial) : null,
      dchannel: driver === 'e1-pri' ? (a.dchannel ?? cur.trunk.dchannel) : null,
      // The driver's other options stay while the driver does.
      options: driver === cur.trunk.driver ? { ...cur.trunk.options } : {},
    };
    const changes: { key: string; value: unknown }[] = [];
    if (!sameTrunk(trunk, cur.trunk)) changes.push({ key: 'trunk', value: trunk });
    if (a.role) changes.push({ key: 'box.role', value: a.role });
    if (a.region) changes.push({ key: 'box.region', value: a.region });
    if (a.name) changes.push({ key: 'box.name', value: a.name });
    if (a.timezone) changes.push({ key: 'box.timezone', value: a.timezone });
    if (a.hotline) changes.push({ key: 'hotline.numbers', value: a.hotline });
    // Business hours: the rest of the calls section stays as the technician left it.
    const hours = cur.calls.ivr.hours;
    changes.push({ key: 'calls.ivr.hours', value: { ...hours, open: a['hours.open'] ?? hours.open, close: a['hours.close'] ?? hours.close, days: a['hours.days'] ?? hours.days } });
    for (const c of changeSettings(config, db, o.actor, changes, now, 'edgebox provision')) report.changed.push(`config ${c.key}: ${JSON.stringify(c.old)} → ${JSON.stringify(c.value)}`);

    const cfg = config.current();
    const accounts = new AccountService({
      db,
      now: o.now,
      sessionHours: () => cfg.auth.sessionHours,
      throttle: () => ({ maxFailures: cfg.auth.loginMaxFailures, maxFailuresTotal: cfg.auth.loginMaxFailuresTotal, lockMinutes: cfg.auth.loginLockMinutes }),
    });
    const account = async (role: 'admin' | 'supervisor', username: string | undefined, password: string | undefined, displayName?: string) => {
      if (!username) return;
      const user = accounts.users().find((u) => u.username === username);
      if (!user) {
        if (!password) throw new IdentityError(`${role}.password: required for the new account ${username}`);
        await accounts.createUser({ username, password, role, ...(displayName ? { displayName } : {}) }, o.actor);
        report.changed.push(`account ${username} (${role}) created`);
        return;
      }
      const change: { password?: string; displayName?: string } = {};
      if (password) change.password = password;
      if (displayName && displayName !== user.displayName) change.displayName = displayName;
      if (Object.keys(change).length === 0) return;
      await accounts.updateUser(user.id, change, o.actor);
      report.changed.push(`account ${username}: ${Object.keys(change).join(', ')} changed`);
    };
    await account('admin', a['admin.username'], a['admin.password']);
    await account('supervisor', a['supervisor.username'], a['supervisor.password'], a['supervisor.displayName']);
    // The random first-start password no longer opens the admin account once the technician set one.
    if (a['admin.username'] === 'admin' && a['admin.password']) fs.rmSync(path.join(dataDir, 'initial-admin-password'), { force: true });

    if (a['upstream.url'] && a['upstream.code'] && cfg.box.role !== 'ministry') {
      const store = new NetStore(db);
      const id = store.identity();
      if (id?.upstream_url !== a['upstream.url'] || !id?.paired_at) {
        const r = await pairWithUpstream(store, { role: cfg.box.role, region: cfg.box.region }, a['upstream.url'], a['upstream.code'], now, o.fetch ?? fetch, { actor: o.actor });
        report.paired = { upstream: r.contacted, region: r.region };
        report.changed.push(`paired with ${r.role} ${r.region} at ${r.contacted}`);
      }
    }

    const prompts = await generatePrompts(loadCallsConfig(dataDir, cfg.box.region, cfg.box.timezone).promptsDir, { cacheDir: promptCacheDirOf(dataDir) });
    report.prompts = { generated: prompts.generated.length, failed: prompts.failed.length };
    if (prompts.generated.length) report.changed.push(`${prompts.generated.length} IVR prompts generated`);

    if (!cfg.provisioned || report.changed.length) changeSettings(config, db, o.actor, [{ key: 'provisioned', value: o.now().toISOString() }], o.now(), 'edgebox provision');
    return report;
  } finally {
    db.close();
  }
}
