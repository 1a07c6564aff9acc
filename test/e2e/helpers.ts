// Browser-test helpers: a box on a free loopback port with a temp data dir (business hours open all day so
// a simulated call reaches an agent whatever the wall clock says), users for each role, and Debian's
// chromium driven by playwright-core (never a downloaded browser; launch() gives each run a fresh profile).
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Box, BoxOptions } from '../../firmware-agent/app.js';
import { startTestBox, tempDir } from '../helpers/box.js';

export const artifacts = path.resolve(import.meta.dirname, '../artifacts');
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface TestBox {
  box: Box;
  url: string;
  admin: (method: string, url: string, payload?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any }>;
  close: () => Promise<void>;
}

/**
 * A box on a free port, or on `reuse.port` with `reuse.dir` (a restart of an earlier box); `flags` as the start
 * command's (e.g. a test's own trunk driver registered with registerTrunkDriver).
 */
export async function startBox(reuse?: { dir: string; port: number }, opts: { flags?: BoxOptions['flags'] } = {}): Promise<TestBox & { dir: string; port: number }> {
  const dir = reuse?.dir ?? tempDir('e2e-box-');
  fs.writeFileSync(path.join(dir, 'calls.json'), JSON.stringify({ ivr: { hours: { open: '00:00', close: '23:59', days: 'every-day' } } }));
  // The real prompts cut to 0.4 s, as recorded prompts (kept by the box, not regenerated): a simulated caller
  // then spends its time with the agent, not listening to minutes of IVR speech no page shows.
  // The e2e box is a demo box: the agent's knowledge-base search needs the demo articles.
  const tb = await startTestBox({ dataDir: dir, shortPrompts: !reuse, listen: true, port: reuse?.port ?? 0, demo: true, ...(opts.flags ? { flags: opts.flags } : {}) });
  const admin = async (method: string, u: string, payload?: unknown, headers?: Record<string, string>) => {
    const r = await tb.admin.request(method as 'GET', u, payload, headers);
    return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : null };
  };
  return { box: tb.box, url: tb.url, dir, port: Number(new URL(tb.url).port), admin, close: tb.close };
}

export const password = 'Lanzhou-12328-test';

export async function seedUsers(tb: TestBox): Promise<{ departmentId: number }> {
  const d = await tb.admin('POST', '/api/departments', { name: '城市客运管理所', phone: '0941-8212345' });
  if (d.status !== 201) throw new Error(`department: ${JSON.stringify(d.body)}`);
  for (const u of [
    { username: 'agent1', role: 'agent', displayName: '话务员小王' },
    { username: 'super1', role: 'supervisor', displayName: '班长老李' },
    { username: 'dept1', role: 'department', department: d.body.id, displayName: '客运所张科' },
  ]) {
    const r = await tb.admin('POST', '/api/users', { ...u, password });
    if (r.status !== 201) throw new Error(`user ${u.username}: ${JSON.stringify(r.body)}`);
  }
  return { departmentId: d.body.id };
}

/** A box with the seeded users and a browser for one test, both closed when the test ends. */
export async function boxAndBrowser(t: { teardown: (fn: () => Promise<void>) => void }) {
  const tb = await startBox();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  const { departmentId } = await seedUsers(tb);
  return { tb, browser, departmentId };
}

/** Debian's chromium, headless; `extraArgs` for a test's own switches (e.g. a trusted certificate key). */
export async function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...extraArgs],
  });
}

/** A page at 1366×768 in zh-CN; `timezoneId` puts the browser in another time zone than the machine's. */
export async function newPage(browser: Browser, url: string, options: { timezoneId?: string } = {}): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', baseURL: url, ...options });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  return page;
}

export async function login(page: Page, username: string, pw = password): Promise<void> {
  await page.goto('/login');
  await page.fill('#username', username);
  await page.fill('#password', pw);
  await page.click('#login');
  await page.waitForSelector('#who');
}

export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}
