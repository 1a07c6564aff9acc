// The serial gateway's audio path over a module's voice port (Quectel AT+QPCMV, SIMCom AT+CPCMREG): framing
// and rate detection (pure), the capability profile per configuration, and the trunk with the simulated
// module and its simulated voice port on in-memory links and a virtual clock (pacing, prompts, DTMF, echo,
// one-way audio, 16 kHz, voicemail). The same behaviours run on real ptys in serial-at-voice-pty.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import fc from 'fast-check';
import { wavHeader } from '../../drivers/media/wav.js';
import { dtmfSequence } from '../../drivers/media/tones.js';
import { VirtualClock } from '../../common/clock.js';
import type { TrunkEvents } from '../../drivers/trunk/types.js';
import { createSerialAt, turnsDetectorOn } from '../../drivers/serial-at/index.js';
import { serialAtOptions } from '../../firmware-agent/config/trunk-options.js';
import { recordingLogger } from '../../common/log.js';
import { frameBytes, PcmFramer, pcmBytes, RateDetector } from '../../drivers/serial-at/pcm.js';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { SimulatedVoicePort, type VoicePortSimOptions } from '../../drivers/serial-at/simulator/voice-sim.js';
import { memoryLink, type TransportFactory } from '../../drivers/serial-at/transport.js';

// ---------------------------------------------------------------- framing

t.test('PcmFramer: 16-bit little-endian samples, 320-byte frames at 8 kHz, 640 at 16 kHz', async (t) => {
  t.equal(frameBytes(8000), 320);
  t.equal(frameBytes(16000), 640);
  const f = new PcmFramer(4);
  t.same(f.push(Buffer.from([0x01, 0x00, 0xff])).map((x) => [...x]), [], 'half a frame and half a sample wait');
  t.same(f.push(Buffer.from([0x7f, 0x00, 0x80, 0x34])).map((x) => [...x]), [[1, 0x7fff]], '0x0001, 0x7fff');
  t.equal(f.pending, 3);
  t.same(f.push(Buffer.from([0x12])).map((x) => [...x]), [[-32768, 0x1234]], '0x8000 is -32768; 0x1234');
  t.throws(() => new PcmFramer(3), RangeError);
});

t.test('PcmFramer: any cut of the byte stream gives the same frames (property)', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 0, maxLength: 700 }),
      fc.array(fc.integer({ min: 0, max: 1400 }), { maxLength: 10 }),
      (samples, cuts) => {
        const bytes = pcmBytes(Int16Array.from(samples));
        const whole = new PcmFramer(320).push(bytes);
        const f = new PcmFramer(320);
        const got: Int16Array[] = [];
        let from = 0;
        for (const c of [...cuts.map((c) => Math.min(c, bytes.length))].sort((a, b) => a - b)) {
          got.push(...f.push(bytes.subarray(from, c)));
          from = c;
        }
        got.push(...f.push(bytes.subarray(from)));
        const flat = (a: Int16Array[]) => a.flatMap((x) => [...x]);
        return got.length === Math.floor(samples.length / 160) && JSON.stringify(flat(got)) === JSON.stringify(flat(whole)) && flat(got).every((v, i) => v === samples[i]);
      },
    ),
  );
  t.pass('chunking never changes the frames');
});

t.test('RateDetector: the byte rate of a real-time downlink tells 8 kHz from 16 kHz', async (t) => {
  for (const rate of [8000, 16000] as const) {
    const d = new RateDetector(600);
    let decided: number | undefined;
    // A first burst of 5 frames (USB read-ahead), then one frame every 20 ms.
    let at = 1000;
    decided = d.observe(frameBytes(rate) * 5, at);
    for (let i = 0; i < 60 && decided === undefined; i++) decided = d.observe(frameBytes(rate), (at += 20));
    t.equal(decided, rate, `${rate} Hz recognised`);
  }
  t.ok(turnsDetectorOn(['AT+DDET=1']) && turnsDetectorOn(['AT+CLVL=3', 'at+qtonedet=1']));
  t.notOk(turnsDetectorOn(['AT+DDET=0', 'AT+CLVL=3']));
});

