// The DLE framer of the V.253 voice stream (drivers/voice-modem/dle.ts): byte-exact cases, then properties
// (fast-check) with random audio, events, chunking, garbage and truncation.
import fc from 'fast-check';
import t from 'tap';
import { classifyEvent, DLE, DleFramer, DTE, ETX, shield, type DleToken } from '../../drivers/voice-modem/dle.js';

const b = (...x: Array<number | string>) => Buffer.concat(x.map((v) => (typeof v === 'number' ? Buffer.from([v]) : Buffer.from(v, 'latin1'))));

t.test('text mode: lines, DLE events between them, CONNECT switches to audio only when armed', async (t) => {
  const f = new DleFramer();
  t.same(f.push(b('\r\nOK\r\n', DLE, '5', 'RING\r\n')), [
    { type: 'line', text: 'OK' },
    { type: 'event', code: '5' },
    { type: 'line', text: 'RING' },
  ]);
  t.same(f.push(b('CONNECT\r\n', 0x41)), [{ type: 'line', text: 'CONNECT' }], 'not armed: a byte after CONNECT is text');
  t.equal(f.mode, 'text');
  f.push(b('\r\n'));
  f.audioAfterConnect();
  t.same(f.push(b('\r\nCONNECT\r\n', 0x01, 0x02, DLE, DLE, 0x03, DLE, 'b', 0x04, DLE, ETX, '\r\nOK\r\n')), [
    { type: 'line', text: 'CONNECT' },
    { type: 'audio', data: Buffer.from([0x01, 0x02, 0x10, 0x03]) },
    { type: 'event', code: 'b' },
    { type: 'audio', data: Buffer.from([0x04]) },
    { type: 'end' },
    { type: 'line', text: 'OK' },
  ]);
  t.equal(f.mode, 'text');
});

t.test('the LF after CONNECT<CR> is not audio; a DLE at the end of a chunk waits for its partner; <DLE><SUB> is two data DLEs', async (t) => {
  const f = new DleFramer();
  f.audioAfterConnect();
  t.same(f.push(b('CONNECT\r')), [{ type: 'line', text: 'CONNECT' }]);
  t.same(f.push(b('\n', 0x55, DLE)), [
    { type: 'audio', data: Buffer.from([0x55]) },
  ]);
  t.same(f.push(b(DLE, DLE)), [{ type: 'audio', data: Buffer.from([DLE]) }]);
  t.same(f.push(b(0x1a)), [{ type: 'audio', data: Buffer.from([DLE, DLE]) }]);
  t.same(f.push(b(DLE, ETX)), [{ type: 'end' }]);
});

t.test('a line that never ends is cut at the limit', async (t) => {
  const f = new DleFramer(8);
  t.same(f.push(b('ABCDEFGHIJ\r')), [
    { type: 'overflow', length: 8 },
    { type: 'line', text: 'IJ' },
  ]);
});

t.test('shield doubles data DLEs and nothing else; the DTE commands are the V.253 §8.3 pairs', async (t) => {
  t.same(shield(b(1, DLE, 2, DLE, DLE)), b(1, DLE, DLE, 2, DLE, DLE, DLE, DLE));
  t.same(DTE.endTransmit, b(DLE, ETX));
  t.same(DTE.cancelTransmit, b(DLE, 0x18, DLE, ETX));
  t.same(DTE.abortReceive, b(DLE, '!'));
  t.same(DTE.endDuplex, b(DLE, '^'));
});

t.test('event codes per V.253 §7.3', async (t) => {
  for (const d of '0123456789*#ABCD') t.same(classifyEvent(d), { kind: 'dtmf', digit: d });
  t.same(classifyEvent('b'), { kind: 'busy' });
  t.same(classifyEvent('d'), { kind: 'dial-tone' });
  t.same(classifyEvent('s'), { kind: 'silence' });
  t.same(classifyEvent('q'), { kind: 'quiet' });
  t.same(classifyEvent('l'), { kind: 'loop-drop' });
  t.same(classifyEvent('R'), { kind: 'ring' });
  t.same(classifyEvent('u'), { kind: 'underrun' });
  t.same(classifyEvent('/'), { kind: 'other', code: '/' });
});

/** Joins tokens: audio concatenated, events and ends in order (with the audio length before each). */
function summarise(tokens: DleToken[]): { audio: Buffer; marks: string[] } {
  const parts: Buffer[] = [];
  const marks: string[] = [];
  let n = 0;
  for (const tok of tokens) {
    if (tok.type === 'audio') {
      parts.push(tok.data);
      n += tok.data.length;
    } else if (tok.type === 'event') marks.push(`${n}:${tok.code}`);
    else if (tok.type === 'end') marks.push(`${n}:end`);
  }
  return { audio: Buffer.concat(parts), marks };
}

const eventCode = fc.constantFrom(...'0123456789*#ABCDbdsqlRu'.split(''));
const segment = fc.oneof(fc.uint8Array({ maxLength: 64 }).map((a) => ({ audio: Buffer.from(a) })), eventCode.map((code) => ({ event: code })));

t.test('property: any audio with events, shielded and split anywhere, comes out byte-exact', async (t) => {
  fc.assert(
    fc.property(fc.array(segment, { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 8 }), (segs, cuts) => {
      const wire: Buffer[] = [b('CONNECT\r\n')];
      const audio: Buffer[] = [];
      const marks: string[] = [];
      let n = 0;
      for (const s of segs) {
        if ('audio' in s) {
          wire.push(shield(s.audio));
          audio.push(s.audio);
          n += s.audio.length;
        } else {
          wire.push(b(DLE, s.event));
          marks.push(`${n}:${s.event}`);
        }
      }
      wire.push(b(DLE, ETX, '\r\nOK\r\n'));
      marks.push(`${n}:end`);
      const bytes = Buffer.concat(wire);
      const f = new DleFramer();
      f.audioAfterConnect();
      const tokens: DleToken[] = [];
      let i = 0;
      let k = 0;
      while (i < bytes.length) {
        const len = cuts[k++ % cuts.length]!;
        tokens.push(...f.push(bytes.subarray(i, i + len)));
        i += len;
      }
      const got = summarise(tokens);
      t.same(got.audio, Buffer.concat(audio));
      t.same(got.marks, marks);
      t.same(tokens.filter((x) => x.type === 'line').map((x) => (x as { text: string }).text), ['CONNECT', 'OK']);
      return f.mode === 'text';
    }),
    { numRuns: 200 },
  );
});

t.test('property: garbage and truncation never throw, never grow a line past the limit, and the framer recovers', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (junk, audioMode) => {
      const f = new DleFramer(64);
      if (audioMode) f.audioAfterConnect();
      const tokens = [...f.push(b('CONNECT\r\n')), ...f.push(junk)];
      for (const tok of tokens) if (tok.type === 'line') t.ok(tok.text.length < 64);
      // Whatever came before, a stream end and a fresh line are understood: recovery after a glitch. (A junk
      // chunk that ends in a lone DLE takes the next byte as its code, so one filler byte comes first.)
      const after = f.push(b(0x00, DLE, ETX, '\r\nOK\r\n'));
      return after.some((x) => x.type === 'line' && x.text.endsWith('OK'));
    }),
    { numRuns: 300 },
  );
});
