// The scenario suite of the calls issue (test/integration/scenarios.ts), unchanged, on the V.253 voice-modem
// driver: the same CallCenter takes calls on one simulated analog line over a real pty, in real time with the
// scenario timings scaled down (voice-modem-rig.ts). The profile is an analog voice modem: prompts as audio,
// digits from the modem (and the box's detector), voicemail recorded by the box, no transfer, no station.
import t from 'tap';
import { scenarioSuite } from './scenarios.js';
import { voiceModemRig } from './voice-modem-rig.js';

scenarioSuite(t, voiceModemRig({ scale: 10 }));
