// A ring with caller id on the serial gateway runs the IVR and reaches an agent, as on the
// simulator trunk: the real CallCenter over SerialAtTrunk → GsmModem → the simulated modem.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../common/clock.js';
import { GsmModem } from '../../drivers/serial-at/modem.js';
import { moduleInit } from '../../drivers/serial-at/init.js';
import { SerialAtTrunk } from '../../drivers/serial-at/trunk.js';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { memoryLink } from '../../drivers/serial-at/transport.js';
import { CallCenter } from '../../firmware-agent/calls/center.js';
import { callsConfig, defaultCallsConfig } from '../../firmware-agent/calls/config.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import { openDb } from '../../firmware-agent/store/db.js';

const mondayMorning = Date.UTC(2026, 10, 30, 2, 0, 0); // 10:00 in Asia/Shanghai

async function setup(t: { teardown(fn: () => unknown): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serial-at-calls-'));
  const clock = new VirtualClock(mondayMorning);
  const link = memoryLink();
  const sim = new SimulatedModem({ clock, ringIntervalMs: 3000 });
  let attaching = true;
  void (async () => {
    while (attaching) sim.attach(await link.nextDevice());
  })();
  const modem = new GsmModem({ transport: link.factory, clock, healthIntervalMs: 600_000, extraInit: moduleInit.simcom }); // DTMF detector on
  const trunk = new SerialAtTrunk({ modem, clock, stations: ['801'], promptPauseMs: 2000 });
  const db = openDb({ file: ':memory:' });
  const config = callsConfig({}, defaultCallsConfig(dir, '623000'));
  const tickets: unknown[] = [];
  const center = new CallCenter({
    db,
    driver: trunk,
    config,
    clock,
    tickets: {
      create(input) {
        tickets.push(input);
        return { number: `62300020261130${String(tickets.length).padStart(5, '0')}` };
      },
    },
  });
  const events: LiveEvent[] = [];
  center.events.subscribe((e) => events.push(e));
  /** The first event matching `pred` from position `from` of the log on (default: all of it). */
  const next = (pred: (e: LiveEvent) => boolean, from = 0) =>
    new Promise<LiveEvent>((resolve) => {
      const found = events.slice(from).find(pred);
      if (found) return resolve(found);
      const off = center.events.subscribe((e) => {
        if (pred(e)) {
          off();
          resolve(e);
        }
      });
    });
  await clock.until(center.start());
  t.teardown(async () => {
    attaching = false;
    await center.stop();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { clock, sim, modem, trunk, center, events, next };
}

t.test('a ring with caller id on the serial gateway runs the IVR and reaches an agent', async (t) => {
  const { clock, sim, modem, center, next } = await setup(t);
  center.acd.setState({ agentId: 1, name: 'agent1', state: 'ready', station: '801', skills: [] });
  const answered = modem.once('call', (e) => e.type === 'answered');
  sim.ring('+8613600000001');
  const arrived = await clock.until(next((e) => e.type === 'call.arrived'));
  t.match(arrived, { caller: '+8613600000001', called: '12328' });
  await clock.until(answered);
  t.equal(sim.call?.state, 'active', 'the box answered with ATA');
  sim.callerPresses('3'); // the menu choice, through the module's DTMF detector
  const connected = await clock.until(next((e) => e.type === 'call.connected'));
  t.match(connected, { callId: arrived.type === 'call.arrived' ? arrived.callId : '', agentId: 1 });
  sim.callerHangsUp();
  const ended = await clock.until(next((e) => e.type === 'call.ended'));
  t.match(ended, { outcome: 'answered' });
});

t.test('when the gateway is unplugged mid-call the call centre is told the trunk failed', async (t) => {
  const { clock, sim, modem, next, events } = await setup(t);
  const answered = modem.once('call', (e) => e.type === 'answered');
  sim.ring('13600000002');
  await clock.until(next((e) => e.type === 'call.arrived'));
  await clock.until(answered);
  const down = next((e) => e.type === 'trunk.state' && !e.up, events.length);
  // The module stops answering while the IVR runs; the driver gives up on it and recovers.
  sim.stopAnswering('reset');
  await clock.until(down);
  t.ok(events.some((e) => e.type === 'call.ended'), 'the call in flight is over');
  const up = next((e) => e.type === 'trunk.state' && e.up, events.length);
  await clock.until(up);
  t.equal(modem.status.state, 'ready');
  t.equal(sim.resets, 1);
});

t.test('on a real pty, in real time: a ring with caller id runs the IVR and reaches an agent', async (t) => {
  const { ptyRig } = await import('../rigs/serial-at-rig.js');
  const { systemClock } = await import('../../common/clock.js');
  const rig = await ptyRig(t);
  const modem = rig.newModem({ extraInit: moduleInit.simcom });
  const trunk = new SerialAtTrunk({ modem, clock: systemClock, stations: ['801'], promptPauseMs: 20 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serial-at-calls-pty-'));
  const db = openDb({ file: ':memory:' });
  const config = callsConfig(
    { ivr: { digitTimeoutMs: 2000, hours: { open: '00:00', close: '24:00', days: 'every-day', timezone: 'Asia/Shanghai' } } },
    defaultCallsConfig(dir, '623000'),
  );
  const center = new CallCenter({ db, driver: trunk, config, clock: systemClock, tickets: { create: () => ({ number: '6230002026113000001' }) } });
  const events: LiveEvent[] = [];
  const waitFor = (pred: (e: LiveEvent) => boolean) =>
    new Promise<LiveEvent>((resolve) => {
      const off = center.events.subscribe((e) => {
        events.push(e);
        if (pred(e)) {
          off();
          resolve(e);
        }
      });
    });
  await center.start();
  t.teardown(async () => {
    await center.stop();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  center.acd.setState({ agentId: 7, name: 'agent7', state: 'ready', station: '801', skills: [] });
  const answered = modem.once('call', (e) => e.type === 'answered');
  const connected = waitFor((e) => e.type === 'call.connected');
  rig.sim.ring('+8613600000009');
  await answered;
  rig.sim.callerPresses('3');
  t.match(await connected, { agentId: 7 });
  const ended = waitFor((e) => e.type === 'call.ended');
  rig.sim.callerHangsUp();
  t.match(await ended, { outcome: 'answered' });
});

t.test('on a real pty: the caller\'s keys reach the box only once initialisation turned the module\'s DTMF detector on, and again after a reset', async (t) => {
  const { ptyRig } = await import('../rigs/serial-at-rig.js');
  const { extraInitOf } = await import('../../drivers/serial-at/index.js');
  const { serialAtOptions } = await import('../../firmware-agent/config/trunk-options.js');
  const rig = await ptyRig(t);
  const call = async (modem: GsmModem) => {
    const incoming = modem.once('call', (e) => e.type === 'incoming');
    rig.sim.ring('+8613600000010');
    const inc = await incoming;
    await modem.answer(inc.type === 'incoming' ? inc.callId : '');
    return inc;
  };

  // An unknown module (no --module, no --at-init): nothing extra is sent, the detector stays off, and
  // the simulated module, like a real one, reports no keys.
  const generic = rig.newModem({ extraInit: extraInitOf(serialAtOptions({ serial: '/dev/gsm0' })) });
  await generic.start();
  t.notOk(rig.sim.commands.some((c) => /DDET|QTONEDET/.test(c)));
  t.equal(rig.sim.dtmfDetection, 'off');
  await call(generic);
  const seen: string[] = [];
  generic.on('call', (e) => e.type === 'dtmf' && seen.push(e.digit));
  rig.sim.callerPresses('5');
  await generic.hangup(generic.activeCall!.callId); // ATH's answer comes after any URC written before it
  t.same(seen, [], 'no digit without the detector');
  await generic.stop();

  // --module simcom: AT+DDET=1 at every initialisation.
  const simcom = rig.newModem({ extraInit: extraInitOf(serialAtOptions({ serial: '/dev/gsm0', module: 'simcom' })) });
  await simcom.start();
  t.equal(rig.sim.dtmfDetection, 'ddet');
  await call(simcom);
  const seven = simcom.once('call', (e) => e.type === 'dtmf' && e.digit === '7');
  rig.sim.callerPresses('7');
  await seven;
  // The module hangs and is reset (which forgets the detector); re-initialising turns it on again.
  const lost = simcom.once('lost');
  rig.sim.stopAnswering('reset');
  void simcom.pollHealth().catch(() => undefined);
  await lost;
  await simcom.once('ready');
  t.equal(rig.sim.resets, 1);
  t.equal(rig.sim.dtmfDetection, 'ddet', 'turned on again after the reset');
  await call(simcom);
  const nine = simcom.once('call', (e) => e.type === 'dtmf' && e.digit === '9');
  rig.sim.callerPresses('9');
  await nine;
  await simcom.stop();

  // --at-init for a Quectel module: +QTONEDET reports the ASCII code of the key.
  const quectel = rig.newModem({ extraInit: extraInitOf(serialAtOptions({ serial: '/dev/gsm0', 'at-init': 'AT+QTONEDET=1' })) });
  await quectel.start();
  t.equal(rig.sim.dtmfDetection, 'qtonedet');
  await call(quectel);
  const hash = quectel.once('call', (e) => e.type === 'dtmf' && e.digit === '#');
  rig.sim.callerPresses('#');
  await hash;
});

t.test('on a real pty: with --prompts tts a prompt is spoken by the module (UCS2), a key cuts it short, and a module without TTS falls back to the pause', async (t) => {
  const { ptyRig } = await import('../rigs/serial-at-rig.js');
  const { systemClock } = await import('../../common/clock.js');
  const { extraInitOf } = await import('../../drivers/serial-at/index.js');
  const { serialAtOptions } = await import('../../firmware-agent/config/trunk-options.js');
  const rig = await ptyRig(t);
  const config = serialAtOptions({ serial: '/dev/gsm0', module: 'simcom', prompts: 'tts' });
  t.same(extraInitOf(config), ['AT+DDET=1', 'AT+CDTAM=1'], 'SIMCom: DTMF detector on, speech to the far end');
  const modem = rig.newModem({ extraInit: extraInitOf(config) });
  const trunk = new SerialAtTrunk({ modem, clock: systemClock, tts: 'simcom', promptPauseMs: 20 });
  t.teardown(() => trunk.stop());
  await trunk.start();
  t.ok(rig.sim.commands.includes('AT+CDTAM=1'));
  const offered = new Promise<{ callId: string }>((resolve) => trunk.on('offered', resolve));
  rig.sim.ring('+8613600000011');
  const { callId } = await offered;
  await trunk.answer(callId);

  const welcome = '您好，欢迎致电交通运输服务监督电话 1 2 3 2 8。';
  t.same(await trunk.play(callId, { id: 'welcome', text: welcome }), { outcome: 'completed' }, 'ends at the module\'s +CTTS: 0');
  t.same(rig.sim.spoken, [welcome], 'the module got the exact Chinese text');
  t.ok(rig.sim.commands.some((c) => c.startsWith('AT+CTTS=1,"60A8597D')), 'as UCS2 hex (您 = 60A8, 好 = 597D)');

  const menu = '投诉举报，请按 2。'.repeat(20); // long enough to be interrupted
  const speaking = new Promise<void>((resolve) => rig.sim.once('spoke', () => resolve()));
  const playing = trunk.play(callId, { id: 'menu.2', text: menu }, { interruptible: true });
  await speaking;
  rig.sim.callerPresses('2');
  t.same(await playing, { outcome: 'interrupted', digit: '2' });
  t.equal(rig.sim.ttsStops, 1, 'the module was told to stop speaking (AT+CTTS=0)');

  rig.sim.tts = false; // a firmware without TTS answers ERROR
  t.same(await trunk.play(callId, { id: 'goodbye', text: '感谢您的来电，再见。' }), { outcome: 'completed' }, 'the silent pause instead');
  t.equal(rig.sim.spoken.length, 2);
});
