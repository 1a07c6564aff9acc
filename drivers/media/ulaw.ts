/**
 * G.711 µ-law (ITU-T G.711 §2, Table 2a/2b): 14-bit linear ↔ 8-bit, bias 33 (0x84 on the 16-bit scale), all bits
 * inverted. Same shape as alaw.ts: a 64 K encode table built once from the segment rule, a 256-entry decode table.
 */
const BIAS = 0x84;
const CLIP = 32635;

function encodeSample(pcm16: number): number {
  const sign = pcm16 < 0 ? 0x80 : 0;
  let v = Math.min(CLIP, sign ? -pcm16 : pcm16) + BIAS;
  let seg = 7;
  for (let mask = 0x4000; (v & mask) === 0 && seg > 0; mask >>= 1) seg--;
  const mantissa = (v >> (seg + 3)) & 0x0f;
  v = sign | (seg << 4) | mantissa;
  return ~v & 0xff;
}

function decodeSample(u: number): number {
  u = ~u & 0xff;
  const t = (((u & 0x0f) << 3) + BIAS) << ((u & 0x70) >> 4);
  return u & 0x80 ? BIAS - t : t - BIAS;
}

const ENC = new Uint8Array(65536);
for (let i = 0; i < 65536; i++) ENC[i] = encodeSample(i - 32768);
export const ULAW_DECODE = new Int16Array(256);
for (let i = 0; i < 256; i++) ULAW_DECODE[i] = decodeSample(i);

/** The µ-law byte for digital silence. */
export const ULAW_SILENCE = encodeSample(0);

export function linearToUlaw(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = ENC[pcm[i]! + 32768]!;
  return out;
}

export function ulawToLinear(u: Uint8Array): Int16Array {
  const out = new Int16Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = ULAW_DECODE[u[i]!]!;
  return out;
}
