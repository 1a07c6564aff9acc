// Noise on the line between replies (a loose connector, a module printing debug output): with a
// seeded generator, so a failure reproduces. The driver must deliver every message exactly, send every
// text exactly, and never throw.
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { GsmModem } from '../../drivers/serial-at/modem.js';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { memoryLink } from '../../drivers/serial-at/transport.js';
import { recordingLogger } from '../../common/log.js';
import { ConcatAssembler } from '../../drivers/serial-at/concat.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

for (const seed of [1, 12328, 20261128]) {
  t.test(`seed ${seed}: every message in and out survives noise between replies`, async (t) => {
    const rand = rng(seed);
    const clock = new VirtualClock();
    const link = memoryLink();
    const sim = new SimulatedModem({ clock });
    let attaching = true;
    void (async () => {
      while (attaching) sim.attach(await link.nextDevice());
    })();
    const modem = new GsmModem({ transport: link.factory, clock, logger: recordingLogger(), healthIntervalMs: 600_000 });
    t.teardown(async () => {
      attaching = false;
      await modem.stop();
    });
    const received: string[] = [];
    const concat = new ConcatAssembler({ clock, timeoutMs: 3_600_000, onMessage: (m) => received.push(m.text) });
    const arrived = new Set<string>();
    let dupes = 0;
    modem.on('sms', (m) => {
      if (arrived.has(m.pdu)) dupes++;
      arrived.add(m.pdu);
      concat.add(m);
      modem.delete(m.index, { stored: true }).catch(() => undefined);
    });
    await clock.until(modem.start());
    const noise = () => {
      const n = Math.floor(rand() * 80);
      const bytes = Array.from({ length: n }, () => {
        const r = rand();
        // Mostly printable junk, some line ends, some high bytes; never a prompt ('>').
        if (r < 0.1) return 0x0d;
        if (r < 0.15) return 0x0a;
        if (r < 0.3) return 0x80 + Math.floor(rand() * 128);
        const c = 0x20 + Math.floor(rand() * 95);
        return c === 0x3e ? 0x3c : c;
      });
      sim.garble(Buffer.from(bytes));
    };
    const texts = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `第${i}条投诉：公交车不按站停靠` : i % 3 === 1 ? `complaint #${i}: taxi refused` : '长'.repeat(80 + i)));
    const sends: Promise<unknown>[] = [];
    for (const [i, text] of texts.entries()) {
      noise();
      sim.deliverSms({ from: `+86138000000${String(i).padStart(2, '0')}`, text });
      noise();
      sends.push(modem.sendSms('13800138000', `回复${i}：${text}`));
      noise();
    }
    await clock.until(Promise.all(sends));
    const allIn = new Promise<void>((resolve) => {
      const check = () => received.length >= texts.length && resolve();
      check();
      modem.on('sms', check);
    });
    await clock.until(allIn);
    t.same([...received].sort(), [...texts].sort(), 'every incoming text, exactly, once');
    t.equal(dupes, 0, 'no part handed over twice');
    // Reassemble the outgoing parts by reference and compare.
    const byRef = new Map<number, Map<number, string>>();
    const singles: string[] = [];
    for (const s of sim.sent) {
      if (!s.concat) singles.push(s.text);
      else {
        const m = byRef.get(s.concat.reference) ?? new Map<number, string>();
        m.set(s.concat.sequence, s.text);
        byRef.set(s.concat.reference, m);
      }
    }
    const sentTexts = [...singles, ...[...byRef.values()].map((m) => [...m.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]).join(''))];
    t.same(sentTexts.sort(), texts.map((x, i) => `回复${i}：${x}`).sort(), 'every outgoing text, exactly, once');
  });
}
