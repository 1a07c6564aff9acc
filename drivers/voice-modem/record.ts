// Recording on the one call (voicemail, or the caller's side in the background): the received audio into an
// 8 kHz 16-bit WAV (drivers/media/wav.ts WavRecorder: temp file, fsync, rename), until the first of
//   maxMs → 'max'; a stop digit → 'digit'; the modem's 'q' (voice, then quiet: V.253 §7.3) → 'max', the message
//   is over; the modem's 's' (no voice at all, then silence: "presumed hang-up") or `silenceHangupMs` of silence
//   → 'caller-gone'; the call ending → 'caller-gone' ('ended' in the background); abort → 'cancelled'.
// Silence and the modem's reports end only a voicemail, never a background recording.
import type { Clock } from '../../common/clock.js';
import { TrunkError, type RecordOptions, type RecordResult } from '../trunk/types.js';
import { WavRecorder } from '../media/wav.js';
import type { CallState } from './call-state.js';
import type { VoiceEvent } from './dle.js';

export interface RecordDeps {
  clock: Clock;
  /** Mean absolute sample below which a frame is silence. */
  silenceLevel: number;
  silenceHangupMs: number;
}

export async function recordCall(c: CallState, options: RecordOptions, d: RecordDeps): Promise<RecordResult> {
  const background = !!options.background;
  if (options.signal?.aborted) return { outcome: 'cancelled', file: options.file, durationMs: 0 };
  let rec: WavRecorder;
  try {
    rec = new WavRecorder(options.file);
  } catch (err) {
    throw new TrunkError('invalid-argument', `cannot record to ${options.file}: ${(err as Error).message}`, { cause: err });
  }
  const cleanups: Array<() => void> = [];
  try {
    type Outcome = RecordResult['outcome'];
    const outcome = await new Promise<Outcome>((finish) => {
      let silentMs = 0;
      const sink = (pcm: Int16Array) => {
        rec.writeLinear(pcm);
        if (background) return;
        let sum = 0;
        for (const s of pcm) sum += Math.abs(s);
        silentMs = sum / Math.max(1, pcm.length) < d.silenceLevel ? silentMs + (pcm.length / 8000) * 1000 : 0;
        if (silentMs >= d.silenceHangupMs) finish('caller-gone');
      };
      c.audioSinks.add(sink);
      cleanups.push(() => c.audioSinks.delete(sink));
      const over = () => finish(background ? 'ended' : 'caller-gone');
      if (c.over.signal.aborted) over();
      c.over.signal.addEventListener('abort', over, { once: true });
      cleanups.push(() => c.over.signal.removeEventListener('abort', over));
      if (options.maxMs !== undefined) {
        const t = d.clock.setTimeout(() => finish('max'), options.maxMs);
        cleanups.push(() => d.clock.clearTimeout(t));
      }
      if (!background) {
        const stop = options.stopDigits ?? '';
        const dl = (digit: string) => {
          if (stop.includes(digit)) finish('digit');
        };
        c.digitListeners.add(dl);
        cleanups.push(() => c.digitListeners.delete(dl));
        const ev = (e: VoiceEvent) => {
          if (e.kind === 'silence') finish('caller-gone');
          else if (e.kind === 'quiet') finish('max');
        };
        c.eventSinks.add(ev);
        cleanups.push(() => c.eventSinks.delete(ev));
      }
      if (options.signal) {
        const ab = () => finish('cancelled');
        options.signal.addEventListener('abort', ab, { once: true });
        cleanups.push(() => options.signal!.removeEventListener('abort', ab));
      }
    });
    for (const f of cleanups.splice(0)) f();
    return { outcome, file: options.file, durationMs: rec.finish() };
  } finally {
    for (const f of cleanups) f();
  }
}
