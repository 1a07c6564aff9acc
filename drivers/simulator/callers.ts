// Scripted caller behaviours for the simulated trunk, so tests and `edgebox simulate` read as scenarios:
// a caller who presses digits when asked, waits with a given patience, leaves a voicemail, or calls a
// legacy number. A behaviour only uses the line side of SimulatorTrunk (what a real caller can do).
import type { TimerHandle } from '../../common/clock.js';
import type { SimCall, SimCallLog, SimulatorTrunk } from './trunk.js';

export interface CallerScript {
  caller: string | null;
  /** Number dialled. Default "12328"; a legacy local number to test the transition prompt. */
  called?: string;
  /** What to press at each successive digit collection ("1", "0", "2"...). Nothing left: stay silent. */
  presses?: string[];
  /** Delay before pressing once the box starts collecting, ms. Default 800. */
  thinkMs?: number;
  /**
   * Hang up if not talking to an agent (or transferred) this long after the call arrived, ms.
   * Default: Infinity (waits for ever).
   */
  patienceMs?: number;
  /** When the box starts a voicemail recording: speak this long, then press "#". Default 8000. */
  voicemailMs?: number;
  /** Hang up unconditionally this long after arrival, ms. */
  hangUpAfterMs?: number;
  /** Press every entry of `presses` as soon as the box answers (a caller who knows the menu types ahead). */
  eager?: boolean;
}

/** Place one scripted call; resolves with its log when it ends. */
export function runCaller(sim: SimulatorTrunk, script: CallerScript): { call: SimCall; done: Promise<SimCallLog> } {
  const call = sim.placeCall({ caller: script.caller, ...(script.called ? { called: script.called } : {}) });
  const clock = sim.clock;
  const presses = [...(script.presses ?? [])];
  const think = script.thinkMs ?? 800;
  const timers: TimerHandle[] = [];
  const later = (ms: number, fn: () => void) => timers.push(clock.setTimeout(fn, ms));

  call.on('collect', () => {
    const next = presses.shift();
    if (next !== undefined) later(think, () => call.press(next));
  });
  if (script.eager) {
    // The box may answer synchronously while the call is being offered, before this listener exists.
    const typeAhead = () => {
      const all = presses.splice(0).join('');
      if (all) call.press(all);
    };
    if (call.log.answeredAt !== undefined) clock.setTimeout(typeAhead, 0);
    else call.once('answered', typeAhead);
  }
  call.on('record', (opts) => {
    if (!opts.background) later(script.voicemailMs ?? 8000, () => call.press('#'));
  });
  let patience: TimerHandle | undefined;
  if (script.patienceMs !== undefined && Number.isFinite(script.patienceMs)) {
    patience = clock.setTimeout(() => call.hangup(), script.patienceMs);
    timers.push(patience);
    const calm = () => clock.clearTimeout(patience);
    call.on('connected', calm);
    call.on('transferred', calm);
  }
  if (script.hangUpAfterMs !== undefined) later(script.hangUpAfterMs, () => call.hangup());
  const done = call.ended.then((log) => {
    for (const t of timers) clock.clearTimeout(t);
    return log;
  });
  return { call, done };
}

/** A Poisson arrival process: the gap to the next call, ms, for `ratePerHour` calls an hour. */
export function nextArrivalMs(ratePerHour: number, random: () => number = Math.random): number {
  const perMs = ratePerHour / 3_600_000;
  return -Math.log(1 - random()) / perMs;
}

/** A seeded random source (mulberry32) so simulated traffic is repeatable: the one in drivers/media. */
export { seededRandom } from '../media/tones.js';
