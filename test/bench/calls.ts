// Calls bench (issue 3): four E1 spans' worth of concurrent calls (120) against 30 agents, on a store that
// already holds 1M tickets (100k with --quick), on the real clock, through the simulated trunk.
//
// Figures, each with its baseline from the same run (machines are noisy; compare ratios within a run):
//   calls.routing        p99 from the caller's last menu digit (the trunk's `digits` event) to the routing
//                        decision (distress / redirect / queue / voicemail), with 120 calls in flight.
//                        Target p99 < 5 ms. Baseline: calls.routing.single, the same with one call at a time.
//   calls.event-loop     event-loop delay p99 (perf_hooks.monitorEventLoopDelay) while the 120 calls run.
//                        Target p99 < 20 ms (a 20 ms audio frame). Baseline: calls.event-loop.idle, the same
//                        process with nothing running, measured for the same time.
// Durations are compressed (prompts 150 ms, talk 2-6 s, wrap-up 0.5 s) so the bench makes many calls per
// second, more than 30 agents can take: the queue, position announcements and the overflow to callback
// requests all run. Every call still writes its record, legs and prompt list to SQLite (synchronous=FULL,
// through the calls writer thread), and every ring looks up the caller's history among the 1M tickets.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { systemClock } from '../../common/clock.js';
import { runCaller, seededRandom } from '../../drivers/simulator/callers.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import { CallCenter } from '../../firmware-agent/calls/center.js';
import { callsConfig, defaultCallsConfig } from '../../firmware-agent/calls/config.js';
import { callKpisFor } from '../../firmware-agent/calls/kpis.js';
import { TicketGenerator } from './lib/corpus.js';
import { type Figure, against, measured, round } from './lib/figure.js';
import { prefillTickets } from './lib/prefill.js';
import { benchRegions, openBenchStore, tempDir } from './lib/store.js';

export interface CallsBenchOptions {
  quick?: boolean;
  tickets?: number;
  concurrency?: number;
  agents?: number;
  calls?: number;
  log?: (msg: string) => void;
}

const routingTargetMs = 5;
const loopTargetMs = 20;

interface RunResult {
  routing: number[];
  loopP99: number;
  loopMax: number;
  wallMs: number;
  callIds: string[];
  writer: { flushes: number; maxFlushMs: number; meanFlushMs: number };
}

