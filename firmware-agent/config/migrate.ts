// The settings files of data directories from before one configuration (issue 12 §1): `calls.json` and
// `sms.json` held the call and SMS settings as partials over the defaults. On the first open of such a data
// directory their content becomes the configuration's `calls` and `sms` sections; config.json is written
// (durably) first and the old files are renamed aside afterwards (`calls.json.migrated`), so a start killed
// anywhere in between finds the old file again and moves the same content in again: repeating is harmless.
// An old file that appears later (a restore of an old backup) is moved in the same way.
import fs from 'node:fs';
import path from 'node:path';

export interface LegacySettings {
  file: string;
  section: 'calls' | 'sms';
  value: Record<string, unknown>;
}

export const legacySettingsFiles = [
  ['calls.json', 'calls'],
  ['sms.json', 'sms'],
] as const;

/** The old settings files present in `dataDir`, parsed; a file that is not a JSON object throws, naming it. */
export function legacySettings(dataDir: string): LegacySettings[] {
  const found: LegacySettings[] = [];
  for (const [name, section] of legacySettingsFiles) {
    const file = path.join(dataDir, name);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file}: not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file}: must be a JSON object`);
    const v = { ...(value as Record<string, unknown>) };
    // calls.json could name the region of IVR tickets; it is the box's own region (box.region) now.
    if (section === 'calls') delete v.region;
    found.push({ file, section, value: v });
  }
  return found;
}

/** A configuration document with the old files' content as its sections (the rest filled by withDefaults). */
export function withLegacySettings<T extends Record<string, unknown>>(doc: T, found: readonly LegacySettings[]): T {
  const out: Record<string, unknown> = { ...doc };
  for (const f of found) out[f.section] = structuredClone(f.value);
  return out as T;
}

/** Renames the old files aside once config.json holds their content (durably). */
export function retireLegacySettings(found: readonly LegacySettings[]): void {
  if (found.length === 0) return;
  for (const f of found) fs.renameSync(f.file, `${f.file}.migrated`);
  const dfd = fs.openSync(path.dirname(found[0]!.file), 'r');
  try {
    fs.fsyncSync(dfd);
  } finally {
    fs.closeSync(dfd);
  }
}
