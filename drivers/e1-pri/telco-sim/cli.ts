/**
 * `edgebox simulate --driver e1-pri --dchannel PATH [--calls N] [--concurrency N] [--caller 139…]
 *   [--digits 3] [--talk-ms 5000] [--answer-after-ms 2000]`
 * Plays the operator's exchange against a running box: places calls with the given caller numbers,
 * presses the menu digits in-band, keeps each call up for --talk-ms, hangs up, and answers the box's
 * outgoing calls (transfers, agent stations) after --answer-after-ms. Prints one line per event.
 */
import { parseArgs } from 'node:util';
import { TelcoSim, type SimLine } from './telco.js';

export async function simulateE1(args: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dchannel: { type: 'string' },
      media: { type: 'string' },
      calls: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '1' },
      caller: { type: 'string', default: '13800138000' },
      called: { type: 'string', default: '12328' },
      digits: { type: 'string', default: '3' },
      'talk-ms': { type: 'string', default: '5000' },
      'answer-after-ms': { type: 'string', default: '2000' },
      driver: { type: 'string' },
    },
    strict: false,
  });
  const str = (k: keyof typeof values) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const dchannel = str('dchannel') ?? process.env.EDGEBOX_DCHANNEL;
  if (!dchannel) {
    out('edgebox simulate --driver e1-pri: --dchannel PATH is required (the socket the box listens on)');
    return 2;
  }
  const calls = Number(str('calls'));
  const concurrency = Math.max(1, Number(str('concurrency')));
  const talkMs = Number(str('talk-ms'));
  const answerAfterMs = Number(str('answer-after-ms'));
  const media = str('media');
  const telco = new TelcoSim({ dchannel, ...(media ? { media } : {}), behaviour: () => ({ kind: 'answer', afterMs: answerAfterMs }) });
  telco.on('incoming', (l) => out(`box called ${l.called} on channel ${l.channel}`));
  await telco.connect();
  out('D-channel up');
  let next = 0;
  const base = str('caller')!;
  const one = async (i: number): Promise<void> => {
    const caller = calls > 1 && /^\d+$/.test(base) ? String(BigInt(base) + BigInt(i)) : base;
    const line: SimLine = telco.placeCall({ caller, called: str('called')! });
    out(`call ${i + 1}: ${caller} → ${line.called} on channel ${line.channel}`);
    try {
      await line.waitFor('answered');
    } catch {
      out(`call ${i + 1}: released before answer (cause ${line.releaseCause})`);
      return;
    }
    out(`call ${i + 1}: answered`);
    if (str('digits')) line.pressDigits(str('digits')!);
    const talk = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, talkMs);
      line.released.then(() => {
        clearTimeout(t);
        resolve();
      }).catch(() => {});
    });
    await talk;
    if (line.state !== 'released') line.hangup();
    const r = await line.released;
    out(`call ${i + 1}: released by ${r.by}, cause ${r.cause}`);
  };
  const workers = Array.from({ length: Math.min(concurrency, calls) }, async () => {
    while (next < calls) await one(next++);
  });
  try {
    await Promise.all(workers);
  } finally {
    telco.close();
  }
  return 0;
}
