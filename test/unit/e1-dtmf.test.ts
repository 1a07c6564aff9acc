// The software DTMF receiver (Goertzel with the Q.24 level, twist, energy and timing checks) on
// digit sequences synthesised with sox, at several levels and durations, with white noise, and
// against Mandarin speech from espeak-ng (talk-off: digits that are not there).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { DtmfDetector } from '../../drivers/media/dtmf.js';
import { alawToLinear, linearToAlaw } from '../../drivers/media/alaw.js';
import { ZERO_DBM0_PEAK, addNoise, clip, dtmfFreqs, dtmfSequence, seededRandom } from '../../drivers/media/tones.js';

const ALL = '0123456789*#ABCD';

function has(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** One DTMF pair from sox as 16-bit samples (equal tone amplitudes). */
function soxTone(digit: string, ms: number): Float64Array {
  const [lo, hi] = dtmfFreqs(digit);
  const raw = execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', '-',
    'synth', (ms / 1000).toFixed(3), 'sine', String(lo), 'sine', String(hi), 'gain', '-n', '-1']);
  const out = new Float64Array(raw.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = raw.readInt16LE(i * 2);
  return out;
}

const toneCache = new Map<string, Float64Array>();
/** A digit sequence from sox tones, each tone scaled to `levelDbm0` per frequency. */
function soxSequence(digits: string, o: { onMs: number; offMs: number; levelDbm0: number; noiseDbm0?: number; seed?: number }): Buffer {
  const off = Math.round((o.offMs * 8000) / 1000);
  const parts: Float64Array[] = [new Float64Array(off)];
  for (const d of digits) {
    const key = `${d}/${o.onMs}`;
    let tone = toneCache.get(key);
    if (!tone) toneCache.set(key, (tone = soxTone(d, o.onMs)));
    let p = 0;
    for (const s of tone) p += s * s;
    const perToneRms = Math.sqrt(p / tone.length / 2);
    const want = (ZERO_DBM0_PEAK / Math.SQRT2) * Math.pow(10, o.levelDbm0 / 20);
    parts.push(tone.map((s) => (s * want) / perToneRms), new Float64Array(off));
  }
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    all.set(p, i);
    i += p.length;
  }
  if (o.noiseDbm0 !== undefined) addNoise(all, o.noiseDbm0, seededRandom(o.seed ?? 1));
  return linearToAlaw(clip(all));
}

function detect(alaw: Buffer): string {
  const d = new DtmfDetector();
  for (let i = 0; i < alaw.length; i += 160) d.pushAlaw(alaw.subarray(i, i + 160));
  return d.digits.join('');
}

const soxOk = has('sox');
// sox and espeak-ng belong to the test platform (provisioning/install-debian-deps.sh; npm test installs them as
// root): without them the measurements below fail rather than being skipped.
t.test('the measurement tools are installed', async (t) => {
  t.ok(soxOk, 'sox (provisioning/install-debian-deps.sh)');
  t.ok(has('espeak-ng'), 'espeak-ng (provisioning/install-debian-deps.sh)');
});

t.test('digit sequences from sox are detected across levels, durations and noise', async (t) => {
  let sent = 0;
  let found = 0;
  let wrong = 0;
  const rows: string[] = [];
  for (const levelDbm0 of [-4, -10, -20, -25]) {
    for (const [onMs, offMs] of [[40, 40], [50, 50], [100, 60]] as const) {
      for (const noise of [undefined, 20, 10] as const) {
        // Noise given as SNR in dB against one tone.
        const noiseDbm0 = noise === undefined ? undefined : levelDbm0 - noise;
        const got = detect(soxSequence(ALL, { onMs, offMs, levelDbm0, ...(noiseDbm0 !== undefined ? { noiseDbm0 } : {}), seed: onMs + levelDbm0 }));
        sent += ALL.length;
        const ok = got === ALL;
        if (ok) found += ALL.length;
        else {
          // Count hits in order (an LCS would be overkill: misses here are drops, not swaps).
          let j = 0;
          for (const ch of got) {
            const k = ALL.indexOf(ch, j);
            if (k >= 0) {
              found++;
              j = k + 1;
            } else wrong++;
          }
          rows.push(`level ${levelDbm0} dBm0, ${onMs}/${offMs} ms, SNR ${noise ?? '∞'} dB: got "${got}"`);
        }
      }
    }
  }
  const rate = found / sent;
  t.comment(`DTMF detection (sox tones): ${found}/${sent} = ${(rate * 100).toFixed(1)} %, ${wrong} wrong digits`);
  for (const r of rows) t.comment(r);
  t.ok(rate >= 0.98, `detection rate ${(rate * 100).toFixed(1)} % ≥ 98 %`);
  t.equal(wrong, 0, 'no digit reported that was not sent');
});

