// drivers/media/resample.ts: 16 kHz ↔ 8 kHz for GSM modules whose USB audio port carries wideband PCM.
import t from 'tap';
import fc from 'fast-check';
import { Downsampler, Upsampler } from '../../drivers/media/resample.js';
import { DtmfDetector } from '../../drivers/media/dtmf.js';
import { dtmfSequence } from '../../drivers/media/tones.js';

function tone(hz: number, rate: number, n: number, amp = 10000): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

function rms(a: Int16Array, from = 0): number {
  let s = 0;
  for (let i = from; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s / Math.max(1, a.length - from));
}

t.test('a tone in the telephone band keeps its level through 16 kHz → 8 kHz', async (t) => {
  for (const hz of [300, 1000, 3000]) {
    const out = new Downsampler().push(tone(hz, 16000, 16000));
    t.equal(out.length, 8000, 'half as many samples');
    const ratio = rms(out, 200) / rms(tone(hz, 8000, 8000), 200);
    t.ok(Math.abs(20 * Math.log10(ratio)) < 0.5, `${hz} Hz within 0.5 dB (${(20 * Math.log10(ratio)).toFixed(2)} dB)`);
  }
});

t.test('what would alias is filtered out before decimation', async (t) => {
  for (const hz of [4500, 5000, 6000, 7000]) {
    const out = new Downsampler().push(tone(hz, 16000, 16000));
    const db = 20 * Math.log10(rms(out, 200) / rms(tone(hz, 16000, 16000)));
    t.ok(db < -50, `${hz} Hz attenuated by more than 50 dB (${db.toFixed(1)} dB)`);
  }
});

t.test('8 kHz → 16 kHz keeps the band and leaves no image', async (t) => {
  const up = new Upsampler().push(tone(1000, 8000, 8000));
  t.equal(up.length, 16000);
  const ratio = rms(up, 400) / rms(tone(1000, 16000, 16000), 400);
  t.ok(Math.abs(20 * Math.log10(ratio)) < 0.5, `1 kHz level kept (${(20 * Math.log10(ratio)).toFixed(2)} dB)`);
  // The image of 1 kHz at 7 kHz: measure by correlating with a 7 kHz sine.
  let re = 0;
  let im = 0;
  for (let i = 400; i < up.length; i++) {
    re += up[i]! * Math.cos((2 * Math.PI * 7000 * i) / 16000);
    im += up[i]! * Math.sin((2 * Math.PI * 7000 * i) / 16000);
  }
  const image = (2 * Math.hypot(re, im)) / (up.length - 400);
  t.ok(image < 10000 * 10 ** (-50 / 20), `7 kHz image below −50 dB (amplitude ${image.toFixed(1)})`);
});

t.test('streaming in any chunk sizes gives the same samples as one buffer', async (t) => {
  const signal = tone(697, 16000, 3000);
  const whole = new Downsampler().push(signal);
  const wholeUp = new Upsampler().push(signal.subarray(0, 1500));
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 12 }), (cuts) => {
      const points = [...new Set(cuts.map((c) => Math.min(c * 4, signal.length)))].sort((a, b) => a - b);
      const d = new Downsampler();
      const u = new Upsampler();
      const parts: number[] = [];
      const upParts: number[] = [];
      let from = 0;
      for (const p of [...points, signal.length]) {
        parts.push(...d.push(signal.subarray(from, p)));
        if (from < 1500) upParts.push(...u.push(signal.subarray(from, Math.min(p, 1500))));
        from = p;
      }
      return parts.length === whole.length && parts.every((v, i) => v === whole[i]) && upParts.every((v, i) => v === wholeUp[i]);
    }),
  );
  t.pass('chunked = whole');
});

t.test('odd chunk lengths: the decimation phase carries over', async (t) => {
  const signal = tone(1000, 16000, 321);
  const d = new Downsampler();
  const a = d.push(signal.subarray(0, 161));
  const b = d.push(signal.subarray(161));
  t.equal(a.length + b.length, new Downsampler().push(signal).length);
});

t.test('DTMF survives 8 kHz → 16 kHz → 8 kHz (the 16 kHz module path)', async (t) => {
  const digits = '1234567890*#ABCD';
  const pcm = dtmfSequence(digits, { onMs: 60, offMs: 60, levelDbm0: -15 });
  const wide = new Upsampler().push(pcm);
  const got: string[] = [];
  const det = new DtmfDetector((d) => got.push(d));
  const down = new Downsampler();
  for (let i = 0; i < wide.length; i += 320) det.pushLinear(down.push(wide.subarray(i, i + 320)));
  t.equal(got.join(''), digits);
});
