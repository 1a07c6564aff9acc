// The scenario suite of the calls issue (test/integration/scenarios.ts), unchanged, on the V.253 voice-modem
// driver: the same CallCenter takes calls on one simulated analog line over a real pty, in real time with the
// scenario timings scaled down (voice-modem-rig.ts). The profile is an analog voice modem: prompts as audio,
// digits from the modem (and the box's detector), voicemail recorded by the box, no transfer, no station.
// Twice: a Conexant-style modem in full duplex (+VTR, A-law), and a USRobotics 5637-style modem in half
// duplex (+VRX/+VTX around every prompt, µ-law).
import t from 'tap';
import { scenarioSuite } from './scenarios.js';
import { voiceModemRig } from './voice-modem-rig.js';

t.test('full duplex, A-law (Conexant AT+VSM=? list)', async (t) => scenarioSuite(t, voiceModemRig({ scale: 10 })));
t.test('half duplex, µ-law (USRobotics 5637 AT+VSM=? list)', async (t) =>
  scenarioSuite(t, voiceModemRig({ scale: 10, sim: { family: 'usr5637', duplex: false } })),
);
