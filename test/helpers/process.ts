// Runs a real box as a child process (`node bin/edgebox-dev.js start`) for crash and CLI tests.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const edgebox = path.join(root, 'bin/edgebox-dev.js');

export interface RunningBox {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a box on a free port and resolves when it listens. */
export function startBoxProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningBox> {
  const child = spawn(process.execPath, [edgebox, 'start', '--port', '0', '--log-level', 'warn', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1]!, exited });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    void exited.then(({ code, signal }) => reject(new Error(`box exited (${code ?? signal}) before listening: ${err}${out}`)));
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
