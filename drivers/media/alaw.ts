/**
 * G.711 A-law (ITU-T G.711 §3, Table 1a/1b): 13-bit linear ↔ 8-bit, even bits inverted (XOR 0x55).
 * Encoding uses a 64 K lookup table built once from the segment rule; decoding a 256-entry table.
 */
const SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function encodeSample(pcm16: number): number {
  let mask: number;
  let v = pcm16 >> 3; // 16-bit → 13-bit
  if (v >= 0) {
    mask = 0xd5; // sign bit set for positive values, then even-bit inversion
  } else {
    mask = 0x55;
    v = -v - 1;
  }
  let seg = 0;
  while (seg < 8 && v > SEG_END[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  let a = seg << 4;
  a |= seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
  return a ^ mask;
}

function decodeSample(a: number): number {
  a ^= 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else {
    t += 0x108;
    if (seg > 1) t <<= seg - 1;
  }
  return a & 0x80 ? t : -t;
}

// The encoding table is built on the first encode, not at import: every box imports this module (the
// prompts are A-law), and 65,536 rounds of the segment rule were ≈27 ms of each start (issue 11 §6).
let ENC: Uint8Array | null = null;
function encodeTable(): Uint8Array {
  if (!ENC) {
    ENC = new Uint8Array(65536);
    for (let i = 0; i < 65536; i++) ENC[i] = encodeSample(i - 32768);
  }
  return ENC;
}
export const ALAW_DECODE = new Int16Array(256);
for (let i = 0; i < 256; i++) ALAW_DECODE[i] = decodeSample(i);

/** The A-law byte for digital silence (the positive value closest to 0). */
export const ALAW_SILENCE = encodeSample(0);

export function linearToAlaw(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  const enc = encodeTable();
  for (let i = 0; i < pcm.length; i++) out[i] = enc[pcm[i]! + 32768]!;
  return out;
}

export function alawToLinear(a: Uint8Array): Int16Array {
  const out = new Int16Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = ALAW_DECODE[a[i]!]!;
  return out;
}

/** Linear audio pieces one after the other, as one buffer. */
export function concatPcm(parts: readonly Int16Array[]): Int16Array {
  const all = new Int16Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of parts) {
    all.set(x, o);
    o += x.length;
  }
  return all;
}