t.test('tones of 20 ms are rejected and 40 ms accepted (Q.24 timing)', async (t) => {
  t.equal(detect(linearToAlaw(dtmfSequence('159', { onMs: 20, offMs: 60 }))), '', '20 ms bursts are not digits');
  t.equal(detect(linearToAlaw(dtmfSequence('159', { onMs: 40, offMs: 40 }))), '159');
});

t.test('twist within limits is accepted and beyond them rejected (Q.24 table 1)', async (t) => {
  t.equal(detect(linearToAlaw(dtmfSequence('258', { twistDb: 4 }))), '258', 'high tone 4 dB above low');
  t.equal(detect(linearToAlaw(dtmfSequence('258', { twistDb: -6 }))), '258', 'low tone 6 dB above high');
  t.equal(detect(linearToAlaw(dtmfSequence('258', { twistDb: 12 }))), '', 'high tone 12 dB above low');
  t.equal(detect(linearToAlaw(dtmfSequence('258', { twistDb: -12 }))), '', 'low tone 12 dB above high');
});

/**
 * Every digit once (60 ms tone, 60 ms pause), each tone at `levelDbm0`, the high tone `twistDb` above the
 * low one, and each tone off its nominal frequency by a fraction (`lowDev`, `highDev`: 0.015 = +1.5 %).
 */
function offsetSequence(o: { lowDev?: number; highDev?: number; levelDbm0?: number; twistDb?: number; noiseDbm0?: number }): Buffer {
  const on = 480;
  const off = 480;
  const lo = ZERO_DBM0_PEAK * Math.pow(10, (o.levelDbm0 ?? -10) / 20);
  const hi = lo * Math.pow(10, (o.twistDb ?? 0) / 20);
  const out = new Float64Array(ALL.length * (on + off) + off);
  let p = off;
  for (const d of ALL) {
    const [fl, fh] = dtmfFreqs(d);
    const a = fl * (1 + (o.lowDev ?? 0));
    const b = fh * (1 + (o.highDev ?? 0));
    for (let i = 0; i < on; i++) out[p + i] = lo * Math.sin((2 * Math.PI * a * i) / 8000) + hi * Math.sin((2 * Math.PI * b * i) / 8000);
    p += on + off;
  }
  if (o.noiseDbm0 !== undefined) addNoise(out, o.noiseDbm0, seededRandom(7));
  return linearToAlaw(clip(out));
}

const pct = (dev: number) => `${dev > 0 ? '+' : ''}${(dev * 100).toFixed(1)} %`;

t.test('frequency tolerance (Q.24): tones 1.5 % off are digits, tones 3.5 % off are not', async (t) => {
  for (const dev of [-0.015, 0.015]) {
    t.equal(detect(offsetSequence({ lowDev: dev, highDev: dev })), ALL, `both tones ${pct(dev)} off: every digit`);
    t.equal(detect(offsetSequence({ lowDev: dev })), ALL, `low tone ${pct(dev)} off: every digit`);
    t.equal(detect(offsetSequence({ highDev: dev })), ALL, `high tone ${pct(dev)} off: every digit`);
    t.equal(detect(offsetSequence({ lowDev: dev, highDev: dev, levelDbm0: -25 })), ALL, `${pct(dev)} off at -25 dBm0: every digit`);
    t.equal(detect(offsetSequence({ lowDev: dev, highDev: -dev, levelDbm0: -20, noiseDbm0: -45 })), ALL, `${pct(dev)} and ${pct(-dev)} off in noise: every digit`);
  }
  // A 102-sample bin is 78 Hz wide; 3.5 % of 697 Hz is 24 Hz, inside it. The receiver measures the offset
  // from the phase a tone advances between blocks, so a tone 3.5 % off is refused even when it is the low one.
  for (const dev of [-0.035, 0.035]) {
    t.equal(detect(offsetSequence({ lowDev: dev, highDev: dev })), '', `both tones ${pct(dev)} off: no digit`);
    t.equal(detect(offsetSequence({ highDev: dev })), '', `high tone ${pct(dev)} off: no digit`);
    t.equal(detect(offsetSequence({ lowDev: dev })), '', `low tone alone ${pct(dev)} off: no digit`);
  }
});

