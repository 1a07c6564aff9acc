// Test helpers: a fresh box in a temp dir driven through fastify's inject(), with logged-in users.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { type Box, type BoxOptions, createBox } from '../../firmware-agent/app.js';
import { shortPrompts } from './prompts.js';

export interface TestBox {
  box: Box;
  dir: string;
  adminPassword: string;
  /** The box's own address when started with `listen` (real HTTP on loopback), else ''. */
  url: string;
  /** Logs in and returns a client that sends the session cookie. */
  login(username: string, password: string): Promise<Client>;
  /** The first-start admin's session (unless started with `login: false`). */
  admin: Client;
  /** Closes the box and keeps its data directory: start it again with `startTestBox({ dataDir: tb.dir })`. */
  stop(): Promise<void>;
  /** Closes the box and removes its data directory. */
  close(): Promise<void>;
}

export interface Client {
  cookie: string;
  request(method: Method, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  put(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TestBoxOptions extends Partial<BoxOptions> {
  /** Listen on loopback (on `port`, or a free one) for real HTTP: browsers, peer boxes, other processes. */
  listen?: boolean;
  /** Log in as the first-start admin (default); false for a box whose test never needs a session. */
  login?: boolean;
  /** The real prompts cut to 0.4 s as the box's recorded prompts (helpers/prompts.ts), for simulated callers. */
  shortPrompts?: boolean;
}

export function tempDir(prefix = 'edgebox-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * The one way tests start a box in their own process: `createBox` on a temp data directory (or `dataDir`, to
 * start an earlier box again), optionally listening on loopback, with the first-start admin logged in.
 * Tests that need a box as a separate process (crashes, signals, the CLI) use `startBoxProcess` instead.
 */
export async function startTestBox(opts: TestBoxOptions = {}): Promise<TestBox> {
  const { listen, login: loginAdmin = true, shortPrompts: short = false, ...boxOpts } = opts;
  const dir = boxOpts.dataDir ?? tempDir();
  if (short) await shortPrompts(dir);
  const box = await createBox({ ...boxOpts, dataDir: dir, ...(listen ? { host: boxOpts.host ?? '127.0.0.1', port: boxOpts.port ?? 0 } : {}) });
  const url = listen ? await box.listen() : '';
  const passwordFile = path.join(dir, 'initial-admin-password');
  const adminPassword = box.initialAdminPassword ?? (fs.existsSync(passwordFile) ? fs.readFileSync(passwordFile, 'utf8').trim() : '');
  const login = async (username: string, password: string): Promise<Client> => {
    const res = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
    const set = res.headers['set-cookie'];
    const cookie = (Array.isArray(set) ? set[0]! : set!).split(';')[0]!;
    return client(box, cookie);
  };
  const admin = loginAdmin ? await login('admin', adminPassword) : noSession;
  return {
    box,
    dir,
    adminPassword,
    url,
    login,
    admin,
    stop: () => box.close(),
    async close() {
      await box.close();
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    },
  };
}

const refuse = (): never => {
  throw new Error('this test box was started with login: false; log in with tb.login()');
};
const noSession: Client = { cookie: '', request: refuse, get: refuse, post: refuse, put: refuse, patch: refuse, delete: refuse };

export function client(box: Box, cookie: string): Client {
  const send = (method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    box.http.inject({
      method,
      url,
      headers: { ...headers, cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  return {
    cookie,
    request: send,
    get: (url) => send('GET', url),
    post: (url, body) => send('POST', url, body),
    put: (url, body) => send('PUT', url, body),
    patch: (url, body) => send('PATCH', url, body),
    delete: (url) => send('DELETE', url),
  };
}

/** The session id a client sends (its cookie's value), for tests that set the cookie themselves. */
export const sessionId = (c: Client): string => c.cookie.slice(c.cookie.indexOf('=') + 1);

export const strongPassword = 'Correct-Horse-12328';

/** Creates a department and one user per role; returns logged-in clients. */
export async function staff(tb: TestBox) {
  const dept = (await tb.admin.post('/api/departments', { name: '市出租汽车管理处' })).json() as { id: number };
  const other = (await tb.admin.post('/api/departments', { name: '市公交集团' })).json() as { id: number };
  const mk = async (username: string, role: string, department?: number) => {
    const res = await tb.admin.post('/api/users', { username, password: strongPassword, role, ...(department ? { department } : {}) });
    if (res.statusCode !== 201) throw new Error(`create user ${username}: ${res.body}`);
    return tb.login(username, strongPassword);
  };
  return {
    dept,
    other,
    agent: await mk('agent1', 'agent'),
    supervisor: await mk('super1', 'supervisor'),
    taxi: await mk('taxi1', 'department', dept.id),
    bus: await mk('bus1', 'department', other.id),
    tech: await mk('tech1', 'technician'),
  };
}

export const complaint = {
  type: 'complaint',
  subtype: 'complaint',
  domain: 'taxi',
  channel: 'phone',
  region: '623001',
  caller: { phone: '13800138000', name: '张先生' },
  subject: '出租车拒载',
  description: '晚上八点在合作市汽车站，出租车司机拒载，车牌甘A12345。',
  location: '合作市汽车站',
  involved: { plate: '甘A12345' },
};
