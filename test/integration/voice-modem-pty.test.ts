// The voice-modem driver on a real socat pty against the simulated V.253 modem: scenarios from the line's
// side, each named as a sentence.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';

import { linearToAlaw } from '../../drivers/media/alaw.js';
import { dtmfSequence } from '../../drivers/media/tones.js';
import { peak, voicePtyRig } from '../rigs/voice-modem-harness.js';

// Each test builds its own rig and mostly waits on the wall clock: three at once.
t.jobs = 3;

/** A 0.4 s 1 kHz prompt as an A-law file. */
function promptFile(dir: string): string {
  const pcm = new Int16Array(3200);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
  const f = path.join(dir, 'p.al');
  fs.writeFileSync(f, linearToAlaw(pcm));
  return f;
}

for (const mode of [
  { name: 'full duplex (+VTR), Conexant A-law', sim: { family: 'conexant' as const, duplex: true }, kind: 'alaw' },
  { name: 'half duplex (+VRX/+VTX), USRobotics 5637 µ-law', sim: { family: 'usr5637' as const, duplex: false }, kind: 'ulaw' },
  { name: 'full duplex, 16-bit linear', sim: { family: 'linear16' as const, duplex: true }, kind: 'linear16' },
]) {
  t.test(`${mode.name}: a caller with caller ID is answered, hears the prompt, presses 2, and hangs up by loop-current drop`, async (t) => {
    const h = await voicePtyRig({ sim: mode.sim });
    t.teardown(() => h.close());
    const ready = h.next('ready');
    await h.trunk.start();
    await ready;
    t.equal(h.modem.status.compression?.kind, mode.kind, `AT+VSM=? answered, ${mode.kind} chosen`);
    t.equal(h.sim.compression, mode.kind);
    const offered = h.next('offered');
    h.sim.ring('13812345678');
    const o = await offered;
    t.equal(o.caller, '13812345678', 'NMBR from +VCID');
    t.equal(o.presentation, 'allowed');
    t.equal(o.channel, 'line0');
    await h.trunk.answer(o.callId);
    t.ok(h.sim.offHook, 'the modem is off-hook');
    const r = await h.trunk.play(o.callId, { id: 'p', file: promptFile(h.dir) });
    t.same(r, { outcome: 'completed' });
    t.ok(peak(h.sim.heard) > 4000, `the caller heard the prompt (peak ${peak(h.sim.heard)})`);
    const voice = h.sim.commands.slice(h.sim.commands.indexOf('AT+VLS=1'));
    t.same(voice, mode.sim.duplex ? ['AT+VLS=1', 'AT+VTR'] : ['AT+VLS=1', 'AT+VRX', 'AT+VTX', 'AT+VRX'], 'the V.253 stream commands of this mode');
    const digits = h.next('digits');
    const collect = h.trunk.collectDigits(o.callId, { max: 1, firstDigitTimeoutMs: 5000 });
    h.sim.press('2');
    t.same(await collect, { outcome: 'max', digits: '2' });
    t.equal((await digits).digits, '2');
    // Both detectors heard the key; one digit only.
    const hup = h.next('hangup');
    h.sim.hangUp('loop-drop');
    const e = await hup;
    t.match(e, { callId: o.callId, cause: 'normal', party: 'caller' });
    await new Promise<void>((r) => (h.sim.offHook ? h.sim.once('onHook', () => r()) : r()));
    t.notOk(h.sim.offHook, 'the box put the line on-hook');
  });
}

t.test('a withheld caller is offered with no number, restricted', async (t) => {
  const h = await voicePtyRig();
  t.teardown(() => h.close());
  await h.trunk.start();
  const offered = h.next('offered');
  h.sim.ring(null, 'restricted');
  const o = await offered;
  t.equal(o.caller, null);
  t.equal(o.presentation, 'restricted');
});

t.test('a caller who gives up while it rings is caller-abandoned', async (t) => {
  const h = await voicePtyRig({ modem: { ringGapMs: 600 } });
  t.teardown(() => h.close());
  await h.trunk.start();
  const offered = h.next('offered');
  h.sim.ring('13900001111');
  const o = await offered;
  const hup = h.next('hangup');
  h.sim.stopRinging();
  t.match(await hup, { callId: o.callId, cause: 'caller-abandoned', party: 'caller' });
});

t.test('a voicemail is recorded as 8 kHz 16-bit WAV until #, and the digit pressed by tone alone counts once', async (t) => {
  const h = await voicePtyRig({ sim: { dtmfEvents: false } });
  t.teardown(() => h.close());
  await h.trunk.start();
  const offered = h.next('offered');
  h.sim.ring('13300000001');
  const o = await offered;
  await h.trunk.answer(o.callId);
  const file = path.join(h.dir, 'vm.wav');
  const rec = h.trunk.record(o.callId, { file, maxMs: 20_000, stopDigits: '#' });
  const speech = new Int16Array(8000);
  for (let i = 0; i < speech.length; i++) speech[i] = Math.round(5000 * Math.sin((2 * Math.PI * 300 * i) / 8000));
  h.sim.speak(speech);
  h.sim.press('#');
  const r = await rec;
  t.equal(r.outcome, 'digit', 'the box heard the # tone (no DLE event from this modem)');
  t.ok(r.durationMs >= 900, `about a second of speech (${r.durationMs} ms)`);
  const wav = fs.readFileSync(file);
  t.equal(wav.toString('ascii', 0, 4), 'RIFF');
  t.equal(wav.readUInt32LE(24), 8000);
  t.equal(wav.readUInt16LE(34), 16);
  await h.trunk.hangup(o.callId);
});

