// `edgebox selftest [--json] [--data DIR]`: asks the box running on the data directory (it holds the serial
// port or the D-channel) through its self-test socket; with no box running, probes directly. Exit status 0
// when every check is ok, 1 when one fails (docs/technician.md §Self-test).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SelfTest } from '../selftest/checks.js';
import { dataDirOf } from './main.js';

/** Asks the running box; null when no box answers on the data directory's self-test socket. */
export function askRunningBox(dataDir: string, timeoutMs = 120_000): Promise<SelfTest | null> {
  const file = path.join(dataDir, 'selftest.sock');
  if (!fs.existsSync(file)) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: file, method: 'GET', path: '/selftest', timeout: timeoutMs }, (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (raw += c));
      res.on('end', () => {
        try {
          const body = JSON.parse(raw) as SelfTest & { error?: { message: string } };
          if (res.statusCode !== 200) reject(new Error(`the running box could not run the self-test: ${body.error?.message ?? res.statusCode}`));
          else resolve(body);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? resolve(null) : reject(err)));
    req.on('timeout', () => req.destroy(new Error('the running box did not answer on its self-test socket')));
    req.end();
  });
}

/** The self-test without a running box: the store opened here, the hardware probed directly. */
export async function directSelftest(dataDir: string, o: { now?: () => Date; modemTimeoutMs?: number } = {}): Promise<SelfTest> {
  const { checkSettings } = await import('../config/check.js');
  const { runSelftest } = await import('../selftest/run.js');
  const { probeTrunk } = await import('../selftest/trunk.js');
  const settings = checkSettings(dataDir);
  const file = path.join(dataDir, 'edgebox.sqlite');
  let db: import('../store/db.js').Db | null = null;
  let dbError: string | undefined;
  if (fs.existsSync(file)) {
    try {
      db = (await import('../store/db.js')).openDb({ file });
    } catch (err) {
      dbError = (err as Error).message;
    }
  } else dbError = `no store at ${file}`;
  try {
    return await runSelftest({
      source: 'direct',
      dataDir,
      db,
      ...(dbError ? { dbError } : {}),
      config: settings.config,
      configProblems: settings.problems,
      promptsDir: settings.promptsDir,
      trunk: () => probeTrunk(settings.config.trunk, o.modemTimeoutMs ? { timeoutMs: o.modemTimeoutMs } : {}),
      now: o.now ?? (() => new Date()),
    });
  } finally {
    db?.close();
  }
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '-';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function formatSelftest(r: SelfTest): string {
  const lines = r.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(13)} ${show(c.value)}${c.hint ? `\n      → ${c.hint}` : ''}`);
  lines.push(`${r.ok ? 'all checks ok' : `${r.checks.filter((c) => !c.ok).length} check(s) failed`} (${r.source === 'box' ? 'asked the running box' : 'probed directly, no box running'}, ${r.at})`);
  return lines.join('\n');
}

export async function selftestCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true });
  const dataDir = dataDirOf(values);
  if (!fs.existsSync(dataDir)) throw new Error(`no data directory ${dataDir}: run \`edgebox provision --data ${dataDir}\` first`);
  const r = (await askRunningBox(dataDir)) ?? (await directSelftest(dataDir));
  process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatSelftest(r)}\n`);
  return r.ok ? 0 : 1;
}
