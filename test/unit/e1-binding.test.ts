// The koffi binding of libpri: struct layouts match the C compiler's, and two libpri instances —
// the exchange (NETWORK) and the box (CPE) — complete a whole call over a SEQPACKET socketpair.
import t from 'tap';
import koffi from 'koffi';
import { once } from 'node:events';
import {
  EventAnswer, EventHangup, EventKeypad, EventProceeding, EventRing, EventSetupAck, EventConnectAck, PartyId,
  OFFSETS_X86_64, libpriVersion,
} from '../../drivers/e1-pri/binding/libpri.js';
import { seqpacketPair } from '../../drivers/e1-pri/binding/libc.js';
import { PriLink } from '../../drivers/e1-pri/span/pri-link.js';
import type { PriEvent } from '../../drivers/e1-pri/binding/events.js';

t.test('the event struct offsets koffi computes are the ones gcc computed from libpri.h', async (t) => {
  t.equal(process.arch, 'x64', 'offsets were measured on x86-64');
  const check = (name: string, type: Parameters<typeof koffi.offsetof>[0], want: Record<string, number>) => {
    for (const [field, off] of Object.entries(want)) {
      if (field === 'size') t.equal(koffi.sizeof(type), off, `sizeof ${name}`);
      else t.equal(koffi.offsetof(type, field), off, `${name}.${field}`);
    }
  };
  check('pri_event_ring', EventRing, OFFSETS_X86_64.ring);
  check('pri_event_hangup', EventHangup, OFFSETS_X86_64.hangup);
  check('pri_event_answer', EventAnswer, OFFSETS_X86_64.answer);
  check('pri_event_proceeding', EventProceeding, OFFSETS_X86_64.proceeding);
  check('pri_event_setup_ack', EventSetupAck, OFFSETS_X86_64.setupAck);
  check('pri_event_keypad_digit', EventKeypad, OFFSETS_X86_64.keypad);
  check('pri_event_connect_ack', EventConnectAck, OFFSETS_X86_64.connectAck);
  check('pri_party_id', PartyId, OFFSETS_X86_64.partyId);
  t.ok(koffi.sizeof(EventRing) <= OFFSETS_X86_64.eventUnion.size, 'the ring view fits in the pri_event union');
});

t.test('libpri reports its version', async (t) => {
  t.match(libpriVersion(), /^1\.\d+\.\d+/);
});

/** Collect events of one link into a queue that tests can await in order. */
function events(link: PriLink) {
  const queue: PriEvent[] = [];
  link.on('event', (e) => queue.push(e));
  return {
    async next(kind: PriEvent['kind']): Promise<PriEvent> {
      for (;;) {
        const i = queue.findIndex((e) => e.kind === kind);
        if (i >= 0) return queue.splice(i, 1)[0]!;
        await once(link, 'event');
      }
    },
  };
}

t.test('a NETWORK and a CPE instance complete a whole call over a socketpair', async (t) => {
  const [a, b] = seqpacketPair();
  const net = new PriLink({ fd: a, side: 'network', switchType: 'euroisdn_e1' });
  const cpe = new PriLink({ fd: b, side: 'cpe', switchType: 'euroisdn_e1' });
  t.teardown(() => {
    net.close();
    cpe.close();
  });
  const n = events(net);
  const c = events(cpe);
  await Promise.all([n.next('dchan_up'), c.next('dchan_up')]);
  t.pass('Q.921 multiple-frame operation established on both sides');

  const netCall = net.setup({ channel: 3, called: '12328', caller: '13800138000' });
  const ring = await c.next('ring');
  if (ring.kind !== 'ring') throw new Error('unreachable');
  t.equal(ring.callingNumber, '13800138000');
  t.equal(ring.calledNumber, '12328');
  t.equal(ring.channel & 0xff, 3);
  t.equal(ring.layer1, 0x23, 'bearer capability: A-law');
  t.ok(ring.complete, 'sending complete');

  cpe.proceeding(ring.call, 3);
  const proc = await n.next('proceeding');
  t.equal((proc as { call: bigint }).call, netCall, 'the exchange sees CALL PROCEEDING on its call');
  cpe.acknowledge(ring.call, 3, true);
  const ringing = await n.next('ringing');
  t.ok(((ringing as { progressMask: number }).progressMask & 8) !== 0, 'ALERTING carries in-band progress');
  cpe.answer(ring.call, 3);
  await n.next('answer');
  t.pass('CONNECT reached the exchange');

  net.hangup(netCall, 16);
  const req = await c.next('hangup_req');
  t.equal((req as { cause: number }).cause, 16, 'DISCONNECT with Q.850 cause 16');
  cpe.hangup(ring.call, 16);
  const rel = await n.next('hangup');
  t.equal((rel as { cause: number }).cause, 16);
  net.hangup(netCall, 16); // frees the exchange's call after RELEASE (libpri's convention)
  await c.next('hangup_ack');
  t.pass('RELEASE COMPLETE closed the call on the box side');
});

