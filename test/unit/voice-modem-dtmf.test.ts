// DTMF on the analog path: sox-generated digits (and espeak-ng Mandarin speech for talk-off) carried as a
// V.253 modem carries them to the box — encoded in each compression the driver may choose from AT+VSM=?,
// DLE-shielded, split into arbitrary serial reads, deframed (DleFramer), decoded (VoiceCodec) — and detected
// by the box's Goertzel receiver (DtmfDetector.pushLinear), exactly the driver's receive path.
//
// Figures: run `npx tap test/unit/voice-modem-dtmf.test.ts` and read the `#` comments.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { DtmfDetector } from '../../drivers/media/dtmf.js';
import { ZERO_DBM0_PEAK, addNoise, clip, dtmfFreqs, seededRandom } from '../../drivers/media/tones.js';
import { VoiceCodec, type CompressionKind } from '../../drivers/voice-modem/codec.js';
import { DleFramer, shield } from '../../drivers/voice-modem/dle.js';
import { LineToneDetector } from '../../drivers/voice-modem/line-tones.js';

const ALL = '0123456789*#ABCD';
const KINDS: CompressionKind[] = ['alaw', 'ulaw', 'linear16', 'linear8s', 'linear8u'];

function has(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const toneCache = new Map<string, Float64Array>();
function soxTone(digit: string, ms: number): Float64Array {
  const key = `${digit}/${ms}`;
  let tone = toneCache.get(key);
  if (tone) return tone;
  const [lo, hi] = dtmfFreqs(digit);
  const raw = execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', '-',
    'synth', (ms / 1000).toFixed(3), 'sine', String(lo), 'sine', String(hi), 'gain', '-n', '-1']);
  tone = new Float64Array(raw.length >> 1);
  for (let i = 0; i < tone.length; i++) tone[i] = raw.readInt16LE(i * 2);
  toneCache.set(key, tone);
  return tone;
}

