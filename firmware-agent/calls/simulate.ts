// Simulated traffic (`edgebox simulate`, the bench): Poisson arrivals at a given rate, a mix of menu
// choices, callers with a patience, and optionally simulated agents, all on the simulated trunk. Returns the
// call KPIs of exactly the calls it placed.
import type { Clock } from '../../drivers/trunk/clock.js';
import { nextArrivalMs, runCaller, seededRandom, type CallerScript } from '../../drivers/simulator/callers.js';
import type { SimCallLog, SimulatorTrunk } from '../../drivers/simulator/trunk.js';
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

/**
 * Place the traffic and wait until every call has ended. `wait` runs the clock when it is virtual
 * (`(p) => clock.until(p)`); on the system clock it is the identity.
 */
export async function runTraffic(
  sim: SimulatorTrunk,
  center: CallCenter,
  o: TrafficOptions,
  wait: <T>(p: Promise<T>) => Promise<T> = (p) => p,
): Promise<TrafficResult> {
  validateTraffic(o);
  const clock: Clock = sim.clock;
  const random = seededRandom(o.seed ?? 12328);
  const mix = o.mix ?? defaultMix;
  const talk = o.talkMs ?? 120_000;
  const agentIds: number[] = [];
  for (let i = 1; i <= (o.agents ?? 0); i++) {
    const id = simAgentBase + i;
    const station = `sim-agent-${i}`;
    sim.addStation(station, { answerAfterMs: 1500 + random() * 3000, talkMs: Math.max(5000, -Math.log(1 - random()) * talk) });
    center.acd.setState({ agentId: id, name: `模拟坐席${i}`, state: 'ready', station });
    agentIds.push(id);
  }
  // Simulated agents call back the callback requests they are offered.
  const unsubscribe = center.events.subscribe((e) => {
    if (e.type !== 'callback.offered' || e.agentId <= simAgentBase) return;
    clock.setTimeout(() => {
      try {
        center.callbacks.complete(e.callbackId, e.agentId, null, 'simulated agent');
      } catch {
        /* already completed or reassigned */
      }
    }, 60_000);
  });
  const started = clock.now();
  const done: Promise<SimCallLog>[] = [];
  const ids: string[] = [];
  const all = new Promise<void>((resolve) => {
    let placed = 0;
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
        done.push(c.done);
      } catch {
        // every channel busy: the caller hears the network's busy tone; not a call of the box
      }
      placed += 1;
      if (placed >= o.calls) resolve();
      else clock.setTimeout(placeNext, nextArrivalMs(o.ratePerHour, random));
    };
    clock.setTimeout(placeNext, nextArrivalMs(o.ratePerHour, random));
  });
  await wait(all);
  const logs = await wait(Promise.all(done));
  const durationMs = Math.round(clock.now() - started);
  unsubscribe();
  for (const id of agentIds) {
    const a = center.acd.agents.get(id);
    if (a && a.state !== 'on-call') center.acd.setState({ agentId: id, name: a.name, state: 'logged-out' });
  }
  const outcomes: Record<string, number> = {};
  for (const l of logs) {
    const o2 = center.records.get(l.callId)?.call.outcome ?? 'unknown';
    outcomes[o2] = (outcomes[o2] ?? 0) + 1;
  }
  return { calls: ids.length, durationMs, kpis: (center.records.flush(), callKpisFor(center.records.db, ids)), outcomes, callIds: ids };
}
