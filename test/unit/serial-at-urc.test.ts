import t from 'tap';
import { UrcParser, splitParams } from '../../drivers/serial-at/parsers/urc.js';

t.test('+CMTI names storage and index (TS 27.005 §3.4.1)', async (t) => {
  t.same(new UrcParser().parse('+CMTI: "SM",12'), { type: 'cmti', storage: 'SM', index: 12 });
  t.same(new UrcParser().parse('+CDSI: "SR",3'), { type: 'cdsi', storage: 'SR', index: 3 });
  t.equal(new UrcParser().parse('+CMTI: "SM",x'), undefined);
});

t.test('+CDS is two lines: header then PDU', async (t) => {
  const p = new UrcParser();
  t.equal(p.parse('+CDS: 25'), 'partial');
  t.ok(p.expectsPdu);
  t.same(p.parse('0006AB0D91683108108300F0'), { type: 'cds', length: 25, pdu: '0006AB0D91683108108300F0' });
  t.notOk(p.expectsPdu);
});

t.test('+CMT with an empty alpha field', async (t) => {
  const p = new UrcParser();
  t.equal(p.parse('+CMT: ,24'), 'partial');
  t.same(p.parse('00AB'), { type: 'cmt', length: 24, pdu: '00AB' });
});

t.test('RING, +CRING and +CLIP with CLI validity (TS 27.007 §7.6)', async (t) => {
  const p = new UrcParser();
  t.same(p.parse('RING'), { type: 'ring' });
  t.same(p.parse('+CRING: VOICE'), { type: 'ring' });
  t.same(p.parse('+CLIP: "+8613800138000",145,"",0,"",0'), { type: 'clip', number: '+8613800138000', toa: 145, validity: 0 });
  t.same(p.parse('+CLIP: "",128,"",0,"",1'), { type: 'clip', number: '', toa: 128, validity: 1 });
  t.same(p.parse('+CLIP: "13800138000",129'), { type: 'clip', number: '13800138000', toa: 129, validity: 0 });
});

t.test('call end, DTMF and restart notices', async (t) => {
  const p = new UrcParser();
  t.same(p.parse('NO CARRIER'), { type: 'call-ended', reason: 'no-carrier' });
  t.same(p.parse('+DTMF: 5'), { type: 'dtmf', digit: '5' });
  t.same(p.parse('+QTONEDET: 35'), { type: 'dtmf', digit: '#' });
  t.equal(p.parse('+DTMF: Z'), undefined);
  t.same(p.parse('RDY'), { type: 'modem-restarted', text: 'RDY' });
  t.same(p.parse('+CREG: 1,"1A2B","01C3"'), { type: 'creg', stat: 1 });
});

t.test('anything else is not a URC', async (t) => {
  const p = new UrcParser();
  for (const l of ['OK', '+CSQ: 20,99', '+CMGS: 4', 'xx\u00ff', '0791']) t.equal(p.parse(l), undefined, l);
});

t.test('parameters split on commas outside quotes', async (t) => {
  t.same(splitParams('"a,b",129,,"c"'), ['a,b', '129', '', 'c']);
});
