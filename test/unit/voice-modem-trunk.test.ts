// VoiceModemTrunk over an in-memory link to the simulated V.253 modem: the shared trunk contract
// (test/helpers/trunk-contract.ts), then what a half-duplex analogue line adds (C1/C5, DLE events, silence as
// the caller gone, a modem left in a voice stream). The pty tests (test/integration/voice-modem-pty.test.ts)
// cover the real device node.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { linearToAlaw } from '../../drivers/media/alaw.js';
import { memoryLink } from '../../drivers/serial-at/transport.js';
import { systemClock } from '../../common/clock.js';
import { TrunkError, type TrunkEvents } from '../../drivers/trunk/types.js';
import { VoiceModem } from '../../drivers/voice-modem/modem.js';
import { SimulatedVoiceModem, type VoiceSimOptions } from '../../drivers/voice-modem/simulator/modem-sim.js';
import { VoiceModemTrunk } from '../../drivers/voice-modem/trunk.js';
import { type TrunkRig, trunkContract } from '../helpers/trunk-contract.js';

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof TrunkError ? e.code : String(e)),
  );

async function rig(t: { teardown(fn: () => unknown): void }, sim: VoiceSimOptions = {}) {
  const link = memoryLink('vm0');
  const s = new SimulatedVoiceModem(sim);
  void link.nextDevice().then((d) => s.attach(d));
  const modem = new VoiceModem({ transport: link.factory, commandTimeoutMs: 1000, backoffMs: 20, cidWaitMs: 500, ringGapMs: 2000 });
  const trunk = new VoiceModemTrunk({ modem, clock: systemClock, promptPauseMs: 50 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-trunk-'));
  t.teardown(async () => {
    await trunk.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const next = <K extends keyof TrunkEvents>(event: K) =>
    new Promise<TrunkEvents[K]>((resolve) => {
      const l = (e: TrunkEvents[K]) => {
        trunk.off(event, l);
        resolve(e);
      };
      trunk.on(event, l);
    });
  const call = async (number: string | null = '13800000000') => {
    const offered = next('offered');
    s.ring(number);
    return (await offered).callId;
  };
  const answered = async () => {
    const id = await call();
    await trunk.answer(id);
    return id;
  };
  return { sim: s, modem, trunk, dir, next, call, answered };
}

function toneFile(dir: string, seconds: number): string {
  const pcm = new Int16Array(8000 * seconds);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(4000 * Math.sin((2 * Math.PI * 500 * i) / 8000));
  const f = path.join(dir, `tone${seconds}.al`);
  fs.writeFileSync(f, linearToAlaw(pcm));
  return f;
}

t.test('the trunk contract on the analogue voice modem', async (t) =>
  trunkContract(t, {
    unstarted: () => new VoiceModemTrunk({ modem: new VoiceModem({ transport: memoryLink('vm-never').factory }), clock: systemClock }),
    async started(): Promise<TrunkRig> {
      const closers: (() => unknown)[] = [];
      const h = await rig({ teardown: (fn) => closers.push(fn) });
      await h.trunk.start();
      return {
        trunk: h.trunk,
        async call(caller) {
          const callId = await h.call(caller);
          let up = false;
          return {
            callId,
            press: (d) => h.sim.press(d),
            // Before the answer the rings just stop (ringing.ts: abandoned after the ring gap).
            hangup: () => (up ? h.sim.hangUp('loop-drop') : h.sim.stopRinging()),
            answered: async () => {
              up = true;
            },
          };
        },
        until: (p) => p,
        pause: (ms) => new Promise((r) => setTimeout(r, ms)),
        prompt: { id: 'tone', file: toneFile(h.dir, 1) },
        close: async () => {
          for (const close of closers) await close();
        },
      };
    },
  }),
);

t.test('one line, one call; T2: call ids carry a boot prefix', async (t) => {
  const h = await rig(t);
  const ready = h.next('ready');
  await h.trunk.start();
  t.equal((await ready).channels, 1);
  t.ok((await h.call()).startsWith('vm-'));
});

t.test('T5: media needs an answered call; T6: one media operation at a time, background recording alongside', async (t) => {
  const h = await rig(t);
  await h.trunk.start();
  const id = await h.call();
  t.equal(await code(h.trunk.play(id, { id: 'x' })), 'not-answered');
  await h.trunk.answer(id);
  const long = h.trunk.play(id, { id: 'long', file: toneFile(h.dir, 3) });
  t.equal(await code(h.trunk.collectDigits(id, { max: 1, firstDigitTimeoutMs: 100 })), 'busy');
  const bg = h.trunk.record(id, { file: path.join(h.dir, 'bg.wav'), background: true });
  const hup = h.next('hangup');
  await h.trunk.hangup(id);
  await hup;
  t.same(await long, { outcome: 'caller-gone' }, 'the prompt settles when the call ends');
  t.match(await bg, { outcome: 'ended' });
  t.ok(fs.existsSync(path.join(h.dir, 'bg.wav')));
});

t.test('T7: digits pressed before collecting are kept; an interruptible prompt stops at a buffered digit', async (t) => {
  const h = await rig(t);
  await h.trunk.start();
  const id = await h.answered();
  const d = h.next('digits');
  h.sim.press('4');
  t.equal((await d).digits, '4');
  t.same(await h.trunk.play(id, { id: 'long', file: toneFile(h.dir, 3) }, { interruptible: true }), { outcome: 'interrupted', digit: '4' });
  t.same(await h.trunk.collectDigits(id, { max: 1, firstDigitTimeoutMs: 1000 }), { outcome: 'max', digits: '4' });
});

t.test('a missing prompt file is a short pause that completes (a distress call must still be routed)', async (t) => {
  const h = await rig(t);
  await h.trunk.start();
  const id = await h.answered();
  t.same(await h.trunk.play(id, { id: 'gone', file: path.join(h.dir, 'nope.wav') }), { outcome: 'completed' });
});

t.test('a modem that reports rings as <DLE>R: the call is offered with its caller ID', async (t) => {
  const h = await rig(t);
  h.sim.ringsAsDle = true;
  await h.trunk.start();
  const offered = h.next('offered');
  h.sim.ring('13911112222');
  t.match(await offered, { caller: '13911112222', presentation: 'allowed' });
});

t.test('C1/C5: no transfer, no station; the capabilities say so', async (t) => {
  const h = await rig(t);
  await h.trunk.start();
  t.match(h.trunk.capabilities, { answer: true, play: 'audio', digits: 'module', record: 'box', transfer: false, stations: 'none' });
  const id = await h.call();
  t.equal(await code(h.trunk.transfer(id, '12395')), 'unsupported');
  t.same(await h.trunk.connectAgent(id, '801', { ringTimeoutMs: 1000 }), { outcome: 'unreachable' });
});

t.test('half duplex: a message is recorded until its maximum length', async (t) => {
  const h = await rig(t, { family: 'conexant', duplex: false });
  await h.trunk.start();
  const id = await h.answered();
  t.equal(h.modem.status.duplex, false);
  const speech = new Int16Array(4000);
  for (let i = 0; i < speech.length; i++) speech[i] = Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / 8000));
  h.sim.speak(speech);
  const r = await h.trunk.record(id, { file: path.join(h.dir, 'vm.wav'), maxMs: 800, stopDigits: '#' });
  t.equal(r.outcome, 'max');
  t.ok(r.durationMs > 0);
});

t.test('a long silence while recording a message means the caller is gone (a line without loop-current drop)', async (t) => {
  const link = memoryLink('vm1');
  const s = new SimulatedVoiceModem();
  void link.nextDevice().then((d) => s.attach(d));
  const modem = new VoiceModem({ transport: link.factory, commandTimeoutMs: 1000, cidWaitMs: 300 });
  const trunk = new VoiceModemTrunk({ modem, clock: systemClock, silenceHangupMs: 600 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-trunk-'));
  t.teardown(async () => {
    await trunk.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await trunk.start();
  const offered = new Promise<string>((r) => trunk.on('offered', (o) => r(o.callId)));
  s.ring('13800000009');
  const id = await offered;
  await trunk.answer(id);
  const hup = new Promise<TrunkEvents['hangup']>((r) => trunk.on('hangup', r));
  const r = await trunk.record(id, { file: path.join(dir, 'vm.wav'), maxMs: 30_000, stopDigits: '#' });
  t.equal(r.outcome, 'caller-gone');
  t.match(await hup, { callId: id, party: 'caller', cause: 'normal' });
});

t.test('a modem left in a voice stream (the box restarted mid-call) is taken back: stream ended, on-hook, ready', async (t) => {
  const link = memoryLink('vm2');
  const s = new SimulatedVoiceModem({ family: 'usr5637', duplex: false });
  const devices: Promise<void>[] = [];
  const attachNext = () => devices.push(link.nextDevice().then((d) => s.attach(d)));
  attachNext();
  // The box before its restart: voice mode, off-hook, receiving.
  const before = await link.factory.open();
  await devices[0];
  let seen = '';
  const connected = new Promise<void>((r) => before.on('data', (c) => (seen += c.toString('latin1')).includes('CONNECT') && r()));
  const offHook = new Promise<void>((r) => s.once('answered', () => r()));
  await before.write('AT+FCLASS=8\rAT+VSM=131,8000\rAT+VLS=1\r');
  await offHook;
  await before.write('AT+VRX\r');
  await connected;
  t.equal(s.stream, 'rx');
  await before.close(); // the box dies; the modem goes on streaming into nothing
  attachNext();
  const modem = new VoiceModem({ transport: link.factory, commandTimeoutMs: 1000 });
  t.teardown(() => modem.stop());
  await modem.start();
  t.equal(s.stream, 'command', 'the stream was ended with its DLE code');
  t.notOk(s.offHook, 'the line was put on-hook (ATH)');
  t.equal(modem.status.compression?.kind, 'ulaw');
});
