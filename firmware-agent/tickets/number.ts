// Ticket numbers: 19 digits, {region 6}{yyyymmdd}{sequence 5} (design §4), e.g. 6230002026112800042.
// Nationally unique because the receiving centre's GB/T 2260 code is. The sequence is per region and
// local day, allocated inside the transaction that inserts the ticket, so a crash can neither reuse a
// number that was acknowledged nor leave a gap-causing half-write.
import { AppError } from '../errors.js';
import type { Db } from '../store/db.js';

export const maxSequence = 99_999;

export function formatNumber(region: string, day: string, seq: number): string {
  return `${region}${day.replace(/-/g, '')}${String(seq).padStart(5, '0')}`;
}

/**
 * Allocates the next number of a region and local day inside the caller's transaction. Never hands out a
 * number the store already holds, whatever put it there (issue 13, finding 1: a transfer that carried the
 * next local number made every create fail on tickets.number's UNIQUE constraint, and the counter rolled
 * back with each failed insert). A taken number moves the counter past the highest number held for that
 * prefix and day, in the same transaction: one extra indexed lookup per ticket.
 */
export function sequenceAllocator(db: Db): (region: string, day: string) => string {
  const next = db.prepare(
    `INSERT INTO ticket_sequence (region, day, last) VALUES (?, ?, 1)
     ON CONFLICT (region, day) DO UPDATE SET last = last + 1 RETURNING last`,
  );
  const taken = db.prepare('SELECT 1 FROM tickets WHERE number = ?').pluck();
  const highest = db.prepare('SELECT max(number) FROM tickets WHERE number BETWEEN ? AND ?').pluck();
  const moveTo = db.prepare('UPDATE ticket_sequence SET last = ? WHERE region = ? AND day = ?');
  return (region, day) => {
    let { last } = next.get(region, day) as { last: number };
    if (last <= maxSequence && taken.get(formatNumber(region, day, last))) {
      const top = highest.get(formatNumber(region, day, 0), formatNumber(region, day, maxSequence)) as string;
      last = Number(top.slice(-5)) + 1;
      moveTo.run(last, region, day);
    }
    if (last > maxSequence) throw new AppError('ticket-sequence-exhausted', `more than ${maxSequence} tickets on ${day}`);
    return formatNumber(region, day, last);
  };
}
