// DTMF on the GSM voice path (issue 10 part 3 figures): the box's receiver (media/dtmf.ts pushLinear) on
// 16-bit linear frames as a module's voice port delivers them — 8 kHz directly, and 16 kHz firmware brought
// down by media/resample.ts. Digits synthesised with sox at several levels in white noise (detection rate,
// wrong digits), and Mandarin speech from espeak-ng (false digits: talk-off). Figures are printed as comments.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { DtmfDetector } from '../../drivers/media/dtmf.js';
import { Downsampler } from '../../drivers/media/resample.js';
import { addNoise, clip, dtmfFreqs, seededRandom, ZERO_DBM0_PEAK } from '../../drivers/media/tones.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gsm-dtmf-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A digit sequence made by sox at `rate` (16-bit linear raw), noise added in TS (seeded). */
function soxDigits(digits: string, rate: 8000 | 16000, levelDbm0: number, noiseDbm0: number, seed: number): Int16Array {
  const parts: Int16Array[] = [];
  const amp = (ZERO_DBM0_PEAK * Math.pow(10, levelDbm0 / 20)) / 32768;
  for (const d of digits) {
    const [lo, hi] = dtmfFreqs(d);
    const f = path.join(dir, `d.raw`);
    execFileSync('sox', ['-n', '-r', String(rate), '-c', '1', '-e', 'signed', '-b', '16', f, 'synth', '0.08', 'sine', String(lo), 'sine', String(hi), 'remix', '1,2', 'vol', String(amp), 'pad', '0', '0.08']);
    const b = fs.readFileSync(f);
    parts.push(new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)));
  }
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0) + rate / 5);
  let o = rate / 10;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) all[o + i] = p[i]!;
    o += p.length;
  }
  addNoise(all, noiseDbm0, seededRandom(seed));
  return clip(all);
}

/** Runs audio through the voice-port path: 20 ms frames, 16 kHz resampled, the box's receiver. */
function detect(pcm: Int16Array, rate: 8000 | 16000): string {
  const got: string[] = [];
  const det = new DtmfDetector((d) => got.push(d));
  const down = new Downsampler();
  const frame = (rate * 20) / 1000;
  for (let i = 0; i < pcm.length; i += frame) {
    const f = pcm.subarray(i, i + frame);
    det.pushLinear(rate === 16000 ? down.push(f) : f);
  }
  return got.join('');
}

for (const rate of [8000, 16000] as const) {
  t.test(`sox digits in noise, ${rate} Hz voice port`, async (t) => {
    const digits = '0123456789*#';
    for (const [level, noise] of [[-10, -40], [-20, -35], [-25, -30]] as const) {
      let sent = 0;
      let found = 0;
      let wrong = 0;
      for (let seed = 1; seed <= 4; seed++) {
        const got = detect(soxDigits(digits, rate, level, noise, seed), rate);
        sent += digits.length;
        for (let i = 0; i < Math.min(got.length, digits.length); i++) (got[i] === digits[i] ? found++ : wrong++);
        wrong += Math.max(0, got.length - digits.length);
      }
      t.comment(`${rate} Hz, digits at ${level} dBm0, noise ${noise} dBm0: ${found}/${sent} detected, ${wrong} wrong`);
      if (level >= -20) t.equal(found, sent, `every digit at ${level} dBm0`);
      t.equal(wrong, 0, 'no wrong digit');
    }
  });
}

t.test('Mandarin speech (espeak-ng cmn-latn-pinyin) gives no false digits on either path', async (t) => {
  const text = 'ni hao, huan ying zhi dian shi er san er ba re xian. tie lu qing an yi, gong lu qing an er, ren gong fu wu qing an ling. wo men de gong zuo shi jian shi zhou yi zhi zhou wu.';
  let falses = 0;
  let seconds = 0;
  for (const rate of [8000, 16000] as const) {
    const wav = path.join(dir, `zh${rate}.raw`);
    const src = path.join(dir, 'zh.wav');
    execFileSync('espeak-ng', ['-v', 'cmn-latn-pinyin', '-w', src, text]);
    execFileSync('sox', [src, '-r', String(rate), '-c', '1', '-e', 'signed', '-b', '16', wav, 'norm', '-3']);
    const b = fs.readFileSync(wav);
    const pcm = new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    const got = detect(pcm, rate);
    seconds += pcm.length / rate;
    falses += got.length;
    t.comment(`${rate} Hz: ${(pcm.length / rate).toFixed(1)} s of Mandarin speech at -3 dBFS peak: ${got.length} false digits (${JSON.stringify(got)})`);
  }
  t.equal(falses, 0, `no false digit in ${seconds.toFixed(1)} s of speech`);
});
