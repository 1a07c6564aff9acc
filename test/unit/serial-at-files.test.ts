// The file-transfer sessions and file-system parsers of the serial-AT driver (drivers/serial-at/files.ts), fed as
// the port delivers bytes: in pieces cut anywhere. Properties (fast-check): every file comes back byte for byte
// however the answer is split; a transfer cut short, a wrong checksum, a refusal or garbage ends in the named
// failure — never an exception, never a wrong file, never unbounded growth.
import fc from 'fast-check';
import t from 'tap';
import {
  CftrantxSession,
  checkModuleFileName,
  parseFsls,
  parseQflds,
  parseQflst,
  parseWavPcm16,
  QfdwlSession,
  UploadSession,
  wavPcm16,
  xorChecksum16,
  type TransferSession,
  type TransferStep,
} from '../../drivers/serial-at/files.js';

/** Feeds `bytes` to a session in pieces at `cuts` (fractions); returns the steps' writes and the first `done`. */
function feed(s: TransferSession, bytes: Buffer, cuts: number[]): { writes: string[]; done: TransferStep['done']; lines: string[] } {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const writes: string[] = [];
  const lines: string[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    if (p <= prev && p !== bytes.length) continue;
    const r = s.push(bytes.subarray(prev, p));
    prev = p;
    if (r.write !== undefined) writes.push(r.write);
    lines.push(...(r.lines ?? []));
    if (r.done) return { writes, done: r.done, lines };
  }
  return { writes, done: undefined, lines };
}

const qfdwlAnswer = (data: Buffer, o: { size?: number; sum?: number; sent?: Buffer; before?: string } = {}) =>
  Buffer.concat([
    Buffer.from(`${o.before ?? ''}\r\nCONNECT\r\n`, 'latin1'),
    o.sent ?? data,
    Buffer.from(`\r\n+QFDWL: ${o.size ?? data.length},${(o.sum ?? xorChecksum16(data)).toString(16)}\r\n\r\nOK\r\n`, 'latin1'),
  ]);

const cftrantxAnswer = (data: Buffer, chunk: number) => {
  const parts: Buffer[] = [];
  for (let o = 0; o < data.length; o += chunk) {
    const c = data.subarray(o, o + chunk);
    parts.push(Buffer.from(`\r\n+CFTRANTX: DATA,${c.length}\r\n`, 'latin1'), c);
  }
  parts.push(Buffer.from('\r\n+CFTRANTX: 0\r\n\r\nOK\r\n', 'latin1'));
  return Buffer.concat(parts);
};

const file = fc.uint8Array({ minLength: 0, maxLength: 3000 }).map((a) => Buffer.from(a));
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

t.test('checksum: 16-bit XOR of big-endian words, an odd last byte as the high half (Quectel FILE manual)', async (t) => {
  t.equal(xorChecksum16(Buffer.from([0x12, 0x34, 0x56, 0x78])), 0x1234 ^ 0x5678);
  t.equal(xorChecksum16(Buffer.from([0x12, 0x34, 0xab])), 0x1234 ^ 0xab00);
  t.equal(xorChecksum16(Buffer.alloc(0)), 0);
});

t.test('AT+QFDWL: any file comes back byte for byte however the answer is split', async () => {
  fc.assert(
    fc.property(file, cuts, (data, c) => {
      const r = feed(new QfdwlSession('UFS:r1.wav', data.length), qfdwlAnswer(data), c);
      return r.done?.ok === true && r.done.data.equals(data) && r.done.rest.length === 0;
    }),
    { numRuns: 300 },
  );
});

