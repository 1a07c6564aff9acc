// What every call-centre rig builds the same way (calls-harness.ts, e1-rig.ts, gsm-rig.ts, voice-modem-rig.ts):
// the call centre on an in-memory store with the tickets it files captured, the live events kept, time on a
// real-time rig (its clock, its scaled settings, its scripted actions), and the caller's speech.
import path from 'node:path';
import { alawToLinear } from '../../drivers/media/alaw.js';
import { loadPromptAlaw } from '../../drivers/media/wav.js';
import { CallCenter, type CallCenterOptions } from '../../firmware-agent/calls/center.js';
import { callsConfig, defaultCallsConfig, type CallsConfig } from '../../firmware-agent/calls/config.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import { openDb } from '../../firmware-agent/store/db.js';
import type { CallerScript } from '../../drivers/simulator/callers.js';
import type { SimCallLog } from '../../drivers/simulator/trunk.js';
import type { RigCall } from './e1-rig-observed.js';
import type { Rig, RigOptions } from './scenarios.js';

/**
 * A started call centre on an in-memory store: the tickets it files are numbered in order and kept in
 * `tickets`, its live events in `events`.
 */
export async function rigCenter(o: Omit<CallCenterOptions, 'db' | 'tickets'>): Promise<{ db: CallCenterOptions['db']; center: CallCenter; tickets: Rig['tickets']; events: LiveEvent[] }> {
  const db = openDb({ file: ':memory:' });
  const tickets: Rig['tickets'] = [];
  let seq = 0;
  const center = new CallCenter({
    ...o,
    db,
    tickets: {
      create(input) {
        const number = `623000202611300${String(++seq).padStart(4, '0')}`;
        tickets.push({ ...input, number });
        return { number };
      },
    },
  });
  const events: LiveEvent[] = [];
  center.events.subscribe((e) => events.push(e));
  await center.start();
  return { db, center, tickets, events };
}

/**
 * Time on a real-time rig: `until` waits for a promise, failing after `untilLimitMs` of wall time (naming the
 * rig); `elapse` lets scenario time pass, `wall(ms)` of it.
 */
export function realTime(rig: string, untilLimitMs: number, wall: (scenarioMs: number) => number): Rig['time'] {
  return {
    until<T>(p: Promise<T>): Promise<T> {
      let t: NodeJS.Timeout | undefined;
      const limit = new Promise<never>((_, reject) => {
        t = setTimeout(() => reject(new Error(`${rig}: still waiting after ${untilLimitMs} ms`)), untilLimitMs);
      });
      return Promise.race([p, limit]).finally(() => clearTimeout(t));
    },
    elapse: (ms) => new Promise((r) => setTimeout(r, wall(ms))),
  };
}

/** A caller's speech of `scenarioMs` (wall-clock length), 8 kHz: the full welcome prompt, repeated as needed. */
export function speechOf(promptsDir: string, wall: (scenarioMs: number) => number): (scenarioMs: number) => Promise<Int16Array> {
  let voice: Int16Array | undefined;
  return async (scenarioMs) => {
    voice ??= alawToLinear(await loadPromptAlaw(path.join(promptsDir, 'welcome.wav')));
    const n = Math.round((wall(scenarioMs) * 8000) / 1000);
    const out = new Int16Array(n);
    for (let i = 0; i < n; i += voice.length) out.set(voice.subarray(0, Math.min(voice.length, n - i)), i);
    return out;
  };
}

/**
 * The scenario's call settings on a real-time rig: validated over the defaults, the rig's cut prompts, and the
 * queue's timings scaled to wall time (the same scale as the rig's clock).
 */
export function scaledConfig(settings: RigOptions['config'], dataDir: string, promptsDir: string, wall: (scenarioMs: number) => number): Readonly<CallsConfig> {
  const base = callsConfig(settings ?? {}, defaultCallsConfig(dataDir, '623000'));
  const q = base.queue;
  return Object.freeze({
    ...base,
    promptsDir,
    queue: Object.freeze({
      ...q,
      announceEveryMs: wall(q.announceEveryMs),
      maxWaitMs: wall(q.maxWaitMs),
      ringTimeoutMs: wall(q.ringTimeoutMs),
      wrapUpMs: wall(q.wrapUpMs),
      defaultHandleMs: wall(q.defaultHandleMs),
      voicemailMaxMs: wall(q.voicemailMaxMs),
    }),
  });
}

/**
 * Scripted callers' and stations' later actions on a real-time rig: `later(scenarioMs, fn)` runs `fn` after
 * that much scenario time; an action that throws is kept in `errors` (the rig's close() fails with it, not the
 * test process); `clear()` cancels what has not run yet.
 */
export function scheduler(wall: (scenarioMs: number) => number): { later(scenarioMs: number, fn: () => void): NodeJS.Timeout; errors: unknown[]; clear(): void } {
  const timers = new Set<NodeJS.Timeout>();
  const errors: unknown[] = [];
  return {
    errors,
    later(scenarioMs, fn) {
      const t = setTimeout(() => {
        timers.delete(t);
        try {
          fn();
        } catch (e) {
          errors.push(e);
        }
      }, wall(scenarioMs));
      timers.add(t);
      return t;
    },
    clear() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

/** How a rig's caller acts on its line: presses keys (DTMF, as the line carries them) and speaks (8 kHz PCM). */
export interface CallerLine {
  press(digits: string): void;
  speak(pcm: Int16Array): unknown;
}

/**
 * A scripted caller (drivers/simulator/callers.ts) played on a real-time rig's line: a key at each prompt that
 * collects, after its think time; every key at once when it is eager; a voicemail spoken, then '#'; its patience
 * (until an agent answers) and its hang-up time. Its timers are cleared when the call ends. Returns the call's
 * end and `hangUpLater`, for timings of the rig's own (a station's talk time).
 */
export function playCallerScript(
  call: RigCall,
  script: CallerScript,
  line: CallerLine,
  o: { later: ReturnType<typeof scheduler>['later']; speech: ReturnType<typeof speechOf> },
): { done: Promise<SimCallLog>; hangUpLater(scenarioMs: number): NodeJS.Timeout } {
  const mine = new Set<NodeJS.Timeout>();
  const hangUpLater = (ms: number) => {
    const t = o.later(ms, () => call.hangup());
    mine.add(t);
    return t;
  };
  const presses = [...(script.presses ?? [])];
  call.on('collect', () => {
    const next = presses.shift();
    if (next !== undefined) mine.add(o.later(script.thinkMs ?? 800, () => line.press(next)));
  });
  if (script.eager) call.once('answered', () => line.press(presses.splice(0).join('')));
  call.on('record', (r) => {
    if (r.background) return;
    o.speech(script.voicemailMs ?? 8000)
      .then((pcm) => line.speak(pcm))
      .catch(() => undefined)
      .then(() => line.press('#'));
  });
  if (script.patienceMs !== undefined && Number.isFinite(script.patienceMs)) {
    const t = hangUpLater(script.patienceMs);
    call.on('connected', () => clearTimeout(t));
  }
  if (script.hangUpAfterMs !== undefined) hangUpLater(script.hangUpAfterMs);
  const done = call.ended.then((log) => {
    for (const t of mine) clearTimeout(t);
    return log;
  });
  return { done, hangUpLater };
}
