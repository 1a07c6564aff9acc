// Runs a real box as a child process (`node bin/edgebox-dev.js start`, or the built bin/edgebox.js when
// `npm test` found dist/ built from these very sources) for crash and CLI tests.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The `edgebox` command tests run as a process: the sources through tsx (bin/edgebox-dev.js), or the built box
 * (bin/edgebox.js) when test/run.js has checked that dist/ was built from the current sources and said so in
 * EDGEBOX_TEST_BIN. The built box starts in half the CPU time, and it is what ships.
 */
export const edgebox = process.env.EDGEBOX_TEST_BIN || path.join(root, 'bin/edgebox-dev.js');

export interface RunningBox {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last 10 KB the box wrote to stderr. */
  stderr(): string;
}

/**
 * The one way tests start a box as its own process (`node bin/edgebox-dev.js start …args`), for crashes,
 * signals, the CLI and the three-level network: on a free port unless `args` name one, logging warnings only
 * unless they say otherwise; resolves when it listens, rejects with its stderr if it exits first or does not
 * listen within `timeoutMs`. `bin` runs another install of the box (a built tree) from `cwd`; `env` is added to
 * this process's environment, less the keys in `unset` (e.g. NODE_OPTIONS, so no loader is inherited).
 */
export function startBoxProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  opts: { timeoutMs?: number; bin?: string; cwd?: string; unset?: string[] } = {},
): Promise<RunningBox> {
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !opts.unset?.includes(k)));
  const defaults = [...(args.includes('--port') ? [] : ['--port', '0']), ...(args.includes('--log-level') ? [] : ['--log-level', 'warn'])];
  const child = spawn(process.execPath, [opts.bin ?? edgebox, 'start', ...defaults, ...args], {
    cwd: opts.cwd ?? root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 20_000) err = err.slice(-10_000);
  });
  return new Promise((resolve, reject) => {
    // Generous: six boxes starting at once on a busy two-core machine each take tens of seconds.
    const timer = setTimeout(() => reject(new Error(`box did not listen within ${timeoutMs / 1000} s: ${err}${out}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      if (out.length > 20_000) return;
      out += d.toString();
      const m = /listening on (https?:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        out = '';
        resolve({ child, url: m[1]!, exited, stderr: () => err });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`box exited (${code ?? signal}) before listening: ${err}${out}`));
    });
  });
}

export function runCli(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [edgebox, ...args], { cwd: root, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** A tiny HTTP client with a cookie jar, over real HTTP. */
export class HttpClient {
  cookie = '';
  constructor(readonly base: string) {}

  async request(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(this.base + url, {
      method,
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  }

  async login(username: string, password: string): Promise<void> {
    const r = await this.request('POST', '/api/session', { username, password });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.json)}`);
  }
}
