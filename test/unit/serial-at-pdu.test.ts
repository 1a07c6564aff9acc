// PDU codec against published vectors. Sources:
//  [DF]   "SMS and the PDU format", dreamfabric.com (Lars Pettersson), the widely reproduced
//         "hellohello" SMS-DELIVER and SMS-SUBMIT examples.
//  [AOSP] Android Open Source Project, frameworks/base telephony/tests/.../GsmSmsTest.java
//         (testAddressing, testUcs2, testMultipart, testExtendedCharacterTable, testCPHSVoiceMail,
//         testFragmentText) — PDUs captured from networks, used as decoding vectors.
//  [NG]   alt.cellular.gsm, "change SMS id" thread: the reply-address UDH example
//         190A22080B912143658709F180B2CBE17919242FC3D979 ("Please reply" after 13 septets of header).
//  [23.040] 3GPP TS 23.040 field layouts (§9.2.2.1 DELIVER, §9.2.2.2 SUBMIT, §9.2.2.3 STATUS-REPORT).
//  SMS-SUBMIT encoding, byte for byte, against PDUs published by others (so a bug shared by our encoder
//  and decoder cannot hide behind a round trip):
//  [PPMY] "中文PDU短信" worked example, ppmy.cn/news/172198.html ("以一个实例来解说AT指令发送PDU短信的全过程"):
//         text 工作愉快！ to +8613902433649 via SMSC +8613800100500; the article builds the PDU in steps:
//         SCA 0891683108100005F0, then 11000D91683109423346F9, then 000800 (PID, DCS UCS2, VP 00), then
//         0A5DE54F5C61095FEBFF01 (UDL and UCS2 text); AT+CMGS=25 for the same layout with another number in
//         a copy of the article (test.internet-directory.com/showthread.php?t=1232076).
//  [NSP]  futomi/node-sms-pdu README v0.0.2 (2020-01-27), "Quick Start": generateSubmit('09012345678', …)
//         with no SCA, no TP-VP, SRR off: "How are you doing?" (7-bit), こんにちわ (UCS2), and the three
//         concatenated parts of the Wikipedia "SMS" paragraph (reference 0; part 3 printed in full, parts
//         1 and 2 as a prefix ending in "…").
//  [LXC]  "PDU 模式发送长短信" module note, lanxicy.com/read/ef33d3c8fdee354b157068ac.html: the user data
//         of a two-part UCS2 message with reference 0x39, 0500033902014F60597D3002 (你好。) and
//         0500033902028BF77A0D5019 (请稍候).
import t from 'tap';
import {
  decodeIncoming,
  tryDecodeIncoming,
  encodeSubmit,
  decodeSubmitBytes,
  encodeDeliver,
  encodeStatusReport,
  hexToBytes,
  bytesToHex,
  packSeptets,
  textToSeptets,
  splitText,
  type SmsDeliver,
  type SmsStatusReport,
} from '../../drivers/serial-at/pdu/index.js';
import { isSerialAtError, SerialAtErrorCodes } from '../../drivers/serial-at/errors.js';
import { buildConcatUdh } from '../../drivers/serial-at/pdu/udh.js';
import { encodeUserData } from '../../drivers/serial-at/pdu/user-data.js';

const deliver = (hex: string): SmsDeliver => {
  const p = decodeIncoming(hex);
  if (p.type !== 'deliver') throw new Error('expected deliver');
  return p;
};

t.test('[DF] "hellohello" packs to E8329BFD4697D9EC37', async (t) => {
  t.equal(bytesToHex(packSeptets(textToSeptets('hellohello'))), 'E8329BFD4697D9EC37');
});

t.test('[DF] SMS-DELIVER hellohello decodes every field', async (t) => {
  const m = deliver('07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37');
  t.equal(m.smsc?.value, '+27381000015');
  t.equal(m.originator.value, '27838890001');
  t.equal(m.text, 'hellohello');
  t.equal(m.dcs.alphabet, 'gsm7');
  t.equal(m.timestamp.iso, '1999-03-29T15:16:59+02:00');
  t.equal(m.timestamp.date.toISOString(), '1999-03-29T13:16:59.000Z');
});

