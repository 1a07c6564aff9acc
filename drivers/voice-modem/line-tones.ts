// The exchange's tones after the caller hangs up, heard by the box in the received audio — for modems whose own
// detector does not report them (no <DLE>b / <DLE>d in receive) or reports them late. Pure: samples in,
// a verdict out.
//
// China's exchange tones (the national tone plan as ITU-T E.180 Supplement 2 lists it for China):
//   busy tone        450 Hz, 0.35 s on / 0.35 s off      → 'busy' after `cycles` regular on/off cycles
//   congestion tone  450 Hz, 0.7 s on / 0.7 s off        → also 'busy' (on/off runs 0.2–0.9 s are accepted)
//   dial tone        450 Hz continuous                   → 'dial-tone' after `dialToneMs`
// A 20 ms block is "tone" when its level is above −40 dBm0 and the 450 Hz Goertzel bin (50 Hz wide at 160
// samples) holds most of its energy: speech, with its broad spectrum, does not qualify.
import { SAMPLE_RATE, ZERO_DBM0_PEAK } from '../media/tones.js';

const N = 160; // 20 ms
const BLOCK_MS = (N * 1000) / SAMPLE_RATE;

export type LineTone = 'busy' | 'dial-tone';

export interface LineToneOptions {
  /** Tone frequency, Hz (default 450). */
  hz?: number;
  /** Regular on/off cycles before 'busy' (default 3). */
  cycles?: number;
  /** Shortest and longest on or off run of a cadence, ms (defaults 200 / 900). */
  minRunMs?: number;
  maxRunMs?: number;
  /** Continuous tone this long is dial tone, ms (default 3000). */
  dialToneMs?: number;
  /** Minimum level of a tone block, dBm0 (default −40). */
  minLevelDbm0?: number;
  /** Fraction of the block's energy the tone bin must hold (default 0.8). */
  purity?: number;
}

export class LineToneDetector {
  readonly #block = new Float64Array(N);
  #fill = 0;
  readonly #coeff: number;
  readonly #minPower: number;
  readonly #o: Required<LineToneOptions>;
  #on = false;
  #runMs = 0;
  #cycles = 0;
  #lastOnOk = false;
  #done = false;

  constructor(private readonly onTone: (t: LineTone) => void, o: LineToneOptions = {}) {
    this.#o = { hz: 450, cycles: 3, minRunMs: 200, maxRunMs: 900, dialToneMs: 3000, minLevelDbm0: -40, purity: 0.8, ...o };
    this.#coeff = 2 * Math.cos((2 * Math.PI * this.#o.hz) / SAMPLE_RATE);
    this.#minPower = ((ZERO_DBM0_PEAK * ZERO_DBM0_PEAK) / 2) * Math.pow(10, this.#o.minLevelDbm0 / 10);
  }

  push(pcm: Int16Array): void {
    for (let i = 0; i < pcm.length && !this.#done; i++) {
      this.#block[this.#fill++] = pcm[i]!;
      if (this.#fill === N) {
        this.#fill = 0;
        this.#onBlock(this.#isTone());
      }
    }
  }

  #isTone(): boolean {
    let total = 0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < N; i++) {
      const x = this.#block[i]!;
      total += x * x;
      const s0 = x + this.#coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    total /= N;
    if (total < this.#minPower) return false;
    const power = (2 * (s1 * s1 + s2 * s2 - this.#coeff * s1 * s2)) / (N * N);
    return power >= this.#o.purity * total;
  }

  #onBlock(tone: boolean): void {
    if (tone === this.#on) {
      this.#runMs += BLOCK_MS;
      if (tone && this.#runMs >= this.#o.dialToneMs) this.#fire('dial-tone');
      return;
    }
    // A run ended: is it a cadence run?
    const ok = this.#runMs >= this.#o.minRunMs && this.#runMs <= this.#o.maxRunMs;
    if (this.#on) this.#lastOnOk = ok;
    else if (ok && this.#lastOnOk) {
      this.#cycles += 1;
      if (this.#cycles >= this.#o.cycles) this.#fire('busy');
    } else if (this.#runMs > 0) this.#cycles = 0;
    if (this.#on && !ok) this.#cycles = 0;
    this.#on = tone;
    this.#runMs = BLOCK_MS;
  }

  #fire(t: LineTone): void {
    if (this.#done) return;
    this.#done = true;
    this.onTone(t);
  }
}
