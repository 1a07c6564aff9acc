// The simulator program (drivers/serial-at/simulator/main.ts) with its voice port (`--voice`), run on its own as a
// technician would, and the box's serial-AT driver built from `edgebox start` flags (createSerialAt) on the two ptys
// it opens: a call rung from the program's stdin is answered, streams PCM both ways, the caller's key is heard by
// the box's detector in the audio, a prompt with values is voiced digit by digit (`Prompt.say`, --say-dir), and
// `speak` / `files` work on the module's recorder and storage.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createSerialAt } from '../../drivers/serial-at/index.js';
import { serialAtOptions } from '../../firmware-agent/config/trunk-options.js';
import { wavPcm16 } from '../../drivers/serial-at/files.js';
import type { TrunkEvents } from '../../drivers/trunk/types.js';

function tone(file: string, ms: number, hz: number): void {
  const n = ms * 8;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * hz * i) / 8000));
  fs.writeFileSync(file, wavPcm16(pcm));
}

t.test('main.ts --voice: a call from its stdin, audio both ways, a key heard in the audio, values voiced', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-simvoice-'));
  const at = path.join(dir, 'ttyUSB2');
  const vp = path.join(dir, 'ttyUSB4');
  const say = path.join(dir, 'say');
  fs.mkdirSync(say);
  for (let d = 0; d <= 9; d++) tone(path.join(say, `${d}.wav`), 250, 300 + 50 * d);
  const prompt = path.join(dir, 'queue.position.wav');
  tone(prompt, 500, 500);
  const child = spawn(process.execPath, ['--import', 'tsx', 'drivers/serial-at/simulator/main.ts', '--pty', '--link', at, '--voice', '--voice-link', vp], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const waitOut = async (re: RegExp) => {
    while (!re.test(out)) await new Promise((r) => child.stdout!.once('data', r));
  };
  const config = serialAtOptions({ serial: at, module: 'quectel', 'voice-port': vp, stations: '801', 'say-dir': say });
  const { trunk } = createSerialAt(config);
  t.teardown(async () => {
    await trunk.stop();
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await waitOut(/simulated modem on/);
  await trunk.start();
  t.equal(trunk.capabilities.play, 'audio', 'the voice port is open: the box plays');
  const offered = new Promise<TrunkEvents['offered']>((r) => trunk.on('offered', r));
  child.stdin!.write('ring 13912345678\n');
  const call = await offered;
  t.equal(call.caller, '13912345678');
  await trunk.answer(call.callId);
  await waitOut(/voice streaming/);

  // Pressed on the program's stdin: the module's URC and real tones; the box reports the key once.
  const digit = new Promise<TrunkEvents['digits']>((r) => trunk.on('digits', r));
  child.stdin!.write('press 5\n');
  t.equal((await digit).digits, '5');

  // A prompt with a value: the prompt, then "1", "2" from the digit prompts — 0.5 s + 2 × 0.25 s of audio.
  t.match(await trunk.play(call.callId, { id: 'queue.position', file: prompt, say: ['12'] }), { outcome: 'completed' });
  child.stdin!.write('hangup\n');
  await waitOut(/voice stopped \(heard [\d.]+ s from the box, ([\d.]+) s of it sound/);
  const sound = Number(/([\d.]+) s of it sound/.exec(out)![1]);
  t.ok(sound >= 0.95 && sound <= 1.05, `the caller heard the prompt and both digits: ${sound} s of sound (0.5 + 2 × 0.25)`);
  child.stdin!.write('status\n');
  await waitOut(/files \d+, played \d+, voice idle/);
});
