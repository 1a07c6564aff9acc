// The SMS channel's intake fuzzed with sequences (issue 13 "Make the classes impossible"): parts of several
// concatenated messages from different senders arriving interleaved, out of order, twice (a SIM re-listing, a
// network duplicate, before or after the message was kept), some never or only after the reassembly timeout;
// single messages and their duplicates; the box restarting in between; time passing on a virtual clock.
// Against a model: every message that got at least one part becomes exactly one ticket, whose description
// holds every part that arrived, in order; a message whose every part arrived (even late) reads whole, with
// no incompleteness note; duplicates never make a second ticket; every stored part leaves the SIM.
import fc from 'fast-check';
import { VirtualClock } from '../../common/clock.js';
import { recordingLogger } from '../../common/log.js';
import { SmsChannel } from '../../firmware-agent/sms/channel.js';
import { smsConfig } from '../../firmware-agent/sms/config.js';
import type { IncomingPart, SmsModemPort } from '../../firmware-agent/sms/port.js';
import { memoryTickets } from '../helpers/tickets.js';

/** Messages of the model: 0–3 are concatenated (2–4 parts), 4–5 are single. */
const groups = [0, 1, 2, 3].map((g) => ({ g, total: 2 + (g % 3), sender: `+861380013800${g}`, reference: 40 + g }));
const singles = [4, 5].map((g) => ({ g, sender: `+861390013900${g}` }));
const segment = (g: number, seq: number) => `第${g}条投诉第${seq}段内容。`;
const timeoutMs = 600_000;

export type SmsCommand =
  | { c: 'part'; g: number; seq: number }
  | { c: 'single'; g: number }
  | { c: 'advance'; ms: number }
  | { c: 'restart' };

export const smsCommand: fc.Arbitrary<SmsCommand> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }).chain((g) => fc.record({ c: fc.constant('part' as const), g: fc.constant(g), seq: fc.integer({ min: 1, max: groups[g]!.total }) })) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('single' as const), g: fc.constantFrom(4, 5) }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 300_000, max: 900_000 })) }) },
  { weight: 1, arbitrary: fc.constant({ c: 'restart' as const }) },
);

export interface SmsRunReport {
  parts: number;
  tickets: number;
  incompleteAtEnd: number;
}

export async function runSmsSequence(commands: SmsCommand[]): Promise<SmsRunReport> {
  const clock = new VirtualClock(Date.UTC(2026, 11, 5, 2));
  const { db, tickets } = memoryTickets(() => new Date(clock.now()));
  const listeners = new Set<(p: IncomingPart) => void>();
  const stored = new Set<number>();
  const deleted = new Set<number>();
  const port: SmsModemPort = {
    onMessage: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onStatusReport: () => () => {},
    sendSms: async () => ({ references: [1] }),
    delete: async (i) => {
      deleted.add(i);
    },
  };
  const config = smsConfig({ minSendIntervalMs: 0, concatTimeoutMs: timeoutMs });
  let channel = new SmsChannel({ db, tickets, port, config: () => config, clock, log: recordingLogger(), boxRegion: () => '623000', timezone: 'Asia/Shanghai' });
  channel.start();
  // The model: which parts of each message arrived, and when the first did.
  const arrived = new Map<number, Set<number>>();
  let index = 0;
  let step = -1;
  const fail = (what: string): never => {
    throw new Error(`step ${step} (${JSON.stringify(commands[step] ?? 'final')}): ${what}`);
  };
  const deliver = (p: IncomingPart) => {
    stored.add(p.index);
    for (const l of [...listeners]) l(p);
  };
  const ticketsOf = (sender: string) =>
    db.prepare('SELECT number, description FROM tickets WHERE caller_phone = ? ORDER BY number').all(sender.replace(/^\+86/, '')) as { number: string; description: string }[];
  try {
    for (step = 0; step < commands.length; step++) {
      const cmd = commands[step]!;
      if (cmd.c === 'part') {
        const g = groups[cmd.g]!;
        const text = segment(g.g, cmd.seq);
        // The same part again carries the same PDU (a re-listing or a network duplicate), in another SIM slot.
        deliver({
          index: ++index,
          from: g.sender,
          scTime: `2026-12-05T10:0${cmd.seq}:00+08:00`,
          text,
          pdu: Buffer.from(`${g.sender}|${g.reference}|${cmd.seq}|${text}`).toString('hex'),
          concat: { reference: g.reference, referenceBits: 8, total: g.total, sequence: cmd.seq },
        });
        const set = arrived.get(g.g) ?? new Set<number>();
        set.add(cmd.seq);
        arrived.set(g.g, set);
      } else if (cmd.c === 'single') {
        const s = singles.find((x) => x.g === cmd.g)!;
        const text = `第${s.g}条单条短信投诉内容。`;
        deliver({ index: ++index, from: s.sender, scTime: '2026-12-05T10:00:00+08:00', text, pdu: Buffer.from(`${s.sender}|${text}`).toString('hex') });
        arrived.set(s.g, new Set([1]));
      } else if (cmd.c === 'advance') {
        await clock.advance(cmd.ms);
      } else {
        await channel.stop();
        channel = new SmsChannel({ db, tickets, port, config: () => config, clock, log: recordingLogger(), boxRegion: () => '623000', timezone: 'Asia/Shanghai' });
        channel.start();
      }
      await clock.advance(0);
      // No message ever has two tickets.
      for (const m of [...groups, ...singles]) if (ticketsOf(m.sender).length > 1) fail(`message ${m.g} made ${ticketsOf(m.sender).length} tickets`);
    }
    step = commands.length;
    await clock.advance(timeoutMs + 1);
    await clock.advance(0);
    let incompleteAtEnd = 0;
    for (const m of [...groups, ...singles]) {
      const got = arrived.get(m.g);
      const ts = ticketsOf(m.sender);
      if (!got) {
        if (ts.length) fail(`message ${m.g} got no part but has a ticket`);
        continue;
      }
      if (ts.length !== 1) fail(`message ${m.g} has ${ts.length} tickets, want 1`);
      const d = ts[0]!.description;
      if ('total' in m) {
        const wanted = [...got].sort((a, b) => a - b).map((seq) => segment(m.g, seq)).join('');
        if (!d.startsWith(wanted)) fail(`message ${m.g}: description ${JSON.stringify(d)} does not start with the parts that arrived ${JSON.stringify(wanted)}`);
        const whole = got.size === m.total;
        if (whole && d !== wanted) fail(`message ${m.g} arrived whole but reads ${JSON.stringify(d)}`);
        if (!whole) {
          incompleteAtEnd++;
          if (!d.includes('短信不完整')) fail(`message ${m.g} is missing parts but its ticket does not say so: ${JSON.stringify(d)}`);
        }
      }
    }
    for (const i of stored) if (!deleted.has(i)) fail(`SIM slot ${i} was never deleted`);
    return { parts: index, tickets: (db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number }).n, incompleteAtEnd };
  } finally {
    await channel.stop();
    db.close();
  }
}
