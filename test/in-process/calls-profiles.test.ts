// The scenario suite (scenarios.ts) on the simulated trunk with each driver's capability profile
// (drivers/trunk/types.ts C1–C5), on the virtual clock: whatever a trunk lacks, no caller is dropped and no
// contact is lost. The real drivers run the same suite on their own rigs (e1-, voice-modem-, serial-at-…).
import t from 'tap';
import type { TrunkCapabilities } from '../../drivers/trunk/types.js';
import { simRig } from '../rigs/calls-harness.js';
import { nextEvent, scenarioSuite } from '../rigs/scenarios.js';

const profiles: Record<string, Partial<TrunkCapabilities>> = {
  // A GSM gateway with no audio path to the box and its DTMF detector on: silent prompts, a local handset.
  'GSM module without audio': { play: 'none', digits: 'module', record: false, transfer: false, stations: 'local' },
  // The same module speaking prompts with its own TTS.
  'GSM module with TTS': { play: 'module-tts', digits: 'module', record: false, transfer: false, stations: 'local' },
  // A generic module whose detector is not turned on: no digits reach the box.
  'GSM module without a DTMF detector': { play: 'none', digits: 'none', record: false, transfer: false, stations: 'local' },
  // A GSM module carrying voice to the box (PCM port): the box plays, detects and records.
  'GSM module with a voice port': { play: 'audio', digits: 'box', record: 'box', transfer: false, stations: 'local' },
  // An analog voice modem (V.253) on one line: plays and records, nobody to bridge to.
  'analog voice modem': { play: 'audio', digits: 'module', record: 'box', transfer: false, stations: 'none' },
  // Nothing but answer and hang up.
  'a trunk that can only answer': { play: 'none', digits: 'none', record: false, transfer: false, stations: 'none' },
};

for (const [name, caps] of Object.entries(profiles)) {
  t.test(`profile: ${name}`, async (t) => scenarioSuite(t, (o) => simRig(o, caps)));
}

t.test('a distress caller on a gateway that can neither transfer nor play reaches an agent ahead of five queued callers', async (t) => {
  const h = await simRig({ config: { queue: { maxWaitMs: 3_600_000 } } }, profiles['GSM module without audio']);
  t.teardown(() => h.close());
  h.agent(1, 'break', '801', { answerAfterMs: 1000, talkMs: 30_000 });
  const queued = [1, 2, 3, 4, 5].map((i) => h.caller({ caller: `1380000000${i}`, presses: ['3'] }));
  for (const q of queued) await h.time.until(nextEvent(h, 'call.routed', (e) => e.callId === q.call.callId && e.route === 'queue'));
  t.equal(h.center.acd.queueSnapshot().waiting.length, 5, 'five callers wait');
  const distress = h.caller({ caller: '13900000009', presses: ['1'] });
  await h.time.until(nextEvent(h, 'call.routed', (e) => e.callId === distress.call.callId && e.route === 'queue'));
  const offered = nextEvent(h, 'call.offered');
  h.center.acd.setState({ agentId: 1, name: 'agent1', state: 'ready' });
  const pop = await h.time.until(offered);
  t.equal(pop.callId, distress.call.callId, 'the first free agent gets the distress caller, not the five who waited longer');
  t.equal(pop.distress, true, 'and the desk shows it as water distress');
  t.equal(distress.call.log.silentPrompts, distress.call.log.prompts.length, 'nothing could be played to this caller');
  t.ok(h.tickets.some((x) => x.callId === distress.call.callId && x.urgent), 'an urgent ticket was filed at once');
  for (const q of queued) q.call.hangup();
  await h.time.until(Promise.all([distress.done, ...queued.map((q) => q.done)]));
});
