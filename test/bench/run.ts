// `npm run bench [-- --quick] [-- --all] [-- --only tickets,calls] [-- --in-process]`
//
// Runs every bench module and prints one JSON line per figure on stdout (shape: test/bench/lib/figure.ts),
// then a `bench.run` figure with the total elapsed time, then a short human summary whose lines start with
// "# ". Progress goes to stderr.
//
// Modules: tickets (always) and, when their files exist, stalls (write stalls under load), calls, network, kb, e1 and boot (test/bench/boot.ts:
// the built box's start to /healthz and idle RSS beside a bare fastify server). `--quick` must finish
// in under a minute (issue 2) on a shared 2-core machine, so it runs only the tickets module at its quick
// sizes unless `--only` or `--all` names more; its `bench.run` figure carries the 60 s target. A module's default
// export (or a named export `run` or `bench`) is an async function taking `{quick}` and returning figure
// objects. Each module runs in its own child process, so one module's heap, timers and prefilled stores do
// not disturb another's timings; `--in-process` runs them all here instead. A module that throws or dies
// prints an error line (`{"bench":"<module>","error":…}`), the run continues, and the exit code is 1.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Figure } from './lib/figure.js';
import { planModules, runFigure } from './lib/plan.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = ['tickets', 'stalls', 'calls', 'network', 'kb', 'e1', 'softphone', 'boot', 'stats'] as const;
const required = new Set<string>(['tickets']);

interface Args {
  quick: boolean;
  all: boolean;
  only: string[] | null;
  inProcess: boolean;
  child: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, all: false, only: null, inProcess: false, child: null };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i]!;
    if (v === '--quick') a.quick = true;
    else if (v === '--all') a.all = true;
    else if (v === '--in-process') a.inProcess = true;
    else if (v === '--only') a.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (v.startsWith('--only=')) a.only = v.slice(7).split(',').filter(Boolean);
    else if (v === '--child') a.child = argv[++i] ?? null;
    else if (v === '--help' || v === '-h') {
      process.stdout.write(
        'usage: npm run bench [-- --quick] [--all] [--only tickets,calls,...] [--in-process]\n' +
          '  --quick  small sizes, tickets module only (under a minute); --all adds every other module\n',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${v} (try --help)`);
  }
  if (a.only) {
    const unknown = a.only.filter((m) => !(modules as readonly string[]).includes(m));
    if (unknown.length > 0) throw new Error(`--only: unknown module(s) ${unknown.join(', ')}; known: ${modules.join(', ')}`);
  }
  return a;
}

function moduleFile(name: string): string | null {
  const f = path.join(here, `${name}.ts`);
  return fs.existsSync(f) ? f : null;
}

type BenchFn = (opts: { quick: boolean }) => Promise<Figure[]>;

async function load(name: string): Promise<BenchFn> {
  const file = moduleFile(name);
  if (!file) throw new Error(`test/bench/${name}.ts not found`);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fn = [mod.default, mod.run, mod.bench].find((f) => typeof f === 'function');
  if (!fn) throw new Error(`test/bench/${name}.ts exports no bench function (default, run or bench)`);
  return fn as BenchFn;
}

function errorFigure(name: string, err: unknown): Figure {
  return { bench: name, error: err instanceof Error ? err.message : String(err) };
}

function isFigure(x: unknown): x is Figure {
  return typeof x === 'object' && x !== null && typeof (x as { bench?: unknown }).bench === 'string';
}

/** Runs one module here; figures are printed as they arrive and returned. */
async function runHere(name: string, quick: boolean, print: (f: Figure) => void): Promise<{ figures: Figure[]; ok: boolean }> {
  try {
    const fn = await load(name);
    const out = await fn({ quick });
    if (!Array.isArray(out)) throw new Error(`test/bench/${name}.ts returned ${typeof out}, not an array of figures`);
    const figures = out.map((f) => (isFigure(f) ? f : { bench: name, error: `not a figure: ${JSON.stringify(f)}` }));
    figures.forEach(print);
    return { figures, ok: figures.every((f) => f.error === undefined) };
  } catch (err) {
    process.stderr.write(`[${name}] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    const f = errorFigure(name, err);
    print(f);
    return { figures: [f], ok: false };
  }
}

/** runHere with the module's own console.log/info sent to stderr, so stdout stays figures only. */
async function inProcess(name: string, quick: boolean, print: (f: Figure) => void): Promise<{ figures: Figure[]; ok: boolean }> {
  const { log, info } = console;
  console.log = console.info = (...xs: unknown[]) => console.error(`[${name}]`, ...xs);
  try {
    return await runHere(name, quick, print);
  } finally {
    console.log = log;
    console.info = info;
  }
}

let running: ChildProcess | null = null;

