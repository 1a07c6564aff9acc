// Real boxes as separate processes on loopback for the network tests: start, stop, SIGKILL, restart on
// the same port and data directory; log in as the first-start admin; call the API; wait on conditions.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBoxProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';


/** Fast sync settings so tests take seconds, not minutes; no web UI build (these boxes serve no browser). */
export const fastFlags = ['--no-ui-build', '--net-retry-base-ms', '50', '--net-retry-max-ms', '400', '--net-idle-ms', '200', '--net-poll-wait', '2', '--log-level', 'warn'];

export interface BoxProc {
  role: string;
  region: string;
  dir: string;
  port: number;
  url: string;
  proc: ChildProcess;
  cookie: string | null;
  exited: Promise<number | null>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `edgebox-${prefix}-`));
}

export async function startBox(o: { role: string; region: string; dir?: string; port?: number; flags?: string[] }): Promise<BoxProc> {
  const dir = o.dir ?? tempDir(`${o.role}-${o.region}`);
  const args = ['--data', dir, '--host', '127.0.0.1', '--port', String(o.port ?? 0), '--role', o.role, '--region', o.region, ...(o.flags ?? fastFlags)];
  const run = await startBoxProcess(args, { EDGEBOX_LOG_LEVEL: 'warn' }).catch((e: Error) => {
    throw new Error(`box ${o.role} ${o.region}: ${e.message}`);
  });
  const port = Number(new URL(run.url).port);
  return { role: o.role, region: o.region, dir, port, url: run.url, proc: run.child, cookie: null, exited: run.exited.then((e) => e.code) };
}

export async function stopBox(b: BoxProc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (b.proc.exitCode !== null || b.proc.signalCode !== null) return;
  b.proc.kill(signal);
  // A box that does not finish its shutdown in time is killed, so a test never hangs in teardown.
  const timer = setTimeout(() => b.proc.kill('SIGKILL'), 15_000);
  await b.exited;
  clearTimeout(timer);
}

export async function restartBox(b: BoxProc, flags?: string[]): Promise<BoxProc> {
  await stopBox(b);
  const n = await startBox({ role: b.role, region: b.region, dir: b.dir, port: b.port, ...(flags ? { flags } : {}) });
  return Object.assign(b, { proc: n.proc, exited: n.exited, cookie: null });
}

export async function api<T = any>(b: BoxProc, method: string, p: string, body?: unknown): Promise<{ status: number; json: T }> {
  if (!b.cookie && p !== '/api/session') await login(b);
  const res = await fetch(b.url + p, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(b.cookie ? { cookie: b.cookie } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

export async function login(b: BoxProc, username = 'admin', password?: string): Promise<string> {
  const pw = password ?? fs.readFileSync(path.join(b.dir, 'initial-admin-password'), 'utf8').trim();
  const res = await fetch(`${b.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: pw }) });
  if (res.status !== 200) throw new Error(`login to ${b.url} failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (username === 'admin') b.cookie = cookie;
  return cookie;
}

/** Enrolls `down` at `up` through the admin API and pairs it. */
export async function pair(up: BoxProc, down: BoxProc): Promise<void> {
  const e = await api(up, 'POST', '/api/network/enrollments', { region: down.region });
  if (e.status !== 201) throw new Error(`enroll ${down.region} at ${up.region}: ${JSON.stringify(e.json)}`);
  const p = await api(down, 'POST', '/api/network/pair', { upstream: up.url, code: e.json.code });
  if (p.status !== 200) throw new Error(`pair ${down.region} with ${up.region}: ${JSON.stringify(p.json)}`);
}

export function ticketInput(region: string, subject = '出租车拒载', extra: Record<string, unknown> = {}) {
  return {
    type: 'complaint',
    domain: 'taxi',
    channel: 'phone',
    region,
    caller: { phone: '13800138000', name: '张先生' },
    subject,
    description: `${subject}：乘客在火车站被拒载，要求处理。`,
    ...extra,
  };
}
