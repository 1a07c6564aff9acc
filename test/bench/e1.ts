// E1 bench (issue 7): 30 concurrent calls on one span — the whole E1 path: telco simulator (libpri
// NETWORK side, this process) → SEQPACKET D-channel → span worker (libpri CPE side, child process)
// → IPC → E1PriDriver facade, with B-channel media (a 1 s prompt paced in 20 ms frames, in-band DTMF
// detected by the worker's Goertzel receiver).
//
// Each call: SETUP → offered → answer (CONNECT) → 1 s prompt → caller presses 2 digits → collect →
// caller hangs up (DISCONNECT). Figures, each with its baseline from the same run:
//   e1.setup-latency     p99 with 30 calls in flight of SETUP sent by the exchange → `offered` in the box;
//   e1.answer-latency    answer() in the box → CONNECT at the exchange;
//   e1.hangup-latency    DISCONNECT sent by the exchange → `hangup` in the box. Each has its baseline
//                        (`….single`: the same calls one at a time) and a target: p99 under
//                        SIGNALLING_TARGET_MS, a small fraction of the Q.931 timers the far end runs
//                        (T303 4 s for SETUP, T305 30 s for DISCONNECT) and short enough that a caller
//                        hears ringing and the answer without a noticeable gap.
//   e1.cpu-per-call      span-worker CPU (user+system) per call with 30 concurrent calls. Baseline:
//                        e1.cpu-per-call.single (calls one at a time); the ratio shows how the per-call
//                        cost scales with load. `box_process_cpu_ms_per_call` adds this process (facade +
//                        telco simulator, which a real box does not run). `idle_cpu_ms_per_s` is the worker's
//                        CPU per second with the D-channel up and no call (Q.921 keep-alive, timers), measured
//                        in the same run: most of a lone call's cost is that fixed floor.
//   e1.cpu-per-call.dahdi, e1.setup-latency.dahdi: the same 30-call load with the span on DAHDI devices
//                        through the LD_PRELOAD stand-in (test/fixtures/dahdi-shim) and a simulated card that
//                        delivers a block on every open B-channel every 20 ms; baselines: the socket figures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E1PriDriver } from '../../drivers/e1-pri/driver.js';
import { TelcoSim } from '../../drivers/e1-pri/telco-sim/telco.js';
import { linearToAlaw } from '../../drivers/media/alaw.js';
import type { CallOffered, HangupEvent } from '../../drivers/trunk/types.js';
import { type Figure, measured, round } from './lib/figure.js';
import { DahdiCard } from '../../drivers/e1-pri/telco-sim/dahdi-card.js';
import { buildDahdiShim, shimEnv } from '../fixtures/dahdi-shim/build.js';

/** Target for each signalling latency's p99 with 30 calls in flight, ms. */
export const SIGNALLING_TARGET_MS = 250;

export interface E1BenchOptions {
  quick?: boolean;
  log?: (msg: string) => void;
}

interface Span {
  driver: E1PriDriver;
  telco: TelcoSim;
  prompt: string;
  dir: string;
  offeredBy: Map<string, (o: CallOffered) => void>;
  hangupBy: Map<string, (h: HangupEvent) => void>;
  close(): Promise<void>;
}

/**
 * `dahdi`: the D-channel device and B-channels on DAHDI channel devices, through the LD_PRELOAD stand-in
 * (test/fixtures/dahdi-shim) in the span worker and a simulated card whose clock delivers a block on every
 * open channel every 20 ms, as a card does (so the figure includes reading 30 idle channels).
 */
