// The serial gateway's audio path on real ptys (socat): the simulated module's AT port and its voice port
// are two pty pairs, the driver opens both as serial devices. Sentences of what the box does; no sleeps —
// every wait is on an event of the simulator or the trunk.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { alawToLinear } from '../../drivers/media/alaw.js';
import { loadPromptAlaw, wavHeader } from '../../drivers/media/wav.js';
import { dtmfSequence } from '../../drivers/media/tones.js';
import { gsmVoiceRig, type GsmVoiceRig } from '../rigs/serial-at-voice-harness.js';

// Each test builds its own rig and mostly waits on the wall clock: three at once.
t.jobs = 3;

function energy(pcm: Int16Array): number {
  let s = 0;
  for (const v of pcm) s += v * v;
  return Math.sqrt(s / Math.max(1, pcm.length));
}

/** A spoken prompt, made with espeak-ng and sox as the box's prompts are (8 kHz A-law WAV). */
function speechPrompt(dir: string, text: string, voice = 'en'): string {
  const raw = path.join(dir, 'raw.wav');
  const out = path.join(dir, `prompt-${Math.random().toString(36).slice(2)}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-w', raw, text]);
  execFileSync('sox', [raw, '-r', '8000', '-c', '1', '-e', 'a-law', out]);
  return out;
}

async function answered(h: GsmVoiceRig, caller = '13800138000'): Promise<string> {
  const offered = h.next('offered');
  h.sim.ring(caller);
  const o = await offered;
  const streaming = new Promise<void>((r) => h.voice.once('streaming', () => r()));
  await h.trunk.answer(o.callId);
  await streaming;
  return o.callId;
}

t.test('When a caller is answered, the box plays its spoken prompt over the voice port and the caller hears it', async (t) => {
  const h = await gsmVoiceRig({ family: 'quectel' });
  t.teardown(() => h.close());
  await h.trunk.start();
  t.match(h.trunk.capabilities, { play: 'audio', digits: 'box', record: 'box' });
  const id = await answered(h);
  t.ok(h.sim.commands.includes('AT+QPCMV=1,0'));
  const file = speechPrompt(h.dir, 'Welcome to the twelve three two eight hotline');
  const prompt = alawToLinear(await loadPromptAlaw(file));
  const before = h.voice.heard.length;
  const r = await h.trunk.play(id, { id: 'welcome', file });
  t.same(r, { outcome: 'completed' });
  const heard = h.voice.heard.subarray(before);
  t.ok(heard.length >= prompt.length * 0.95, `the caller heard the whole prompt (${heard.length / 8} ms of ${prompt.length / 8} ms)`);
  t.ok(energy(heard) > energy(prompt) * 0.5, `with its energy (${energy(heard).toFixed(0)} vs ${energy(prompt).toFixed(0)})`);
  const hung = h.next('hangup');
  h.sim.callerHangsUp();
  await hung;
});

t.test('When the caller presses keys, the box detects the tones itself (SIMCom, detector URC on too: once each)', async (t) => {
  const h = await gsmVoiceRig({ family: 'simcom' });
  t.teardown(() => h.close());
  await h.trunk.start();
  const id = await answered(h);
  await new Promise<void>((r) => h.log.entries.some((e) => e.msg === 'voice port rate') ? r() : h.voice.once('heard', () => r()));
  const collected = h.trunk.collectDigits(id, { max: 4, firstDigitTimeoutMs: 10_000, interDigitTimeoutMs: 10_000 });
  for (const d of '2580') {
    const tones = h.voice.press(d);
    h.sim.callerPresses(d); // the module's own detector reports it as well
    await tones;
  }
  t.same(await collected, { outcome: 'max', digits: '2580' });
});

t.test('When the module carries 16 kHz, the box measures it and still hears the keys and plays at the right pitch', async (t) => {
  const h = await gsmVoiceRig({ family: 'simcom', voice: { rate: 16000 } });
  t.teardown(() => h.close());
  await h.trunk.start();
  const id = await answered(h);
  const collected = h.trunk.collectDigits(id, { max: 3, firstDigitTimeoutMs: 10_000 });
  await h.voice.press('147');
  t.same(await collected, { outcome: 'max', digits: '147' });
  t.ok(h.log.entries.some((e) => e.msg === 'voice port rate' && e.obj.rate === 16000), 'measured 16 kHz');
  const file = path.join(h.dir, 'tone.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'a-law', file, 'synth', '0.5', 'sine', '697']);
  const before = h.voice.heard.length;
  await h.trunk.play(id, { id: 'tone', file });
  const heard = h.voice.heard.subarray(before);
  // 697 Hz stays 697 Hz (a wrong rate would shift it by an octave).
  const w = (2 * Math.PI * 697) / 8000;
  let re = 0;
  let im = 0;
  heard.forEach((v, i) => {
    re += v * Math.cos(w * i);
    im += v * Math.sin(w * i);
  });
  t.ok((2 * Math.hypot(re, im)) / heard.length > 2000, 'the caller hears 697 Hz');
});

t.test('When the far end echoes the box\'s prompt, the echo is not taken for digits', async (t) => {
  const h = await gsmVoiceRig({ family: 'quectel', voice: { echo: { delayMs: 150, gainDb: -10 } } });
  t.teardown(() => h.close());
  await h.trunk.start();
  const id = await answered(h);
  const digits: string[] = [];
  h.trunk.on('digits', (e) => digits.push(e.digits));
  const file = speechPrompt(h.dir, 'Press one for railway, two for roads, zero for an agent');
  await h.trunk.play(id, { id: 'menu', file });
  // A prompt made of tones (a worst case for echo): its echo must not count either.
  const tones = path.join(h.dir, 'tones.wav');
  const pcm = dtmfSequence('3691', { onMs: 100, offMs: 100, levelDbm0: -8 });
  const b = Buffer.alloc(pcm.length * 2);
  pcm.forEach((v, i) => b.writeInt16LE(v, 2 * i));
  fs.writeFileSync(tones, Buffer.concat([wavHeader(b.length), b]));
  await h.trunk.play(id, { id: 'tones', file: tones });
  // Let the echo tail through, then the caller's own key must still count.
  const collected = h.trunk.collectDigits(id, { max: 1, firstDigitTimeoutMs: 10_000 });
  await h.voice.speak(new Int16Array(8000 * 0.3));
  await h.voice.press('8');
  t.same(await collected, { outcome: 'max', digits: '8' });
  t.same(digits, ['8'], 'no digit from the echo');
});

t.test('When the caller leaves a voicemail, the box records it to an 8 kHz WAV', async (t) => {
  const h = await gsmVoiceRig({ family: 'simcom' });
  t.teardown(() => h.close());
  await h.trunk.start();
  const id = await answered(h);
  const file = path.join(h.dir, 'vm.wav');
  const speech = alawToLinear(await loadPromptAlaw(speechPrompt(h.dir, 'The street light on Jiefang road is broken')));
  const rec = h.trunk.record(id, { file, maxMs: 30_000, stopDigits: '#' });
  await h.voice.speak(speech);
  await h.voice.press('#');
  const r = await rec;
  t.equal(r.outcome, 'digit');
  t.ok(r.durationMs >= (speech.length / 8) * 0.9, `recorded ${r.durationMs} ms for ${speech.length / 8} ms of speech`);
  const wav = fs.readFileSync(file);
  t.equal(wav.readUInt32LE(24), 8000);
  const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
  t.ok(energy(pcm) > energy(speech) * 0.3, 'the speech is in the file');
});

t.test('When nothing arrives on the voice port after answer (one-way audio), the box says so and keeps the module\'s digits', async (t) => {
  const h = await gsmVoiceRig({ family: 'simcom', voice: { oneWay: true } });
  t.teardown(() => h.close());
  await h.trunk.start();
  const id = await answered(h);
  const warned = new Promise<void>((resolve) => {
    const check = () => (/one-way audio/.test(h.modem.status.lastProblem ?? '') ? resolve() : undefined);
    h.modem.on('status', check);
    check();
  });
  await warned;
  t.ok(h.log.entries.some((e) => e.level === 'warn' && /one-way audio/.test(e.msg ?? '')));
  const collected = h.trunk.collectDigits(id, { max: 1, firstDigitTimeoutMs: 10_000 });
  h.sim.callerPresses('6');
  t.same(await collected, { outcome: 'max', digits: '6' });
});

t.test('When the voice port is missing at start, the error names the device and calls work without audio', async (t) => {
  const h = await gsmVoiceRig({ family: 'simcom', voice: false });
  t.teardown(() => h.close());
  await h.trunk.start();
  const err = h.log.entries.find((e) => e.level === 'error' && /voice port unavailable/.test(e.msg ?? ''));
  t.match(String(err?.obj.err), h.voicePath, 'the error names the device');
  t.match(h.trunk.capabilities, { play: 'none', digits: 'module', record: false });
  const offered = h.next('offered');
  h.sim.ring('13900001111');
  const o = await offered;
  await h.trunk.answer(o.callId);
  const collected = h.trunk.collectDigits(o.callId, { max: 1, firstDigitTimeoutMs: 10_000 });
  h.sim.callerPresses('9');
  t.same(await collected, { outcome: 'max', digits: '9' });
  t.same(await h.trunk.play(o.callId, { id: 'x', file: '/nonexistent.wav', text: 'x' }), { outcome: 'completed' });
});
