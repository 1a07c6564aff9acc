// Boot bench (issue 11): the shipped box (`node bin/edgebox.js start`, the built dist/) on a store holding
// 1M tickets (10k with --quick): time from spawn to the first 200 from /healthz, and the resident memory
// (VmRSS) of the idle box once it has settled. Beside it, in the same run and started the same way (node on a
// plain .js file, the same machine load), a bare fastify server with one /healthz route; each figure carries
// its ratio to that baseline. Targets: ready within 1 s, idle RSS under 150 MB. Both start with the node
// flags of the systemd unit's ExecStart (packaging/edgebox.service), as the packaged box does;
// BENCH_NODE_FLAGS="..." replaces them (e.g. "" to measure without).
//
// The store is filled with the tickets bench's prefill (raw INSERTs into the real schema). The box is started
// once untimed (the first start creates the admin account and synthesises IVR prompts), then `rounds` times
// alternating with the bare server; medians are reported. BENCH_BOOT_STORE=DIR keeps the filled store in
// DIR (boot-<size>.sqlite, as it was before the box first opened it) and later runs start from a copy.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './lib/figure.js';
import { round } from './lib/figure.js';
import { prefillTickets } from './lib/prefill.js';
import { benchRegions, openBenchStore, tempDir } from './lib/store.js';
import { TicketGenerator } from './lib/corpus.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The node flags in the unit's ExecStart: what stands between the node binary and bin/edgebox.js. */
export function unitNodeFlags(unit: string): string[] {
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.trim().split(/\s+/) ?? [];
  const script = exec.findIndex((w) => w.endsWith('/bin/edgebox.js'));
  if (script < 1) throw new Error(`no "node … bin/edgebox.js" in the unit's ExecStart: ${exec.join(' ')}`);
  return exec.slice(1, script);
}
const nodeFlags =
  process.env.BENCH_NODE_FLAGS !== undefined
    ? process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean)
    : unitNodeFlags(fs.readFileSync(path.join(root, 'packaging/edgebox.service'), 'utf8'));
const readyTargetMs = 1000;
const rssTargetMb = 150;

export interface BootBenchOptions {
  quick?: boolean;
  size?: number;
  rounds?: number;
  /** How long the started process is left idle before its RSS is read. */
  settleMs?: number;
  /** Tickets created over HTTP per round of the create-rate figure. */
  creates?: number;
  log?: (msg: string) => void;
}

