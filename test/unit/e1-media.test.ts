// B-channel media building blocks: G.711 A-law, WAV prompts and recordings, the 161-byte record
// framing of the audio socket, the 20 ms pacer; and the span configuration and Q.850 mapping.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALAW_SILENCE, alawToLinear, linearToAlaw } from '../../drivers/media/alaw.js';
import { WavRecorder, loadPromptAlaw, wavHeader, wavToAlaw } from '../../drivers/media/wav.js';
import { FramePacer, RECORD_BYTES, RecordParser, encodeRecord } from '../../drivers/e1-pri/media/frames.js';
import { DEFAULT_CHANNELS, parseChannelList, validateConfig } from '../../drivers/e1-pri/config.js';
import { causeFromQ850, normaliseNumber, presentationOf, q850FromCause } from '../../drivers/e1-pri/causes.js';
import { ChannelPool } from '../../drivers/e1-pri/span/channels.js';

t.test('A-law follows G.711: known code points and a bounded round-trip error', async (t) => {
  t.equal(ALAW_SILENCE, 0xd5, 'zero encodes as 0xD5');
  t.equal(linearToAlaw(new Int16Array([32767]))[0], 0xaa, 'positive full scale');
  t.equal(linearToAlaw(new Int16Array([-32768]))[0], 0x2a, 'negative full scale');
  const all = new Uint8Array(256).map((_, i) => i);
  const back = linearToAlaw(alawToLinear(all));
  t.same([...back], [...all], 'every code decodes and re-encodes to itself');
  for (const v of [5, 100, 1000, 10000, -20000]) {
    const r = alawToLinear(linearToAlaw(new Int16Array([v])))[0]!;
    t.ok(Math.abs(r - v) <= Math.max(16, Math.abs(v) / 16), `${v} → ${r} within the segment step`);
  }
});

t.test('prompts load from 16-bit WAV, A-law WAV and raw A-law; other rates are refused', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e1-media-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pcm = Buffer.alloc(320);
  for (let i = 0; i < 160; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin(i / 5)), i * 2);
  const wav = Buffer.concat([wavHeader(pcm.length), pcm]);
  fs.writeFileSync(path.join(dir, 'p.wav'), wav);
  const a = await loadPromptAlaw(path.join(dir, 'p.wav'));
  t.equal(a.length, 160);
  const alawWav = Buffer.from(wav.subarray(0, 44 + 160));
  alawWav.writeUInt16LE(6, 20);
  alawWav.writeUInt16LE(8, 34);
  alawWav.writeUInt32LE(160, 40);
  alawWav.set(a, 44);
  t.same(wavToAlaw(alawWav), a, 'A-law WAV (format 6) is taken as is');
  fs.writeFileSync(path.join(dir, 'p.al'), a);
  t.same(await loadPromptAlaw(path.join(dir, 'p.al')), a);
  const wrongRate = Buffer.from(wav);
  wrongRate.writeUInt32LE(16000, 24);
  t.throws(() => wavToAlaw(wrongRate), { code: 'MEDIA_FORMAT' });
  await t.rejects(loadPromptAlaw(path.join(dir, 'missing.wav')), { code: 'MEDIA_FILE' });
});

t.test('a recording appears only when finished, with a correct header', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e1-media-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'r.wav');
  const rec = new WavRecorder(file);
  for (let i = 0; i < 150; i++) rec.write(Buffer.alloc(160, 0x55));
  t.notOk(fs.existsSync(file), 'nothing at the final path while recording');
  const ms = rec.finish();
  t.equal(ms, 3000);
  const b = fs.readFileSync(file);
  t.equal(b.length, 44 + 150 * 320);
  t.equal(b.readUInt32LE(4), b.length - 8);
  t.equal(b.readUInt32LE(40), 150 * 320);
  t.equal(wavToAlaw(b).length, 150 * 160, 'the recording reads back as a prompt');
});

