// The scenario suite (scenarios.ts) on the simulated trunk with each driver's capability profile
// (drivers/trunk/types.ts C1–C5), on the virtual clock: whatever a trunk lacks, no caller is dropped and no
// contact is lost. The real drivers run the same suite on their own rigs (e1-, voice-modem-, serial-at-…).
import t from 'tap';
import type { TrunkCapabilities } from '../../drivers/trunk/types.js';
import { simRig } from './calls-harness.js';
import { scenarioSuite } from './scenarios.js';

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