t.test('AT+QFDWL: a transfer that lost bytes is "truncated", a wrong checksum "checksum", never a file', async () => {
  fc.assert(
    fc.property(file.filter((d) => d.length > 1), fc.double({ min: 0, max: 0.99, noNaN: true }), cuts, (data, keep, c) => {
      const sent = data.subarray(0, Math.floor(keep * data.length));
      const r = feed(new QfdwlSession('UFS:r1.wav'), qfdwlAnswer(data, { sent }), c);
      return r.done?.ok === false && r.done.failure.kind === 'truncated';
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(file.filter((d) => d.length > 0), cuts, (data, c) => {
      const r = feed(new QfdwlSession('UFS:r1.wav'), qfdwlAnswer(data, { sum: xorChecksum16(data) ^ 0x0101 }), c);
      return r.done?.ok === false && r.done.failure.kind === 'checksum';
    }),
    { numRuns: 200 },
  );
});

t.test('AT+QFDWL: a module that sent less than AT+QFLST said is "truncated"', async (t) => {
  const data = Buffer.from('RIFF....WAVE');
  const r = feed(new QfdwlSession('UFS:r1.wav', 100), qfdwlAnswer(data), []);
  t.match(r.done, { ok: false, failure: { kind: 'truncated', got: 12, expected: 100 } });
});

t.test('AT+QFDWL: refusals and URCs before CONNECT', async (t) => {
  t.match(feed(new QfdwlSession('UFS:x.wav'), Buffer.from('\r\n+CME ERROR: 405\r\n'), []).done, { ok: false, failure: { kind: 'cme', code: 405 } });
  t.match(feed(new QfdwlSession('UFS:x.wav'), Buffer.from('\r\nERROR\r\n'), []).done, { ok: false, failure: { kind: 'error' } });
  const data = Buffer.from([1, 2, 3, 13, 10, 79, 75, 13, 10]);
  const r = feed(new QfdwlSession('UFS:x.wav', data.length), qfdwlAnswer(data, { before: '\r\nRING\r\n\r\n+CLIP: "13800000000",129,"",0,"",0' }), [0.1, 0.5]);
  t.ok(r.done?.ok && r.done.data.equals(data), 'file bytes that look like lines stay file bytes');
  t.same(r.lines, ['RING', '+CLIP: "13800000000",129,"",0,"",0'], 'the URCs before CONNECT are passed on');
});

t.test('AT+QFDWL: garbage never throws, and past the announced size it gives up', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), cuts, fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }), (junk, c, expected) => {
      const s = new QfdwlSession('UFS:x.wav', expected);
      const r = feed(s, Buffer.concat([Buffer.from('\r\nCONNECT\r\n'), Buffer.from(junk)]), c);
      if (expected !== undefined && junk.length > expected + 64) return r.done !== undefined && !r.done.ok;
      return r.done === undefined || r.done.ok === false || r.done.data.length <= junk.length;
    }),
    { numRuns: 300 },
  );
});

t.test('AT+CFTRANTX: any file in any chunking comes back byte for byte', async () => {
  fc.assert(
    fc.property(file, fc.integer({ min: 1, max: 4096 }), cuts, (data, chunk, c) => {
      const r = feed(new CftrantxSession('E:/r1.wav', data.length), cftrantxAnswer(data, chunk), c);
      return r.done?.ok === true && r.done.data.equals(data);
    }),
    { numRuns: 300 },
  );
});

t.test('AT+CFTRANTX: a chunk cut short is never a file; more than announced is "malformed"', async (t) => {
  fc.assert(
    fc.property(file.filter((d) => d.length > 2), cuts, (data, c) => {
      // The header announces the whole chunk, the module sends less and ends: the session waits (the channel's
      // idle timeout then ends it), and what it finally sees is never taken for the file.
      const cut = Buffer.concat([Buffer.from(`\r\n+CFTRANTX: DATA,${data.length}\r\n`), data.subarray(0, data.length - 1)]);
      const r = feed(new CftrantxSession('E:/r1.wav'), cut, c);
      return r.done === undefined || r.done.ok === false;
    }),
    { numRuns: 200 },
  );
  const r = feed(new CftrantxSession('E:/r1.wav', 4), cftrantxAnswer(Buffer.from('abcdefgh'), 8), []);
  t.match(r.done, { ok: false, failure: { kind: 'malformed' } });
  const short = feed(new CftrantxSession('E:/r1.wav', 10), cftrantxAnswer(Buffer.from('abcd'), 8), []);
  t.match(short.done, { ok: false, failure: { kind: 'truncated', got: 4, expected: 10 } });
  t.match(feed(new CftrantxSession('E:/x.wav'), Buffer.from('\r\n+CME ERROR: 22\r\n'), []).done, { ok: false, failure: { kind: 'cme', code: 22 } });
});

t.test('upload: Quectel sends the bytes after CONNECT and checks size and checksum; SIMCom after ">"', async (t) => {
  fc.assert(
    fc.property(file, cuts, (data, c) => {
      const s = new UploadSession('quectel', 'UFS:p1.wav', data);
      const head = feed(s, Buffer.from('\r\nCONNECT\r\n'), c);
      if (head.writes.join('') !== data.toString('latin1')) return false;
      const tail = feed(s, Buffer.from(`\r\n+QFUPL: ${data.length},${xorChecksum16(data).toString(16)}\r\n\r\nOK\r\n`), c);
      return tail.done?.ok === true;
    }),
    { numRuns: 200 },
  );
  const q = new UploadSession('quectel', 'UFS:p1.wav', Buffer.from('abcdef'));
  feed(q, Buffer.from('\r\nCONNECT\r\n'), []);
  t.match(feed(q, Buffer.from('\r\n+QFUPL: 4,6162\r\n\r\nOK\r\n'), []).done, { ok: false, failure: { kind: 'truncated', got: 4, expected: 6 } }, 'the module kept fewer bytes');
  const q2 = new UploadSession('quectel', 'UFS:p1.wav', Buffer.from('abcdef'));
  feed(q2, Buffer.from('\r\nCONNECT\r\n'), []);
  t.match(feed(q2, Buffer.from('\r\n+QFUPL: 6,0\r\n\r\nOK\r\n'), []).done, { ok: false, failure: { kind: 'checksum' } });
  t.match(feed(new UploadSession('quectel', 'UFS:p1.wav', Buffer.from('x')), Buffer.from('\r\n+CME ERROR: 403\r\n'), []).done, { ok: false, failure: { kind: 'cme', code: 403 } }, 'drive full');
  const s = new UploadSession('simcom', 'E:/p1.wav', Buffer.from('hello'));
  t.equal(s.command, 'AT+CFTRANRX="E:/p1.wav",5');
  t.same(feed(s, Buffer.from('\r\n>'), []).writes, ['hello']);
  t.match(feed(s, Buffer.from('\r\nOK\r\n'), []).done, { ok: true });
  const ring = feed(new UploadSession('simcom', 'E:/p1.wav', Buffer.from('x')), Buffer.from('\r\nRING\r\n\r\n+CME ERROR: 20\r\n'), []);
  t.same(ring.lines, ['RING'], 'a URC before the answer is passed on');
  t.match(ring.done, { ok: false, failure: { kind: 'cme', code: 20 } }, 'memory full');
});

