// `edgebox config get [KEY] | set KEY VALUE | validate [--data DIR]` (docs/technician.md §Configuration).
// `set` takes VALUE as JSON (8, true, null, "text", ["12328"]) or, when it is not JSON, as a bare string;
// the whole configuration is validated before anything is written, and the change is audited. A running box
// takes the settings it reads on each use at once and the rest (listen address, trunk) at its next start.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dataDirOf } from './main.js';

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function configCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { data: { type: 'string' } }, allowPositionals: true, strict: true });
  const dataDir = dataDirOf(values);
  const [sub, key, raw, ...extra] = positionals;
  const { checkSettings } = await import('../config/check.js');
  if (sub === 'validate') {
    const s = checkSettings(dataDir);
    if (s.problems.length === 0) {
      process.stdout.write(`${path.join(dataDir, 'config.json')}: valid\n`);
      return 0;
    }
    process.stdout.write(`${s.problems.join('\n')}\n`);
    return 1;
  }
  if (sub === 'get') {
    if (raw !== undefined) throw new Error('usage: edgebox config get [KEY]');
    const s = checkSettings(dataDir);
    if (!s.exists) throw new Error(`no configuration in ${dataDir}: run \`edgebox provision\``);
    if (s.problems.some((p) => p.startsWith('config.json'))) throw new Error(s.problems.join('; '));
    const { getSetting, redactSecrets } = await import('../config/edit.js');
    process.stdout.write(`${JSON.stringify(redactSecrets(key === undefined ? s.config : getSetting(s.config, key)), null, 2)}\n`);
    return 0;
  }
  if (sub === 'set') {
    if (key === undefined || raw === undefined || extra.length) throw new Error('usage: edgebox config set KEY VALUE');
    const { openConfig } = await import('../config/store.js');
    const { changeSettings, redactSecrets } = await import('../config/edit.js');
    const { shellActor } = await import('../config/record.js');
    const { openDb } = await import('../store/db.js');
    const config = await openConfig(dataDir);
    const { identityProblem } = await import('../config/edit.js');
    const { RegionTable } = await import('../regions/regions.js');
    const identity = identityProblem(config.refresh(), key, parseValue(raw), RegionTable.load(), dataDir);
    if (identity) throw new Error(identity);
    const db = openDb({ file: path.join(dataDir, 'edgebox.sqlite') });
    try {
      const [c] = changeSettings(config, db, shellActor('edgebox config set'), [{ key, value: parseValue(raw) }], new Date());
      process.stdout.write(c ? `${key}: ${JSON.stringify(redactSecrets(c.old))} → ${JSON.stringify(redactSecrets(c.value))}\n` : `${key}: unchanged\n`);
      return 0;
    } finally {
      db.close();
    }
  }
  throw new Error('usage: edgebox config get [KEY] | set KEY VALUE | validate');
}
