// Response lines, caller ID and the AT+VSM=? compression list of the voice modem (drivers/voice-modem/lines.ts,
// codec.ts): examples from modem families' manuals, then properties with arbitrary text.
import fc from 'fast-check';
import t from 'tap';
import { chooseCompression, parseVsmList, VoiceCodec } from '../../drivers/voice-modem/codec.js';
import { classifyLine } from '../../drivers/voice-modem/lines.js';
import { VSM_LISTS } from '../../drivers/voice-modem/simulator/modem-sim.js';

t.test('final results, RING and formatted caller ID (+VCID=1)', async (t) => {
  t.match(classifyLine('OK'), { kind: 'final', ok: true, code: 'OK' });
  t.match(classifyLine('CONNECT'), { kind: 'final', ok: true, code: 'CONNECT' });
  t.match(classifyLine('VCON'), { kind: 'final', ok: true, code: 'VCON' });
  t.match(classifyLine('NO CARRIER'), { kind: 'final', ok: false });
  t.match(classifyLine('ERROR'), { kind: 'final', ok: false, code: 'ERROR' });
  t.same(classifyLine('RING'), { kind: 'ring' });
  t.same(classifyLine('NMBR = 13812345678'), { kind: 'cid-number', number: '13812345678', presentation: 'allowed' });
  t.same(classifyLine('NMBR=0931-8212345'), { kind: 'cid-number', number: '09318212345', presentation: 'allowed' }, 'punctuation dropped (T11)');
  t.same(classifyLine('NMBR = P'), { kind: 'cid-number', number: null, presentation: 'restricted' });
  t.same(classifyLine('NMBR = O'), { kind: 'cid-number', number: null, presentation: 'unavailable' });
  t.same(classifyLine('DATE = 1130'), { kind: 'cid-other', field: 'DATE', value: '1130' });
  t.same(classifyLine('0'), { kind: 'other', text: '0' }, 'a bare digit is a query answer, not a numeric result code');
});

t.test('AT+VSM=? lists: the box picks A-law, then µ-law, then 16-bit, then 8-bit linear, at 8 kHz', async (t) => {
  t.match(chooseCompression(parseVsmList([...VSM_LISTS.conexant])), { kind: 'alaw', cml: 5 }, 'Conexant: G711A');
  t.match(chooseCompression(parseVsmList([...VSM_LISTS.usr5637])), { kind: 'ulaw', cml: 131 }, 'USRobotics 5637: G.711 ULAW');
  t.match(chooseCompression(parseVsmList([...VSM_LISTS.linear16])), { kind: 'linear16', cml: 2 });
  t.equal(chooseCompression(parseVsmList([...VSM_LISTS['adpcm-only']])), undefined, 'ZyXEL-style CELP/ADPCM only: nothing usable');
  t.match(chooseCompression(parseVsmList(['128,"8-BIT LINEAR",8,0,(7200,8000,11025),(0),(0)', '130,"UNSIGNED PCM",8,0,(8000),(0),(0)'])), { kind: 'linear8s', cml: 128 });
  t.match(chooseCompression(parseVsmList(['130,"UNSIGNED PCM",8,0,(8000),(0),(0)'])), { kind: 'linear8u' });
  t.equal(chooseCompression(parseVsmList(['5,"G711A",8,0,(7200,11025),(0),(0)'])), undefined, 'no 8000 Hz: not chosen');
  t.match(chooseCompression(parseVsmList(['5,"G711A",8,0,(4000-16000),(0),(0)'])), { kind: 'alaw' }, 'a rate range that holds 8000');
  t.match(chooseCompression(parseVsmList([...VSM_LISTS.conexant]), ['linear8u']), { kind: 'linear8u', cml: 1 }, 'restricted by configuration');
});

t.test('codecs: each compression carries a tone within its quantisation error; 16-bit survives an odd split', async (t) => {
  const pcm = new Int16Array(160);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(10000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
  for (const [kind, tol] of [['alaw', 400], ['ulaw', 400], ['linear16', 0], ['linear8s', 256], ['linear8u', 256]] as const) {
    const c = new VoiceCodec(kind);
    const back = c.decode(c.encode(pcm));
    let worst = 0;
    for (let i = 0; i < pcm.length; i++) worst = Math.max(worst, Math.abs(back[i]! - pcm[i]!));
    t.ok(worst <= tol, `${kind}: worst error ${worst}`);
    t.equal(c.silence(10).length, 10 * c.bytesPerSample);
  }
  const c = new VoiceCodec('linear16');
  const bytes = c.encode(pcm);
  const a = c.decode(bytes.subarray(0, 33));
  const b = c.decode(bytes.subarray(33));
  t.same([...a, ...b], [...pcm]);
});

t.test('property: any line classifies without throwing; a caller number is digits with at most a leading +', async (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string().map((s) => `NMBR = ${s}`), fc.string().map((s) => `NMBR=${s}`)), (line) => {
      const m = classifyLine(line);
      if (m.kind === 'cid-number' && m.number !== null) return /^\+?\d+$/.test(m.number);
      return true;
    }),
    { numRuns: 500 },
  );
});

t.test('property: truncated or garbled +VSM lists never throw and never pick an unusable method', async (t) => {
  const line = fc.oneof(
    fc.constantFrom(...Object.values(VSM_LISTS).flat()).chain((l) => fc.nat(l.length).map((n) => l.slice(0, n))),
    fc.string(),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
      const c = chooseCompression(parseVsmList(lines));
      return c === undefined || ['alaw', 'ulaw', 'linear16', 'linear8s', 'linear8u'].includes(c.kind);
    }),
    { numRuns: 500 },
  );
});