async function openSpan(media: 'socket' | 'dahdi' = 'socket'): Promise<Span> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e1-bench-'));
  let card: DahdiCard | undefined;
  let env: Record<string, string> | undefined;
  if (media === 'dahdi') {
    const so = await buildDahdiShim();
    card = new DahdiCard(path.join(dir, 'card'));
    card.listen();
    env = shimEnv(so, card.path);
  }
  const dchannel = card ? '/dev/dahdi/16' : path.join(dir, 'd');
  const driver = new E1PriDriver({ config: { dchannel }, ...(env ? { workerEnv: env } : {}) });
  const offeredBy = new Map<string, (o: CallOffered) => void>();
  const hangupBy = new Map<string, (h: HangupEvent) => void>();
  driver.on('offered', (o) => offeredBy.get(o.caller ?? '')?.(o));
  driver.on('hangup', (h) => hangupBy.get(h.callId)?.(h));
  await driver.start();
  const up = new Promise<void>((resolve) => {
    if (driver.dchannel === 'up') resolve();
    const off = driver.onDchannel((s) => {
      if (s === 'up') {
        off();
        resolve();
      }
    });
  });
  const telco = new TelcoSim({ dchannel, ...(card ? { card, dchannelViaCard: true } : {}) });
  await telco.connect();
  await up;
  card?.runClock();
  // A 1 s prompt: a soft 440 Hz tone, 8 kHz A-law.
  const pcm = new Int16Array(8000).map((_, i) => Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
  const prompt = path.join(dir, 'prompt.al');
  fs.writeFileSync(prompt, linearToAlaw(pcm));
  return {
    driver, telco, prompt, dir, offeredBy, hangupBy,
    async close() {
      telco.close();
      await driver.stop();
      card?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let callerSeq = 0;

type Latencies = [setup: number, answer: number, hangup: number];

/** One call through the whole path; returns its three signalling latencies (ms). */
async function oneCall(s: Span): Promise<Latencies> {
  const caller = `139${String(++callerSeq).padStart(8, '0')}`;
  const offered = new Promise<CallOffered>((resolve) => s.offeredBy.set(caller, resolve));
  const t0 = performance.now();
  const line = s.telco.placeCall({ caller });
  const o = await offered;
  const setupLatency = performance.now() - t0;
  s.offeredBy.delete(caller);
  const t1 = performance.now();
  const answered = line.waitFor('answered').then(() => performance.now() - t1);
  await s.driver.answer(o.callId);
  const answerLatency = await answered;
  await s.driver.play(o.callId, { id: 'bench.prompt', file: s.prompt });
  line.pressDigits('12', { onMs: 60, offMs: 60, levelDbm0: -12 });
  const r = await s.driver.collectDigits(o.callId, { max: 2, firstDigitTimeoutMs: 5000 });
  if (r.digits !== '12') throw new Error(`bench: collected "${r.digits}" (${r.outcome})`);
  const hung = new Promise<void>((resolve) => s.hangupBy.set(o.callId, () => resolve()));
  const t2 = performance.now();
  line.hangup();
  await hung;
  const hangupLatency = performance.now() - t2;
  s.hangupBy.delete(o.callId);
  return [setupLatency, answerLatency, hangupLatency];
}

async function workerCpuMs(s: Span): Promise<number> {
  const p = await s.driver.probe();
  return (p.cpu.user + p.cpu.system) / 1000;
}

interface Run {
  /** Per kind (setup, answer, hangup), one sample per call. */
  latencies: [number[], number[], number[]];
  workerCpuPerCall: number;
  boxCpuPerCall: number;
  calls: number;
  wallMs: number;
}

async function runLoad(s: Span, concurrency: number, rounds: number): Promise<Run> {
  const latencies: Run['latencies'] = [[], [], []];
  const cpu0 = await workerCpuMs(s);
  const own0 = process.cpuUsage();
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    const batch = await Promise.all(Array.from({ length: concurrency }, () => oneCall(s)));
    for (const b of batch) b.forEach((ms, k) => latencies[k]!.push(ms));
  }
  const wallMs = performance.now() - started;
  const cpu1 = await workerCpuMs(s);
  const own = process.cpuUsage(own0);
  const calls = concurrency * rounds;
  return {
    latencies,
    workerCpuPerCall: (cpu1 - cpu0) / calls,
    boxCpuPerCall: (own.user + own.system) / 1000 / calls,
    calls,
    wallMs,
  };
}

export async function run(opts: E1BenchOptions = {}): Promise<Figure[]> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const quick = !!opts.quick;
  const span = await openSpan();
  let socketFigures: { all: Figure[]; cpu: Figure; latency: Figure[]; rounds: number };
  try {
    await oneCall(span); // warm-up: JIT, first prompt load, media socket
    const idle0 = await workerCpuMs(span);
    const idleStart = performance.now();
    await new Promise<void>((resolve) => setTimeout(resolve, quick ? 1000 : 3000));
    const idleCpuPerS = ((await workerCpuMs(span)) - idle0) / ((performance.now() - idleStart) / 1000);
    const singles = quick ? 5 : 20;
    log(`e1: ${singles} calls one at a time (baseline)`);
    const single = await runLoad(span, 1, singles);
    const rounds = quick ? 1 : 3;
    log(`e1: ${rounds} × 30 concurrent calls on one span`);
    const loaded = await runLoad(span, 30, rounds);
    const head = { store: 'e1-span', size: 30 };
    const kinds = [
      ['setup', 'SETUP sent by the exchange → offered in the box'],
      ['answer', 'answer() in the box → CONNECT at the exchange'],
      ['hangup', 'DISCONNECT sent by the exchange → hangup in the box'],
    ] as const;
    const latencyFigures: Figure[] = [];
    kinds.forEach(([kind, what], k) => {
      const base = measured({ bench: `e1.${kind}-latency.single`, ...head, size: 1 }, single.latencies[k]!, { note: `${what}; one call at a time` });
      const fig = measured({ bench: `e1.${kind}-latency`, ...head }, loaded.latencies[k]!, {
        note: `${what}; 30 calls in flight`,
        target: `p99_ms < ${SIGNALLING_TARGET_MS}`,
      });
      fig.ratio_vs_baseline = base.p99_ms ? round(fig.p99_ms! / base.p99_ms) : null;
      fig.baseline = base.bench;
      fig.ok = (fig.p99_ms ?? Infinity) < SIGNALLING_TARGET_MS;
      latencyFigures.push(base, fig);
    });
    const cpuBase: Figure = {
      bench: 'e1.cpu-per-call.single', ...head, size: 1, samples: single.calls,
      cpu_ms_per_call: round(single.workerCpuPerCall), box_process_cpu_ms_per_call: round(single.boxCpuPerCall),
      idle_cpu_ms_per_s: round(idleCpuPerS),
      ratio_vs_baseline: null, baseline: null, note: 'span worker CPU (user+system) per call, calls one at a time',
    };
    const cpu: Figure = {
      bench: 'e1.cpu-per-call', ...head, samples: loaded.calls,
      cpu_ms_per_call: round(loaded.workerCpuPerCall), box_process_cpu_ms_per_call: round(loaded.boxCpuPerCall),
      ratio_vs_baseline: single.workerCpuPerCall ? round(loaded.workerCpuPerCall / single.workerCpuPerCall) : null,
      baseline: cpuBase.bench,
      wall_s: round(loaded.wallMs / 1000),
      idle_cpu_ms_per_s: round(idleCpuPerS),
      note: 'span worker CPU per call with 30 concurrent calls (each: SETUP, CONNECT, 1 s prompt, 2 DTMF digits, DISCONNECT)',
    };
    socketFigures = { all: [...latencyFigures, cpuBase, cpu], cpu, latency: latencyFigures, rounds };
  } finally {
    await span.close();
  }
  return [...socketFigures.all, ...(await runDahdi(socketFigures.rounds, quick, log, socketFigures.cpu, socketFigures.latency))];
}

/**
 * The same 30-call load with the span on DAHDI devices (stand-in): worker CPU per call and idle CPU per
 * second against the socket figures of the same run, and SETUP → offered p99.
 */
async function runDahdi(rounds: number, quick: boolean, log: (m: string) => void, socketCpu: Figure, socketLatency: Figure[]): Promise<Figure[]> {
  const span = await openSpan('dahdi');
  try {
    await oneCall(span);
    const idle0 = await workerCpuMs(span);
    const idleStart = performance.now();
    await new Promise<void>((resolve) => setTimeout(resolve, quick ? 1000 : 3000));
    const idleCpuPerS = ((await workerCpuMs(span)) - idle0) / ((performance.now() - idleStart) / 1000);
    log(`e1: ${rounds} × 30 concurrent calls on one span over DAHDI devices (stand-in)`);
    const loaded = await runLoad(span, 30, rounds);
    const head = { store: 'e1-span-dahdi', size: 30 };
    const setupSocket = socketLatency.find((f) => f.bench === 'e1.setup-latency');
    const setup = measured({ bench: 'e1.setup-latency.dahdi', ...head }, loaded.latencies[0]!, {
      note: 'SETUP sent by the exchange → offered in the box; 30 calls in flight, D-channel device and B-channels through the DAHDI stand-in',
      target: `p99_ms < ${SIGNALLING_TARGET_MS}`,
    });
    setup.baseline = 'e1.setup-latency';
    setup.ratio_vs_baseline = setupSocket?.p99_ms ? round(setup.p99_ms! / setupSocket.p99_ms) : null;
    setup.ok = (setup.p99_ms ?? Infinity) < SIGNALLING_TARGET_MS;
    const socketPerCall = socketCpu.cpu_ms_per_call as number | undefined;
    const cpu: Figure = {
      bench: 'e1.cpu-per-call.dahdi', ...head, samples: loaded.calls,
      cpu_ms_per_call: round(loaded.workerCpuPerCall), box_process_cpu_ms_per_call: round(loaded.boxCpuPerCall),
      ratio_vs_baseline: socketPerCall ? round(loaded.workerCpuPerCall / socketPerCall) : null,
      baseline: 'e1.cpu-per-call',
      wall_s: round(loaded.wallMs / 1000),
      idle_cpu_ms_per_s: round(idleCpuPerS),
      note: 'span worker CPU per call, 30 concurrent calls, media on 30 DAHDI channel fds read every 20 ms (stand-in card clock; a real card adds the kernel side, not measured here)',
    };
    return [setup, cpu];
  } finally {
    await span.close();
  }
}

export default run;
