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
 *  - frequency: each tone within ±2.5 % of its nominal frequency (Q.24: operate at ±1.5 %, do not operate
 *    at ±3.5 %). A 102-sample bin is 78 Hz wide, too coarse to tell 1.5 % from 3.5 % of 697 Hz by level, so
 *    the offset is measured from the phase the tone advances between two consecutive blocks: a tone at
 *    ω advances ωN per block, and the Goertzel output at the nominal ω₀ turns by (ω − ω₀)N more than ω₀N.
 *    A digit is reported only once a pair of consecutive blocks of it has passed this check.
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
  /** Largest accepted offset of either tone from its nominal frequency, as a fraction (default 0.025). */
  maxFrequencyOffset?: number;
}

/** A block's Goertzel output at one nominal frequency, as a complex number. */
interface Bin {
  power: number;
  re: number;
  im: number;
}

const N = 102;

function coeff(f: number): number {
  return 2 * Math.cos((2 * Math.PI * f) / SAMPLE_RATE);
}
const ROW_C = DTMF_ROWS.map(coeff);
const COL_C = DTMF_COLS.map(coeff);
const ROW_W = DTMF_ROWS.map((f) => (2 * Math.PI * f) / SAMPLE_RATE);
const COL_W = DTMF_COLS.map((f) => (2 * Math.PI * f) / SAMPLE_RATE);

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
  private readonly maxOffset: number;
  /** The previous block's digit (before the frequency check) and its two tones' bins. */
  private prev: { digit: string; row: Bin; col: Bin } | null = null;
  /** Whether a pair of blocks of the current candidate passed the frequency check. */
  private candidateVerified = false;
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
    this.maxOffset = o.maxFrequencyOffset ?? 0.025;
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
      const { digit, verified } = this.classify();
      if (!digit) this.prev = null;
      this.onBlock(digit, verified);
    }
  }

  /**
   * The component at ω (coefficient c = 2cos ω): mean-square power (≈ A²/2 for a sine of amplitude A) and
   * the complex output y = s1 − e^(−jω)s2, whose phase from one block to the next follows the tone's.
   */
  private goertzel(c: number, w: number): Bin {
    let s1 = 0;
    let s2 = 0;
    const b = this.block;
    for (let i = 0; i < N; i++) {
      const s0 = b[i]! + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const mag2 = s1 * s1 + s2 * s2 - c * s1 * s2;
    return { power: (2 * mag2) / (N * N), re: s1 - s2 * Math.cos(w), im: s2 * Math.sin(w) };
  }

  /** Whether the tone at nominal ω, seen in two consecutive blocks, lies within the frequency tolerance. */
  private withinTolerance(a: Bin, b: Bin, w: number): boolean {
    // Phase of b·conj(a) is ωN (mod 2π) for a tone at ω; what exceeds ω₀N is the offset.
    const advance = Math.atan2(b.im * a.re - b.re * a.im, b.re * a.re + b.im * a.im);
    let excess = (advance - w * N) % (2 * Math.PI);
    if (excess > Math.PI) excess -= 2 * Math.PI;
    if (excess <= -Math.PI) excess += 2 * Math.PI;
    return Math.abs(excess / N) <= w * this.maxOffset;
  }

  /**
   * The digit present in this block, or '' if the Q.24 level, twist and energy checks fail; and whether
   * this block and the one before hold the same digit with both tones within the frequency tolerance.
   */
  private classify(): { digit: string; verified: boolean } {
    const none = { digit: '', verified: false };
    let total = 0;
    for (let i = 0; i < N; i++) total += this.block[i]! * this.block[i]!;
    total /= N;
    if (total < this.minPower) return none;
    const rows = ROW_C.map((c, i) => this.goertzel(c, ROW_W[i]!));
    const cols = COL_C.map((c, i) => this.goertzel(c, COL_W[i]!));
    const r = argmax(rows.map((b) => b.power));
    const c = argmax(cols.map((b) => b.power));
    const pr = rows[r]!.power;
    const pc = cols[c]!.power;
    if (pr < this.minPower || pc < this.minPower) return none;
    // Twist (Q.24 Table 1).
    if (pr > pc * this.normalTwist || pc > pr * this.reverseTwist) return none;
    // Each tone must dominate its own group.
    for (let i = 0; i < 4; i++) {
      if (i !== r && rows[i]!.power * this.relPeak > pr) return none;
      if (i !== c && cols[i]!.power * this.relPeak > pc) return none;
    }
    // The pair must carry most of the energy (speech has broad spectra).
    if (pr + pc < this.toneToTotal * total) return none;
    const digit = DTMF_KEYS[r]![c]!;
    const prev = this.prev;
    this.prev = { digit, row: rows[r]!, col: cols[c]! };
    const verified =
      prev !== null &&
      prev.digit === digit &&
      this.withinTolerance(prev.row, rows[r]!, ROW_W[r]!) &&
      this.withinTolerance(prev.col, cols[c]!, COL_W[c]!);
    return { digit, verified };
  }

  private onBlock(d: string, verified: boolean): void {
    if (d && d === this.candidate) this.candidateBlocks++;
    else {
      this.candidate = d;
      this.candidateBlocks = d ? 1 : 0;
      this.candidateVerified = false;
    }
    if (verified) this.candidateVerified = true;
    if (d === '') {
      this.silentBlocks++;
      if (this.silentBlocks >= this.minBlocks) this.current = '';
      return;
    }
    this.silentBlocks = 0;
    if (this.candidateBlocks >= this.minBlocks && this.candidateVerified && d !== this.current) {
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
