// The exchange fuzzed with sequences (issue 13, "Make the classes impossible"): two paired cities and a
// stranger push to a real province box over HTTP — ticket reports at rising, repeated and older versions,
// numbered in their own region or another's; replays of messages already applied; transfers to the province,
// numbered rightly or with the province's own prefix; results about tickets they were never sent; batches
// mixing a good message with a bad one — while the province numbers tickets of its own.
// After every step, against a model of what the exchange promises (docs/exchange.md):
// - never a 5xx; a refusal carries a documented code and stores nothing;
// - a message applied once is answered 'duplicate' ever after and changes nothing;
// - a report keeps the highest version received for its ticket and reporter;
// - a number outside its sender's prefix is never stored; ticket numbers stay unique, every ticket has an
//   audit record, and the province's own numbering never collides with a received number.
import fc from 'fast-check';
import type { Box } from '../../firmware-agent/app.js';
import { systemActor } from '../../firmware-agent/accounts/service.js';
import { type Envelope, newEnvelope } from '../../firmware-agent/network/messages.js';
import { FakePeer, localDay, snapshot, transfer } from '../fixtures/exchange-peer.js';

export type ExchangeCommand =
  | { c: 'report'; city: number; slot: number; foreign: boolean; bump: boolean }
  | { c: 'replay'; pick: number }
  | { c: 'transfer'; city: number; foreign: boolean }
  | { c: 'own' }
  | { c: 'stranger' }
  | { c: 'mixed'; city: number }
  | { c: 'result'; city: number };

const city = fc.nat({ max: 1 });
export const exchangeCommand: fc.Arbitrary<ExchangeCommand> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ c: fc.constant('report' as const), city, slot: fc.nat({ max: 3 }), foreign: fc.nat({ max: 3 }).map((n) => n === 0), bump: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant('replay' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant('transfer' as const), city, foreign: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant('own' as const) }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('stranger' as const) }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('mixed' as const), city }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('result' as const), city }) },
);

/** Row counts a refused request must leave as they were (the province's own scheduled jobs excluded). */
export function storedCounts(box: Box) {
  const count = (sql: string) => (box.db.prepare(`SELECT count(*) AS n FROM ${sql}`).get() as { n: number }).n;
  return {
    inbox: count('net_inbox'),
    tickets: count('tickets'),
    reports: count('net_reports'),
    audit: count("audit WHERE entity != 'alarm'"),
    outbox: count("net_outbox WHERE NOT (kind IN ('stats.daily', 'alarm.report') AND json_extract(envelope, '$.from') = '620000')"),
  };
}

interface Slot {
  id: string;
  number: string;
  version: number;
  /** Highest version the province applied. */
  applied: number;
}

/** The sequence runner: one province, two cities and a stranger, and the model of what was applied. */
export class ExchangeModel {
  readonly cities: FakePeer[];
  readonly stranger: FakePeer;
  readonly slots: Slot[][];
  /** Messages applied, exactly as sent, to replay. */
  readonly applied: { peer: FakePeer; env: Envelope }[] = [];
  #seq = 0;
  readonly documented: Set<string>;