// ---------------------------------------------------------------- capability profiles

t.test('capabilities follow the configuration: module, detector, TTS, voice port', async (t) => {
  const caps = (flags: Record<string, string>) => createSerialAt(serialAtOptions({ serial: '/dev/null-gsm', ...flags })).trunk.capabilities;
  t.match(caps({}), { play: 'none', digits: 'none', record: false }, 'generic: no detector turned on → digits none (C4)');
  t.match(caps({ 'at-init': 'AT+DDET=1' }), { digits: 'module' }, 'generic with the detector in --at-init');
  t.match(caps({ module: 'simcom' }), { play: 'none', digits: 'module', record: false });
  t.match(caps({ module: 'quectel', prompts: 'tts' }), { play: 'module-tts', digits: 'module' });
  t.match(caps({ module: 'quectel', 'voice-port': '/dev/null-voice' }), { play: 'none', digits: 'module', record: false }, 'a voice port not yet open: the no-audio profile');
  t.throws(() => serialAtOptions({ serial: '/dev/a', 'voice-port': '/dev/b' }), { code: 'SERIAL_AT_BAD_OPTION', detail: { param: 'voice-port' } });
  t.throws(() => serialAtOptions({ serial: '/dev/a', module: 'simcom', 'voice-port': '/dev/a' }), { code: 'SERIAL_AT_BAD_OPTION', detail: { param: 'voice-port' } });
  t.throws(() => serialAtOptions({ serial: '/dev/a', module: 'simcom', 'voice-port': '/dev/b', 'voice-rate': '11025' }), { code: 'SERIAL_AT_BAD_OPTION', detail: { param: 'voice-rate' } });
  t.match(serialAtOptions({ serial: '/dev/a', module: 'simcom', 'voice-port': '/dev/b', 'voice-rate': '16000' }), { voicePort: '/dev/b', voiceRate: 16000 });
});

// ---------------------------------------------------------------- the trunk with a voice port

function tone(hz: number, ms: number, amp = 8000): Int16Array {
  const n = (ms * 8000) / 1000;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * i) / 8000));
  return out;
}

function wavFile(dir: string, name: string, pcm: Int16Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([wavHeader(pcm.length * 2), pcmBytes(pcm)]));
  return file;
}

/** Amplitude of `hz` in `pcm` (Goertzel over the whole buffer). */
function level(pcm: Int16Array, hz: number): number {
  const w = (2 * Math.PI * hz) / 8000;
  let re = 0;
  let im = 0;
  for (let i = 0; i < pcm.length; i++) {
    re += pcm[i]! * Math.cos(w * i);
    im += pcm[i]! * Math.sin(w * i);
  }
  return (2 * Math.hypot(re, im)) / Math.max(1, pcm.length);
}

/**
 * The 20 ms frames of `pcm` that carry sound: a pacer that fell behind on a loaded machine fills with silence,
 * which would dilute a level taken over the whole stream.
 */
function voiced(pcm: Int16Array): Int16Array {
  const frames: Int16Array[] = [];
  for (let i = 0; i + 160 <= pcm.length; i += 160) {
    const f = pcm.subarray(i, i + 160);
    if (f.some((v) => v !== 0)) frames.push(f);
  }
  const out = new Int16Array(frames.length * 160);
  frames.forEach((f, i) => out.set(f, i * 160));
  return out;
}

