// Origin signatures (network/origin.ts) as properties: any batch signed by signOwn verifies message by
// message after a JSON round trip, one altered byte of a body fails, and the text a receiver keeps to pass a
// verified envelope on (envelopeText) is exactly the envelope's own serialisation.
import fc from 'fast-check';
import t from 'tap';
import { originKey, originLookup, signedBatch } from '../helpers/origin.js';
import { type Envelope, newEnvelope } from '../../firmware-agent/network/messages.js';
import { envelopeText, signOwn, signOwnBytes, verifyOrigin } from '../../firmware-agent/network/origin.js';

const key = originKey;
const lookup = originLookup;
const body = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 })), { maxKeys: 6 });
const batch = fc.array(body, { minLength: 1, maxLength: 40 });
const signed = signedBatch;

t.test('a signed batch verifies after a JSON round trip, and the kept text is the envelope’s own', async (t) => {
  fc.assert(
    fc.property(batch, (bodies) => {
      const verified = new Map<string, Set<string>>();
      for (const [i, text] of signed(bodies).entries()) {
        const env = JSON.parse(text) as Envelope;
        verifyOrigin(env, i, lookup, verified);
        if (envelopeText(env) !== text || envelopeText(env) !== JSON.stringify(env)) throw new Error(`message ${i}: kept text differs`);
      }
      return true;
    }),
    { numRuns: 60 },
  );
  t.pass('verified');
});

t.test('a body altered after signing fails its origin check, and nothing is kept for it', async (t) => {
  fc.assert(
    fc.property(batch, fc.nat(), (bodies, pick) => {
      const texts = signed(bodies);
      const i = pick % texts.length;
      const env = JSON.parse(texts[i]!) as Envelope<Record<string, unknown>>;
      env.body = { ...env.body, altered: true };
      let refused = '';
      try {
        verifyOrigin(env, i, lookup, new Map());
      } catch (err) {
        refused = (err as { code?: string }).code ?? '';
      }
      return refused === 'exchange-origin-signature-invalid' && envelopeText(env) === JSON.stringify(env);
    }),
    { numRuns: 60 },
  );
  t.pass('refused');
});

t.test('signed as bytes (the push) or as text (the pull), a batch comes out the same, byte for byte', async (t) => {
  const text = fc.string({ unit: 'grapheme', maxLength: 30 });
  const anyBody = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(text, fc.constant('出租车拒载，要求处理'), fc.integer()), { maxKeys: 6 });
  fc.assert(
    fc.property(fc.array(anyBody, { minLength: 1, maxLength: 30 }), fc.nat({ max: 3 }), (bodies, foreign) => {
      // Some envelopes written by another box (not signed here), some already signed: both pass unchanged.
      const texts = bodies.map((b, i) => JSON.stringify(newEnvelope('stats.daily', i < foreign ? '620000' : '623000', '^', new Date('2026-12-05T08:00:00Z'), b)));
      const asText = signOwn(texts, '623000', key.privateKey, key.publicKey);
      const asBytes = signOwnBytes(texts.map((s) => Buffer.from(s)), '623000', key.privateKey, key.publicKey);
      if (!Buffer.from(asText.join('\n')).equals(Buffer.concat(asBytes.flatMap((b, i) => (i ? [Buffer.from('\n'), b] : [b]))))) throw new Error('bytes and text differ');
      const again = signOwnBytes(asBytes, '623000', key.privateKey, key.publicKey);
      if (again.some((b, i) => !b.equals(asBytes[i]!))) throw new Error('an envelope already signed was signed again');
      return true;
    }),
    { numRuns: 80 },
  );
  t.pass('same bytes');
});
