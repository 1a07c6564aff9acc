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
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { serialPortTransport } from '../transport.js';
import { SimulatedModem } from './modem-sim.js';
import { openPtyPair } from './pty.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, pty: { type: 'boolean' }, link: { type: 'string' } } });
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

if (!device && values.pty) {
  await plug();
} else if (device) {
  port = await serialPortTransport({ path: device }).open();
  sim.attach(port);
} else {
  process.stderr.write('usage: main.ts --port <device> | --pty [--link <path>]\n');
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
      if (a) sim.callerPresses(a);
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
      process.stdout.write(`stored ${sim.storage.size}, sent ${sim.sent.length}, resets ${sim.resets}, answering ${sim.answering}\n`);
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