t.test('[DF] SMS-SUBMIT hellohello encodes byte for byte', async (t) => {
  const [part, ...rest] = encodeSubmit('+46708251358', 'hellohello', { statusReport: false, validityMinutes: 4 * 24 * 60 });
  t.same(rest, []);
  t.equal(part!.hex, '0011000B916407281553F80000AA0AE8329BFD4697D9EC37');
  t.equal(part!.tpduLength, 23);
});

t.test('[PPMY] SMS-SUBMIT of a Chinese text in UCS2, with an SMSC, encodes byte for byte', async (t) => {
  const [part, ...rest] = encodeSubmit('+8613902433649', '工作愉快！', { statusReport: false, validityMinutes: 5, smsc: '+8613800100500' });
  t.same(rest, []);
  t.equal(part!.hex, '0891683108100005F0' + '11000D91683109423346F9' + '000800' + '0A5DE54F5C61095FEBFF01');
  t.equal(part!.tpduLength, 25, 'AT+CMGS=25');
});

t.test('[NSP] SMS-SUBMIT without TP-VP: 7-bit and UCS2 encode byte for byte', async (t) => {
  const opts = { statusReport: false, noValidity: true };
  const [ascii] = encodeSubmit('09012345678', 'How are you doing?', opts);
  t.equal(ascii!.hex, '0001000B819010325476F8000012C8F71D14969741F9771D447EA7DDE71F');
  t.equal(ascii!.tpduLength, 29);
  const [ja] = encodeSubmit('09012345678', 'こんにちわ', opts);
  t.equal(ja!.hex, '0001000B819010325476F800080A30533093306B3061308F');
  t.equal(ja!.tpduLength, 23);
});

t.test('[NSP] a three-part concatenated SMS-SUBMIT encodes byte for byte (header, fill bit, last part)', async (t) => {
  const text =
    'SMS (short message service) is a text messaging service component of most telephone, Internet, and mobile device systems. ' +
    'It uses standardized communication protocols to enable mobile devices to exchange short text messages. ' +
    'An intermediary service can facilitate a text-to-voice conversion to be sent to landlines.';
  const parts = encodeSubmit('09012345678', text, { statusReport: false, noValidity: true, reference: 0 });
  t.equal(parts.length, 3);
  t.ok(parts[0]!.hex.startsWith('0041000B819010325476F80000A0050003000301A6CD29083547BFE57450BB'), 'part 1 as published (prefix)');
  t.ok(parts[1]!.hex.startsWith('0041000B819010325476F80000A0050003000302D26F37082E7FD3DFE3377B'), 'part 2 as published (prefix)');
  t.equal(parts[2]!.hex, '0041000B819010325476F8000010050003000303C26E323BED2ECF5D', 'part 3 as published');
  t.same(parts.map((p) => p.tpduLength), [153, 153, 27]);
});

t.test('[LXC] UCS2 user data with a concatenation header encodes byte for byte, and such a SUBMIT decodes', async (t) => {
  const header = (sequence: number) => buildConcatUdh({ reference: 0x39, referenceBits: 8, total: 2, sequence });
  t.equal(bytesToHex(encodeUserData('ucs2', '你好。', header(1))), '0C' + '0500033902014F60597D3002');
  t.equal(bytesToHex(encodeUserData('ucs2', '请稍候', header(2))), '0C' + '0500033902028BF77A0D5019');
  // A part-2 SUBMIT put together from [NSP]'s header fields (UDHI set, no VP) and [LXC]'s user data.
  const d = decodeSubmitBytes(hexToBytes('0041000B819010325476F80008' + '0C' + '0500033902028BF77A0D5019'));
  t.same(d.concat, { reference: 0x39, referenceBits: 8, total: 2, sequence: 2 });
  t.equal(d.text, '请稍候');
  t.equal(d.dcs.alphabet, 'ucs2');
  t.equal(d.destination.value, '09012345678');
});

