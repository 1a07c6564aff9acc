// The voice port of a simulated GSM module: the far end of a second pty pair, driven by SimulatedModem's
// `voice` event (a call is up and the host asked for PCM with AT+QPCMV=1,0 / AT+CPCMREG=1). While voice is on
// it streams the caller's side — queued speech, DTMF tones, optional noise — as 16-bit LE PCM in 20 ms frames
// paced at real time, and captures what the box sends (`heard`, the `heard` event): the caller hears it.
//
// Behaviours (the failure modes users of serial-port audio report, platform notes):
//  - `rate: 16000`: firmware that carries 16 kHz ("slin16"): frames of 640 bytes both ways;
//  - `oneWay: true`: nothing is sent to the box (the box's audio still reaches the caller);
//  - `echo`: a delayed, attenuated copy of what the box plays comes back with the caller's audio;
//  - a missing voice port is simply not attaching this (the rig gives the box a device that does not exist).
import { EventEmitter } from 'node:events';
import { Downsampler, Upsampler } from '../../media/resample.js';
import { addNoise, clip, dtmfSequence } from '../../media/tones.js';
import type { Clock, TimerHandle } from '../../../common/clock.js';
import { systemClock } from '../../../common/clock.js';
import { FRAME_MS, frameBytes, PcmFramer, pcmBytes, type PcmRate } from '../pcm.js';
import type { ByteTransport } from '../transport.js';
import type { SimulatedModem } from './modem-sim.js';

export interface VoicePortSimOptions {
  clock?: Clock;
  rate?: PcmRate;
  oneWay?: boolean;
  /** Echo of the box's audio: delay and level relative to what the box sent (e.g. 120 ms, −12 dB). */
  echo?: { delayMs: number; gainDb: number };
  /** Background noise on the caller's side, RMS dBm0 (none by default). */
  noiseDbm0?: number;
  random?: () => number;
}

export interface VoicePortSimEvents {
  /** 8 kHz audio the box sent, as it arrives. */
  heard: [Int16Array];
  /** Voice started (true) or stopped. */
  streaming: [boolean];
}

const FRAME_8K = (8000 * FRAME_MS) / 1000;

export class SimulatedVoicePort extends EventEmitter<VoicePortSimEvents> {
  readonly heardChunks: Int16Array[] = [];
  /** Frames sent to the box in the current or last call. */
  framesSent = 0;
  rate: PcmRate;
  oneWay: boolean;
  echo: { delayMs: number; gainDb: number } | undefined;
  noiseDbm0: number | undefined;
  #port: ByteTransport | undefined;
  #clock: Clock;
  #random: () => number;
  #queue: Int16Array[] = [];
  #queuePos = 0;
  #queued = new Set<() => void>();
  #timer: TimerHandle | undefined;
  #t0 = 0;
  #sent = 0;
  #on = false;
  #framer: PcmFramer;
  #down = new Downsampler();
  #up = new Upsampler();
  #echoLine: number[] = [];

  constructor(
    readonly modem: SimulatedModem,
    o: VoicePortSimOptions = {},
  ) {
    super();
    this.#clock = o.clock ?? systemClock;
    this.rate = o.rate ?? 8000;
    this.oneWay = o.oneWay ?? false;
    this.echo = o.echo;
    this.noiseDbm0 = o.noiseDbm0;
    this.#random = o.random ?? Math.random;
    this.#framer = new PcmFramer(frameBytes(this.rate));
    modem.on('voice', (on) => (on ? this.#start() : this.#stop()));
  }

  attach(port: ByteTransport): void {
    this.#port = port;
    port.on('data', (chunk) => this.#onData(chunk));
    port.on('close', () => {
      if (this.#port === port) this.#port = undefined;
    });
  }

  get streaming(): boolean {
    return this.#on;
  }

  /** Everything the caller heard, joined (8 kHz). */
  get heard(): Int16Array {
    const all = new Int16Array(this.heardChunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of this.heardChunks) {
      all.set(c, o);
      o += c.length;
    }
    return all;
  }

  /** The caller speaks (8 kHz linear); resolves when the last sample has been sent (or the call ended). */
  speak(pcm: Int16Array): Promise<void> {
    this.#queue.push(pcm);
    return new Promise((resolve) => {
      const check = () => {
        if (!this.#queue.includes(pcm) || !this.#on) {
          this.#queued.delete(check);
          resolve();
        }
      };
      this.#queued.add(check);
    });
  }

  /** The caller presses keys: real DTMF tones in the audio (the module's detector URC is SimulatedModem's). */
  press(digits: string, o: { onMs?: number; offMs?: number; levelDbm0?: number } = {}): Promise<void> {
    return this.speak(dtmfSequence(digits, { onMs: o.onMs ?? 100, offMs: o.offMs ?? 100, levelDbm0: o.levelDbm0 ?? -10 }));
  }

  #start(): void {
    this.#stop();
    this.#on = true;
    this.framesSent = 0;
    this.#framer = new PcmFramer(frameBytes(this.rate));
    this.#down = new Downsampler();
    this.#up = new Upsampler();
    this.#echoLine = this.echo ? new Array<number>(Math.round((this.echo.delayMs * 8000) / 1000)).fill(0) : [];
    this.#t0 = this.#clock.now();
    this.#sent = 0;
    this.emit('streaming', true);
    this.#tick();
  }

  #stop(): void {
    const was = this.#on;
    this.#on = false;
    this.#clock.clearTimeout(this.#timer);
    this.#queue = [];
    this.#queuePos = 0;
    for (const c of [...this.#queued]) c();
    if (was) this.emit('streaming', false);
  }

  #nextCallerFrame(): Int16Array {
    const f = new Float64Array(FRAME_8K);
    let filled = 0;
    while (filled < FRAME_8K && this.#queue.length) {
      const cur = this.#queue[0]!;
      const n = Math.min(FRAME_8K - filled, cur.length - this.#queuePos);
      for (let i = 0; i < n; i++) f[filled + i] = cur[this.#queuePos + i]!;
      filled += n;
      this.#queuePos += n;
      if (this.#queuePos >= cur.length) {
        this.#queue.shift();
        this.#queuePos = 0;
        for (const c of [...this.#queued]) c();
      }
    }
    if (this.echo) {
      for (let i = 0; i < FRAME_8K; i++) f[i] = f[i]! + (this.#echoLine.length ? this.#echoLine.shift()! : 0);
    }
    if (this.noiseDbm0 !== undefined) addNoise(f, this.noiseDbm0, this.#random);
    return clip(f);
  }

  #tick(): void {
    if (!this.#on) return;
    // Real time: as many frames as are due since the start (a late timer sends two).
    const due = Math.floor((this.#clock.now() - this.#t0) / FRAME_MS) + 1;
    while (this.#sent < due) {
      const frame = this.#nextCallerFrame();
      this.#sent += 1;
      if (this.oneWay) continue;
      const out = this.rate === 16000 ? this.#up.push(frame) : frame;
      this.framesSent += 1;
      this.#port?.write(pcmBytes(out)).catch(() => undefined);
    }
    this.#timer = this.#clock.setTimeout(() => this.#tick(), FRAME_MS);
  }

  #onData(chunk: Buffer): void {
    if (!this.#on) return; // the module ignores the host's audio outside a call
    for (const f of this.#framer.push(chunk)) {
      const pcm = this.rate === 16000 ? this.#down.push(f) : f;
      this.heardChunks.push(pcm);
      this.emit('heard', pcm);
      if (this.echo) {
        const g = Math.pow(10, this.echo.gainDb / 20);
        for (const s of pcm) this.#echoLine.push(s * g);
      }
    }
  }
}
