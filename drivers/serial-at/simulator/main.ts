// The simulated modem as a program, for the far end of a pty pair or a null-modem cable:
//
//   socat -d -d pty,raw,echo=0,link=/tmp/gsm0 pty,raw,echo=0      # note the second pty
//   npx tsx drivers/serial-at/simulator/main.ts --port /dev/pts/7
//   edgebox start --driver serial-at --serial /tmp/gsm0
//
// or `--pty` to start socat itself and print the host path. Behaviours are typed on stdin, one per line:
//   sms <from> <text…>        deliver a message (long texts as concatenated parts)
//   sms-silent <from> <text…> store without +CMTI (arrived while the box was down)
//   ring <number|->           incoming call (- = withheld);  hangup;  press <digits>
//   freeze | freeze-send | noise | truncated | status
//   unplug | replug           (with --pty --link: the pty vanishes / comes back at the same path)
//   speak <seconds>           the caller talks (a 440/660 Hz warble) — on the voice port and into the module's recorder
//   files | storage <bytes> | cut-upload <bytes> | cut-download <bytes>
//                             the module's file storage: list it, make it that small (full), lose bytes of the next transfer
//
// `--voice` (with --pty; `--voice-link <path>` for a stable name) or `--voice-port <device>` gives the module its
// voice port (SimulatedVoicePort on a second pty pair: the box's --voice-port): PCM in both directions once the
// box sends AT+QPCMV=1,0 / AT+CPCMREG=1; `press` then also sends the keys as DTMF tones in the audio, and what
// the box plays is counted (`status`).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { serialPortTransport } from '../transport.js';
import { SimulatedModem } from './modem-sim.js';
import { openPtyPair } from './pty.js';
import { SimulatedVoicePort } from './voice-sim.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    pty: { type: 'boolean' },
    link: { type: 'string' },
    voice: { type: 'boolean' },
    'voice-link': { type: 'string' },
    'voice-port': { type: 'string' },
  },
});
let device = values.port;
let closePty: (() => Promise<void>) | undefined;
const sim = new SimulatedModem();
sim.on('sent', (s) => process.stdout.write(`sent to ${s.destination.value}: ${s.text}\n`));
sim.on('command', (c) => process.stdout.write(`< ${c}\n`));
let port: Awaited<ReturnType<ReturnType<typeof serialPortTransport>['open']>> | undefined;

async function plug(): Promise<void> {
  const pair = await openPtyPair(values.link ? { hostLink: values.link } : {});
  device = pair.device;
  closePty = pair.close;
  process.stdout.write(`host end: ${pair.host}\n`);
  port = await serialPortTransport({ path: device }).open();
  sim.attach(port);
}

async function unplug(): Promise<void> {
  await closePty?.();
  await port?.close();
  closePty = undefined;
  port = undefined;
}

const voice = values.voice || values['voice-port'] ? new SimulatedVoicePort(sim) : undefined;
if (voice) {
  let voiceDevice = values['voice-port'];
  if (!voiceDevice) {
    if (!values.pty) {
      process.stderr.write('--voice needs --pty (or give --voice-port <device>)\n');
      process.exit(2);
    }
    const pair = await openPtyPair(values['voice-link'] ? { hostLink: values['voice-link'] } : {});
    voiceDevice = pair.device;
    process.once('exit', () => void pair.close());
    process.stdout.write(`voice port host end: ${pair.host}\n`);
  }
  voice.attach(await serialPortTransport({ path: voiceDevice }).open());
  voice.on('streaming', (on) => process.stdout.write(on ? 'voice streaming\n' : `voice stopped (heard ${(voice.heard.length / 8000).toFixed(1)} s from the box, ${soundSeconds(voice.heard).toFixed(2)} s of it sound)\n`));
}
sim.on('played', (name, ms) => process.stdout.write(`played ${name} (${Math.round(ms)} ms)\n`));
sim.on('recorded', (name, ms) => process.stdout.write(`recorded ${name} (${Math.round(ms)} ms)\n`));