t.test('[AOSP testAddressing] international addresses and a negative time zone', async (t) => {
  const m = deliver('07914151551512f2040B916105551511f100006060605130308A04D4F29C0E');
  t.equal(m.smsc?.value, '+14155551212');
  t.equal(m.originator.value, '+16505551111');
  t.equal(m.originator.ton, 'international');
  t.equal(m.text, 'Test');
  t.equal(m.timestamp.offsetMinutes, -7 * 60);
  t.equal(m.timestamp.iso, '2006-06-06T15:03:03-07:00');
});

t.test('[AOSP testUcs2] UCS2 body', async (t) => {
  const m = deliver('07912160130300F4040B914151245584F600087010807121352B10212200A900AE00680065006C006C006F');
  t.equal(m.dcs.alphabet, 'ucs2');
  t.equal(m.text, '\u2122\u00a9\u00aehello');
});

t.test('[AOSP testMultipart] 7-bit concatenated parts with IEI 0x00 and fill bits', async (t) => {
  const p1 = deliver(
    '07916163838408F6440B816105224431F700007060217175830AA0050003' +
      '00020162B1582C168BC562B1582C168BC562B1582C168BC562B1582C' +
      '168BC562B1582C168BC562B1582C168BC562B1582C168BC562B1582C' +
      '168BC562B1582C168BC562B1582C168BC562B1582C168BC562B1582C' +
      '168BC562B1582C168BC562B1582C168BC562B1582C168BC562B1582C' +
      '168BC562B1582C168BC562B1582C168BC562B1582C168BC562',
  );
  t.same(p1.concat, { reference: 0, referenceBits: 8, total: 2, sequence: 1 });
  t.equal(p1.text, '1'.repeat(153));
  const p2 = deliver('07916163838408F6440B816105224431F700007060217185000A23050003' + '00020262B1582C168BC96432994C2693C96432994C2693C96432990C');
  t.same(p2.concat, { reference: 0, referenceBits: 8, total: 2, sequence: 2 });
  t.equal(p2.text, '1111111222222222222222222222');
});

t.test('[AOSP testExtendedCharacterTable] escape sequences to the extension table', async (t) => {
  const m = deliver(
    '07914151551512f2040B916105551511f100006080615131728A44D4F29C0E2' +
      'AE3E96537B94C068DD16179784C2FCB41F4B0985D06B958ADD00FB0E94536AF9749' +
      '74DA6D281BA00E95E26D509B946FC3DBF87A25D56A04',
  );
  t.equal(m.text, 'Test extended character table .,-!?@~_\\/&"\';^|:()<{}>[]=%*+#');
});

t.test('[AOSP testCPHSVoiceMail] alphanumeric originator', async (t) => {
  const m = deliver('07912160130310F20404D0110041006060627171118A0120');
  t.equal(m.originator.ton, 'alphanumeric');
  t.equal(m.originator.value, '_@');
  t.equal(m.text, ' ');
});

t.test('[NG] a non-concatenation UDH element is kept and the text starts after the fill bits', async (t) => {
  // SCA none, first octet 0x44 (MTI 00, MMS, UDHI), OA +12345678901 (from the element itself),
  // PID 00, DCS 00, SCTS 2026-11-28 12:00:00 +08:00, then the published UDL+UD.
  const m = deliver('0044' + '0B912143658709F1' + '0000' + '62118221000023' + '190A22080B912143658709F180B2CBE17919242FC3D979');
  t.equal(m.text, 'Please reply');
  t.equal(m.udh[0]?.iei, 0x22);
  t.equal(m.concat, undefined);
  t.equal(m.timestamp.iso, '2026-11-28T12:00:00+08:00');
});