function setup(
  t: { teardown(fn: () => unknown): void },
  o: { family?: 'simcom' | 'quectel'; voice?: VoicePortSimOptions; noVoicePort?: boolean; pcm?: 'quectel' | 'simcom' | 'both' | 'none'; rate?: string } = {},
) {
  const family = o.family ?? 'quectel';
  const clock = new VirtualClock();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serial-at-voice-'));
  const at = memoryLink('at0');
  const vl = memoryLink('voice0');
  if (o.noVoicePort) vl.unplug();
  const sim = new SimulatedModem({ clock, pcm: o.pcm ?? 'both' });
  const voice = new SimulatedVoicePort(sim, { clock, ...o.voice });
  let attaching = true;
  void (async () => {
    while (attaching) sim.attach(await at.nextDevice());
  })();
  void (async () => {
    while (attaching) voice.attach(await vl.nextDevice());
  })();
  const log = recordingLogger();
  const flags: Record<string, string> = { serial: 'at0', module: family, 'voice-port': 'voice0', ...(o.rate ? { 'voice-rate': o.rate } : {}) };
  const { modem, trunk } = createSerialAt(serialAtOptions(flags), { clock, logger: log, transport: at.factory, voiceTransport: vl.factory as TransportFactory });
  const digits: string[] = [];
  trunk.on('digits', (e) => digits.push(e.digits));
  t.teardown(async () => {
    attaching = false;
    await trunk.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const call = async () => {
    const offered = new Promise<TrunkEvents['offered']>((r) => trunk.on('offered', r));
    sim.ring('13800138000');
    const c = await clock.until(offered);
    await clock.until(trunk.answer(c.callId));
    return c.callId;
  };
  return { clock, sim, voice, modem, trunk, log, dir, digits, call };
}

t.test('Quectel: AT+QPCMV=1,0 at answer; a prompt file is played at real time and heard by the caller', async (t) => {
  const h = setup(t, { family: 'quectel' });
  await h.clock.until(h.trunk.start());
  t.match(h.trunk.capabilities, { play: 'audio', promptFormats: ['alaw', 'wav'], digits: 'box', record: 'box' });
  const id = await h.call();
  t.ok(h.sim.commands.includes('AT+QPCMV=1,0'), 'voice over the USB serial port requested');
  t.ok(h.voice.streaming, 'the module streams');
  const file = wavFile(h.dir, 'p.wav', tone(1000, 600));
  const heardBefore = h.voice.heard.length;
  const t0 = h.clock.now();
  const r = await h.clock.until(h.trunk.play(id, { id: 'p', file }));
  const took = h.clock.now() - t0;
  t.same(r, { outcome: 'completed' });
  const heard = h.voice.heard.subarray(heardBefore);
  // Pacing: what reached the module while the prompt played is what real time allows (± the lead of 3 frames).
  // (Virtual time also ran while the prompt file was read, so the play itself may take longer than 600 ms.)
  t.ok(Math.abs(heard.length - took * 8) <= 5 * 160, `paced at real time: ${heard.length / 8} ms of audio sent in ${took} ms`);
  t.ok(took >= 600, 'not faster than real time');
  const sound = voiced(heard);
  t.ok(sound.length >= 500 * 8, `the caller heard ${sound.length / 8} ms of the 600 ms prompt`);
  t.ok(level(sound, 1000) > 1000, `the caller heard the 1 kHz prompt (level ${level(sound, 1000).toFixed(0)})`);
  t.ok(heard.length % 160 === 0, 'whole 20 ms frames');
  await h.clock.until(h.trunk.hangup(id));
  t.ok(h.sim.commands.includes('AT+QPCMV=0'), 'voice port released after the call');
});

t.test('SIMCom: AT+CPCMREG=1 after ATA and =0 after ATH, so the next call streams again', async (t) => {
  const h = setup(t, { family: 'simcom' });
  await h.clock.until(h.trunk.start());
  for (let i = 0; i < 2; i++) {
    const id = await h.call();
    t.ok(h.voice.streaming, `call ${i + 1} streams`);
    await h.clock.until(h.trunk.hangup(id));
    t.notOk(h.sim.pcmRegistered, 'AT+CPCMREG=0 sent');
  }
  const cmds = h.sim.commands.filter((c) => /^(ATA|ATH|AT\+CPCMREG)/.test(c));
  t.same(cmds, ['ATA', 'AT+CPCMREG=1', 'ATH', 'AT+CPCMREG=0', 'ATA', 'AT+CPCMREG=1', 'ATH', 'AT+CPCMREG=0']);
});

t.test('DTMF: tones on the voice port are detected by the box, once even when the module reports them too', async (t) => {
  const h = setup(t, { family: 'simcom' });
  await h.clock.until(h.trunk.start());
  const id = await h.call();
  await h.clock.advance(700); // SIMCom: the rate is measured first (auto)
  // The key as audio and, from the module's own detector (AT+DDET=1), as +DTMF: both are one press.
  const tones = h.voice.press('5');
  await h.clock.advance(60);
  h.sim.callerPresses('5');
  await h.clock.until(tones);
  await h.clock.until(h.voice.press('9'));
  const r = await h.clock.until(h.trunk.collectDigits(id, { max: 2, firstDigitTimeoutMs: 3000 }));
  t.same(r, { outcome: 'max', digits: '59' });
  t.same(h.digits, ['5', '9']);
});

t.test('echo: the box\'s own DTMF-like prompt coming back is not taken as the caller\'s digits', async (t) => {
  const h = setup(t, { family: 'quectel', voice: { echo: { delayMs: 120, gainDb: -6 } } });
  await h.clock.until(h.trunk.start());
  const id = await h.call();
  const file = wavFile(h.dir, 'tones.wav', dtmfSequence('1593', { onMs: 100, offMs: 100, levelDbm0: -8 }));
  await h.clock.until(h.trunk.play(id, { id: 'tones', file }));
  await h.clock.advance(500);
  t.same(h.digits, [], 'no digit from the echo');
  await h.clock.until(h.voice.press('7'));
  await h.clock.advance(300);
  t.same(h.digits, ['7'], 'the caller\'s own key still counts');
});

t.test('16 kHz firmware: the rate is measured, audio is resampled both ways', async (t) => {
  const h = setup(t, { family: 'simcom', voice: { rate: 16000 } });
  await h.clock.until(h.trunk.start());
  const id = await h.call();
  await h.clock.until(h.voice.press('3'));
  const r = await h.clock.until(h.trunk.collectDigits(id, { max: 1, firstDigitTimeoutMs: 3000 }));
  t.same(r, { outcome: 'max', digits: '3' });
  const before = h.voice.heard.length;
  await h.clock.until(h.trunk.play(id, { id: 'p', file: wavFile(h.dir, 'p.wav', tone(800, 400)) }));
  const heard = h.voice.heard.subarray(before);
  t.ok(level(heard, 800) > 1000 && level(heard, 1600) < 200, `the caller hears 800 Hz, not 1600 Hz (${level(heard, 800).toFixed(0)} / ${level(heard, 1600).toFixed(0)})`);
  t.ok(h.log.entries.some((e) => e.msg === 'voice port rate' && e.obj.rate === 16000), 'logged: 16000');
});

t.test('one-way audio: nothing arrives after answer — logged as a problem, digits from the module detector', async (t) => {
  const h = setup(t, { family: 'simcom', voice: { oneWay: true } });
  await h.clock.until(h.trunk.start());
  const id = await h.call();
  await h.clock.advance(2500);
  t.match(h.modem.status.lastProblem, /one-way audio/);
  t.ok(h.log.entries.some((e) => /one-way audio/.test(e.msg ?? '')), 'a warning names the problem');
  h.sim.callerPresses('4');
  const r = await h.clock.until(h.trunk.collectDigits(id, { max: 1, firstDigitTimeoutMs: 3000 }));
  t.same(r, { outcome: 'max', digits: '4' }, 'the module\'s detector still brings the key');
  const before = h.voice.heard.length;
  await h.clock.until(h.trunk.play(id, { id: 'p', file: wavFile(h.dir, 'p.wav', tone(1000, 200)) }));
  t.ok(h.voice.heard.length > before, 'the box still plays (the uplink may work)');
});

t.test('no voice port: a clear error naming the device, and calls go on with the no-audio profile', async (t) => {
  const h = setup(t, { family: 'simcom', noVoicePort: true });
  await h.clock.until(h.trunk.start());
  t.match(h.trunk.capabilities, { play: 'none', digits: 'module', record: false });
  const err = h.log.entries.find((e) => e.level === 'error' && /voice port unavailable/.test(e.msg ?? ''));
  t.match(err?.obj, { err: /voice port memory:voice0: cannot open/ }, 'the error names the device');
  t.match(h.modem.status.lastProblem, /voice0/);
  const id = await h.call();
  t.notOk(h.sim.commands.includes('AT+CPCMREG=1'), 'no PCM asked for');
  h.sim.callerPresses('2');
  const r = await h.clock.until(h.trunk.collectDigits(id, { max: 1, firstDigitTimeoutMs: 3000 }));
  t.same(r, { outcome: 'max', digits: '2' });
  await t.rejects(h.trunk.record(id, { file: path.join(h.dir, 'x.wav') }), { code: 'unsupported' });
});

t.test('a module that refuses PCM: this call has no audio path, the refusal is on the status', async (t) => {
  const h = setup(t, { family: 'quectel', pcm: 'none' });
  await h.clock.until(h.trunk.start());
  const id = await h.call();
  t.match(h.modem.status.lastProblem, /AT\+QPCMV=1,0 refused/);
  const r = await h.clock.until(h.trunk.play(id, { id: 'p', file: wavFile(h.dir, 'p.wav', tone(1000, 200)) }));
  t.same(r, { outcome: 'completed' }, 'the prompt is a pause');
});

t.test('voicemail: the caller speaks, presses #, the WAV holds what was said', async (t) => {
  const h = setup(t, { family: 'quectel' });
  await h.clock.until(h.trunk.start());
  const id = await h.call();
  const file = path.join(h.dir, 'vm.wav');
  const rec = h.trunk.record(id, { file, maxMs: 10_000, stopDigits: '#' });
  void h.voice.speak(tone(600, 1000)).then(() => h.voice.press('#'));
  const r = await h.clock.until(rec);
  t.equal(r.outcome, 'digit');
  t.ok(r.durationMs >= 1000 && r.durationMs < 1600, `duration ${r.durationMs} ms`);
  const wav = fs.readFileSync(file);
  t.equal(wav.toString('ascii', 0, 4), 'RIFF');
  t.equal(wav.readUInt32LE(24), 8000, 'WAV at 8 kHz');
  const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
  t.ok(level(pcm, 600) > 1000, 'the caller\'s voice is in the file');
  t.notOk(fs.existsSync(`${file}.part`));
});

t.test('conversation recording runs alongside a prompt and ends at hang-up with both sides', async (t) => {
  const h = setup(t, { family: 'quectel' });
  await h.clock.until(h.trunk.start());
  const id = await h.call();
  const file = path.join(h.dir, 'conv.wav');
  const rec = h.trunk.record(id, { file, background: true });
  void h.voice.speak(tone(600, 400));
  await h.clock.until(h.trunk.play(id, { id: 'p', file: wavFile(h.dir, 'p.wav', tone(1200, 400)) }));
  await h.clock.advance(200);
  h.sim.callerHangsUp();
  const r = await h.clock.until(rec);
  t.equal(r.outcome, 'ended');
  const wav = fs.readFileSync(file);
  const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
  t.ok(level(pcm, 600) > 300 && level(pcm, 1200) > 300, `both sides recorded (${level(pcm, 600).toFixed(0)} / ${level(pcm, 1200).toFixed(0)})`);
});