t.test('the box side clears first with a cause the exchange receives', async (t) => {
  const [a, b] = seqpacketPair();
  const net = new PriLink({ fd: a, side: 'network', switchType: 'euroisdn_e1' });
  const cpe = new PriLink({ fd: b, side: 'cpe', switchType: 'euroisdn_e1' });
  t.teardown(() => {
    net.close();
    cpe.close();
  });
  const n = events(net);
  const c = events(cpe);
  await Promise.all([n.next('dchan_up'), c.next('dchan_up')]);
  net.setup({ channel: 17, called: '12328', caller: '13900000000' });
  const ring = (await c.next('ring')) as Extract<PriEvent, { kind: 'ring' }>;
  cpe.proceeding(ring.call, 17);
  cpe.answer(ring.call, 17);
  await n.next('answer');
  cpe.hangup(ring.call, 21);
  const req = (await n.next('hangup_req')) as { cause: number; call: bigint };
  t.equal(req.cause, 21, 'call rejected (Q.850 21)');
  net.hangup(req.call, req.cause);
  const rel = (await c.next('hangup')) as { call: bigint; cause: number };
  cpe.hangup(rel.call, rel.cause);
  await n.next('hangup_ack');
});

t.test('an outgoing call from the box on a busy number ends with cause 17', async (t) => {
  const [a, b] = seqpacketPair();
  const net = new PriLink({ fd: a, side: 'network', switchType: 'euroisdn_e1' });
  const cpe = new PriLink({ fd: b, side: 'cpe', switchType: 'euroisdn_e1' });
  t.teardown(() => {
    net.close();
    cpe.close();
  });
  const n = events(net);
  const c = events(cpe);
  await Promise.all([n.next('dchan_up'), c.next('dchan_up')]);
  cpe.setup({ channel: 31, called: '12306', caller: '12328' });
  const ring = (await n.next('ring')) as Extract<PriEvent, { kind: 'ring' }>;
  t.equal(ring.callingNumber, '12328');
  net.proceeding(ring.call, 31);
  net.hangup(ring.call, 17);
  const req = (await c.next('hangup_req')) as { call: bigint; cause: number };
  t.equal(req.cause, 17);
  cpe.hangup(req.call, 17);
  const rel = (await n.next('hangup')) as { call: bigint; cause: number };
  net.hangup(rel.call, rel.cause);
});

t.test('the link reports transport loss when the far end closes the socket', async (t) => {
  const [a, b] = seqpacketPair();
  const net = new PriLink({ fd: a, side: 'network', switchType: 'euroisdn_e1' });
  const cpe = new PriLink({ fd: b, side: 'cpe', switchType: 'euroisdn_e1' });
  t.teardown(() => cpe.close());
  const down = once(cpe, 'transportDown');
  net.close();
  const [reason] = await down;
  t.match(reason, /closed/);
});
