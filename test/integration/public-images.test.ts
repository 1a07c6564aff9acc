// The photo checks and the rate limiter of the public intake on their own, under fast-check: any bytes are
// either a cleaned JPEG/PNG without metadata or a PhotoError (never another exception); the limiter's map
// stays bounded and refuses, rather than forgets, when full; windows follow the given (simulated) clock.
import fc from 'fast-check';
import t from 'tap';
import { cleanPhoto, PhotoError, sniff } from '../../firmware-agent/public/images.js';
import { RateLimiter } from '../../firmware-agent/public/limiter.js';
import { jpegWithMetadata, pngWithMetadata } from '../fixtures/public-fixtures.js';

const secret = 'SECRET-GPS-METADATA';

t.test('cleaned photos keep no metadata; anything else is a PhotoError', async (t) => {
  for (const f of [pngWithMetadata(secret), jpegWithMetadata(secret)]) {
    const out = cleanPhoto(f);
    t.notOk(out.bytes.includes(Buffer.from(secret)), `${out.type}: metadata gone`);
    t.equal(sniff(out.bytes), out.type, 'still the same type');
    t.same(cleanPhoto(out.bytes).bytes, out.bytes, 'cleaning is idempotent');
  }
  const mutated = (base: Buffer) =>
    fc.record({ cut: fc.nat({ max: base.length }), flips: fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), v: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }), tail: fc.uint8Array({ maxLength: 40 }) }).map(({ cut, flips, tail }) => {
      const b = Buffer.from(base);
      for (const f of flips) b[f.at] = f.v;
      return Buffer.concat([b.subarray(0, cut), Buffer.from(tail)]);
    });
  fc.assert(
    fc.property(fc.oneof(mutated(pngWithMetadata(secret)), mutated(jpegWithMetadata(secret)), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))), (bytes) => {
      try {
        const out = cleanPhoto(bytes);
        return sniff(out.bytes) === out.type && out.bytes.length <= bytes.length;
      } catch (e) {
        return e instanceof PhotoError;
      }
    }),
    { numRuns: 3000 },
  );
});

t.test('the rate limiter: per-key windows on the given clock, a bounded map that fails closed', async (t) => {
  let now = 0;
  const l = new RateLimiter({ limit: 3, windowMs: 1000 }, () => now, 5);
  t.same([l.take('a'), l.take('a'), l.take('a'), l.take('a')], [true, true, true, false]);
  t.equal(l.retryAfter('a'), 1);
  now = 1000;
  t.ok(l.take('a'), 'a new window');
  for (const k of ['b', 'c', 'd', 'e']) t.ok(l.take(k));
  t.notOk(l.take('f'), 'full of live windows: a new key is refused, not another forgotten');
  t.notOk(l.take('a') && l.take('a') && l.take('a'), 'a keeps its count');
  now = 2000;
  t.ok(l.take('f'), 'expired windows make room');
  fc.assert(
    fc.property(fc.array(fc.record({ key: fc.string({ maxLength: 3 }), dt: fc.nat({ max: 700 }) }), { maxLength: 200 }), (hits) => {
      let clock = 0;
      const lim = new RateLimiter({ limit: 2, windowMs: 1000 }, () => clock, 8);
      const granted = new Map<string, number[]>();
      for (const h of hits) {
        clock += h.dt;
        if (lim.take(h.key)) granted.set(h.key, [...(granted.get(h.key) ?? []), clock]);
        if (lim.size > 8) return false;
      }
      // Fixed windows of 1000 ms, two grants each: an interval shorter than a window meets at most two windows,
      // so no five grants for one key fall within 1000 ms.
      return [...granted.values()].every((times) => times.every((ti, i) => i < 4 || ti - times[i - 4]! >= 1000));
    }),
  );
});