/** How much of what the box sent was sound (20 ms frames above −40 dBFS), s. */
function soundSeconds(pcm: Int16Array): number {
  let frames = 0;
  for (let i = 0; i + 160 <= pcm.length; i += 160) {
    let e = 0;
    for (let j = i; j < i + 160; j++) e += pcm[j]! * pcm[j]!;
    if (Math.sqrt(e / 160) > 327) frames += 1;
  }
  return frames * 0.02;
}

/** A caller's voice stand-in: a warble between 440 and 660 Hz, 8 kHz. */
function warble(seconds: number): Int16Array {
  const n = Math.round(Math.max(0, Math.min(seconds, 600)) * 8000);
  const out = new Int16Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += (2 * Math.PI * (550 + 110 * Math.sin((2 * Math.PI * 3 * i) / 8000))) / 8000;
    out[i] = Math.round(6000 * Math.sin(phase));
  }
  return out;
}

if (!device && values.pty) {
  await plug();
} else if (device) {
  port = await serialPortTransport({ path: device }).open();
  sim.attach(port);
} else {
  process.stderr.write('usage: main.ts --port <device> | --pty [--link <path>] [--voice [--voice-link <path>] | --voice-port <device>]\n');
  process.exit(2);
}
process.stdout.write(`simulated modem on ${device}\n`);

let plugging: Promise<void> = Promise.resolve();
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, a, ...rest] = line.trim().split(/\s+/);
  switch (cmd) {
    case 'sms':
    case 'sms-silent':
      if (a) sim.deliverSms({ from: a, text: rest.join(' '), silent: cmd === 'sms-silent' });
      break;
    case 'ring':
      sim.ring(a && a !== '-' ? a : null);
      break;
    case 'hangup':
      sim.callerHangsUp();
      break;
    case 'press':
      if (a) {
        sim.callerPresses(a);
        if (voice?.streaming) void voice.press(a);
      }
      break;
    case 'speak': {
      const pcm = warble(Number(a ?? 3) || 3);
      void sim.callerSpeaks(pcm);
      if (voice?.streaming) void voice.speak(pcm);
      break;
    }
    case 'files':
      for (const [n, b] of sim.files) process.stdout.write(`${n} ${b.length}\n`);
      process.stdout.write(`${sim.files.size} files, ${sim.fileBytesUsed} of ${sim.fileStorageBytes} bytes\n`);
      break;
    case 'storage':
      if (a && /^\d+$/.test(a)) sim.fileStorageBytes = Number(a);
      break;
    case 'cut-upload':
    case 'cut-download':
      if (a && /^\d+$/.test(a)) {
        if (cmd === 'cut-upload') sim.truncateNextUpload = Number(a);
        else sim.truncateNextDownload = Number(a);
      }
      break;
    case 'freeze':
      sim.stopAnswering('reset');
      break;
    case 'freeze-send':
      sim.freezeOnNextSend();
      break;
    case 'noise':
      sim.garble(Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256))));
      break;
    case 'truncated':
      sim.storeRaw('0791683108200005F0240D91683118');
      break;
    case 'unplug':
    case 'replug':
      // One after the other: a replug typed right after an unplug waits for it to finish.
      if (values.pty) {
        plugging = plugging
          .then(async () => {
            if (cmd === 'unplug' && port) {
              await unplug();
              process.stdout.write('unplugged\n');
            } else if (cmd === 'replug' && !port) {
              await plug();
              process.stdout.write(`simulated modem on ${device}\n`);
            }
          })
          .catch((err: unknown) => {
            process.stderr.write(`${cmd} failed: ${String(err)}\n`);
          });
      }
      break;
    case 'status':
      process.stdout.write(
        `stored ${sim.storage.size}, sent ${sim.sent.length}, resets ${sim.resets}, answering ${sim.answering}, files ${sim.files.size}, played ${sim.played.length}` +
          (voice ? `, voice ${voice.streaming ? 'streaming' : 'idle'}, heard ${(voice.heard.length / 8000).toFixed(1)} s` : '') +
          '\n',
      );
      break;
    default:
      if (cmd) process.stdout.write(`unknown behaviour: ${cmd}\n`);
  }
});
const shutdown = async () => {
  rl.close();
  await port?.close();
  await closePty?.();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
