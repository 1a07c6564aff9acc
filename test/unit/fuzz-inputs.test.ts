// Property-based tests of two more input surfaces (issue 13): the technician's configuration files (box
// config.json, calls.json, sms.json) and the digits a caller presses. A configuration is either accepted
// whole or refused with an error that names the bad setting — never a TypeError from deep inside; any
// sequence of keys, at any pace, leaves every call with a route and an outcome, and no call flow fails.
import fc from 'fast-check';
import t from 'tap';
import { runCaller } from '../../drivers/simulator/callers.js';
import { CallsConfigError, callsConfig, defaultCallsConfig } from '../../firmware-agent/calls/config.js';
import { defaultConfig } from '../../firmware-agent/config/model.js';
import { ConfigError, validateConfig, withDefaults } from '../../firmware-agent/config/schema.js';
import { defaultSmsConfig, smsConfig } from '../../firmware-agent/sms/config.js';
import { SmsError } from '../../firmware-agent/sms/errors.js';
import { harness } from '../rigs/calls-harness.js';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const runs = Number(process.env.FUZZ_RUNS ?? 300);

/** A copy of `base` with a few leaves replaced by anything, a few keys added or removed. */
function mutated(base: unknown): fc.Arbitrary<unknown> {
  const paths: string[][] = [];
  const walk = (o: unknown, p: string[]) => {
    if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, [...p, k]);
    paths.push(p);
  };
  walk(base, []);
  const edit = fc.tuple(fc.constantFrom(...paths), fc.oneof(fc.anything({ maxDepth: 2 }), fc.constant(undefined)));
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    const doc = structuredClone(base) as Record<string, unknown>;
    for (const [p, v] of edits) {
      if (!p.length) return v;
      let o: Record<string, unknown> = doc;
      for (const k of p.slice(0, -1)) {
        if (!o[k] || typeof o[k] !== 'object') o[k] = {};
        o = o[k] as Record<string, unknown>;
      }
      const last = p[p.length - 1]!;
      if (v === undefined) delete o[last];
      else o[last] = v;
    }
    return doc;
  });
}

function refusedByName(err: unknown, kinds: (new (...a: never[]) => Error)[]): boolean {
  return kinds.some((k) => err instanceof k) && /[a-zA-Z]/.test((err as Error).message);
}

t.test(`configuration files: accepted whole or refused naming the setting (seed ${seed})`, async (t) => {
  fc.assert(
    fc.property(fc.oneof(mutated(defaultConfig), fc.anything()), (doc) => {
      try {
        validateConfig(doc && typeof doc === 'object' && !Array.isArray(doc) ? withDefaults(doc as Record<string, unknown>) : doc);
        return true;
      } catch (err) {
        return refusedByName(err, [ConfigError]) && (err as ConfigError).problems.length > 0;
      }
    }),
    { numRuns: runs, seed },
  );
  const callsBase = JSON.parse(JSON.stringify(defaultCallsConfig('/data', '623000'))) as unknown;
  fc.assert(
    fc.property(fc.oneof(mutated(callsBase), fc.object({ maxDepth: 2 })), (doc) => {
      try {
        callsConfig(doc as never, defaultCallsConfig('/data', '623000'));
        return true;
      } catch (err) {
        return refusedByName(err, [CallsConfigError]);
      }
    }),
    { numRuns: runs, seed },
  );
  fc.assert(
    fc.property(fc.oneof(mutated(defaultSmsConfig), fc.object({ maxDepth: 2 })), (doc) => {
      try {
        smsConfig(doc as never);
        return true;
      } catch (err) {
        return refusedByName(err, [SmsError]);
      }
    }),
    { numRuns: runs, seed },
  );
});

t.test(`any keys at any pace: every call ends with a route and an outcome (seed ${seed})`, async (t) => {
  const h = await harness({ config: { queue: { maxWaitMs: 120_000 } } });
  t.teardown(() => h.close());
  h.agent(1, 'ready', '801', { answerAfterMs: 2000, talkMs: 20_000 });
  const key = fc.constantFrom(...'0123456789*#ABCD');
  const script = fc.record({
    presses: fc.array(fc.array(key, { maxLength: 4 }).map((k) => k.join('')), { maxLength: 6 }),
    thinkMs: fc.integer({ min: 0, max: 9000 }),
    eager: fc.boolean(),
    patienceMs: fc.integer({ min: 1000, max: 400_000 }),
    caller: fc.option(fc.stringMatching(/^1[3-9]\d{9}$/), { freq: 5 }),
  });
  await fc.assert(
    fc.asyncProperty(script, async (s) => {
      const { call, done } = runCaller(h.sim, { caller: s.caller, presses: s.presses, thinkMs: s.thinkMs, eager: s.eager, patienceMs: s.patienceMs, hangUpAfterMs: 900_000 });
      await h.clock.until(done);
      h.center.records.flush();
      const rec = h.center.records.get(call.callId)!;
      return !!rec.call.outcome && h.center.stats.failedCalls === 0;
    }),
    { numRuns: Math.ceil(runs / 3), seed },
  );
  t.equal(h.center.stats.failedCalls, 0, 'no call flow failed');
});

// npm run fuzz, seed 675289: a sections file that is not an object at all — the SMS loader failed with a
// TypeError on null and read 1 or a list as "no changes"; the calls loader read a list as its defaults.
t.test('a configuration section that is not an object is refused by name', async (t) => {
  for (const doc of [null, 1, 'x', [], [1]]) {
    t.throws(() => smsConfig(doc as never), SmsError, `sms ${JSON.stringify(doc)}`);
    t.throws(() => callsConfig(doc as never, defaultCallsConfig('/data', '623000')), CallsConfigError, `calls ${JSON.stringify(doc)}`);
  }
  const err = (() => {
    try {
      callsConfig({ ivr: [] } as never, defaultCallsConfig('/data', '623000'));
    } catch (e) {
      return e;
    }
  })();
  t.equal((err as CallsConfigError | undefined)?.field, 'ivr', 'a list where the ivr section belongs');
});
