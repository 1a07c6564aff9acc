// The scenario suite of the calls issue (test/rigs/scenarios.ts), unchanged, on a rig "E1 over the
// DAHDI shim": the span worker opens the D-channel device /dev/dahdi/16 and one /dev/dahdi/channel fd per
// B-channel (DAHDI_SPECIFY, A-law, 160-byte blocks) through koffi, with the DAHDI stand-in preloaded
// (test/fixtures/dahdi-shim) and the telco simulator's calls and audio carried by a simulated card.
// E1 has full capabilities, so the scenarios are those of the socket rig (e1-scenarios.test.ts).
import t from 'tap';
import { e1Rig } from '../rigs/e1-rig.js';
import { scenarioSuite } from '../rigs/scenarios.js';

const rig = e1Rig({ scale: 20, prewarm: true, media: 'dahdi' });
t.teardown(() => rig.dispose());

// Three scenarios at once: each takes its own span (its own worker and simulated network side).
scenarioSuite(t, rig, { jobs: 3 });

t.test('over the DAHDI shim, the caller hears the prompts the box wrote to its channel device', async (t) => {
  const h = await rig();
  t.teardown(() => h.close());
  const { done } = h.caller({ caller: '13900000031', presses: ['1'] });
  const log = await h.time.until(done);
  const line = h.lineOf(log.callId)!;
  // Seven prompts of 100 ms (2 s cut by the rig's scale of 20) in 20 ms blocks: about 35.
  t.ok(line.received.length > 25, `the caller received ${line.received.length} blocks of audio through the card`);
});
