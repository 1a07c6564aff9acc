/**
 * 2:1 sample-rate conversion between 16 kHz ("wideband", slin16) and 8 kHz 16-bit linear audio, streaming:
 * each converter keeps the tail of the previous chunk, so audio cut into 20 ms frames converts exactly as
 * one long buffer would (no clicks at frame edges).
 *
 * Why: some SIMCom firmware carries 16 kHz PCM on its USB audio port (platform notes, GSM voice), while the
 * box's prompts, its DTMF receiver (dtmf.ts, tuned for 8 kHz blocks) and its WAV recordings are 8 kHz.
 *
 * Filter: a linear-phase FIR low-pass (windowed sinc, Blackman window, 63 taps), cut-off 3.7 kHz at 16 kHz —
 * the telephone band (300–3400 Hz) passes flat, and what would fold over the new 4 kHz Nyquist is attenuated
 * by some 70 dB. The same filter does the anti-aliasing before decimation and the interpolation after
 * zero-stuffing (with gain 2, as half the samples are zeros). Delay: 31 samples at 16 kHz (~2 ms).
 */

const TAPS = 63;

function design(cutoffHz: number, rateHz: number): Float64Array {
  const h = new Float64Array(TAPS);
  const m = (TAPS - 1) / 2;
  const fc = cutoffHz / rateHz;
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const x = i - m;
    const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (TAPS - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (TAPS - 1));
    h[i] = sinc * w;
    sum += h[i]!;
  }
  for (let i = 0; i < TAPS; i++) h[i] = h[i]! / sum; // unity gain at DC
  return h;
}

const LOWPASS = design(3700, 16000);

function sat(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
}

/** 16 kHz → 8 kHz. Feed any chunk sizes; an odd sample left over waits for the next chunk. */
export class Downsampler {
  /** The last TAPS-1 input samples of the previous chunk, then the new ones. */
  #hist = new Float64Array(TAPS - 1);
  /** Whether the next input sample is at an odd position (dropped after filtering). */
  #odd = false;

  push(input: Int16Array): Int16Array {
    const buf = new Float64Array(this.#hist.length + input.length);
    buf.set(this.#hist, 0);
    for (let i = 0; i < input.length; i++) buf[this.#hist.length + i] = input[i]!;
    const out: number[] = [];
    // Output sample k is the filter centred so that it uses buf[j-TAPS+1 .. j] for input j (causal FIR).
    for (let i = 0; i < input.length; i++) {
      const keep = !this.#odd;
      this.#odd = !this.#odd;
      if (!keep) continue;
      const j = this.#hist.length + i;
      let acc = 0;
      for (let k = 0; k < TAPS; k++) acc += LOWPASS[k]! * buf[j - k]!;
      out.push(sat(acc));
    }
    this.#hist = buf.slice(buf.length - (TAPS - 1));
    return Int16Array.from(out);
  }
}

/** 8 kHz → 16 kHz: zero-stuff, then the same low-pass with gain 2. */
export class Upsampler {
  #hist = new Float64Array(TAPS - 1);

  push(input: Int16Array): Int16Array {
    const n = input.length * 2;
    const buf = new Float64Array(this.#hist.length + n);
    buf.set(this.#hist, 0);
    for (let i = 0; i < input.length; i++) buf[this.#hist.length + 2 * i] = input[i]!;
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const j = this.#hist.length + i;
      let acc = 0;
      for (let k = 0; k < TAPS; k++) acc += LOWPASS[k]! * buf[j - k]!;
      out[i] = sat(2 * acc);
    }
    this.#hist = buf.slice(buf.length - (TAPS - 1));
    return out;
  }
}

