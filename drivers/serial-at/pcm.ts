// The byte format of a GSM module's voice port: raw 16-bit signed linear PCM, little-endian, mono, with no
// header and no framing of its own (Quectel EC2x/EG25 "voice over USB serial", AT+QPCMV=1,0; SIMCom
// SIM7500/SIM7600 USB audio port after AT+CPCMREG=1). 8 kHz by default; some SIMCom firmware sends 16 kHz.
// The box cuts the stream into 20 ms frames (320 bytes at 8 kHz, 640 at 16 kHz). A read may end anywhere,
// even in the middle of a sample, so the framer keeps the remainder for the next read. Pure.

export const FRAME_MS = 20;

export type PcmRate = 8000 | 16000;

/** Bytes of one frame at a rate. */
export function frameBytes(rate: PcmRate, frameMs = FRAME_MS): number {
  return ((rate * frameMs) / 1000) * 2;
}

/** Cuts a byte stream into whole frames of 16-bit LE samples. */
export class PcmFramer {
  #rest: Buffer = Buffer.alloc(0);
  constructor(readonly bytesPerFrame: number) {
    if (!Number.isInteger(bytesPerFrame) || bytesPerFrame <= 0 || bytesPerFrame % 2) throw new RangeError('PcmFramer: an even, positive frame size');
  }

  /** Bytes waiting for the rest of their frame. */
  get pending(): number {
    return this.#rest.length;
  }

  push(chunk: Uint8Array): Int16Array[] {
    const all = this.#rest.length ? Buffer.concat([this.#rest, chunk]) : Buffer.from(chunk);
    const frames: Int16Array[] = [];
    let off = 0;
    for (; off + this.bytesPerFrame <= all.length; off += this.bytesPerFrame) {
      const f = new Int16Array(this.bytesPerFrame / 2);
      for (let i = 0; i < f.length; i++) f[i] = all.readInt16LE(off + 2 * i);
      frames.push(f);
    }
    this.#rest = Buffer.from(all.subarray(off));
    return frames;
  }

  reset(): void {
    this.#rest = Buffer.alloc(0);
  }
}

/** Linear samples to the port's bytes (16-bit LE). */
export function pcmBytes(pcm: Int16Array): Buffer {
  const b = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) b.writeInt16LE(pcm[i]!, 2 * i);
  return b;
}

/**
 * Which rate the module sends, from how fast bytes arrive: a module paces its downlink in real time, so
 * 8 kHz brings 16 000 bytes a second and 16 kHz 32 000. Counting starts at the first byte (a USB read may
 * deliver a first burst, so the window is long enough to average it out) and decides after `windowMs`; the
 * threshold sits between the two (24 000 B/s). Pure: times are passed in.
 */
export class RateDetector {
  #first: number | undefined;
  #bytes = 0;
  constructor(readonly windowMs = 600) {}

  /** Returns the rate once decided, else undefined. */
  observe(bytes: number, at: number): PcmRate | undefined {
    if (this.#first === undefined) {
      this.#first = at;
      this.#bytes = 0; // the first read only marks the start: its bytes arrived before `at`
      return undefined;
    }
    this.#bytes += bytes;
    const elapsed = at - this.#first;
    if (elapsed < this.windowMs) return undefined;
    return (this.#bytes * 1000) / elapsed > 24_000 ? 16000 : 8000;
  }

  reset(): void {
    this.#first = undefined;
    this.#bytes = 0;
  }
}
