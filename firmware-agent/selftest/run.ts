// Runs the self-test: measures the store, the disk, the clock, the configuration, the trunk, the prompts,
// the upstream link and the backups, and applies the checks (checks.ts). The same code runs inside the box
// (GET /api/admin/selftest, the self-test socket) and in the CLI when no box runs; what differs is where the
// trunk facts come from (trunk.ts) and who opened the store.
import fs from 'node:fs';
import path from 'node:path';
import type { BoxConfig } from '../config/model.js';
import { keyFingerprint } from '../network/crypto.js';
import { pinnedFetch } from '../network/tls.js';
import { promptTexts } from '../calls/prompts.js';
import type { Db } from '../store/db.js';
import {
  type Check,
  type E1Facts,
  type SelfTest,
  type UpstreamFacts,
  backupCheck,
  clockCheck,
  configCheck,
  diskChecks,
  e1Checks,
  modemChecks,
  promptsCheck,
  storeCheck,
  trunkCheck,
  upstreamChecks,
} from './checks.js';
import type { ModemProbe } from './modem-probe.js';

export type TrunkFacts =
  | { driver: 'serial-at' | 'voice-modem'; up: boolean; modem: ModemProbe }
  | { driver: 'e1-pri'; up: boolean; e1: E1Facts }
  | { driver: string; up: boolean; detail?: string };

export interface SelftestInputs {
  source: 'box' | 'direct';
  dataDir: string;
  /** The open store, or null with the reason when there is none. */
  db: Db | null;
  dbError?: string;
  config: Readonly<BoxConfig>;
  /** Problems found validating config.json (with an unmigrated calls.json or sms.json) (empty: valid). */
  configProblems: string[];
  /** Where the IVR prompts are (calls.promptsDir, by default <data>/prompts). */
  promptsDir: string;
  trunk: () => Promise<TrunkFacts>;
  now: () => Date;
  /** For the upstream's clock and reachability; injected by tests. */
  fetch?: typeof fetch;
  upstreamTimeoutMs?: number;
}

interface IdentityRow {
  upstream_url: string | null;
  upstream_key: string | null;
  last_contact: string | null;
  last_error: string | null;
}

function tableExists(db: Db, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
}

/** GETs the upstream's /healthz: any HTTP answer means it is reachable; its Date header is its clock. */
async function askUpstream(id: IdentityRow, o: SelftestInputs): Promise<{ reachable: boolean; time: Date | null; error: string | null }> {
  const url = id.upstream_url!;
  const doFetch = o.fetch ?? (url.startsWith('https:') && id.upstream_key ? pinnedFetch(keyFingerprint(id.upstream_key)) : fetch);
  try {
    const res = await doFetch(`${url.replace(/\/$/, '')}/healthz`, { signal: AbortSignal.timeout(o.upstreamTimeoutMs ?? 5000) });
    await res.text().catch(() => '');
    const date = res.headers.get('date');
    const t = date ? new Date(date) : null;
    return { reachable: true, time: t && !Number.isNaN(t.getTime()) ? t : null, error: null };
  } catch (err) {
    const e = err as Error;
    return { reachable: false, time: null, error: `${e.message}${e.cause ? ` (${(e.cause as Error).message})` : ''}` };
  }
}

function newestBackup(dataDir: string): { file: string; at: Date } | null {
  const dir = path.join(dataDir, 'backups');
  if (!fs.existsSync(dir)) return null;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ebk'))
    .map((f) => ({ file: path.join(dir, f), at: fs.statSync(path.join(dir, f)).mtime }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return files.at(-1) ?? null;
}

export async function runSelftest(o: SelftestInputs): Promise<SelfTest> {
  const now = o.now();
  const t = o.config.selftest;
  const checks: Check[] = [];

  // Store: quick_check reads every page but skips the index cross-checks of integrity_check (seconds, not minutes).
  if (o.db) {
    try {
      const rows = o.db.pragma('quick_check') as { quick_check: string }[];
      checks.push(storeCheck(rows.map((r) => r.quick_check).join('; ')));
    } catch (err) {
      checks.push(storeCheck(null, (err as Error).message));
    }
  } else checks.push(storeCheck(null, o.dbError ?? 'no store'));

  // Disk and inodes of the data directory's own filesystem (not the root's: the data disk may be apart).
  const s = fs.statfsSync(o.dataDir);
  checks.push(...diskChecks({ path: o.dataDir, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize, freeInodes: s.ffree, totalInodes: s.files }, t));

  // The upstream: reachability and its clock, asked once for both.
  let id: IdentityRow | undefined;
  if (o.db && tableExists(o.db, 'net_identity')) {
    id = o.db.prepare('SELECT upstream_url, upstream_key, last_contact, last_error FROM net_identity WHERE id = 1').get() as IdentityRow | undefined;
  }
  const asked = id?.upstream_url ? await askUpstream(id, o) : null;
  checks.push(clockCheck(now, asked?.time ?? null, t.clockSkewMaxSeconds));
  checks.push(configCheck(o.configProblems));

  const trunk = await o.trunk().catch((err: unknown) => ({ driver: o.config.trunk.driver, up: false, detail: (err as Error).message }));
  checks.push(trunkCheck(trunk.driver, trunk.up, 'detail' in trunk ? trunk.detail : undefined));
  if ('modem' in trunk) checks.push(...modemChecks(trunk.modem, t.modemSignalMinRssi));
  if ('e1' in trunk) checks.push(...e1Checks(trunk.e1));

  checks.push(promptsCheck(o.promptsDir, Object.keys(promptTexts), (pid) => fs.existsSync(path.join(o.promptsDir, `${pid}.wav`))));

  let outbox = { depth: 0, oldestAgeMinutes: null as number | null };
  if (o.db && tableExists(o.db, 'net_outbox')) {
    const d = o.db.prepare("SELECT count(*) AS n, min(created_at) AS oldest FROM net_outbox WHERE delivered_at IS NULL").get() as { n: number; oldest: string | null };
    outbox = { depth: d.n, oldestAgeMinutes: d.oldest ? Math.max(0, Math.round((now.getTime() - Date.parse(d.oldest)) / 60_000)) : null };
  }
  const up: UpstreamFacts | null = id?.upstream_url ? { url: id.upstream_url, reachable: asked!.reachable, lastContact: id.last_contact, lastError: asked!.error ?? id.last_error } : null;
  checks.push(...upstreamChecks(up, outbox, t.outboxMaxAgeMinutes));

  const since = o.config.provisioned ? new Date(o.config.provisioned) : null;
  checks.push(backupCheck(newestBackup(o.dataDir), since, now, t.backupMaxAgeHours));

  return { ok: checks.every((c) => c.ok), at: now.toISOString(), source: o.source, checks };
}