t.test('twist around the 8 dB limit (Q.24 table 1): 7 dB accepted, 9 dB rejected, either way', async (t) => {
  t.equal(detect(offsetSequence({ twistDb: 7 })), ALL, 'high tone 7 dB above the low tone');
  t.equal(detect(offsetSequence({ twistDb: -7 })), ALL, 'low tone 7 dB above the high tone');
  t.equal(detect(offsetSequence({ twistDb: 9 })), '', 'high tone 9 dB above the low tone');
  t.equal(detect(offsetSequence({ twistDb: -9 })), '', 'low tone 9 dB above the high tone');
});

t.test('level around the -30 dBm0 per-tone threshold: -28 dBm0 accepted, -32 dBm0 rejected', async (t) => {
  t.equal(detect(offsetSequence({ levelDbm0: -28 })), ALL, 'each tone at -28 dBm0 (2 dB above the threshold)');
  t.equal(detect(offsetSequence({ levelDbm0: -32 })), '', 'each tone at -32 dBm0 (2 dB below the threshold)');
  t.equal(detect(offsetSequence({ levelDbm0: -25 })), ALL, 'and at -25 dBm0, the lowest level Q.24 asks to operate at');
});

t.test('signals below the minimum level are not digits', async (t) => {
  t.equal(detect(linearToAlaw(dtmfSequence('147', { levelDbm0: -40 }))), '');
});

t.test('a held key is one digit; the same key pressed twice is two', async (t) => {
  t.equal(detect(linearToAlaw(dtmfSequence('7', { onMs: 1500 }))), '7');
  t.equal(detect(linearToAlaw(dtmfSequence('77', { onMs: 60, offMs: 60 }))), '77');
});

t.test('Mandarin speech from espeak-ng produces (almost) no false digits', async (t) => {
  const texts = [
    'ni hao, huan ying zhi dian jiao tong yun shu fu wu jian du re xian.',
    'yi er san er ba. ling jiu ba qi liu wu si san er yi.',
    'qing an yi jian zi xun, an er jian tou su ju bao, an san jian yi jian jian yi, fan hui qing an xing hao jian.',
    'wo yao tou su yi liang chu zu che, che pai hao shi jing A wu liu qi ba jiu, si ji ju zai, rao lu, tai du hen cha.',
    'gao su gong lu shou fei zhan pai dui tai chang le, xi wang neng duo kai ji ge tong dao.',
    'gong jiao che mei you an shi jian fa che, wo deng le ban ge xiao shi.',
    'chuan bo zai jiang shang chu le shi gu, qing kuai dian pai ren lai.',
  ];
  let samples = 0;
  const falseDigits: string[] = [];
  for (const [i, text] of texts.entries()) {
    for (const [speed, pitch] of [[150, 40], [175, 60], [130, 80]] as const) {
      const wav = execFileSync('espeak-ng', ['-v', 'cmn-latn-pinyin', '-s', String(speed), '-p', String(pitch), '--stdout', text]);
      const alaw = execFileSync('sox', ['-t', 'wav', '-', '-r', '8000', '-c', '1', '-e', 'a-law', '-t', 'raw', '-', 'gain', '-n', '-3'], { input: wav });
      samples += alaw.length;
      const got = detect(alaw);
      if (got) falseDigits.push(`text ${i} speed ${speed} pitch ${pitch}: "${got}"`);
      // And with the prompt level a caller's handset might give, 12 dB lower.
      const quiet = alawToLinear(alaw).map((s) => s / 4);
      const got2 = detect(linearToAlaw(quiet));
      if (got2) falseDigits.push(`text ${i} speed ${speed} pitch ${pitch} −12 dB: "${got2}"`);
      samples += alaw.length;
    }
  }
  const seconds = samples / 8000;
  const count = falseDigits.reduce((n, s) => n + (s.split('"')[1]?.length ?? 0), 0);
  t.comment(`talk-off: ${count} false digits in ${seconds.toFixed(0)} s of Mandarin speech (espeak-ng cmn-latn-pinyin)`);
  for (const f of falseDigits) t.comment(f);
  t.ok(count <= 1, `${count} false digits`);
});
