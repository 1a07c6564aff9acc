import t from 'tap';
import { ConcatAssembler, type AssembledMessage } from '../../drivers/serial-at/concat.js';
import { VirtualClock } from '../../common/clock.js';
import { decodeIncoming, encodeDeliver, bytesToHex, splitText, type SmsDeliver } from '../../drivers/serial-at/pdu/index.js';

const TEXT = '我要投诉：11月28日上午在火车站乘坐出租车，司机拒绝打表，要求一口价五十元，态度恶劣。'.repeat(4); // 176 characters: three UCS2 parts

function parts(from: string, text: string, reference: number, referenceBits: 8 | 16 = 8) {
  const chunks = splitText(text, 'ucs2', referenceBits === 16 ? 7 : 6);
  return chunks.map((c, i) => {
    const pdu = bytesToHex(
      encodeDeliver({ from, text: c, alphabet: 'ucs2', timestamp: new Date('2026-11-28T02:00:00Z'), offsetMinutes: 480, concat: { reference, referenceBits, total: chunks.length, sequence: i + 1 } }),
    );
    return { index: 10 + i, pdu, message: decodeIncoming(pdu) as SmsDeliver };
  });
}

function setup() {
  const clock = new VirtualClock();
  const out: AssembledMessage[] = [];
  const a = new ConcatAssembler({ clock, timeoutMs: 600_000, onMessage: (m) => out.push(m) });
  return { clock, out, a };
}

t.test('three parts arriving out of order make one complete message', async (t) => {
  const { out, a } = setup();
  const p = parts('+8613800138000', TEXT, 77);
  t.equal(p.length, 3);
  a.add(p[2]!);
  a.add(p[0]!);
  t.same(out, []);
  a.add(p[1]!);
  t.equal(out.length, 1);
  t.equal(out[0]!.text, TEXT);
  t.equal(out[0]!.complete, true);
  t.same(out[0]!.indexes, [12, 10, 11]);
  t.equal(a.pending, 0);
});

t.test('a duplicate part is ignored but its storage index is kept for deletion', async (t) => {
  const { out, a } = setup();
  const p = parts('+8613800138000', TEXT, 5);
  a.add(p[0]!);
  a.add({ ...p[0]!, index: 40 });
  a.add(p[1]!);
  a.add(p[2]!);
  t.equal(out.length, 1);
  t.equal(out[0]!.text, TEXT);
  t.same(out[0]!.indexes, [10, 40, 11, 12]);
});

t.test('a part that never comes: after the timeout the message is kept, marked incomplete', async (t) => {
  const { clock, out, a } = setup();
  const p = parts('+8613800138000', TEXT, 9);
  a.add(p[0]!);
  a.add(p[2]!);
  await clock.advance(599_999);
  t.same(out, []);
  await clock.advance(1);
  t.equal(out.length, 1);
  t.equal(out[0]!.complete, false);
  t.same(out[0]!.missing, [2]);
  t.equal(out[0]!.segments[1], null);
  t.equal(out[0]!.text, p[0]!.message.text + p[2]!.message.text);
});

t.test('same reference from two senders, or in the 16-bit space, are different messages', async (t) => {
  const { out, a } = setup();
  const x = parts('+8613800000001', TEXT, 3);
  const y = parts('+8613800000002', TEXT, 3);
  const z = parts('+8613800000001', TEXT, 3, 16);
  for (const i of [0, 1, 2]) {
    a.add(x[i]!);
    a.add(y[i]!);
    a.add(z[i]!);
  }
  t.equal(out.length, 3);
  t.ok(out.every((m) => m.complete && m.text === TEXT));
});

t.test('a single-part message passes straight through; flush hands over what waits', async (t) => {
  const { out, a } = setup();
  const pdu = bytesToHex(encodeDeliver({ from: '10086', text: 'hi', alphabet: 'gsm7', timestamp: new Date(0), offsetMinutes: 0 }));
  a.add({ index: 1, pdu, message: decodeIncoming(pdu) as SmsDeliver });
  t.equal(out[0]?.text, 'hi');
  a.add(parts('+8613800138000', TEXT, 1)[1]!);
  a.flush();
  t.equal(out.length, 2);
  t.same(out[1]!.missing, [1, 3]);
});
