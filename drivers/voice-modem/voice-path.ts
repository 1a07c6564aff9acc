// The call's audio path over the modem's voice data stream, half or full duplex (V.253 §4.1.1 voice states):
//
//   full duplex (+VTR, where `AT+VTR=?` is accepted): one stream for the whole call; the box sends a prompt
//     or, between prompts, silence, paced in real time, and hears the line all along;
//   half duplex: the line is heard in +VRX; a prompt leaves it (<DLE>!), plays in +VTX (<DLE><ETX> at the end,
//     or <DLE><CAN><DLE><ETX> to cut it), and the path goes back to +VRX. While a prompt plays the box hears
//     nothing, but the modem still reports DTMF digits and line events as DLE codes.
//
// Pacing: the box writes 20 ms frames at the real-time rate, a few frames ahead, so the modem's buffer never
// runs dry (<DLE>u, underrun) nor holds a long prompt that would keep playing after an interruption; a real
// modem's flow control (+IFC) then only trims the lead.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { VoiceModem } from './modem.js';
import { type PlayEnd, PromptSlot } from '../media/playback.js';

export type { PlayEnd } from '../media/playback.js';

const RATE = 8000;

export class VoicePath {
  readonly #frame: number;
  #t0 = 0;
  #sentSamples = 0;
  #timer: TimerHandle | undefined;
  #pumping = false;
  readonly #prompt = new PromptSlot();
  /** Stream changes (open, play in half duplex, close) run one after the other. */
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly modem: VoiceModem,
    private readonly clock: Clock,
    private readonly log: Logger,
    readonly duplex: boolean,
    private readonly frameMs = 20,
    private readonly leadFrames = 3,
    /** Pacing reads a monotonic counter: a wall-clock jump (NTP) must not burst or stall the audio. */
    private readonly mono: () => number = () => performance.now(),
  ) {
    this.#frame = (RATE * frameMs) / 1000;
  }

  open(): Promise<void> {
    return this.#serial(async () => {
      if (this.duplex) {
        await this.modem.startStream('duplex');
        this.#startPump();
      } else await this.modem.startStream('rx');
    });
  }

  /** Plays 8 kHz linear audio to the line; `stop` (aborted) cuts it. */
  play(pcm: Int16Array, stop: AbortSignal): Promise<PlayEnd> {
    if (this.#closed || stop.aborted) return Promise.resolve('stopped');
    if (this.duplex) return this.#playOn(pcm, stop);
    return this.#serial(async () => {
      if (this.#closed || stop.aborted) return 'stopped' as PlayEnd;
      await this.modem.endStream();
      await this.modem.startStream('tx');
      this.#startPump();
      const end = await this.#playOn(pcm, stop);
      this.#stopPump();
      // Played out: <DLE><ETX>, the modem answers OK when its buffer is empty; cut: drop the buffer.
      await this.modem.endStream(end === 'stopped');
      if (!this.#closed) await this.modem.startStream('rx');
      return end;
    });
  }

  /** Ends the stream (the call is over); the line is put on-hook by the caller. */
  close(): Promise<void> {
    this.#closed = true;
    this.#prompt.stop();
    return this.#serial(async () => {
      this.#stopPump();
      if (this.modem.stream !== 'command') await this.modem.endStream(true);
    });
  }

  /** The modem is gone: stop pacing at once, send nothing more (the stream died with the port). */
  abandon(): void {
    this.#closed = true;
    this.#stopPump();
    this.#prompt.stop();
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#chain.then(fn, fn);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  #playOn(pcm: Int16Array, stop: AbortSignal): Promise<PlayEnd> {
    return this.#prompt.play(pcm, stop);
  }

  #startPump(): void {
    this.#pumping = true;
    this.#t0 = this.mono();
    this.#sentSamples = 0;
    this.#tick();
  }

  #stopPump(): void {
    this.#pumping = false;
    this.clock.clearTimeout(this.#timer);
  }

  #tick(): void {
    if (!this.#pumping) return;
    const due = Math.floor(((this.mono() - this.#t0) * RATE) / 1000) + this.leadFrames * this.#frame;
    const chunks: Int16Array[] = [];
    while (this.#sentSamples < due) {
      const p = this.#prompt.current;
      let frame: Int16Array;
      if (p) {
        frame = p.pcm.subarray(p.pos, p.pos + this.#frame);
        p.pos += frame.length;
        if (p.pos >= p.pcm.length) {
          // The last sample leaves the box now; it is heard after the lead already queued.
          const lead = ((this.#sentSamples + frame.length - (this.mono() - this.#t0) * (RATE / 1000)) * 1000) / RATE;
          this.#prompt.current = undefined;
          if (this.duplex) this.clock.setTimeout(() => p.finish('done'), Math.max(0, lead));
          else p.finish('done');
        }
      } else if (this.duplex) frame = new Int16Array(this.#frame);
      else break; // half duplex: nothing more to send; the play ends the tx stream
      if (frame.length === 0) continue;
      chunks.push(frame);
      this.#sentSamples += frame.length;
    }
    if (chunks.length) {
      const all = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
      let o = 0;
      for (const c of chunks) {
        all.set(c, o);
        o += c.length;
      }
      this.modem.writeAudio(this.modem.codec.encode(all)).catch((err: unknown) => this.log.debug({ err: String(err) }, 'voice write failed'));
    }
    this.#timer = this.clock.setTimeout(() => this.#tick(), this.frameMs);
  }
}
