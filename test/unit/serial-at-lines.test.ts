import t from 'tap';
import { LineParser } from '../../drivers/serial-at/parsers/lines.js';

const b = (s: string) => Buffer.from(s, 'latin1');

t.test('CRLF-framed responses become lines, empty lines dropped', async (t) => {
  const p = new LineParser();
  t.same(p.push(b('\r\n+CSQ: 21,99\r\n\r\nOK\r\n')), [
    { type: 'line', text: '+CSQ: 21,99' },
    { type: 'line', text: 'OK' },
  ]);
});

t.test('a line split across chunks is delivered once, when it ends', async (t) => {
  const p = new LineParser();
  t.same(p.push(b('\r\n+CMTI: "S')), []);
  t.equal(p.pending, '+CMTI: "S');
  t.same(p.push(b('M",3\r')), [{ type: 'line', text: '+CMTI: "SM",3' }]);
  t.same(p.push(b('\n')), []);
});

t.test('bare CR and bare LF both end lines (modules differ)', async (t) => {
  const p = new LineParser();
  t.same(p.push(b('RING\r+CLIP: "13800138000",129\nOK\n')).map((x) => (x.type === 'line' ? x.text : x.type)), [
    'RING',
    '+CLIP: "13800138000",129',
    'OK',
  ]);
});

t.test('noise with no line end is cut at maxLength and reported, not buffered forever', async (t) => {
  const p = new LineParser(16);
  const out = p.push(Buffer.alloc(40, 0x55));
  t.same(out, [
    { type: 'overflow', length: 16 },
    { type: 'overflow', length: 16 },
  ]);
  t.equal(p.pending.length, 8);
  p.clearPending();
  t.same(p.push(b('OK\r\n')), [{ type: 'line', text: 'OK' }]);
});

t.test('high bytes survive as latin1 instead of failing to decode', async (t) => {
  const p = new LineParser();
  const out = p.push(Uint8Array.from([0xff, 0xfe, 0x0d, 0x0a]));
  t.same(out, [{ type: 'line', text: '\u00ff\u00fe' }]);
});
