// The softphone's jitter buffer (firmware-agent/softphone/jitter.ts): in order whatever the network does,
// every packet accounted for, RTP's 16-bit wrap, a restarted stream.
import fc from 'fast-check';
import t from 'tap';
import { JitterBuffer } from '../../firmware-agent/softphone/jitter.js';

/** Packet i is sent at tick i and arrives `delays[i]` ticks later (or never, when null); one next() per tick. */
function run(delays: (number | null)[], depth: number, start = 0) {
  const jb = new JitterBuffer<number>({ depth });
  const arrivals = new Map<number, number[]>();
  delays.forEach((d, i) => {
    if (d !== null) arrivals.set(i + d, [...(arrivals.get(i + d) ?? []), i]);
  });
  const out: (number | undefined)[] = [];
  const last = Math.max(0, ...[...arrivals.keys()]) + depth + 2;
  for (let tick = 0; tick <= last; tick++) {
    for (const i of arrivals.get(tick) ?? []) jb.push((start + i) & 0xffff, i);
    out.push(jb.next());
  }
  return { jb, played: out.filter((x): x is number => x !== undefined), out };
}

t.test('whatever the delays and losses, packets play in order, once each, and every one is accounted for', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.option(fc.nat(6), { nil: null }), { minLength: 1, maxLength: 120 }),
      fc.integer({ min: 1, max: 5 }),
      fc.nat(0xffff),
      (delays, depth, start) => {
        const { jb, played } = run(delays, depth, start);
        for (let i = 1; i < played.length; i++) if (played[i]! <= played[i - 1]!) return false;
        const sent = delays.filter((d) => d !== null).length;
        return jb.stats.received === sent && jb.stats.played === played.length && jb.stats.played + jb.stats.late + jb.stats.overflow + jb.size === sent;
      },
    ),
  );
});

t.test('with delays below the depth nothing is lost or late', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 200 }), fc.nat(0xffff), (depth, n, start) => {
      // Each packet late by less than the buffer's depth, in any order within that.
      const delays = Array.from({ length: n }, (_, i) => (i * 7919) % depth);
      const { jb, played, out } = run(delays, depth, start);
      // No gap between the first frame played and the last (the ticks after the stream ends are gaps).
      const first = out.findIndex((x) => x !== undefined);
      const between = out.slice(first, first + n);
      return played.length === n && jb.stats.late === 0 && between.every((x) => x !== undefined);
    }),
  );
});

t.test('playout waits for the depth, then gives one frame a tick; a missing packet is one gap', async (t) => {
  const jb = new JitterBuffer<string>({ depth: 2 });
  jb.push(100, 'a');
  t.equal(jb.next(), undefined, 'filling');
  t.notOk(jb.playing);
  jb.push(101, 'b');
  t.equal(jb.next(), 'a');
  jb.push(103, 'd');
  t.equal(jb.next(), 'b');
  t.equal(jb.next(), undefined, '102 never came: a gap');
  t.equal(jb.next(), 'd');
  jb.push(102, 'c');
  t.equal(jb.stats.late, 1, '102 after its turn is dropped');
  t.same(jb.stats, { received: 4, played: 3, gaps: 1, late: 1, overflow: 0, restarts: 0 });
});

t.test('sequence numbers wrap at 65535', async (t) => {
  const { played } = run(Array.from({ length: 20 }, () => 0), 2, 65530);
  t.same(played, Array.from({ length: 20 }, (_, i) => i));
});

t.test('a stream that restarts far away starts the buffer again', async (t) => {
  const jb = new JitterBuffer<number>({ depth: 1 });
  jb.push(10, 10);
  t.equal(jb.next(), 10);
  jb.push(40_000, 1);
  jb.push(40_001, 2);
  t.equal(jb.next(), 1);
  t.equal(jb.next(), 2);
  t.equal(jb.stats.restarts, 1);
});

t.test('a browser running ahead fills the buffer to its capacity, then its oldest packets go', async (t) => {
  const jb = new JitterBuffer<number>({ depth: 2, capacity: 5 });
  for (let i = 0; i < 8; i++) jb.push(i, i);
  t.equal(jb.size, 5);
  t.equal(jb.stats.overflow, 3);
  t.equal(jb.next(), 3, 'playout goes on from the oldest kept');
});
