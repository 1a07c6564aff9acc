// `edgebox start` flags into the configuration: the trunk flags become the `trunk` section, through the
// audited change of config/edit.ts (actor: the shell user running `edgebox start`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../store/db.js';
import { changeSettings, type ConfigChange } from './edit.js';
import type { Role } from './model.js';
import { openConfig } from './store.js';
import { sameTrunk, trunkFromFlags } from './trunk.js';

export const shellActor = (what: string) => ({ id: null, name: `${what} (${process.env.SUDO_USER ?? os.userInfo().username})`, role: 'technician' }) as const;

export async function recordTrunkFlags(dataDir: string, flags: Record<string, string | boolean | undefined>, initial: { role?: Role; region?: string } = {}): Promise<ConfigChange | null> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const config = await openConfig(dataDir, initial);
  const next = trunkFromFlags(config.current().trunk, flags);
  if (!next || sameTrunk(next, config.current().trunk)) return null;
  const db = openDb({ file: path.join(dataDir, 'edgebox.sqlite') });
  try {
    const [change] = changeSettings(config, db, shellActor('edgebox start'), [{ key: 'trunk', value: next }], new Date(), 'edgebox start flags');
    return change ?? null;
  } finally {
    db.close();
  }
}
