/**
 * Tone generation in TS (for the telco simulator and tests): DTMF pairs per Q.23 frequencies, at a
 * level in dBm0 per tone (0 dBm0 in A-law is a sine of peak ≈ 22 936, G.711 §… /Q.24 Annex levels).
 */
export const DTMF_ROWS = [697, 770, 852, 941] as const;
export const DTMF_COLS = [1209, 1336, 1477, 1633] as const;
export const DTMF_KEYS = ['123A', '456B', '789C', '*0#D'] as const;
export const SAMPLE_RATE = 8000;
/** Peak amplitude of a 0 dBm0 sine in 16-bit linear for A-law (3.14 dBm0 is full scale). */
export const ZERO_DBM0_PEAK = 32767 / Math.pow(10, 3.14 / 20);

export function dtmfFreqs(digit: string): [number, number] {
  for (let r = 0; r < 4; r++) {
    const c = DTMF_KEYS[r]!.indexOf(digit.toUpperCase());
    if (c >= 0) return [DTMF_ROWS[r]!, DTMF_COLS[c]!];
  }
  throw new RangeError(`not a DTMF digit: ${digit}`);
}

export interface ToneOptions {
  /** Tone on-time in ms (Q.24: ≥ 40 ms must be accepted). */
  onMs?: number;
  /** Silence after each digit in ms. */
  offMs?: number;
  /** Level of the low (row) tone in dBm0. */
  levelDbm0?: number;
  /** High-tone level minus low-tone level in dB (positive = "reverse twist" by Q.24's naming). */
  twistDb?: number;
  /** White noise RMS level in dBm0, or undefined for none. */
  noiseDbm0?: number;
  /** Deterministic noise. */
  random?: () => number;
}

/** 16-bit linear samples of a digit string. */
export function dtmfSequence(digits: string, o: ToneOptions = {}): Int16Array {
  const on = Math.round(((o.onMs ?? 80) * SAMPLE_RATE) / 1000);
  const off = Math.round(((o.offMs ?? 80) * SAMPLE_RATE) / 1000);
  const lowAmp = ZERO_DBM0_PEAK * Math.pow(10, (o.levelDbm0 ?? -10) / 20);
  const highAmp = lowAmp * Math.pow(10, (o.twistDb ?? 0) / 20);
  const out = new Float64Array(digits.length * (on + off) + off);
  let p = off;
  for (const d of digits) {
    const [fl, fh] = dtmfFreqs(d);
    for (let i = 0; i < on; i++) {
      const t = i / SAMPLE_RATE;
      out[p + i] = lowAmp * Math.sin(2 * Math.PI * fl * t) + highAmp * Math.sin(2 * Math.PI * fh * t);
    }
    p += on + off;
  }
  if (o.noiseDbm0 !== undefined) addNoise(out, o.noiseDbm0, o.random ?? Math.random);
  return clip(out);
}

export function addNoise(buf: Float64Array, rmsDbm0: number, random: () => number): void {
  // RMS of a 0 dBm0 sine is peak/√2; uniform noise in [-a, a] has RMS a/√3.
  const rms = (ZERO_DBM0_PEAK / Math.SQRT2) * Math.pow(10, rmsDbm0 / 20);
  const a = rms * Math.sqrt(3);
  for (let i = 0; i < buf.length; i++) buf[i] = buf[i]! + (random() * 2 - 1) * a;
}

export function clip(f: Float64Array): Int16Array {
  const out = new Int16Array(f.length);
  for (let i = 0; i < f.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(f[i]!)));
  return out;
}

/** A small deterministic PRNG (mulberry32) so noisy test signals are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The share of a block's energy at `freq` (Goertzel), 0–1: about 1 for a pure tone at that frequency, near 0
 * for silence or other tones. Tests use it to hear a tone through a path (a B-channel, a browser's audio).
 */
export function toneShare(pcm: Int16Array, freq: number): number {
  const w = (2 * Math.PI * freq) / SAMPLE_RATE;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (const x of pcm) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += x * x;
  }
  if (energy === 0) return 0;
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return Math.min(1, (2 * power) / (pcm.length * energy));
}

/** `ms` of a sine tone at `freq`, at `amplitude` (16-bit linear), starting at sample `offset` (phase continuous). */
export function sineTone(freq: number, ms: number, amplitude = 8000, offset = 0): Int16Array {
  const n = Math.round((SAMPLE_RATE * ms) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * (i + offset)) / SAMPLE_RATE));
  return out;
}
