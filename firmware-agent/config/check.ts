// Reads the settings files of a data directory without opening the box, for `edgebox config validate`,
// the self-test and provisioning: config.json (with defaults for sections an older file lacks), calls.json
// and sms.json. Every problem is named; nothing is written.
import fs from 'node:fs';
import path from 'node:path';
import { loadCallsConfig } from '../calls/install.js';
import { loadSmsConfig } from '../sms/config.js';
import { type BoxConfig, ConfigError, defaultConfig, validateConfig, withDefaults } from './schema.js';

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
  if (exists) {
    try {
      config = validateConfig(withDefaults(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>), 'config.json');
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems.map((p) => `config.json: ${p}`));
      else problems.push(`config.json: ${(err as Error).message}`);
    }
  } else problems.push('config.json: missing (run `edgebox provision`)');
  let promptsDir = path.join(dataDir, 'prompts');
  try {
    promptsDir = loadCallsConfig(dataDir, config.box.region, config.box.timezone).promptsDir;
  } catch (err) {
    problems.push(`calls.json: ${(err as Error).message}`);
  }
  try {
    loadSmsConfig(dataDir);
  } catch (err) {
    problems.push(`sms.json: ${(err as Error).message}`);
  }
  return { config, exists, problems, promptsDir };
}