t.test('[AOSP testFragmentText] 160 septets fit one part, 161 split 153 + 8', async (t) => {
  const digits = '1234567890'.repeat(16);
  t.equal(splitText(digits, 'gsm7').length, 1);
  const parts = splitText(digits + '1', 'gsm7');
  t.same(parts.map((p) => p.length), [153, 8]);
});

t.test('UCS2 parts hold 67 characters; a 70-character Chinese text is one part', async (t) => {
  const zh = '交通运输服务监督电话'; // 10 characters
  t.equal(encodeSubmit('13800138000', zh.repeat(7)).length, 1);
  const parts = encodeSubmit('13800138000', zh.repeat(7) + '。', { reference: 7 });
  t.equal(parts.length, 2);
  const decoded = parts.map((p) => decodeSubmitBytes(hexToBytes(p.hex)));
  t.same(decoded.map((d) => d.text.length), [67, 4]);
  t.same(decoded.map((d) => d.concat), [
    { reference: 7, referenceBits: 8, total: 2, sequence: 1 },
    { reference: 7, referenceBits: 8, total: 2, sequence: 2 },
  ]);
  t.equal(decoded.map((d) => d.text).join(''), zh.repeat(7) + '。');
  t.equal(decoded[0]!.destination.value, '13800138000');
  t.ok(decoded[0]!.statusReportRequest, 'status report requested by default');
  t.equal(parts[0]!.tpduLength, hexToBytes(parts[0]!.hex).length - 1);
});

t.test('[23.040 §9.1.2.5] a national number keeps its type of number; 0xA1 = national, E.164', async (t) => {
  const [p] = encodeSubmit({ value: '13800138000', ton: 'national' }, 'x', { statusReport: false });
  const d = decodeSubmitBytes(hexToBytes(p!.hex));
  t.equal(d.destination.ton, 'national');
  t.equal(d.destination.value, '13800138000');
  t.equal(p!.hex.slice(6, 10), '0BA1', 'length 11 digits, type 0xA1');
  const [q] = encodeSubmit('10086', 'x', { statusReport: false });
  t.equal(hexToBytes(q!.hex)[4], 0x81, 'a plain short number is "unknown" type, E.164 plan');
});

t.test('a surrogate pair is never cut between parts', async (t) => {
  const text = '好'.repeat(66) + '😀' + '好'.repeat(10); // 78 UTF-16 units: two parts
  const parts = encodeSubmit('+8613800138000', text);
  const decoded = parts.map((p) => decodeSubmitBytes(hexToBytes(p.hex)).text);
  t.equal(decoded[0]!.length, 66);
  t.equal(decoded.join(''), text);
});

t.test('a 16-bit reference takes one more header octet: 66 UCS2 characters per part', async (t) => {
  const parts = encodeSubmit('13800138000', '好'.repeat(140), { reference: 0x1234, reference16: true });
  const decoded = parts.map((p) => decodeSubmitBytes(hexToBytes(p.hex)));
  t.same(decoded.map((d) => d.text.length), [66, 66, 8]);
  t.same(decoded[0]!.concat, { reference: 0x1234, referenceBits: 16, total: 3, sequence: 1 });
});

t.test('16-bit reference (IEI 0x08) round-trips through SMS-DELIVER', async (t) => {
  const bytes = encodeDeliver({
    from: '+8613912345678',
    text: '第二部分',
    alphabet: 'ucs2',
    timestamp: new Date('2026-11-28T04:05:06Z'),
    offsetMinutes: 480,
    concat: { reference: 0x1234, referenceBits: 16, total: 3, sequence: 2 },
  });
  const m = deliver(bytesToHex(bytes));
  t.same(m.concat, { reference: 0x1234, referenceBits: 16, total: 3, sequence: 2 });
  t.equal(m.text, '第二部分');
  t.equal(m.originator.value, '+8613912345678');
  t.equal(m.timestamp.iso, '2026-11-28T12:05:06+08:00');
  t.equal(bytesToHex(bytes).slice(0, 4), '0044');
});

