/**
 * The media commands of the facade — prompt playback and recording on one call — kept apart from
 * call control (driver.ts). The audio itself runs in the span worker; these functions send its
 * commands and turn its `playDone` / `recordDone` events, digits, timers and aborts into the
 * PlayResult / RecordResult of the trunk contract (T6–T8).
 */
import path from 'node:path';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { PlayOptions, PlayResult, Prompt, RecordOptions, RecordResult } from '../trunk/types.js';
import type { SpanHost } from './host.js';
import type { E1SpanConfig } from './config.js';
import { isE1Error } from './errors.js';
import { onAbort, sleep, type E1Logger, type FCall } from './call-state.js';

export type PlayOutcome = 'completed' | 'stopped' | 'gone';
export type RecordDone = { durationMs: number; outcome: 'stopped' | 'gone' };

export interface MediaContext {
  host: SpanHost;
  clock: Clock;
  log: E1Logger;
  config: Readonly<E1SpanConfig>;
  playWaiters: Map<string, (o: PlayOutcome) => void>;
  recordWaiters: Map<string, (r: RecordDone) => void>;
  /** Map a worker error to the TrunkError the contract names. */
  rethrow(e: unknown): never;
}

/** A prompt missing or unplayable is this long a pause (a distress call must still be routed). */
const SILENT_PROMPT_MS = 500;

export function promptFiles(config: Readonly<E1SpanConfig>, p: Prompt): string[] {
  const files: string[] = [];
  if (p.file) files.push(p.file);
  if (p.say?.length && config.sayDir) {
    for (const v of p.say) for (const ch of v) if (/\d/.test(ch)) files.push(path.join(config.sayDir, `${ch}.wav`));
  }
  return files;
}

/** Play `prompt` on `c`; `mine` aborts when the command settles (it detaches the digit waiter). */
export async function playOnCall(ctx: MediaContext, c: FCall, prompt: Prompt, o: PlayOptions, playId: string, mine: AbortSignal): Promise<PlayResult> {
  if (o.signal?.aborted) return { outcome: 'cancelled' };
  if (o.interruptible) {
    const d = c.digits.peek();
    if (d) return { outcome: 'interrupted', digit: d };
  }
  const files = promptFiles(ctx.config, prompt);
  const done = new Promise<PlayOutcome>((resolve) => ctx.playWaiters.set(playId, resolve));
  let silent = false;
  if (files.length) {
    try {
      await ctx.host.request({ op: 'play', callId: c.id, playId, files });
    } catch (e) {
      if (!(isE1Error(e) && e.code === 'E1_MEDIA')) ctx.rethrow(e);
      ctx.log.warn(`e1-pri: prompt ${prompt.id} not playable (${e.message}); pausing instead`);
      silent = true;
    }
  } else silent = true;
  const finished = (silent ? sleep(ctx.clock, SILENT_PROMPT_MS, mine).then((): PlayOutcome => 'completed') : done).then(
    (x): PlayResult => (x === 'gone' ? { outcome: 'caller-gone' } : { outcome: 'completed' }),
  );
  const race: Promise<PlayResult>[] = [finished];
  if (o.interruptible) {
    const both = AbortSignal.any([mine, ...(o.signal ? [o.signal] : [])]);
    race.push(c.digits.firstDigit(both).then((d) => (d ? { outcome: 'interrupted' as const, digit: d } : new Promise<PlayResult>(() => {}))));
  }
  const aborted = o.signal ? onAbort(o.signal, (): PlayResult => ({ outcome: 'cancelled' })) : undefined;
  if (aborted) race.push(aborted.promise);
  try {
    const r = await Promise.race(race);
    if ((r.outcome === 'interrupted' || r.outcome === 'cancelled') && !silent) {
      ctx.host.request({ op: 'stopPlay', callId: c.id, playId }).catch(() => {});
    }
    return r;
  } finally {
    aborted?.off();
  }
}

/**
 * Record `c` to `options.file`. Returns the command and a cleanup for the caller's guard: the
 * recording stops at `maxMs`, at a stop digit, on abort, or when the call ends (background: `ended`).
 */
export function recordOnCall(ctx: MediaContext, c: FCall, options: RecordOptions, recId: string): { run: () => Promise<RecordResult>; cleanup: () => void } {
  const background = !!options.background;
  const done = new Promise<RecordDone>((resolve) => ctx.recordWaiters.set(recId, resolve));
  let timer: TimerHandle | undefined;
  let digitL: ((d: string) => void) | undefined;
  let abortOff = () => {};
  const cleanup = () => {
    ctx.clock.clearTimeout(timer);
    if (digitL) c.digitListeners.delete(digitL);
    abortOff();
  };
  const run = async (): Promise<RecordResult> => {
    try {
      await ctx.host.request({ op: 'record', callId: c.id, recId, file: options.file, mix: background });
    } catch (e) {
      ctx.recordWaiters.delete(recId);
      ctx.rethrow(e);
    }
    const stop = async (outcome: RecordResult['outcome']): Promise<RecordResult> => {
      ctx.recordWaiters.delete(recId);
      const r = await ctx.host.request<{ durationMs: number }>({ op: 'stopRecord', callId: c.id, recId }).catch((e: unknown) => ctx.rethrow(e));
      return { outcome, file: options.file, durationMs: r.durationMs };
    };
    type Next = () => Promise<RecordResult>;
    const race: Promise<Next>[] = [
      done.then((r): Next => async () => ({ outcome: background ? 'ended' : 'caller-gone', file: options.file, durationMs: r.durationMs })),
    ];
    if (options.maxMs !== undefined) {
      const maxMs = options.maxMs;
      race.push(new Promise((resolve) => (timer = ctx.clock.setTimeout(() => resolve(() => stop('max')), maxMs))));
    }
    if (!background && options.stopDigits) {
      const stopDigits = options.stopDigits;
      race.push(new Promise((resolve) => {
        digitL = (d) => {
          if (stopDigits.includes(d)) resolve(() => stop('digit'));
        };
        c.digitListeners.add(digitL);
      }));
    }
    if (options.signal) {
      const a = onAbort(options.signal, (): Next => () => stop('cancelled'));
      abortOff = a.off;
      race.push(a.promise);
    }
    const next = await Promise.race(race);
    cleanup();
    return next();
  };
  return { run, cleanup };
}