async function runLoad(center: CallCenter, sim: SimulatorTrunk, o: { concurrency: number; calls: number }): Promise<RunResult> {
  const random = seededRandom(7);
  const pressedAt = new Map<string, number>();
  const routing: number[] = [];
  // The decision follows the caller's last digit before it (the sub-menu digit for railway/aviation/postal).
  sim.on('digits', (d) => pressedAt.set(d.callId, performance.now()));
  center.events.subscribe((e) => {
    if (e.type !== 'call.routed') return;
    const t0 = pressedAt.get(e.callId);
    if (t0 !== undefined) routing.push(performance.now() - t0);
    pressedAt.delete(e.callId);
  });
  // Agents call back the callback requests they are offered (else they would stay on them for ever).
  center.events.subscribe((e) => {
    if (e.type !== 'callback.offered') return;
    setTimeout(() => {
      try {
        center.callbacks.complete(e.callbackId, e.agentId, null, 'bench');
      } catch {
        /* already done */
      }
    }, 1000);
  });
  const mix = ['1', '2', '2', '3', '3', '3', '3', '4', '5', '0'];
  const ids: string[] = [];
  const h = monitorEventLoopDelay({ resolution: 5 });
  const started = performance.now();
  h.enable();
  await new Promise<void>((resolve) => {
    let placed = 0;
    let active = 0;
    const place = () => {
      if (placed >= o.calls) {
        if (active === 0) resolve();
        return;
      }
      placed += 1;
      active += 1;
      const d = mix[Math.floor(random() * mix.length)]!;
      const { call, done } = runCaller(sim, {
        caller: `139${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
        presses: [d, d === '5' ? '1' : '1'],
        thinkMs: 50 + random() * 200,
        patienceMs: 20_000,
        voicemailMs: 500,
      });
      ids.push(call.callId);
      done
        .then(() => {
          active -= 1;
          place();
        })
        .catch(() => {});
    };
    for (let i = 0; i < o.concurrency; i++) place();
  });
  h.disable();
  return {
    routing,
    loopP99: h.percentile(99) / 1e6,
    loopMax: h.max / 1e6,
    wallMs: performance.now() - started,
    callIds: ids,
    writer: center.records.writer.stats,
  };
}

async function idleLoop(ms: number): Promise<{ p99: number; max: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  await new Promise((r) => setTimeout(r, ms));
  h.disable();
  return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

export default async function callsBench(opts: CallsBenchOptions = {}): Promise<Figure[]> {
  const quick = !!opts.quick;
  const log = opts.log ?? ((m: string) => process.stderr.write(`[calls] ${m}\n`));
  const size = opts.tickets ?? (quick ? 100_000 : 1_000_000);
  const concurrency = opts.concurrency ?? 120;
  const agents = opts.agents ?? 30;
  const calls = opts.calls ?? (quick ? 360 : 1200);
  const tmp = tempDir('bench-calls-');
  const store = openBenchStore(tmp.dir);
  const figures: Figure[] = [];
  try {
    const { box, matters } = benchRegions();
    log(`prefill ${size} tickets`);
    const prefillMs = prefillTickets({
      db: store.db,
      calendar: store.calendar,
      generator: new TicketGenerator(matters, 4242),
      count: size,
      boxRegion: box,
      createdBy: store.agent.id!,
      departments: store.departments,
    });
    log(`prefilled in ${Math.round(prefillMs)} ms`);
    const config = callsConfig(
      {
        ivr: { digitTimeoutMs: 3000, hours: { open: '00:00', close: '24:00', days: 'every-day' } },
        queue: { announceEveryMs: 2000, maxWaitMs: 15_000, ringTimeoutMs: 3000, wrapUpMs: 500, defaultHandleMs: 4000, voicemailMaxMs: 2000 },
      },
      defaultCallsConfig(tmp.dir, box),
    );
    const build = () => {
      const sim = new SimulatorTrunk({ clock: systemClock, channels: concurrency, promptMs: () => 150 });
      let seq = 0;
      const center = new CallCenter({
        db: store.db,
        driver: sim,
        config,
        clock: systemClock,
        calendar: store.calendar,
        tickets: {
          create: (i) =>
            store.tickets.create(
              { type: i.type, domain: 'other', channel: 'phone', region: box, caller: { phone: i.callerPhone }, subject: i.subject, description: i.description, callId: i.callId },
              store.agent,
            ),
        },
        newId: () => `bench-cb-${++seq}-${Date.now()}`,
      });
      return { sim, center };
    };

    // Baseline: one call at a time, same store.
    const base = build();
    await base.center.start();
    for (let i = 1; i <= 2; i++) {
      base.sim.addStation(`b${i}`, { answerAfterMs: 100, talkMs: 500 });
      base.center.acd.setState({ agentId: 500 + i, name: `base${i}`, state: 'ready', station: `b${i}` });
    }
    log('baseline: one call at a time');
    const single = await runLoad(base.center, base.sim, { concurrency: 1, calls: quick ? 20 : 40 });
    for (let i = 1; i <= 2; i++) base.center.acd.setState({ agentId: 500 + i, name: `base${i}`, state: 'logged-out' });
    await base.center.stop();
    const idle = await idleLoop(Math.min(10_000, Math.max(2000, single.wallMs)));

    // The load: 120 calls in flight, 30 agents.
    const load = build();
    await load.center.start();
    const r = seededRandom(99);
    for (let i = 1; i <= agents; i++) {
      load.sim.addStation(`s${i}`, { answerAfterMs: 200 + r() * 600, talkMs: 2000 + r() * 4000 });
      load.center.acd.setState({ agentId: 1000 + i, name: `agent${i}`, state: 'ready', station: `s${i}` });
    }
    log(`load: ${calls} calls, ${concurrency} in flight, ${agents} agents`);
    const run = await runLoad(load.center, load.sim, { concurrency, calls });
    load.center.records.flush();
    const kpis = callKpisFor(store.db, run.callIds);
    await load.center.stop();
    const idleAfter = await idleLoop(2000);

    const head = { store: 'sqlite', size };
    const singleFig = measured({ bench: 'calls.routing.single', ...head }, single.routing, { concurrency: 1 });
    const routingFig = against(
      measured({ bench: 'calls.routing', ...head }, run.routing, {
        concurrency,
        agents,
        calls: run.callIds.length,
        target: `p99 < ${routingTargetMs} ms`,
      }),
      singleFig,
    );
    routingFig.ok = (routingFig.p99_ms ?? Infinity) < routingTargetMs;
    const idleFig: Figure = { bench: 'calls.event-loop.idle', ...head, p99_ms: round(idle.p99), max_ms: round(idle.max), note: `idle after: p99 ${round(idleAfter.p99)} ms` };
    const loopFig = against(
      {
        bench: 'calls.event-loop',
        ...head,
        p99_ms: round(run.loopP99),
        max_ms: round(run.loopMax),
        concurrency,
        agents,
        wall_s: round(run.wallMs / 1000),
        calls_per_s: round(run.callIds.length / (run.wallMs / 1000)),
        flushes: run.writer.flushes,
        flush_mean_ms: run.writer.meanFlushMs,
        flush_max_ms: run.writer.maxFlushMs,
        target: `p99 < ${loopTargetMs} ms`,
        ok: run.loopP99 < loopTargetMs,
        ratio_vs_baseline: null,
        baseline: null,
      },
      idleFig,
    );
    figures.push(singleFig, routingFig, idleFig, loopFig, {
      bench: 'calls.kpis',
      ...head,
      note: 'KPIs of the bench traffic: times compressed and the offered load above 30 agents\' capacity on purpose, so queueing, announcements and overflow to callbacks all run; not comparable with a real centre',
      answered_within_10s_rate: kpis.answeredWithin10sRate,
      abandon_rate: kpis.abandonRate,
      asa_ms: kpis.asaMs,
      aht_ms: kpis.ahtMs,
      offered: kpis.offered,
      failed: kpis.failed,
    });
    return figures;
  } finally {
    store.close();
    tmp.remove();
  }
}
