// What every call-centre rig builds the same way (calls-harness.ts, e1-rig.ts, gsm-rig.ts, voice-modem-rig.ts):
// the call centre on an in-memory store with the tickets it files captured, the live events kept, time on a
// real-time rig, and the caller's speech.
import path from 'node:path';
import { alawToLinear } from '../../drivers/media/alaw.js';
import { loadPromptAlaw } from '../../drivers/media/wav.js';
import { CallCenter, type CallCenterOptions } from '../../firmware-agent/calls/center.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import { openDb } from '../../firmware-agent/store/db.js';
import type { Rig } from './scenarios.js';

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
