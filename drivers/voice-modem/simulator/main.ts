// The simulated V.253 voice modem as a program, for the far end of a pty pair or a null-modem cable:
//
//   npx tsx drivers/voice-modem/simulator/main.ts --pty --link /tmp/vm0 [--family conexant|usr5637|linear16] [--half-duplex]
//   edgebox start --driver voice-modem --serial /tmp/vm0
//
// or `--port /dev/pts/N` for one end of a pair made by hand. Behaviours are typed on stdin, one per line:
//   ring <number|-|P>         incoming call with caller ID (- = none, P = withheld)
//   say <pinyin text…>        the caller speaks (espeak-ng cmn-latn-pinyin, 8 kHz)
//   press <digits>            the caller presses keys (tones in the audio and DLE events)
//   hangup [loop-drop|busy|dial-tone|silence]
//   heard <file.wav>          save what the caller has heard so far
//   garbage | truncated | freeze | thaw | status
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { wavHeader } from '../../media/wav.js';
import { openPtyPair } from '../../serial-at/simulator/pty.js';
import { serialPortTransport } from '../../serial-at/transport.js';
import { SimulatedVoiceModem, VSM_LISTS, type HangupStyle, type ModemFamily } from './modem-sim.js';
import { speechPcm } from './speech.js';

const { values } = parseArgs({
  options: { port: { type: 'string' }, pty: { type: 'boolean' }, link: { type: 'string' }, family: { type: 'string' }, 'half-duplex': { type: 'boolean' } },
});
const family = (values.family ?? 'conexant') as ModemFamily;
if (!(family in VSM_LISTS)) {
  process.stderr.write(`--family must be one of ${Object.keys(VSM_LISTS).join(', ')}\n`);
  process.exit(2);
}
const sim = new SimulatedVoiceModem({ family, duplex: !values['half-duplex'], ringIntervalMs: 4000 });
sim.on('command', (c) => process.stdout.write(`< ${c}\n`));
sim.on('state', (s) => process.stdout.write(`stream ${s}\n`));

let device = values.port;
let closePty: (() => Promise<void>) | undefined;
if (!device && values.pty) {
  const pair = await openPtyPair(values.link ? { hostLink: values.link } : {});
  device = pair.device;
  closePty = pair.close;
  process.stdout.write(`host end: ${pair.host}\n`);
} else if (!device) {
  process.stderr.write('usage: main.ts --port <device> | --pty [--link <path>] [--family …] [--half-duplex]\n');
  process.exit(2);
}
const port = await serialPortTransport({ path: device }).open();
sim.attach(port);
process.stdout.write(`simulated voice modem (${family}) on ${device}\n`);

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, a, ...rest] = line.trim().split(/\s+/);
  switch (cmd) {
    case 'ring':
      if (a === 'P') sim.ring(null, 'restricted');
      else sim.ring(a && a !== '-' ? a : null);
      break;
    case 'say':
      speechPcm([a, ...rest].join(' '))
        .then((pcm) => sim.speak(pcm))
        .catch((err: unknown) => process.stderr.write(`say failed: ${String(err)}\n`));
      break;
    case 'press':
      if (a) sim.press(a);
      break;
    case 'hangup':
      sim.hangUp((a ?? 'loop-drop') as HangupStyle);
      break;
    case 'heard': {
      const pcm = sim.heard;
      const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
      fs.writeFileSync(a ?? 'heard.wav', Buffer.concat([wavHeader(data.length), data]));
      process.stdout.write(`saved ${(pcm.length / 8000).toFixed(1)} s\n`);
      break;
    }
    case 'garbage':
      sim.garbage();
      break;
    case 'truncated':
      sim.truncated();
      break;
    case 'freeze':
      sim.freeze();
      break;
    case 'thaw':
      sim.thaw();
      break;
    case 'status':
      process.stdout.write(`stream ${sim.stream}, off-hook ${sim.offHook}, compression ${sim.compression ?? '-'}, heard ${(sim.heard.length / 8000).toFixed(1)} s\n`);
      break;
    default:
      if (cmd) process.stdout.write(`unknown behaviour: ${cmd}\n`);
  }
});
const shutdown = async () => {
  rl.close();
  await port.close();
  await closePty?.();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
