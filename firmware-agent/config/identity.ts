// The box's identity flags (`edgebox start --role --region`) against an existing `<data>/config.json`.
//
// On the first start the flags seed the new file (openConfig). Later, a flag that differs from the file
// is either applied through the validated configuration update or refused — never silently ignored, so
// a technician who types `--region 620100` is not left running a box that still numbers its tickets 623000.
//
// Invariant: the role and region are fixed once the box holds tickets or has joined the three-level
// network. Ticket numbers begin with the region code, and upstream and downstream peers know this box by
// its region and role (net_identity, net_peers); changing either then would break both.
import fs from 'node:fs';
import path from 'node:path';
import type { RegionTable } from '../regions/regions.js';
import { openDb } from '../store/db.js';
import type { Role } from './model.js';
import { nationalRegion, openConfig, regionAllowed } from './store.js';

export interface IdentityFlags {
  role?: Role;
  region?: string;
}

export interface IdentityChange {
  key: 'box.role' | 'box.region';
  from: string;
  to: string;
}

export class IdentityError extends Error {
  readonly code = 'config-identity-locked';
  constructor(message: string) {
    super(message);
    this.name = 'IdentityError';
  }
}

/** What ties this data directory to its current identity, in words; empty when nothing does. */
export function identityInUse(dataDir: string): string[] {
  const file = path.join(dataDir, 'edgebox.sqlite');
  if (!fs.existsSync(file)) return [];
  const db = openDb({ file });
  try {
    const has = (table: string) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
    const reasons: string[] = [];
    const tickets = has('tickets') ? (db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number }).n : 0;
    if (tickets > 0) reasons.push(`it holds ${tickets} ticket${tickets === 1 ? '' : 's'} numbered under its region`);
    if (has('net_identity')) {
      const up = db.prepare('SELECT upstream_address FROM net_identity WHERE paired_at IS NOT NULL').get() as { upstream_address: string | null } | undefined;
      if (up) reasons.push(`it is paired with the upstream ${up.upstream_address ?? 'box'}`);
    }
    if (has('net_peers')) {
      const peers = (db.prepare('SELECT count(*) AS n FROM net_peers').get() as { n: number }).n;
      if (peers > 0) reasons.push(`${peers} downstream box${peers === 1 ? ' is' : 'es are'} enrolled with it`);
    }
    return reasons;
  } finally {
    db.close();
  }
}

/**
 * Applies `--role`/`--region` to an existing config.json through the validated update, or throws
 * IdentityError naming the file when the box's identity is already in use. Returns the changes made
 * (none on a first start, which openConfig handles, or when the flags match the file).
 */
export async function applyIdentityFlags(dataDir: string, flags: IdentityFlags, regions: Pick<RegionTable, 'has'>): Promise<IdentityChange[]> {
  const file = path.join(dataDir, 'config.json');
  if (!fs.existsSync(file)) return [];
  const config = await openConfig(dataDir);
  const cur = config.current().box;
  if (flags.region !== undefined && !regionAllowed(regions, flags.role ?? cur.role, flags.region)) {
    throw new IdentityError(`--region ${flags.region} is not a GB/T 2260 code in the region table`);
  }
  // Becoming the ministry without --region: the national code, not the city's code the file held.
  if (flags.role === 'ministry' && flags.region === undefined && cur.role !== 'ministry') flags = { ...flags, region: nationalRegion };
  const changes: IdentityChange[] = [];
  if (flags.role !== undefined && flags.role !== cur.role) changes.push({ key: 'box.role', from: cur.role, to: flags.role });
  if (flags.region !== undefined && flags.region !== cur.region) changes.push({ key: 'box.region', from: cur.region, to: flags.region });
  if (changes.length === 0) return [];
  const reasons = identityInUse(dataDir);
  if (reasons.length > 0) {
    const asked = changes.map((c) => `${c.key} ${c.from} → ${c.to}`).join(', ');
    throw new IdentityError(
      `${file} says this box is ${cur.role} ${cur.region}; the flags ask for ${asked}, but ${reasons.join(' and ')}, ` +
        'so its role and region can no longer change. Start it without --role/--region, or use a new --data directory for a different box.',
    );
  }
  await config.update((draft) => {
    if (flags.role !== undefined) draft.box.role = flags.role;
    if (flags.region !== undefined) draft.box.region = flags.region;
  });
  return changes;
}