/** A digit sequence of sox tones, each tone at `levelDbm0`, with white noise at `noiseDbm0`. */
function soxSequence(digits: string, o: { onMs: number; offMs: number; levelDbm0: number; noiseDbm0?: number; seed: number }): Int16Array {
  const off = Math.round((o.offMs * 8000) / 1000);
  const parts: Float64Array[] = [new Float64Array(off)];
  for (const d of digits) {
    const tone = soxTone(d, o.onMs);
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
  if (o.noiseDbm0 !== undefined) addNoise(all, o.noiseDbm0, seededRandom(o.seed));
  return clip(all);
}

/** The modem's stream to the box: encode, shield, cut into reads of 1..300 bytes, deframe, decode, detect. */
function overTheModem(pcm: Int16Array, kind: CompressionKind, seed: number): string {
  const tx = new VoiceCodec(kind);
  const wire = Buffer.concat([Buffer.from('\r\nCONNECT\r\n'), shield(tx.encode(pcm))]);
  const framer = new DleFramer();
  framer.audioAfterConnect();
  const rx = new VoiceCodec(kind);
  const det = new DtmfDetector();
  const rnd = seededRandom(seed);
  for (let i = 0; i < wire.length; ) {
    const n = 1 + Math.floor(rnd() * 300);
    for (const tok of framer.push(wire.subarray(i, i + n))) if (tok.type === 'audio') det.pushLinear(rx.decode(tok.data));
    i += n;
  }
  return det.digits.join('');
}

const soxOk = has('sox');
// sox and espeak-ng belong to the test platform (provisioning/install-debian-deps.sh; npm test installs them as
// root): without them the measurements below fail rather than being skipped.
t.test('the measurement tools are installed', async (t) => {
  t.ok(soxOk, 'sox (provisioning/install-debian-deps.sh)');
  t.ok(has('espeak-ng'), 'espeak-ng (provisioning/install-debian-deps.sh)');
});

t.test('sox digits in noise through the modem stream, per compression: detection rate and wrong digits', async (t) => {
  for (const kind of KINDS) {
    let sent = 0;
    let found = 0;
    let wrong = 0;
    const rows: string[] = [];
    for (const levelDbm0 of [-4, -10, -20, -25]) {
      for (const [onMs, offMs] of [[40, 40], [50, 50], [100, 60]] as const) {
        for (const snr of [undefined, 20, 10] as const) {
          const noiseDbm0 = snr === undefined ? undefined : levelDbm0 - snr;
          const seed = onMs * 7 + -levelDbm0 + (snr ?? 0);
          const got = overTheModem(soxSequence(ALL, { onMs, offMs, levelDbm0, ...(noiseDbm0 !== undefined ? { noiseDbm0 } : {}), seed }), kind, seed);
          sent += ALL.length;
          let j = 0;
          for (const ch of got) {
            const k = ALL.indexOf(ch, j);
            if (k >= 0) {
              found++;
              j = k + 1;
            } else wrong++;
          }
          if (got !== ALL) rows.push(`${kind} level ${levelDbm0} dBm0, ${onMs}/${offMs} ms, SNR ${snr ?? '∞'} dB: got "${got}"`);
        }
      }
    }
    const rate = found / sent;
    t.comment(`DTMF over the modem, ${kind}: ${found}/${sent} = ${(rate * 100).toFixed(1)} % detected, ${wrong} wrong digits`);
    for (const r of rows) t.comment(r);
    t.equal(wrong, 0, `${kind}: no digit reported that was not sent`);
    // 8-bit linear PCM has a 256-step quantiser (−25 dBm0 tones are a few steps tall): it is allowed a lower
    // floor than the companded and 16-bit paths, which are held to the E1 figure.
    t.ok(rate >= (kind.startsWith('linear8') ? 0.9 : 0.98), `${kind}: detection rate ${(rate * 100).toFixed(1)} %`);
  }
});

t.test('harder lines (SNR 6 and 3 dB, −20 dBm0, 50/50 ms): figures for the record', async (t) => {
  for (const kind of KINDS) {
    for (const snr of [6, 3]) {
      let found = 0;
      let wrong = 0;
      const runs = 6;
      for (let r = 0; r < runs; r++) {
        const got = overTheModem(soxSequence(ALL, { onMs: 50, offMs: 50, levelDbm0: -20, noiseDbm0: -20 - snr, seed: 100 + r }), kind, r);
        let j = 0;
        for (const ch of got) {
          const k = ALL.indexOf(ch, j);
          if (k >= 0) {
            found++;
            j = k + 1;
          } else wrong++;
        }
      }
      t.comment(`${kind}, SNR ${snr} dB: ${found}/${runs * ALL.length} = ${((found / (runs * ALL.length)) * 100).toFixed(1)} % detected, ${wrong} wrong digits`);
    }
  }
  t.pass('recorded');
});

t.test('Mandarin speech (espeak-ng cmn-latn-pinyin) through the modem stream: false digits per compression', async (t) => {
  const texts = [
    'ni hao, huan ying zhi dian jiao tong yun shu fu wu jian du re xian.',
    'yi er san er ba. ling jiu ba qi liu wu si san er yi.',
    'qing an yi jian zi xun, an er jian tou su ju bao, an san jian yi jian jian yi, fan hui qing an xing hao jian.',
    'wo yao tou su yi liang chu zu che, che pai hao shi jing A wu liu qi ba jiu, si ji ju zai, rao lu, tai du hen cha.',
    'gao su gong lu shou fei zhan pai dui tai chang le, xi wang neng duo kai ji ge tong dao.',
    'gong jiao che mei you an shi jian fa che, wo deng le ban ge xiao shi.',
    'chuan bo zai jiang shang chu le shi gu, qing kuai dian pai ren lai.',
  ];
  const speech: Int16Array[] = [];
  for (const text of texts) {
    for (const [speed, pitch] of [[150, 40], [175, 60], [130, 80]] as const) {
      const wav = execFileSync('espeak-ng', ['-v', 'cmn-latn-pinyin', '-s', String(speed), '-p', String(pitch), '--stdout', text]);
      const raw = execFileSync('sox', ['-t', 'wav', '-', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', '-', 'gain', '-n', '-3'], { input: wav });
      const pcm = new Int16Array(raw.length >> 1);
      for (let i = 0; i < pcm.length; i++) pcm[i] = raw.readInt16LE(i * 2);
      speech.push(pcm, pcm.map((s) => Math.round(s / 4))); // and 12 dB quieter
    }
  }
  const seconds = speech.reduce((n, s) => n + s.length, 0) / 8000;
  for (const kind of KINDS) {
    let count = 0;
    const hits: string[] = [];
    speech.forEach((pcm, i) => {
      const got = overTheModem(pcm, kind, i + 1);
      count += got.length;
      if (got) hits.push(`${kind} clip ${i}: "${got}"`);
    });
    t.comment(`talk-off over the modem, ${kind}: ${count} false digits in ${seconds.toFixed(0)} s of Mandarin speech`);
    for (const h of hits) t.comment(h);
    t.ok(count <= 1, `${kind}: ${count} false digits`);
  }
  // The same speech must not look like the exchange's busy or dial tone (line-tones.ts): that would hang up
  // on a caller who is talking.
  let falseTones = 0;
  for (const pcm of speech) {
    const d = new LineToneDetector(() => falseTones++);
    d.push(pcm);
  }
  t.comment(`busy/dial tone heard in ${seconds.toFixed(0)} s of Mandarin speech: ${falseTones} times`);
  t.equal(falseTones, 0, 'speech is never taken for busy or dial tone');
});