// The baseline: fastify with one route, as a plain ES module, run by node the way bin/edgebox.js is.
const bareServer = `
import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write('listening on ' + address + '\\n');
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

interface Boot {
  readyMs: number;
  /** CPU time (user + system) the process used up to ready: less sensitive to a loaded machine than readyMs. */
  cpuMs: number;
  rssMb: number;
}

/** utime + stime of a process from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s). */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function vmRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Started {
  url: string;
  startedAt: bigint;
  pid: number;
  stop: () => Promise<void>;
}

/** Spawns `args` and waits for its first 200 from /healthz. */
async function start(args: string[]): Promise<Started> {
  const startedAt = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`exited ${code} before listening: ${err.slice(-2000)}`)));
    });
    for (;;) {
      const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      await delay(5);
    }
    return { url, startedAt, pid: child.pid!, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Spawns `args`, times spawn → first /healthz 200, lets it idle `settleMs`, reads VmRSS, stops it. */
async function boot(args: string[], settleMs: number): Promise<Boot> {
  const p = await start(args);
  try {
    const readyMs = Number(process.hrtime.bigint() - p.startedAt) / 1e6;
    const cpu = cpuMs(p.pid);
    await delay(settleMs);
    return { readyMs, cpuMs: cpu, rssMb: vmRssMb(p.pid) };
  } finally {
    await p.stop();
  }
}

/**
 * Tickets created per second over HTTP by the started box (admin session, `n` creates, 4 at a time): what a
 * node flag costs the box at work, not only at rest.
 */
async function createRate(args: string[], dataDir: string, n: number): Promise<number> {
  const p = await start(args);
  try {
    const password = fs.readFileSync(path.join(dataDir, 'initial-admin-password'), 'utf8').trim();
    const login = await fetch(`${p.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const body = JSON.stringify({ type: 'inquiry', domain: 'taxi', channel: 'phone', region: '620102', caller: { phone: '13800138000' }, subject: '出租车计价', description: '夜间出租车如何计价？' });
    const create = async () => {
      const r = await fetch(`${p.url}/api/tickets`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body });
      if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`);
    };
    for (let i = 0; i < 20; i++) await create(); // warm-up: schema compilation, statement cache
    let left = n;
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (left-- > 0) await create();
    }));
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  } finally {
    await p.stop();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

/** Fills a store in `dir` with `size` tickets as the tickets bench does, closes it; returns the fill time. */
function prefill(dir: string, size: number, log: (m: string) => void): number {
  const store = openBenchStore(dir);
  const { box, matters } = benchRegions();
  const every = Math.max(100_000, Math.floor(size / 10));
  const prefillMs = prefillTickets({
    db: store.db,
    calendar: store.calendar,
    generator: new TicketGenerator(matters, 12328 + size),
    count: size,
    boxRegion: box,
    createdBy: store.agent.id!,
    departments: store.departments,
    onProgress: (done) => {
      if (done % every === 0 || done === size) log(`prefill ${done}/${size}`);
    },
  });
  store.close();
  return prefillMs;
}

export default async function bootBench(opts: BootBenchOptions = {}): Promise<Figure[]> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`[boot] ${m}\n`));
  const size = opts.size ?? (opts.quick ? 10_000 : 1_000_000);
  const rounds = opts.rounds ?? 3;
  const settleMs = opts.settleMs ?? 5000;
  if (!fs.existsSync(path.join(root, 'dist/firmware-agent/cli/main.js'))) {
    throw new Error('the boot bench measures the built box: run `npm run build` first');
  }
  const tmp = tempDir(`boot-${size}`);
  try {
    // The store, filled as the tickets bench fills it, then closed: the box opens it as on any start.
    // BENCH_BOOT_STORE=DIR keeps a copy of the filled store in DIR and starts later runs from it (the fill
    // takes minutes at 1M; the copy is taken before the box first opens the store).
    const kept = process.env.BENCH_BOOT_STORE ? path.join(process.env.BENCH_BOOT_STORE, `boot-${size}.sqlite`) : null;
    const prefillMs = kept && fs.existsSync(kept) ? (fs.copyFileSync(kept, path.join(tmp.dir, 'edgebox.sqlite')), 0) : prefill(tmp.dir, size, log);
    if (kept && !fs.existsSync(kept)) {
      fs.mkdirSync(path.dirname(kept), { recursive: true });
      fs.copyFileSync(path.join(tmp.dir, 'edgebox.sqlite'), kept);
    }
    const dbMb = fs.statSync(path.join(tmp.dir, 'edgebox.sqlite')).size / 2 ** 20;

    const boxArgs = [...nodeFlags, path.join(root, 'bin/edgebox.js'), 'start', '--port', '0', '--data', tmp.dir, '--log-level', 'warn'];
    const bareArgs = [...nodeFlags, '--input-type=module', '-e', bareServer];
    log(`node flags: ${nodeFlags.join(' ') || '(none)'}`);
    log('first start (untimed: admin account, IVR prompts)');
    const first = await boot(boxArgs, 0);
    const boxes: Boot[] = [];
    const bares: Boot[] = [];
    for (let i = 0; i < rounds; i++) {
      log(`round ${i + 1}/${rounds}`);
      bares.push(await boot(bareArgs, settleMs));
      boxes.push(await boot(boxArgs, settleMs));
    }
    // At work: the same box with the unit's flags and without any, alternating.
    const creates = opts.creates ?? (opts.quick ? 200 : 1000);
    const withFlags: number[] = [];
    const without: number[] = [];
    const plainArgs = boxArgs.slice(nodeFlags.length);
    for (let i = 0; i < Math.min(rounds, 2); i++) {
      log(`create rate ${i + 1}: ${creates} tickets with and without the node flags`);
      withFlags.push(await createRate(boxArgs, tmp.dir, creates));
      without.push(await createRate(plainArgs, tmp.dir, creates));
    }
    const bareReady = median(bares.map((b) => b.readyMs));
    const bareRss = median(bares.map((b) => b.rssMb));
    const boxReady = median(boxes.map((b) => b.readyMs));
    const boxRss = median(boxes.map((b) => b.rssMb));
    const note = `${rounds} rounds, median; spawn of node ${nodeFlags.join(' ')} to the first 200 from /healthz (cpu_ms: its CPU time until then); RSS read after ${settleMs} ms idle`;
    return [
      { bench: 'boot.prefill', store: 'sqlite', size, ms: Math.round(prefillMs), db_mb: round(dbMb), note: prefillMs ? 'setup, not a target' : `copied from ${kept}` },
      {
        bench: 'boot.ready',
        store: 'sqlite',
        size,
        samples: rounds,
        ready_ms: round(boxReady),
        runs_ms: boxes.map((b) => round(b.readyMs)),
        cpu_ms: median(boxes.map((b) => b.cpuMs)),
        bare_fastify_cpu_ms: median(bares.map((b) => b.cpuMs)),
        // CPU to ready as a ratio too: on a machine shared with other work the wall-clock figures stretch with
        // its load, the CPU each process used much less.
        cpu_ratio_vs_baseline: round(median(boxes.map((b) => b.cpuMs)) / median(bares.map((b) => b.cpuMs))),
        load1: round(os.loadavg()[0]!),
        first_start_ms: round(first.readyMs),
        bare_fastify_ms: round(bareReady),
        ratio_vs_baseline: round(boxReady / bareReady),
        baseline: 'bare fastify server, same run',
        target: `ready_ms < ${readyTargetMs}`,
        ok: boxReady < readyTargetMs,
        note,
      },
      {
        bench: 'boot.idle_rss',
        store: 'sqlite',
        size,
        samples: rounds,
        rss_mb: round(boxRss),
        runs_mb: boxes.map((b) => round(b.rssMb)),
        bare_fastify_mb: round(bareRss),
        ratio_vs_baseline: round(boxRss / bareRss),
        baseline: 'bare fastify server, same run',
        target: `rss_mb < ${rssTargetMb}`,
        ok: boxRss < rssTargetMb,
        note,
      },
      {
        bench: 'boot.create_rate',
        store: 'sqlite',
        size,
        samples: withFlags.length,
        per_s: round(median(withFlags)),
        runs_per_s: withFlags.map(round),
        without_flags_per_s: round(median(without)),
        ratio_vs_baseline: round(median(withFlags) / median(without)),
        baseline: 'the same box started without node flags, same run',
        note: `POST /api/tickets over HTTP, ${creates} creates 4 at a time after 20 to warm up; node flags: ${nodeFlags.join(' ') || '(none)'}`,
      },
    ];
  } finally {
    tmp.remove();
  }
}