t.test('the caller hanging up by busy tone mid-message ends the recording as caller-gone', async (t) => {
  const h = await voicePtyRig();
  t.teardown(() => h.close());
  await h.trunk.start();
  const offered = h.next('offered');
  h.sim.ring('13300000002');
  const o = await offered;
  await h.trunk.answer(o.callId);
  const rec = h.trunk.record(o.callId, { file: path.join(h.dir, 'vm2.wav'), maxMs: 20_000, stopDigits: '#' });
  const hup = h.next('hangup');
  h.sim.speak(dtmfSequence('', { offMs: 300 }));
  h.sim.hangUp('busy');
  t.equal((await rec).outcome, 'caller-gone');
  t.match(await hup, { cause: 'normal', party: 'caller' });
  t.ok(fs.existsSync(path.join(h.dir, 'vm2.wav')), 'what was said is kept');
});

t.test('a modem that does not report busy tone: the box hears the tone itself and hangs up', async (t) => {
  const h = await voicePtyRig();
  t.teardown(() => h.close());
  h.sim.reportsLineTones = false;
  await h.trunk.start();
  const offered = h.next('offered');
  h.sim.ring('13300000007');
  const o = await offered;
  await h.trunk.answer(o.callId);
  const collect = h.trunk.collectDigits(o.callId, { max: 1, firstDigitTimeoutMs: 60_000 });
  const hup = h.next('hangup');
  h.sim.hangUp('busy');
  t.match(await hup, { callId: o.callId, cause: 'normal', party: 'caller' });
  t.match(await collect, { outcome: 'caller-gone' });
  t.ok(h.log.entries.some((e) => /busy/.test(String(e.obj.why))), 'from the busy tone in the audio');
});

t.test('an interruptible prompt stops at the first key and the key stays for the next collect', async (t) => {
  const h = await voicePtyRig({ sim: { duplex: false } });
  t.teardown(() => h.close());
  await h.trunk.start();
  const offered = h.next('offered');
  h.sim.ring('13300000003');
  const o = await offered;
  await h.trunk.answer(o.callId);
  const long = new Int16Array(8000 * 10);
  for (let i = 0; i < long.length; i++) long[i] = Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  const f = path.join(h.dir, 'long.al');
  fs.writeFileSync(f, linearToAlaw(long));
  h.sim.once('heard', () => h.sim.press('5'));
  const r = await h.trunk.play(o.callId, { id: 'long', file: f }, { interruptible: true });
  t.same(r, { outcome: 'interrupted', digit: '5' }, 'the modem reported the key while playing (half duplex)');
  t.same(await h.trunk.collectDigits(o.callId, { max: 1, firstDigitTimeoutMs: 2000 }), { outcome: 'max', digits: '5' });
  await h.trunk.hangup(o.callId);
});

t.test('when the modem stops answering, the call fails and the driver comes back when it answers again', async (t) => {
  const h = await voicePtyRig({ modem: { streamStallMs: 400 } });
  t.teardown(() => h.close());
  await h.trunk.start();
  const offered = h.next('offered');
  h.sim.ring('13300000004');
  const o = await offered;
  await h.trunk.answer(o.callId);
  const collect = h.trunk.collectDigits(o.callId, { max: 1, firstDigitTimeoutMs: 60_000 });
  const failed = h.next('failed');
  h.sim.freeze();
  const f = await failed;
  t.same(f.callIds, [o.callId], 'the call in flight is reported');
  t.equal(f.permanent, false);
  await t.rejects(collect, { code: 'driver-failed' });
  const ready = h.next('ready');
  h.sim.thaw();
  await ready;
  t.pass('ready again after the modem answered');
});

t.test('garbage and a truncated line on the port do not stop calls', async (t) => {
  const h = await voicePtyRig();
  t.teardown(() => h.close());
  await h.trunk.start();
  h.sim.garbage();
  h.sim.truncated();
  h.sim.garbage(Buffer.from('\r\n'));
  const offered = h.next('offered');
  h.sim.ring('13300000005');
  t.equal((await offered).caller, '13300000005');
});

t.test('the port vanishing mid-call fails the call; the modem is reopened at the same path', async (t) => {
  const h = await voicePtyRig();
  t.teardown(() => h.close());
  await h.trunk.start();
  const offered = h.next('offered');
  h.sim.ring('13300000006');
  const o = await offered;
  await h.trunk.answer(o.callId);
  const failed = h.next('failed');
  await h.disappear();
  t.same((await failed).callIds, [o.callId]);
  const ready = h.next('ready');
  await h.comeBack();
  await ready;
  await t.rejects(h.trunk.play(o.callId, { id: 'x' }), { code: 'unknown-call' });
});

t.test('a modem without voice mode fails permanently', async (t) => {
  const h = await voicePtyRig({ trunk: { startTimeoutMs: 3000 } });
  t.teardown(() => h.close());
  h.sim.voice = false;
  const failed = h.next('failed', (f) => f.permanent);
  await h.trunk.start();
  t.match((await failed).reason, /FCLASS=8/);
});
