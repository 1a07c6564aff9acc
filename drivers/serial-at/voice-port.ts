// The call's audio over a GSM module's second serial device, the "voice port" (Quectel EC2x/EG25: the USB
// serial port that carries voice after AT+QPCMV=1,0; SIMCom SIM7500/SIM7600: the USB audio port after
// AT+CPCMREG=1). The AT port keeps call control; this port carries nothing but PCM (pcm.ts).
//
//  - Receive: the caller's audio, cut into 20 ms frames, 16 kHz brought down to 8 kHz (media/resample.ts),
//    handed to listeners as 8 kHz linear (DTMF detector, recorders).
//  - Send: a pump writes 20 ms frames at the real-time rate for the whole call — a prompt while one plays,
//    silence otherwise — a few frames ahead, so the module's buffer neither runs dry (clicks) nor holds so
//    much that an interrupted prompt keeps playing. At 16 kHz each frame is brought up to 16 kHz.
//  - Rate: `auto` measures the downlink's byte rate (RateDetector) and sends nothing until it knows; if
//    nothing arrives at all (one-way audio) it sends at 8 kHz after the detection window.
// Bytes that arrive outside a call are dropped (a module may flush a stale buffer at hang-up).
import { Downsampler, Upsampler } from '../media/resample.js';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { SerialAtError, SerialAtErrorCodes } from './errors.js';
import { silentLogger, type Logger } from '../../common/log.js';
import { FRAME_MS, frameBytes, PcmFramer, pcmBytes, RateDetector, type PcmRate } from './pcm.js';
import type { ByteTransport, TransportFactory } from './transport.js';
import { type PlayEnd, PromptSlot } from '../media/playback.js';

export type { PlayEnd } from '../media/playback.js';

export interface VoicePortOptions {
  transport: TransportFactory;
  clock: Clock;
  logger?: Logger;
  /** The module's PCM rate; `auto` (default) measures it per call. */
  rate?: PcmRate | 'auto';
  /** Frames the sender keeps ahead of real time (default 3 = 60 ms). */
  leadFrames?: number;
  /** Window of the rate measurement, ms (default 600). */
  rateWindowMs?: number;
}

const FRAME_8K = (8000 * FRAME_MS) / 1000; // 160 samples

export class VoicePort {
  readonly #factory: TransportFactory;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #configured: PcmRate | 'auto';
  readonly #lead: number;
  readonly #rateWindowMs: number;
  #port: ByteTransport | undefined;
  #inCall = false;
  #rate: PcmRate | undefined;
  #detector: RateDetector;
  #framer: PcmFramer | undefined;
  /** Bytes received before the rate was known, framed once it is. */
  #early: Buffer[] = [];
  #down = new Downsampler();
  #up = new Upsampler();
  #audio = new Set<(pcm: Int16Array) => void>();
  #sent = new Set<(pcm: Int16Array) => void>();
  #closedListeners = new Set<(err?: Error) => void>();
  #lastAudioAt: number | undefined;
  #bytesIn = 0;
  #callStart = 0;
  #t0 = 0;
  #sentSamples = 0;
  #pumpTimer: TimerHandle | undefined;
  #rateTimer: TimerHandle | undefined;
  readonly #prompt = new PromptSlot();

  constructor(o: VoicePortOptions) {
    if (!o || typeof o.transport?.open !== 'function') {
      throw new SerialAtError(SerialAtErrorCodes.BadOption, 'VoicePort: `transport` must be a TransportFactory', { param: 'voicePort' });
    }
    const rate = o.rate ?? 'auto';
    if (rate !== 'auto' && rate !== 8000 && rate !== 16000) {
      throw new SerialAtError(SerialAtErrorCodes.BadOption, 'VoicePort: `rate` must be 8000, 16000 or auto', { param: 'voiceRate' });
    }
    this.#factory = o.transport;
    this.#clock = o.clock;
    this.#log = o.logger ?? silentLogger;
    this.#configured = rate;
    this.#lead = o.leadFrames ?? 3;
    this.#rateWindowMs = o.rateWindowMs ?? 600;
    this.#detector = new RateDetector(this.#rateWindowMs);
  }

  /** For logs and problems: "serial:/dev/ttyUSB4". */
  get describe(): string {
    return this.#factory.describe;
  }

  get isOpen(): boolean {
    return this.#port?.isOpen === true;
  }

  /** The rate of the current (or last) call, once known. */
  get rate(): PcmRate | undefined {
    return this.#rate;
  }

  /** Bytes received in the current call; 0 after answer + a while means one-way audio. */
  get bytesIn(): number {
    return this.#bytesIn;
  }

  get lastAudioAt(): number | undefined {
    return this.#lastAudioAt;
  }

