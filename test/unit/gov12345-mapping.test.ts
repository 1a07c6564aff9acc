// Field mapping of 12345 work orders (firmware-agent/gov12345/mapping.ts), as properties: for any injective
// renaming of the fields and any code tables, what the box sends maps back to exactly what it meant; a field
// name or code outside the configuration is refused with its documented code, never taken silently.
import fc from 'fast-check';
import t from 'tap';
import { AppError } from '../../firmware-agent/errors.js';
import { type CanonicalField, type Gov12345Platform, canonicalFields } from '../../firmware-agent/gov12345/config.js';
import { checkOrder, fromPlatform, toPlatform, type Order } from '../../firmware-agent/gov12345/mapping.js';

const types = ['inquiry', 'suggestion', 'complaint'];
const sats = ['satisfied', 'neutral', 'unsatisfied'];

const platformArb = fc
  .record({
    names: fc.uniqueArray(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/), { minLength: canonicalFields.length, maxLength: canonicalFields.length }),
    rename: fc.array(fc.boolean(), { minLength: canonicalFields.length, maxLength: canonicalFields.length }),
    typeCodes: fc.uniqueArray(fc.stringMatching(/^[0-9A-Z]{1,3}$/), { minLength: 3, maxLength: 3 }),
    satCodes: fc.uniqueArray(fc.stringMatching(/^[0-9A-Z]{1,3}$/), { minLength: 3, maxLength: 3 }),
  })
  .filter((p) => {
    // Injective over the names actually used: a renamed field must not take another field's own name.
    const used = canonicalFields.map((f, i) => (p.rename[i] ? p.names[i]! : f));
    return new Set(used).size === used.length;
  })
  .map(
    (p): Gov12345Platform => ({
      id: 'p',
      name: 'P',
      url: 'http://x',
      account: 'a',
      secret: 's'.repeat(32),
      enabled: true,
      fields: Object.fromEntries(canonicalFields.flatMap((f, i) => (p.rename[i] ? [[f, p.names[i]!]] : []))) as Partial<Record<CanonicalField, string>>,
      codes: { type: Object.fromEntries(types.map((c, i) => [c, p.typeCodes[i]!])), satisfaction: Object.fromEntries(sats.map((c, i) => [c, p.satCodes[i]!])) },
      defaultRegion: null,
      defaultDomain: 'other',
    }),
  );

const transferArb = fc.record(
  {
    ref: fc.stringMatching(/^[\x21-\x7e]{1,64}$/),
    type: fc.constantFrom(...types),
    subject: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim() !== ''),
    description: fc.string({ minLength: 1, maxLength: 500 }).filter((s) => s.trim() !== ''),
    region: fc.stringMatching(/^\d{6}$/),
    callerPhone: fc.stringMatching(/^1[3-9]\d{9}$/),
    location: fc.string({ maxLength: 200 }),
  },
  { requiredKeys: ['ref', 'type', 'subject', 'description'] },
);

t.test('an order survives the trip through any platform’s names and codes', async () => {
  fc.assert(
    fc.property(platformArb, transferArb, (p, order) => {
      const wire = toPlatform(order as Order, p);
      const back = fromPlatform(JSON.parse(JSON.stringify(wire)) as Record<string, unknown>, p);
      checkOrder('order.transfer', back);
      return JSON.stringify(back) === JSON.stringify(order);
    }),
    { numRuns: 300 },
  );
});

t.test('a field name the mapping does not know, or a code outside the tables, is refused', async () => {
  fc.assert(
    fc.property(platformArb, fc.string({ minLength: 1, maxLength: 20 }), (p, name) => {
      const known = new Set(canonicalFields.map((f) => p.fields[f] ?? f));
      fc.pre(!known.has(name));
      try {
        fromPlatform({ [name]: 'x' }, p);
        return false;
      } catch (err) {
        return err instanceof AppError && err.code === 'validation-failed';
      }
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(platformArb, fc.string({ minLength: 1, maxLength: 5 }), (p, code) => {
      fc.pre(!Object.values(p.codes.satisfaction!).includes(code) && !sats.includes(code));
      try {
        fromPlatform({ [p.fields.satisfaction ?? 'satisfaction']: code }, p);
        return false;
      } catch (err) {
        return err instanceof AppError && err.code === 'gov12345-code-unknown';
      }
    }),
    { numRuns: 200 },
  );
});

t.test('checkOrder names the field that breaks the rules', async (t) => {
  const ok = { ref: 'R1', type: 'complaint', subject: 's', description: 'd' };
  const field = (kind: 'order.transfer' | 'order.result' | 'order.visit', o: Order) => {
    try {
      checkOrder(kind, o);
      return null;
    } catch (err) {
      return (err as AppError).details?.field;
    }
  };
  t.equal(field('order.transfer', ok), null);
  t.equal(field('order.transfer', { ...ok, subject: ' ' }), 'subject');
  t.equal(field('order.transfer', { ...ok, region: '62300' }), 'region');
  t.equal(field('order.transfer', { ...ok, text: 'x' }), 'text', 'a field of another kind');
  t.equal(field('order.result', { ref: 'R1' }), 'text');
  t.equal(field('order.visit', { ref: 'R 1', satisfaction: 'satisfied' }), 'ref');
  t.equal(field('order.result', { ref: 'R1', text: 'x', handledAt: 'yesterday' }), 'handledAt');
});