t.test('7-bit DELIVER with a concatenation header round-trips with fill bits', async (t) => {
  const text = 'Ticket 6230002026112800042 {status}: €5 ~ [ok]';
  const bytes = encodeDeliver({
    from: { value: '12328', ton: 'alphanumeric' },
    text,
    alphabet: 'gsm7',
    timestamp: new Date('2026-01-01T00:00:00Z'),
    offsetMinutes: -150,
    concat: { reference: 200, referenceBits: 8, total: 2, sequence: 1 },
  });
  const m = deliver(bytesToHex(bytes));
  t.equal(m.text, text);
  t.equal(m.originator.value, '12328');
  t.equal(m.timestamp.offsetMinutes, -150);
});

t.test('[23.040 §9.2.2.3] SMS-STATUS-REPORT decodes reference, recipient and outcome', async (t) => {
  const hex = bytesToHex(
    encodeStatusReport({
      messageReference: 0x2a,
      recipient: '+8613800138000',
      scTimestamp: new Date('2026-11-28T04:00:00Z'),
      dischargeTime: new Date('2026-11-28T04:00:07Z'),
      offsetMinutes: 480,
      status: 0,
    }),
  );
  // 00 SCA | 06 first octet (MTI 10) | 2A TP-MR | 0D 91 683108108300F0 TP-RA | SCTS | DT | 00 TP-ST
  t.equal(hex.slice(0, 24), '00062A0D91683108108300F0');
  const r = decodeIncoming(hex) as SmsStatusReport;
  t.equal(r.type, 'status-report');
  t.equal(r.messageReference, 42);
  t.equal(r.recipient.value, '+8613800138000');
  t.equal(r.outcome, 'delivered');
  t.equal(r.dischargeTime.iso, '2026-11-28T12:00:07+08:00');
  t.equal(decodeIncoming(hex.slice(0, -2) + '41').type === 'status-report' && (decodeIncoming(hex.slice(0, -2) + '41') as SmsStatusReport).outcome, 'failed');
});

t.test('every truncation of every vector is a typed error, never a crash', async (t) => {
  const vectors = [
    '07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37',
    '07912160130300F4040B914151245584F600087010807121352B10212200A900AE00680065006C006C006F',
    '07916163838408F6440B816105224431F700007060217185000A23050003' + '00020262B1582C168BC96432994C2693C96432994C2693C96432990C',
    '0044' + '0B912143658709F1' + '0000' + '62118221000023' + '190A22080B912143658709F180B2CBE17919242FC3D979',
  ];
  for (const v of vectors) {
    t.ok(tryDecodeIncoming(v).ok, 'whole vector decodes');
    for (let n = 0; n < v.length; n++) {
      const r = tryDecodeIncoming(v.slice(0, n));
      if (r.ok) t.fail(`prefix of ${n} hex digits decoded`);
      else if (!isSerialAtError(r.error)) t.fail('untyped error');
    }
  }
  const odd = tryDecodeIncoming('0791');
  t.equal(odd.ok, false);
  if (!odd.ok) t.equal(odd.error.code, SerialAtErrorCodes.PduTruncated);
});

t.test('random garbage never throws out of tryDecodeIncoming', async (t) => {
  let seed = 12328;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 2000; i++) {
    const len = Math.floor(rnd() * 60);
    const bytes = Uint8Array.from({ length: len }, () => Math.floor(rnd() * 256));
    t.doesNotThrow(() => tryDecodeIncoming(bytesToHex(bytes)));
  }
  const nonHex = tryDecodeIncoming('07ZZ');
  t.equal(nonHex.ok, false);
  if (!nonHex.ok) t.equal(nonHex.error.code, SerialAtErrorCodes.PduMalformed);
});

t.test('a length announced by the modem but not delivered is PduTruncated', async (t) => {
  const r = tryDecodeIncoming('07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37', 40);
  t.equal(r.ok, false);
  if (!r.ok) t.equal(r.error.code, SerialAtErrorCodes.PduTruncated);
});
