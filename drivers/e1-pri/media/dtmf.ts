/**
 * Software DTMF receiver (Goertzel) for 8 kHz audio, with the acceptance checks of ITU-T Q.24:
 *  - signal level: each tone above a minimum level (Q.24 §2: operate from about −3 to −25 dBm0 per
 *    frequency; reject below the non-operate level),
 *  - twist: the level difference between the high-group and low-group tone within limits
 *    (Q.24 Table 1: "reverse twist" high > low, "forward/normal twist" low > high),
 *  - energy: the two tones must carry most of the block's energy, and each must stand clearly
 *    above the other tones of its group (rejects speech and music, Q.24 §4 "talk-off"),
 *  - timing: a digit must persist ≥ 2 blocks (≈ 25 ms; Q.24 §3: tones ≥ 40 ms accepted, very
 *    short bursts rejected) and end with ≥ 2 blocks of pause before the same digit counts again.
 * Block length 102 samples (12.75 ms) as a compromise between time and frequency resolution.
 */
import { DTMF_COLS, DTMF_KEYS, DTMF_ROWS, SAMPLE_RATE, ZERO_DBM0_PEAK } from './tones.js';
import { ALAW_DECODE } from './alaw.js';

export interface DtmfOptions {
  /** Minimum level of each tone, dBm0. */
  minLevelDbm0?: number;
  /** Max dB the low tone may exceed the high tone. */
  normalTwistDb?: number;
  /** Max dB the high tone may exceed the low tone. */
  reverseTwistDb?: number;
  /** Fraction of block energy the two tones must hold. */
  toneToTotal?: number;
  /** dB by which the strongest tone of a group must beat the others of the group. */
  relativePeakDb?: number;
  /** Blocks a digit must persist before it is reported. */
  minBlocks?: number;
}

const N = 102;

function coeff(f: number): number {
  return 2 * Math.cos((2 * Math.PI * f) / SAMPLE_RATE);
}
const ROW_C = DTMF_ROWS.map(coeff);
const COL_C = DTMF_COLS.map(coeff);

export class DtmfDetector {
  private readonly block = new Float64Array(N);
  private fill = 0;
  private candidate = '';
  private candidateBlocks = 0;
  private current = '';
  private silentBlocks = 0;
  private readonly minPower: number;
  private readonly normalTwist: number;
  private readonly reverseTwist: number;
  private readonly toneToTotal: number;
  private readonly relPeak: number;
  private readonly minBlocks: number;
  /** Digits reported so far (for callers that poll instead of listening). */
  readonly digits: string[] = [];

  constructor(private readonly onDigit: (digit: string) => void = () => {}, o: DtmfOptions = {}) {
    const p0 = (ZERO_DBM0_PEAK * ZERO_DBM0_PEAK) / 2;
    this.minPower = p0 * Math.pow(10, (o.minLevelDbm0 ?? -30) / 10);
    this.normalTwist = Math.pow(10, (o.normalTwistDb ?? 8) / 10);
    this.reverseTwist = Math.pow(10, (o.reverseTwistDb ?? 8) / 10);
    this.toneToTotal = o.toneToTotal ?? 0.75;
    this.relPeak = Math.pow(10, (o.relativePeakDb ?? 8) / 10);
    this.minBlocks = o.minBlocks ?? 2;
  }

  /** Feed A-law bytes (one 20 ms frame is 160). */
  pushAlaw(frame: Uint8Array): void {
    for (let i = 0; i < frame.length; i++) this.pushSample(ALAW_DECODE[frame[i]!]!);
  }

  /** Feed 16-bit linear samples. */
  pushLinear(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) this.pushSample(samples[i]!);
  }

  private pushSample(s: number): void {
    this.block[this.fill++] = s;
    if (this.fill === N) {
      this.fill = 0;
      this.onBlock(this.classify());
    }
  }

  /** Mean-square power of the component at coefficient c (≈ A²/2 for a sine of amplitude A). */
  private goertzel(c: number): number {
    let s1 = 0;
    let s2 = 0;
    const b = this.block;
    for (let i = 0; i < N; i++) {
      const s0 = b[i]! + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const mag2 = s1 * s1 + s2 * s2 - c * s1 * s2;
    return (2 * mag2) / (N * N);
  }

  /** The digit present in this block, or '' if the Q.24 checks fail. */
  private classify(): string {
    let total = 0;
    for (let i = 0; i < N; i++) total += this.block[i]! * this.block[i]!;
    total /= N;
    if (total < this.minPower) return '';
    const rows = ROW_C.map((c) => this.goertzel(c));
    const cols = COL_C.map((c) => this.goertzel(c));
    const r = argmax(rows);
    const c = argmax(cols);
    const pr = rows[r]!;
    const pc = cols[c]!;
    if (pr < this.minPower || pc < this.minPower) return '';
    // Twist (Q.24 Table 1).
    if (pr > pc * this.normalTwist || pc > pr * this.reverseTwist) return '';
    // Each tone must dominate its own group.
    for (let i = 0; i < 4; i++) {
      if (i !== r && rows[i]! * this.relPeak > pr) return '';
      if (i !== c && cols[i]! * this.relPeak > pc) return '';
    }
    // The pair must carry most of the energy (speech has broad spectra).
    if (pr + pc < this.toneToTotal * total) return '';
    return DTMF_KEYS[r]![c]!;
  }

  private onBlock(d: string): void {
    if (d && d === this.candidate) this.candidateBlocks++;
    else {
      this.candidate = d;
      this.candidateBlocks = d ? 1 : 0;
    }
    if (d === '') {
      this.silentBlocks++;
      if (this.silentBlocks >= this.minBlocks) this.current = '';
      return;
    }
    this.silentBlocks = 0;
    if (this.candidateBlocks >= this.minBlocks && d !== this.current) {
      this.current = d;
      this.digits.push(d);
      this.onDigit(d);
    }
  }
}

function argmax(a: number[]): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}
