// How long the simulated line plays a prompt: the recorded file the box plays (a box given short prompts runs
// short calls), else an estimate from the text. It used to be the estimate always, so a test box's 0.4 s
// prompts still took seconds each on the simulator.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { wavDurationMs, wavHeader } from '../../drivers/media/wav.js';
import { promptLength } from '../../drivers/simulator/trunk.js';
import { tempDir } from '../helpers/box.js';

t.test('a recorded prompt lasts its file; a prompt without one, or with a damaged one, its text estimate', (t) => {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pcm16 = path.join(dir, 'pcm16.wav');
  fs.writeFileSync(pcm16, Buffer.concat([wavHeader(2 * 8000 * 0.4), Buffer.alloc(2 * 8000 * 0.4)]));
  t.equal(wavDurationMs(pcm16), 400, '16-bit PCM, 8 kHz: 0.4 s');
  t.equal(promptLength({ id: 'welcome', file: pcm16, text: '欢迎致电12328交通运输服务监督电话' }), 400);

  // A-law (format 6): one byte a sample.
  const alaw = Buffer.concat([wavHeader(8000), Buffer.alloc(8000)]);
  alaw.writeUInt16LE(6, 20); // format tag
  alaw.writeUInt32LE(8000, 28); // byte rate
  alaw.writeUInt16LE(1, 32); // block align
  alaw.writeUInt16LE(8, 34); // bits
  fs.writeFileSync(path.join(dir, 'alaw.wav'), alaw);
  t.equal(wavDurationMs(path.join(dir, 'alaw.wav')), 1000, 'A-law, 8 kHz: 1 s');

  // A header that claims more data than the file holds: the file's length counts.
  fs.writeFileSync(path.join(dir, 'cut.wav'), Buffer.concat([wavHeader(16000), Buffer.alloc(1600)]));
  t.equal(wavDurationMs(path.join(dir, 'cut.wav')), 100);

  const text = '您当前排在第 1 位';
  const estimate = Math.min(8000, 1000 + 120 * text.length);
  t.equal(promptLength({ id: 'queue.position', text }), estimate, 'no file: from the text');
  t.equal(promptLength({ id: 'queue.position', file: path.join(dir, 'missing.wav'), text }), estimate, 'a missing file: from the text');
  fs.writeFileSync(path.join(dir, 'junk.wav'), 'not a wav');
  t.equal(promptLength({ id: 'queue.position', file: path.join(dir, 'junk.wav'), text }), estimate, 'a damaged file: from the text');
  t.end();
});

t.test('property: any bytes as a prompt file give a finite, non-negative length or none, never a throw', (t) => {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'p.wav');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, riff) => {
      const b = Buffer.from(bytes);
      if (riff && b.length >= 12) b.write('RIFF', 0, 'ascii'), b.write('WAVE', 8, 'ascii');
      fs.writeFileSync(file, b);
      const ms = wavDurationMs(file);
      return ms === undefined || (Number.isFinite(ms) && ms >= 0);
    }),
    { numRuns: 300 },
  );
  t.pass('300 files');
  t.end();
});