t.test('audio records are re-assembled across arbitrary chunk boundaries', async (t) => {
  const got: [number, number][] = [];
  const p = new RecordParser((ch, f) => got.push([ch, f[0]!]));
  const stream = Buffer.concat([1, 2, 3].map((ch) => encodeRecord(ch, Buffer.alloc(160, ch * 10))));
  t.equal(stream.length, 3 * RECORD_BYTES);
  for (let i = 0; i < stream.length; i += 50) p.push(stream.subarray(i, i + 50));
  t.same(got, [[1, 10], [2, 20], [3, 30]]);
  t.equal(encodeRecord(4, Buffer.alloc(10, 1))[RECORD_BYTES - 1], ALAW_SILENCE, 'a short frame is padded with silence');
});

t.test('the pacer sends one frame per 20 ms without drift', async (t) => {
  let frames = 0;
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const pacer = new FramePacer(() => {
      if (++frames === 25) {
        pacer.end();
        resolve();
      }
    }, reject);
    pacer.begin();
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  t.ok(ms >= 470 && ms < 700, `25 frames in ${ms.toFixed(0)} ms`);
});

t.test('span configuration: defaults, channel lists and bad values named', async (t) => {
  const c = validateConfig({ dchannel: '/tmp/x' });
  t.equal(c.side, 'cpe');
  t.equal(c.switchType, 'euroisdn_e1');
  t.equal(c.channels.length, 30);
  t.notOk(c.channels.includes(16));
  t.equal(c.media, '/tmp/x.media');
  t.ok(Object.isFrozen(c));
  t.same(parseChannelList('1-3,17,20-21'), [1, 2, 3, 17, 20, 21]);
  t.same(DEFAULT_CHANNELS, parseChannelList('1-15,17-31'));
  t.throws(() => validateConfig({ dchannel: '/tmp/x', channels: [16] }), /channels: 16/);
  t.throws(() => validateConfig({ dchannel: '/tmp/x', side: 'user' as never }), /side/);
  t.throws(() => validateConfig({ dchannel: '/tmp/x', bogus: 1 } as never), /unknown option "bogus"/);
  t.throws(() => validateConfig({ dchannel: '' }), { code: 'E1_BAD_CONFIG' });
});

t.test('Q.850 causes map to call-record causes and back', async (t) => {
  t.equal(causeFromQ850(16, true, 'remote'), 'normal');
  t.equal(causeFromQ850(16, false, 'remote'), 'caller-abandoned');
  t.equal(causeFromQ850(17, true, 'remote'), 'busy');
  t.equal(causeFromQ850(19, false, 'remote'), 'no-answer');
  t.equal(causeFromQ850(21, true, 'remote'), 'rejected');
  t.equal(causeFromQ850(38, true, 'remote'), 'network-failure');
  t.equal(causeFromQ850(88, true, 'remote'), 'other');
  t.equal(q850FromCause('busy'), 17);
  t.equal(q850FromCause('normal'), 16);
  t.equal(presentationOf(0x00), 'allowed');
  t.equal(presentationOf(0x21), 'restricted');
  t.equal(presentationOf(0x43), 'unavailable');
  t.equal(normaliseNumber('+86 138-0013-8000', 'allowed'), '+8613800138000');
  t.equal(normaliseNumber('138', 'restricted'), null);
  t.equal(normaliseNumber('', 'allowed'), null);
});

t.test('outgoing channel hunting starts at opposite ends on the two sides (glare avoidance)', async (t) => {
  const cpe = new ChannelPool(DEFAULT_CHANNELS, 'cpe');
  const net = new ChannelPool(DEFAULT_CHANNELS, 'network');
  t.equal(cpe.hunt(), 31);
  t.equal(net.hunt(), 1);
  cpe.take(31, 'a');
  t.equal(cpe.hunt(), 30);
  cpe.release(31, 'b');
  t.equal(cpe.owner(31), 'a', 'only the owner frees a channel');
});
