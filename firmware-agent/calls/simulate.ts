// Simulated traffic (`edgebox simulate`, the bench): Poisson arrivals at a given rate, a mix of menu
// choices, callers with a patience, and optionally simulated agents, all on the simulated trunk. Returns the
// call KPIs of exactly the calls it placed.
import type { Clock, TimerHandle } from '../../common/clock.js';
import { nextArrivalMs, runCaller, seededRandom, type CallerScript } from '../../drivers/simulator/callers.js';
import type { SimCall, SimCallLog, SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import type { CallCenter } from './center.js';
import { callKpisFor, type Kpi } from './kpis.js';

export interface TrafficOptions {
  /** Number of calls to place. 1..100000. */
  calls: number;
  /** Mean arrival rate, calls per hour. */
  ratePerHour: number;
  /** Menu digit → weight. Default: a typical 12328 mix. */
  mix?: Record<string, number>;
  /** Mean caller patience in the queue, ms (exponential). */
  patienceMs?: number;
  /** Simulated agents to log in for the run (0 = use the agents already ready). */
  agents?: number;
  /** Mean agent talk time, ms. */
  talkMs?: number;
  /** Share of calls dialling a legacy local number (needs `legacyNumber`). */
  legacyShare?: number;
  legacyNumber?: string;
  seed?: number;
}

export interface TrafficResult {
  calls: number;
  /** Simulated duration of the run, ms. */
  durationMs: number;
  kpis: Kpi;
  outcomes: Record<string, number>;
  callIds: string[];
}

export const defaultMix: Record<string, number> = { '1': 0.02, '2': 0.3, '3': 0.45, '4': 0.1, '5': 0.08, '0': 0.05 };

export const simAgentBase = 900_000;

function pick(mix: Record<string, number>, r: number): string {
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  let x = r * total;
  for (const [k, w] of Object.entries(mix)) {
    x -= w;
    if (x <= 0) return k;
  }
  return Object.keys(mix)[0] ?? '0';
}

export function validateTraffic(o: TrafficOptions): void {
  if (!Number.isInteger(o.calls) || o.calls < 1 || o.calls > 100_000) throw new RangeError('calls must be 1..100000');
  if (!(o.ratePerHour > 0 && o.ratePerHour <= 1_000_000)) throw new RangeError('ratePerHour must be > 0');
  if (o.agents !== undefined && !(Number.isInteger(o.agents) && o.agents >= 0 && o.agents <= 500)) {
    throw new RangeError('agents must be 0..500');
  }
  for (const [k, w] of Object.entries(o.mix ?? {})) {
    if (!/^[0-9*#]$/.test(k) || !(w >= 0)) throw new RangeError(`mix: bad entry ${k}=${w}`);
  }
}

/** How far a traffic run has got. */
export interface TrafficProgress {
  /** Calls the run will place. */
  calls: number;
  /** Calls placed so far (including those refused because every channel was busy). */
  placed: number;
  /** Calls placed that have ended. */
  ended: number;
}

export interface TrafficHooks {
  /** Called after every call placed and every call ended. */
  onProgress?: (p: TrafficProgress) => void;
  /**
   * Aborting stops placing calls and hangs up the run's calls still in progress; the run then finishes
   * normally with the KPIs of the calls it placed.
   */
  signal?: AbortSignal;
}

/**
 * Place the traffic and wait until every call has ended. `wait` runs the clock when it is virtual
 * (`(p) => clock.until(p)`); on the system clock it is the identity.
 *
 * The simulated agents the run logs in (ids above `simAgentBase`, stations `sim-agent-N`) exist only for the
 * run: when it ends, callback tasks they were given are completed, and they are logged out, removed from the
 * ACD and their stations from the trunk — also when the run fails.
 */
export async function runTraffic(
  sim: SimulatorTrunk,
  center: CallCenter,
  o: TrafficOptions,
  wait: <T>(p: Promise<T>) => Promise<T> = (p) => p,
  hooks: TrafficHooks = {},
): Promise<TrafficResult> {
  validateTraffic(o);
  const clock: Clock = sim.clock;
  const random = seededRandom(o.seed ?? 12328);
  const mix = o.mix ?? defaultMix;
  const talk = o.talkMs ?? 120_000;
  const agentIds: number[] = [];
  const stations: string[] = [];
  // Callback tasks offered to this run's agents, each with the timer that completes it.
  const callbacks = new Map<string, { agentId: number; timer: TimerHandle }>();
  const completeCallback = (id: string) => {
    const cb = callbacks.get(id);
    if (!cb) return;
    callbacks.delete(id);
    clock.clearTimeout(cb.timer);
    try {
      center.callbacks.complete(id, cb.agentId, null, 'simulated agent');
    } catch {
      /* already completed or reassigned */
    }
  };
  const unsubscribe = center.events.subscribe((e) => {
    if (e.type !== 'callback.offered' || !agentIds.includes(e.agentId)) return;
    // Simulated agents call back the callback requests they are offered, a minute later.
    callbacks.set(e.callbackId, { agentId: e.agentId, timer: clock.setTimeout(() => completeCallback(e.callbackId), 60_000) });
  });
  const progress: TrafficProgress = { calls: o.calls, placed: 0, ended: 0 };
  const report = () => hooks.onProgress?.({ ...progress });
  const live = new Set<SimCall>();
  const done: Promise<SimCallLog>[] = [];
  const ids: string[] = [];
  let arrival: TimerHandle | undefined;
  let stopPlacing = () => {};
  const onAbort = () => {
    clock.clearTimeout(arrival);
    stopPlacing();
    for (const c of [...live]) c.hangup();
  };
  try {
    for (let i = 1; i <= (o.agents ?? 0); i++) {
      const id = simAgentBase + i;
      const station = `sim-agent-${i}`;
      sim.addStation(station, { answerAfterMs: 1500 + random() * 3000, talkMs: Math.max(5000, -Math.log(1 - random()) * talk) });
      stations.push(station);
      center.acd.setState({ agentId: id, name: `模拟坐席${i}`, state: 'ready', station });
      agentIds.push(id);
    }
    const started = clock.now();
    const all = new Promise<void>((resolve) => {
      stopPlacing = resolve;
      const placeNext = () => {
        const choice = pick(mix, random());
        const script: CallerScript = {
          caller: `1${String(3_000_000_000 + Math.floor(random() * 999_999_999)).slice(0, 10)}`,
          presses: [choice, choice === '5' ? String(1 + Math.floor(random() * 3)) : random() < 0.5 ? '1' : '2'],
          thinkMs: 500 + random() * 2000,
          patienceMs: o.patienceMs === undefined ? Infinity : -Math.log(1 - random()) * o.patienceMs,
          voicemailMs: 5000 + random() * 20_000,
          eager: random() < 0.5, // regular callers know the menu and type ahead
        };
        if (o.legacyNumber && random() < (o.legacyShare ?? 0)) script.called = o.legacyNumber;
        try {
          const c = runCaller(sim, script);
          ids.push(c.call.callId);
          live.add(c.call);
          done.push(
            c.done.then((log) => {
              live.delete(c.call);
              progress.ended += 1;
              report();
              return log;
            }),
          );
        } catch {
          // every channel busy: the caller hears the network's busy tone; not a call of the box
        }
        progress.placed += 1;
        report();
        if (progress.placed >= o.calls) resolve();
        else arrival = clock.setTimeout(placeNext, nextArrivalMs(o.ratePerHour, random));
      };
      arrival = clock.setTimeout(placeNext, nextArrivalMs(o.ratePerHour, random));
    });
    if (hooks.signal?.aborted) onAbort();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    await wait(all);
    const logs = await wait(Promise.all(done));
    const durationMs = Math.round(clock.now() - started);
    const outcomes: Record<string, number> = {};
    for (const l of logs) {
      const o2 = center.records.get(l.callId)?.call.outcome ?? 'unknown';
      outcomes[o2] = (outcomes[o2] ?? 0) + 1;
    }
    center.records.flush();
    return { calls: ids.length, durationMs, kpis: callKpisFor(center.records.db, ids), outcomes, callIds: ids };
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    clock.clearTimeout(arrival);
    unsubscribe();
    for (const id of [...callbacks.keys()]) completeCallback(id);
    for (const id of agentIds) {
      const a = center.acd.agents.get(id);
      if (!a) continue;
      // On a call only if the run failed midway; logging out then takes effect when that call ends.
      if (a.state !== 'logged-out') center.acd.setState({ agentId: id, name: a.name, state: 'logged-out', reason: 'simulation-ended' });
      center.acd.forget(id);
    }
    for (const s of stations) sim.removeStation(s);
  }
}

export interface SimulatedCallRequest {
  from: string;
  to?: string;
  digits?: string;
  /** The caller hangs up this long after calling, s. Default 120. */
  timeoutS?: number;
}

/**
 * Place one simulated call (`edgebox call`) and answer what happened to it: route, prompts, the number it
 * was transferred to, the agent, the tickets. Aborting `signal` hangs the caller up.
 */
export async function placeSimulatedCall(sim: SimulatorTrunk, center: CallCenter, b: SimulatedCallRequest, signal?: AbortSignal) {
  const to = b.to ?? '12328';
  const { call, done } = runCaller(sim, {
    caller: b.from,
    called: to,
    presses: (b.digits ?? '').split(''),
    eager: true,
    thinkMs: 300,
    hangUpAfterMs: (b.timeoutS ?? 120) * 1000,
  });
  const hangup = () => call.hangup();
  if (signal?.aborted) hangup();
  signal?.addEventListener('abort', hangup, { once: true });
  const log = await done.finally(() => signal?.removeEventListener('abort', hangup));
  const v = center.records.get(call.callId);
  return {
    callId: call.callId,
    from: b.from,
    to,
    route: v?.call.route ?? null,
    outcome: v?.call.outcome ?? null,
    prompts: log.prompts,
    transferredTo: log.transferredTo ?? null,
    agent: v?.call.agent_id ?? null,
    station: log.connected?.station ?? null,
    tickets: v?.tickets.map((t) => t.ticket_number) ?? [],
    callback: v?.call.callback_id ?? null,
    recording: v?.call.recording_file ?? null,
    voicemail: v?.call.voicemail_file ?? null,
    hangup: log.hangup ?? null,
    legs: v?.legs ?? [],
  };
}
