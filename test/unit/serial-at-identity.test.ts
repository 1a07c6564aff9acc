// The modem's identification inside the running box (issue 12): the serial-at driver asks ATI, AT+CGSN and
// AT+COPS? at initialisation and the operator again with each registration poll; a module that refuses one
// still comes up. The simulator answers those commands with configurable values. fast-check over the parsers.
import t from 'tap';
import fc from 'fast-check';
import { GsmModem } from '../../drivers/serial-at/modem.js';
import { VirtualClock } from '../../common/clock.js';
import { memoryLink } from '../../drivers/serial-at/transport.js';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { recordingLogger } from '../../common/log.js';
import { parseAti, parseCgsn, parseCops } from '../../drivers/serial-at/responses.js';

function setup(t: { teardown(fn: () => unknown): void }, id: { model?: string; imei?: string; operator?: string } = {}) {
  const clock = new VirtualClock();
  const link = memoryLink();
  const sim = new SimulatedModem({ clock, restartMs: 100, ...id });
  let attaching = true;
  void (async () => {
    while (attaching) sim.attach(await link.nextDevice());
  })();
  const modem = new GsmModem({ transport: link.factory, clock, logger: recordingLogger(), healthIntervalMs: 30_000 });
  t.teardown(async () => {
    attaching = false;
    await modem.stop();
  });
  return { clock, sim, modem };
}

t.test('initialisation asks the identification; the status carries it', async (t) => {
  const { clock, sim, modem } = setup(t, { model: 'SIMCOM_Ltd SIMCOM_SIM7600CE-T Revision:LE20B04SIM7600M22', imei: '862107043456789', operator: 'CHN-UNICOM' });
  await clock.until(modem.start());
  t.ok(['ATI', 'AT+CGSN', 'AT+COPS?'].every((c) => sim.commands.includes(c)), 'ATI, AT+CGSN and AT+COPS? were sent');
  t.match(modem.status, { state: 'ready', model: 'SIMCOM_Ltd SIMCOM_SIM7600CE-T Revision:LE20B04SIM7600M22', imei: '862107043456789', operator: 'CHN-UNICOM' });
});

t.test('the operator follows the registration; a refused ATI leaves the model null and the modem ready', async (t) => {
  const { clock, sim, modem } = setup(t);
  sim.model = null;
  await clock.until(modem.start());
  t.match(modem.status, { state: 'ready', model: null, imei: '866758041234567', operator: 'CHINA MOBILE' });
  sim.operator = 'CHINA TELECOM';
  sim.creg = 5; // roaming
  await clock.until(modem.pollHealth());
  t.equal(modem.status.operator, 'CHINA TELECOM', 'asked again with the registration');
  sim.creg = 2; // searching
  await clock.until(modem.pollHealth());
  t.equal(modem.status.operator, null, 'no operator while not registered');
  t.equal(modem.status.registration?.registered, false);
});

t.test('parsers: any answer lines give a value or null, never a throw; what the simulator says comes back', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 6 }), (lines) => {
      for (const p of [parseAti, parseCgsn, parseCops]) {
        const v = p(lines);
        if (v !== null && typeof v !== 'string') throw new Error('not a string or null');
      }
      const imei = parseCgsn(lines);
      if (imei !== null && !/^\d{14,17}$/.test(imei)) throw new Error(`not an IMEI: ${imei}`);
    }),
  );
  fc.assert(
    fc.property(fc.stringMatching(/^\d{15}$/), fc.stringMatching(/^[A-Z][A-Z0-9 -]{0,20}$/), fc.boolean(), (imei, op, prefixed) => {
      if (parseCgsn([prefixed ? `+CGSN: "${imei}"` : imei]) !== imei) throw new Error('IMEI lost');
      if (parseCops([`+COPS: 0,0,"${op}",7`]) !== op) throw new Error('operator lost');
    }),
  );
  t.equal(parseCops(['+COPS: 0']), null, 'not registered: mode only');
  t.equal(parseAti(['Quectel', 'EC25', 'Revision: EC25EFAR06A06M4G']), 'Quectel EC25 Revision: EC25EFAR06A06M4G');
});