  constructor(
    readonly box: Box,
    url: string,
    cities: FakePeer[],
    documented: string,
  ) {
    this.cities = cities;
    this.stranger = new FakePeer(url, '620300');
    this.slots = cities.map(() => []);
    this.documented = new Set([...documented.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]!));
  }

  #number(prefix: string): string {
    // A number this run has not used: a sequence well above anything the province gives itself.
    return `${prefix}${localDay()}${String(50000 + (++this.#seq % 49999)).padStart(5, '0')}`;
  }

  #slot(c: number, s: number): Slot {
    const slots = this.slots[c]!;
    while (slots.length <= s) {
      const t = snapshot();
      slots.push({ id: t.id as string, number: this.#number(this.cities[c]!.region), version: 0, applied: 0 });
    }
    return slots[s]!;
  }

  #report(c: number, slot: Slot, version: number, number = slot.number): Envelope {
    const from = this.cities[c]!.region;
    const ticket = snapshot({ id: slot.id, number, region: `${from.slice(0, 4)}02`, version });
    return newEnvelope('ticket.report', from, '^', new Date(), { ticket, action: version === 1 ? 'create' : 'update' } as never, { id: slot.id, version });
  }

  /** Runs one command and checks the promises that concern it; throws on a broken one. */
  async run(cmd: ExchangeCommand): Promise<void> {
    const before = storedCounts(this.box);
    const refused = (r: { status: number; code: string | undefined }, want: string | string[], what: string) => {
      if (r.status < 400 || !([] as string[]).concat(want).includes(r.code ?? '')) throw new Error(`${what}: expected ${want}, got ${r.status} ${r.code ?? ''}`);
      if (r.status >= 500 || !this.documented.has(r.code ?? '')) throw new Error(`${what}: ${r.status} ${r.code} is not a documented refusal`);
      const after = storedCounts(this.box);
      if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`${what}: refused, yet stored ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    };
    const statuses = (r: { status: number; json: { results?: { status: string }[] } }, what: string) => {
      if (r.status !== 200) throw new Error(`${what}: expected 200, got ${r.status} ${JSON.stringify(r.json)}`);
      return (r.json.results ?? []).map((x) => x.status);
    };
    switch (cmd.c) {
      case 'report': {
        const peer = this.cities[cmd.city]!;
        const slot = this.#slot(cmd.city, cmd.slot);
        if (cmd.foreign) {
          // Numbered in another city's region: refused whatever its version.
          const env = this.#report(cmd.city, slot, slot.version + 1, this.#number(this.cities[1 - cmd.city]!.region));
          refused(await peer.push([env]), 'exchange-ticket-number-invalid', 'a report numbered in another region');
          return;
        }
        // A newer version, or the same or an older one again (a new message each time: a new id is a new message).
        const version = cmd.bump || slot.version === 0 ? slot.version + 1 : Math.max(1, slot.version - 1);
        slot.version = Math.max(slot.version, version);
        const env = this.#report(cmd.city, slot, version);
        const got = statuses(await peer.push([env]), 'report');
        if (got[0] !== 'applied') throw new Error(`report: ${got[0]}`);
        this.applied.push({ peer, env });
        slot.applied = Math.max(slot.applied, version);
        const row = this.box.db.prepare('SELECT version, number FROM net_reports WHERE ticket_id = ? AND reporter = ?').get(slot.id, peer.region) as { version: number; number: string } | undefined;
        if (row?.version !== slot.applied) throw new Error(`report: the province keeps version ${row?.version}, the highest received is ${slot.applied}`);
        if (row.number !== slot.number) throw new Error(`report: number ${row.number} stored for ${slot.number}`);
        return;
      }
      case 'replay': {
        if (this.applied.length === 0) return;
        const { peer, env } = this.applied[cmd.pick % this.applied.length]!;
        const got = statuses(await peer.push([env]), 'replay');
        if (got[0] !== 'duplicate') throw new Error(`replay of ${env.kind} ${env.id}: ${got[0]}`);
        if (JSON.stringify(storedCounts(this.box)) !== JSON.stringify(before)) throw new Error('replay: a duplicate changed the store');
        return;
      }
      case 'transfer': {
        const peer = this.cities[cmd.city]!;
        if (cmd.foreign) {
          const env = transfer(peer.region, '620000', { number: this.#number('620000'), region: '620000' });
          refused(await peer.push([env]), 'exchange-ticket-number-invalid', 'a transfer numbered with the province’s prefix');
          return;
        }
        const number = this.#number(peer.region);
        const env = transfer(peer.region, '620000', { number, region: '620000' });
        const got = statuses(await peer.push([env]), 'transfer');
        if (got[0] !== 'applied') throw new Error(`transfer: ${got[0]}`);
        this.applied.push({ peer, env });
        const t = this.box.db.prepare('SELECT origin_region FROM tickets WHERE number = ?').get(number) as { origin_region: string } | undefined;
        if (t?.origin_region !== peer.region) throw new Error(`transfer: ticket ${number} held with origin ${t?.origin_region}`);
        return;
      }
      case 'own': {
        const t = this.box.tickets.create({ type: 'complaint', domain: 'taxi', channel: 'phone', region: '620302', caller: { phone: '13800138000' }, subject: '省本级受理', description: '省本级' }, systemActor);
        if (!t.number.startsWith(`620000${localDay()}`)) throw new Error(`own ticket numbered ${t.number}`);
        return;
      }
      case 'stranger': {
        const slot = { id: snapshot().id as string, number: this.#number('620300'), version: 1, applied: 0 };
        const env = newEnvelope('ticket.report', '620300', '^', new Date(), { ticket: snapshot({ id: slot.id, number: slot.number }), action: 'create' } as never, { id: slot.id, version: 1 });
        // Past 30 failures a minute from one address, the door answers exchange-rate-limited instead.
        refused(await this.stranger.push([env]), ['exchange-unknown-peer', 'exchange-rate-limited'], 'a box that never paired');
        return;
      }
      case 'mixed': {
        // A good report and one numbered elsewhere in one batch: the whole batch is refused.
        const peer = this.cities[cmd.city]!;
        const good = this.#report(cmd.city, this.#slot(cmd.city, 3), this.#slot(cmd.city, 3).version + 1);
        const bad = this.#report(cmd.city, this.#slot(cmd.city, 2), 99, this.#number('623000'));
        refused(await peer.push([good, bad]), 'exchange-ticket-number-invalid', 'a batch holding one bad message');
        return;
      }
      case 'result': {
        // A result about a ticket the province keeps (金昌, 620302: no box below serves it), never sent to this
        // city: ignored, and the ticket unchanged. (A ticket of 兰州 the province takes goes down to 620100, which
        // may then answer it.)
        const peer = this.cities[cmd.city]!;
        const own = this.box.db.prepare("SELECT id, number, version FROM tickets WHERE origin_region IS NULL AND transferred_to IS NULL ORDER BY rowid DESC LIMIT 1").get() as { id: string; number: string; version: number } | undefined;
        if (!own) return;
        const env = newEnvelope('ticket.result', peer.region, '620000', new Date(), { ticketId: own.id, number: own.number, kind: 'reply', text: '已处理', at: new Date().toISOString() } as never, { id: own.id, version: 1 });
        const got = statuses(await peer.push([env]), 'result');
        if (got[0] !== 'ignored') throw new Error(`a result about a ticket never sent to ${peer.region}: ${got[0]}`);
        const now = this.box.db.prepare('SELECT version FROM tickets WHERE id = ?').get(own.id) as { version: number };
        if (now.version !== own.version) throw new Error('result: the province’s own ticket changed');
        return;
      }
    }
  }

  /** The store's invariants, whatever the sequence. */
  checkStore(): void {
    const dup = this.box.db.prepare('SELECT number, count(*) AS n FROM tickets GROUP BY number HAVING n > 1').all();
    if (dup.length > 0) throw new Error(`ticket numbers held twice: ${JSON.stringify(dup)}`);
    const unaudited = this.box.db.prepare("SELECT id FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.entity = 'ticket' AND a.entity_id = t.number)").all();
    if (unaudited.length > 0) throw new Error(`tickets without an audit record: ${JSON.stringify(unaudited)}`);
    const misnumbered = this.box.db.prepare("SELECT number, origin_region FROM tickets WHERE origin_region IS NOT NULL AND substr(number, 1, 6) != origin_region").all();
    if (misnumbered.length > 0) throw new Error(`received tickets numbered outside their origin: ${JSON.stringify(misnumbered)}`);
    const foreignReports = this.box.db.prepare('SELECT number, reporter FROM net_reports WHERE substr(number, 1, 6) != reporter').all();
    if (foreignReports.length > 0) throw new Error(`reports numbered outside their reporter: ${JSON.stringify(foreignReports)}`);
  }
}