  /** Opens the device. Throws SerialAtError OpenFailed naming it (the caller decides to go on without audio). */
  async open(): Promise<void> {
    if (this.isOpen) return;
    let port: ByteTransport;
    try {
      port = await this.#factory.open();
    } catch (err) {
      throw new SerialAtError(SerialAtErrorCodes.OpenFailed, `voice port ${this.#factory.describe}: cannot open (${(err as Error).message})`, { param: 'voicePort', path: this.#factory.describe }, { cause: err });
    }
    this.#port = port;
    port.on('data', (chunk) => this.#onData(chunk));
    port.on('close', (err) => {
      if (this.#port !== port) return;
      this.#port = undefined;
      this.#log.warn({ port: this.#factory.describe, err: err ? String(err) : undefined }, 'voice port closed');
      this.#stopPump();
      this.#prompt.stop();
      for (const l of this.#closedListeners) l(err);
    });
  }

  async close(): Promise<void> {
    this.endCall();
    const p = this.#port;
    this.#port = undefined;
    await p?.close();
  }

  onAudio(fn: (pcm: Int16Array) => void): () => void {
    this.#audio.add(fn);
    return () => this.#audio.delete(fn);
  }

  /** What the box sends, as 8 kHz frames, as they leave (echo reference, conversation recording). */
  onSent(fn: (pcm: Int16Array) => void): () => void {
    this.#sent.add(fn);
    return () => this.#sent.delete(fn);
  }

  onClosed(fn: (err?: Error) => void): () => void {
    this.#closedListeners.add(fn);
    return () => this.#closedListeners.delete(fn);
  }

  /** The call is answered and the module was told to stream: take audio in, start sending. */
  startCall(): void {
    this.endCall();
    this.#inCall = true;
    this.#bytesIn = 0;
    this.#lastAudioAt = undefined;
    this.#callStart = this.#clock.now();
    this.#early = [];
    this.#down = new Downsampler();
    this.#up = new Upsampler();
    this.#detector.reset();
    if (this.#configured === 'auto') {
      this.#rate = undefined;
      this.#framer = undefined;
      // Nothing came at all (one-way audio): send at 8 kHz rather than not at all; the uplink may work.
      this.#rateTimer = this.#clock.setTimeout(() => {
        if (this.#inCall && this.#rate === undefined && this.#bytesIn === 0) this.#setRate(8000, 'no downlink audio to measure');
      }, this.#rateWindowMs * 2);
    } else this.#setRate(this.#configured, 'configured');
  }

  /** The call is over: stop sending, drop what arrives. */
  endCall(): void {
    this.#inCall = false;
    this.#clock.clearTimeout(this.#rateTimer);
    this.#stopPump();
    this.#prompt.stop();
    this.#framer?.reset();
    this.#early = [];
  }

  /** Plays 8 kHz linear audio into the call; `stop` cuts it. Resolves when the last sample has been heard. */
  play(pcm: Int16Array, stop: AbortSignal): Promise<PlayEnd> {
    if (!this.#inCall || !this.isOpen || stop.aborted) return Promise.resolve('stopped');
    return this.#prompt.play(pcm, stop);
  }

  // ------------------------------------------------------------------

  #setRate(rate: PcmRate, why: string): void {
    this.#rate = rate;
    this.#framer = new PcmFramer(frameBytes(rate));
    this.#log.info({ port: this.#factory.describe, rate, why }, 'voice port rate');
    const early = this.#early;
    this.#early = [];
    for (const b of early) this.#frames(b);
    this.#startPump();
  }

  #onData(chunk: Buffer): void {
    if (!this.#inCall) return;
    const now = this.#clock.now();
    this.#bytesIn += chunk.length;
    this.#lastAudioAt = now;
    if (this.#rate === undefined) {
      this.#early.push(chunk);
      const r = this.#detector.observe(chunk.length, now);
      if (r !== undefined) this.#setRate(r, `measured ${Math.round((this.#bytesIn * 1000) / Math.max(1, now - this.#callStart))} B/s`);
      return;
    }
    this.#frames(chunk);
  }

  #frames(chunk: Buffer): void {
    for (const f of this.#framer!.push(chunk)) {
      const pcm = this.#rate === 16000 ? this.#down.push(f) : f;
      for (const l of this.#audio) {
        try {
          l(pcm);
        } catch (err) {
          this.#log.error({ err: String(err) }, 'voice listener threw');
        }
      }
    }
  }

  #startPump(): void {
    this.#stopPump();
    this.#t0 = this.#clock.now();
    this.#sentSamples = 0;
    this.#tick();
  }

  #stopPump(): void {
    this.#clock.clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
  }

  #tick(): void {
    if (!this.#inCall || !this.isOpen) return;
    const now = this.#clock.now();
    const due = Math.floor(((now - this.#t0) * 8000) / 1000) + this.#lead * FRAME_8K;
    const frames: Int16Array[] = [];
    while (this.#sentSamples < due) {
      const p = this.#prompt.current;
      const frame = new Int16Array(FRAME_8K);
      if (p) {
        const part = p.pcm.subarray(p.pos, p.pos + FRAME_8K);
        frame.set(part);
        p.pos += part.length;
        if (p.pos >= p.pcm.length) {
          // The prompt's last sample leaves now; the caller hears it after the lead already queued.
          const aheadMs = ((this.#sentSamples + FRAME_8K) * 1000) / 8000 - (now - this.#t0);
          this.#prompt.current = undefined;
          this.#clock.setTimeout(() => p.finish('done'), Math.max(0, aheadMs));
        }
      }
      frames.push(frame);
      this.#sentSamples += FRAME_8K;
    }
    if (frames.length) {
      const all = new Int16Array(frames.length * FRAME_8K);
      frames.forEach((f, i) => all.set(f, i * FRAME_8K));
      for (const f of frames) for (const l of this.#sent) l(f);
      const out = this.#rate === 16000 ? this.#up.push(all) : all;
      this.#port?.write(pcmBytes(out)).catch((err: unknown) => this.#log.debug({ err: String(err) }, 'voice write failed'));
    }
    this.#pumpTimer = this.#clock.setTimeout(() => this.#tick(), FRAME_MS);
  }
}