/** Runs one module in a child process; its stdout JSON lines are the figures. */
function runChild(name: string, quick: boolean, print: (f: Figure) => void): Promise<{ figures: Figure[]; ok: boolean }> {
  return new Promise((resolve) => {
    const args = [...process.execArgv, fileURLToPath(import.meta.url), '--child', name, ...(quick ? ['--quick'] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    running = child;
    const figures: Figure[] = [];
    let tail = '';
    const line = (l: string) => {
      if (!l.trim()) return;
      let f: Figure;
      try {
        const parsed: unknown = JSON.parse(l);
        f = isFigure(parsed) ? parsed : { bench: name, error: `not a figure: ${l}` };
      } catch {
        process.stderr.write(`[${name}] ${l}\n`); // stray output from the module: keep stdout pure JSON
        return;
      }
      figures.push(f);
      print(f);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (tail + chunk).split('\n');
      tail = parts.pop() ?? '';
      parts.forEach(line);
    });
    child.on('error', (err) => {
      const f = errorFigure(name, err);
      print(f);
      resolve({ figures: [...figures, f], ok: false });
    });
    child.on('close', (code, signal) => {
      running = null;
      line(tail);
      const failed = figures.some((f) => f.error !== undefined);
      if (code !== 0 && !failed) {
        const f = errorFigure(name, new Error(`bench process exited with ${signal ?? `code ${code}`}`));
        figures.push(f);
        print(f);
      }
      resolve({ figures, ok: code === 0 && !failed });
    });
  });
}

/** Pads to a display width, counting CJK characters as two columns. */
function pad(s: string, width: number): string {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1;
  return s + ' '.repeat(Math.max(0, width - w));
}

function fmt(n: unknown): string {
  return typeof n === 'number' ? String(n) : '-';
}

function summary(figures: Figure[], failed: string[], seconds: number, quick: boolean, durations: [string, number][]): string[] {
  const out = [
    `# bench ${quick ? '--quick ' : ''}finished in ${seconds.toFixed(0)} s (${durations.map(([m, s]) => `${m} ${s.toFixed(0)} s`).join(', ')})`,
  ];
  const timed = figures.filter((f) => f.p99_ms !== undefined || f.ops_per_s !== undefined);
  if (timed.length > 0) {
    out.push('# bench                         store        size   p50_ms   p99_ms    ops/s  ratio_vs_baseline');
    for (const f of timed) {
      const name = `${f.bench}${f.q !== undefined ? ` ${String(f.q)}` : ''}`;
      const ratio = typeof f.ratio_vs_baseline === 'number' ? `${f.ratio_vs_baseline} (of ${f.baseline})` : '';
      out.push(
        `# ${pad(name, 30)} ${pad(String(f.store ?? ''), 10)} ${fmt(f.size).padStart(7)} ${fmt(f.p50_ms).padStart(8)} ${fmt(f.p99_ms).padStart(8)} ${fmt(f.ops_per_s).padStart(8)}  ${ratio}`,
      );
    }
  }
  for (const f of figures.filter((x) => x.skipped)) out.push(`# skipped ${f.bench} ${f.store ?? ''}@${fmt(f.size)}: ${f.skipped}`);
  const targets = figures.filter((f) => f.target !== undefined);
  for (const f of targets) {
    // The figure's field the target names first (`ratio_vs_baseline <= 2`, `ready_ms < 1000`), else p99_ms.
    const named = f[f.target?.split(' ')[0] ?? ''];
    const value = typeof named === 'number' ? named : f.p99_ms;
    const where = f.store !== undefined || f.size !== undefined ? ` ${f.store ?? ''}@${fmt(f.size)}` : '';
    out.push(`# target ${f.ok ? 'MET   ' : 'MISSED'} ${f.bench}${f.q !== undefined ? ` ${String(f.q)}` : ''}${where}: ${f.target} (is ${fmt(value)})`);
  }
  for (const f of figures.filter((x) => x.error !== undefined)) out.push(`# ERROR ${f.bench}: ${String(f.error)}`);
  if (failed.length > 0) out.push(`# failed modules: ${failed.join(', ')} (exit code 1)`);
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const print = (f: Figure) => process.stdout.write(`${JSON.stringify(f)}\n`);
  if (args.child) {
    const { ok } = await runHere(args.child, args.quick, print);
    process.exitCode = ok ? 0 : 1;
    return;
  }
  const started = performance.now();
  const available = (m: string) => required.has(m) || moduleFile(m) !== null;
  const { selected, left } = planModules(modules, available, args);
  process.stderr.write(
    `bench${args.quick ? ' --quick' : ''}: ${selected.join(', ')}${args.inProcess ? ' (in process)' : ''}` +
      `${left.length > 0 ? ` (not run in quick mode: ${left.join(', ')}; add --all or --only)` : ''}\n`,
  );
  const all: Figure[] = [];
  const failed: string[] = [];
  const durations: [string, number][] = [];
  for (const name of selected) {
    const moduleStart = performance.now();
    const { figures, ok } = args.inProcess ? await inProcess(name, args.quick, print) : await runChild(name, args.quick, print);
    all.push(...figures);
    durations.push([name, (performance.now() - moduleStart) / 1000]);
    if (!ok) failed.push(name);
  }
  const seconds = (performance.now() - started) / 1000;
  const total = runFigure(args, selected, seconds, durations);
  print(total);
  all.push(total);
  for (const l of summary(all, failed, seconds, args.quick, durations)) process.stdout.write(`${l}\n`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

// A signal ends the run through process.exit, so the benches' exit hooks remove their temp dirs; a running
// child gets the signal too and does the same.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    running?.kill(sig);
    process.exit(130);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
