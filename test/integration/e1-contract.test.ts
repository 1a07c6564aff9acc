// The E1 driver with the telco simulator as the line side: the shared trunk contract
// (test/helpers/trunk-contract.ts), then what only a span shows: a background recording of the
// conversation alongside a prompt, and one signal for a whole call collecting no listeners.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { e1Harness } from '../rigs/e1-harness.js';
import { E1PriDriver } from '../../drivers/e1-pri/driver.js';
import { type TrunkRig, outcomeCode as code, trunkContract } from '../helpers/trunk-contract.js';

// Each test builds its own rig and mostly waits on the wall clock: three at once.
t.jobs = 3;

/** A second of A-law silence, as a prompt file. */
function promptFile(dir: string): string {
  const file = path.join(dir, 'p.al');
  fs.writeFileSync(file, Buffer.alloc(8000, 0xd5));
  return file;
}

t.test('the trunk contract on the E1 driver', async (t) =>
  trunkContract(t, {
    unstarted: () => new E1PriDriver({ config: { dchannel: '/tmp/e1-never' } }),
    async started(): Promise<TrunkRig> {
      const h = await e1Harness();
      return {
        trunk: h.driver,
        async call(caller) {
          const offered = h.next('offered');
          const line = h.telco.placeCall({ caller });
          const o = await offered;
          return {
            callId: o.callId,
            press: (d) => line.pressDigits(d),
            hangup: () => line.hangup(),
            answered: () => line.waitFor('answered'),
          };
        },
        until: (p) => p,
        pause: (ms) => new Promise((r) => setTimeout(r, ms)),
        prompt: { id: 'p', file: promptFile(h.dir) },
        close: () => h.close(),
      };
    },
  }),
);

t.test('a background recording runs alongside a prompt and ends at the hang-up', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  h.telco.placeCall({ caller: '' });
  const o = await offered;
  t.equal(await code(h.driver.record(o.callId, { file: path.join(h.dir, 'r.wav') })), 'not-answered');
  await h.driver.answer(o.callId);
  const playing = h.driver.play(o.callId, { id: 'p', file: promptFile(h.dir) });
  const bg = h.driver.record(o.callId, { file: path.join(h.dir, 'conv.wav'), background: true });
  t.same(await playing, { outcome: 'completed' }, 'a background recording runs alongside');
  await h.driver.hangup(o.callId);
  const r = await bg;
  t.equal(r.outcome, 'ended');
  t.ok(r.durationMs >= 900, `the conversation recording lasted ${r.durationMs} ms`);
});

t.test('one signal for a whole call (as the call flow uses) collects no listener per command', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  h.telco.placeCall({ caller: '13800000033' });
  const o = await offered;
  await h.driver.answer(o.callId);
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  const callSignal = new AbortController().signal;
  for (let i = 0; i < 15; i++) t.same(await h.driver.play(o.callId, { id: 'silence' }, { signal: callSignal, interruptible: true }), { outcome: 'completed' });
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarning);
  t.same(warnings.filter((w) => /listener/i.test(w)), [], 'no listener-leak warning after 15 prompts on one signal');
  await h.driver.hangup(o.callId);
});
