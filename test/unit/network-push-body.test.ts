// A pushed batch cut at its envelopes (network/push-body.ts) and verified from the texts it was parsed from
// (origin.ts): properties over arbitrary envelopes and arbitrary bytes.
import fc from 'fast-check';
import t from 'tap';
import { originLookup, signedBatch } from '../helpers/origin.js';
import type { Envelope } from '../../firmware-agent/network/messages.js';
import { envelopeText, keepReceivedText, verifyOrigin } from '../../firmware-agent/network/origin.js';
import { splitPush } from '../../firmware-agent/network/push-body.js';

const lookup = originLookup;
// Strings with what makes JSON scanning hard: quotes, backslashes (runs of them before a quote), braces and
// brackets inside strings, Chinese text, control characters (escaped by JSON.stringify).
const tricky = fc.stringMatching(/^[{}[\]",:\\av\u0001中文]{0,12}$/);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, tricky, fc.string({ unit: 'grapheme', maxLength: 10 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(tricky, tie('v'), { maxKeys: 3 })),
})).v;
const body = fc.dictionary(tricky, value, { maxKeys: 5 });
const pushBody = (texts: string[]) => Buffer.from(`{"from":"623000","messages":[${texts.join(',')}]}`);
const signed = signedBatch;

t.test('a push is cut exactly at its envelopes, whatever their strings hold', async (t) => {
  fc.assert(
    fc.property(fc.array(body, { maxLength: 12 }), (bodies) => {
      const texts = bodies.map((b) => JSON.stringify(b));
      const split = splitPush(pushBody(texts));
      if (!split) throw new Error('not split');
      if (split.from !== '623000') throw new Error('from');
      if (split.texts.length !== texts.length || split.texts.some((x, i) => x !== texts[i])) throw new Error('texts differ');
      // Each envelope parsed from its own text is what parsing the body whole gives.
      if (JSON.stringify(split.messages) !== JSON.stringify(JSON.parse(pushBody(texts).toString()).messages)) throw new Error('parsed differ');
      return true;
    }),
    { numRuns: 300 },
  );
  t.same(splitPush(Buffer.from('{"from":"623000","messages":[]}')), { from: '623000', texts: [], bytes: [], messages: [] }, 'an empty batch');
  // The bytes between two signed envelopes, nested inside one: the cut there does not parse, so the scanner
  // finds the boundaries instead.
  const nested = signed([{ a: [{ b: { c: [1] } }, { v: 1, sig: { path: [] } }] }, { a: 'x' }]);
  t.ok(nested[0]!.includes(']}},{"v":'), 'the separator occurs inside the first envelope');
  const split = splitPush(pushBody(nested));
  t.same(split?.texts, nested, 'cut at the envelopes');
  t.same(split?.bytes.map((b) => b.toString()), nested, 'their bytes');
});

t.test('any other shape is left to the whole-body parser: null, never a throw or a wrong cut', async (t) => {
  for (const [body, why] of [
    ['{"from":"623000", "messages":[{}]}', 'whitespace in the frame'],
    ['{"messages":[{}],"from":"623000"}', 'keys in another order'],
    ['{"from":"623000","messages":[{}] }', 'whitespace at the end'],
    ['{"from":"623000","messages":[{}]}x', 'bytes after the body'],
    ['{"from":"623000","messages":[{"a":"\\"}]}', 'an unterminated string'],
    ['{"from":"623000","messages":[{"a":1},]}', 'a trailing comma'],
    ['{"from":"623000","messages":[1,2]}', 'messages that are not objects'],
    ['{"from":"623000","messages":[{"a":01}]}', 'an envelope that is not JSON on its own'],
    ['{"from":"623000","messages":[{"a":[}]}', 'mismatched brackets'],
  ] as const) {
    t.equal(splitPush(Buffer.from(body)), null, why);
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 80 }), (bytes, text) => {
      for (const raw of [Buffer.from(bytes), Buffer.from(`{"from":"623000","messages":[${text}`), Buffer.from(`{"from":"623000","messages":[${text}]}`)]) {
        const split = splitPush(raw);
        // Whatever is cut, each text is exactly what its message was parsed from.
        if (split && split.texts.some((x, i) => JSON.stringify(JSON.parse(x)) !== JSON.stringify(split.messages[i]))) throw new Error('text and message differ');
      }
      return true;
    }),
    { numRuns: 500 },
  );
});

t.test('envelopes verified from the texts they were parsed from; a re-serialised sender still verifies', async (t) => {
  fc.assert(
    fc.property(fc.array(body, { minLength: 1, maxLength: 20 }), fc.boolean(), (bodies, spaced) => {
      const texts = signed(bodies);
      // A sender that re-serialised its envelopes with whitespace: not the origin's bytes, so the leaf comes
      // from the parsed envelope instead, as before.
      const sent = spaced ? texts.map((x) => JSON.stringify(JSON.parse(x), null, 1)) : texts;
      const verified = new Map<string, Set<string>>();
      sent.forEach((text, i) => {
        const env = JSON.parse(text) as Envelope;
        keepReceivedText(env, text);
        verifyOrigin(env, i, lookup, verified);
        // The text passed on is the origin's, whichever way it arrived.
        if (envelopeText(env) !== texts[i]) throw new Error(`message ${i}: onward text differs`);
      });
      return true;
    }),
    { numRuns: 80 },
  );
  t.pass('verified');
});

t.test('an envelope altered in transit does not verify from its received text', async (t) => {
  fc.assert(
    fc.property(fc.array(body, { minLength: 1, maxLength: 10 }), fc.nat(), (bodies, pick) => {
      const texts = signed(bodies);
      const i = pick % texts.length;
      // A relay changed the body and kept the origin's sig: the text it sends is parsed and kept as received.
      const original = JSON.parse(texts[i]!) as Envelope<Record<string, unknown>>;
      const text = JSON.stringify({ ...original, body: { ...original.body, altered: true }, sig: original.sig });
      const env = JSON.parse(text) as Envelope;
      keepReceivedText(env, text);
      let refused = '';
      try {
        verifyOrigin(env, i, lookup, new Map());
      } catch (err) {
        refused = (err as { code?: string }).code ?? '';
      }
      return refused === 'exchange-origin-signature-invalid';
    }),
    { numRuns: 60 },
  );
  t.pass('refused');
});
