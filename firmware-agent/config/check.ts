// Reads the configuration of a data directory without opening the box, for `edgebox config validate`, the
// self-test and provisioning: config.json (with defaults for sections an older file lacks, and the content of
// an older directory's calls.json and sms.json that the next start moves in). Every problem is named; nothing
// is written.
import fs from 'node:fs';
import path from 'node:path';
import { callsConfigOf } from '../calls/config.js';
import { legacySettings, withLegacySettings } from './migrate.js';
import { type BoxConfig, defaultConfig } from './model.js';
import { ConfigError, validateConfig, withDefaults } from './schema.js';

export interface SettingsCheck {
  /** The configuration in force, or the defaults when config.json is missing or invalid. */
  config: Readonly<BoxConfig>;
  exists: boolean;
  problems: string[];
  promptsDir: string;
}

export function checkSettings(dataDir: string): SettingsCheck {
  const file = path.join(dataDir, 'config.json');
  const problems: string[] = [];
  let config: Readonly<BoxConfig> = validateConfig(structuredClone(defaultConfig));
  const exists = fs.existsSync(file);
  let legacy: ReturnType<typeof legacySettings> = [];
  try {
    legacy = legacySettings(dataDir);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (exists || legacy.length) {
    try {
      const doc = exists ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : structuredClone(defaultConfig);
      config = validateConfig(withDefaults(withLegacySettings(doc as Record<string, unknown>, legacy)), 'config.json');
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems.map((p) => `config.json: ${p}`));
      else problems.push(`config.json: ${(err as Error).message}`);
    }
  }
  if (!exists) problems.push('config.json: missing (run `edgebox provision`)');
  const promptsDir = callsConfigOf(config.calls, dataDir, config.box.region, config.box.timezone).promptsDir;
  return { config, exists, problems, promptsDir };
}