t.test('file names: what can stand in a quoted parameter', async (t) => {
  t.equal(checkModuleFileName('p1234567.wav'), undefined);
  t.ok(checkModuleFileName(''));
  t.ok(checkModuleFileName('a"b'));
  t.ok(checkModuleFileName('a\r\nAT+CFUN=1,1'));
  t.ok(checkModuleFileName('x'.repeat(81)));
  fc.assert(fc.property(fc.string(), (n) => checkModuleFileName(n) === undefined || typeof checkModuleFileName(n) === 'string'));
});

t.test('listings and free space', async (t) => {
  t.same([...parseQflst(['+QFLST: "UFS:a.wav",3244', '+QFLST: "UFS:b.wav",x', 'junk', '+QFLST: "UFS:c.wav",0'])], [
    ['UFS:a.wav', 3244],
    ['UFS:c.wav', 0],
  ]);
  t.same(parseQflds(['+QFLDS: 1000,2000']), { free: 1000, total: 2000 });
  t.equal(parseQflds(['+QFLDS: x']), undefined);
  t.same([...parseFsls(['+FSLS: SUBDIRECTORIES:', 'rec/', 'a.wav', '', 'b.wav'])], ['a.wav', 'b.wav']);
  fc.assert(fc.property(fc.array(fc.string()), (lines) => parseQflst(lines) instanceof Map && parseFsls(lines) instanceof Set));
});

t.test('WAV: what the module records is read back; anything else is refused with the reason', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 2000 }), (xs) => {
      const pcm = Int16Array.from(xs);
      return Buffer.from(parseWavPcm16(wavPcm16(pcm)).buffer).equals(Buffer.from(pcm.buffer));
    }),
    { numRuns: 200 },
  );
  const wav = wavPcm16(Int16Array.from([1, 2, 3, 4]));
  t.same([...parseWavPcm16(wav.subarray(0, wav.length - 3))], [1, 2], 'a file cut at the end keeps its whole samples');
  t.throws(() => parseWavPcm16(Buffer.from('hello world, not a wav')), /not a RIFF/);
  const alaw = Buffer.from(wav);
  alaw.writeUInt16LE(6, 20);
  t.throws(() => parseWavPcm16(alaw), /not 8 kHz 16-bit mono PCM/);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (junk) => {
      try {
        parseWavPcm16(Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVE'), Buffer.from(junk)]));
        return true;
      } catch (e) {
        return e instanceof Error && e.message.length > 0 && !(e instanceof RangeError);
      }
    }),
    { numRuns: 300 },
  );
});

t.test('flags: --prompts module-file and --record module need a module family; --say-dir reaches both audio paths', async (t) => {
  const { serialAtOptions } = await import('../../firmware-agent/config/trunk-options.js');
  t.match(serialAtOptions({ serial: '/dev/x', module: 'quectel', prompts: 'module-file', record: 'module', 'say-dir': '/p/say' }), {
    prompts: 'module-file',
    record: 'module',
    sayDir: '/p/say',
  });
  t.throws(() => serialAtOptions({ serial: '/dev/x', prompts: 'module-file' }), { code: 'SERIAL_AT_BAD_OPTION', detail: { param: 'prompts' } });
  t.throws(() => serialAtOptions({ serial: '/dev/x', record: 'module' }), { code: 'SERIAL_AT_BAD_OPTION', detail: { param: 'record' } });
  t.throws(() => serialAtOptions({ serial: '/dev/x', module: 'simcom', record: 'box' }), { code: 'SERIAL_AT_BAD_OPTION', detail: { param: 'record' } });
  fc.assert(
    fc.property(fc.string(), (v) => {
      try {
        serialAtOptions({ serial: '/dev/x', module: 'simcom', prompts: v });
        return ['pause', 'tts', 'module-file'].includes(v);
      } catch (e) {
        return (e as { code?: string }).code === 'SERIAL_AT_BAD_OPTION';
      }
    }),
  );
});
