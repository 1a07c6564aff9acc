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

export function isTicketNumber(s: string): boolean {
  return /^[1-9]\d{5}\d{8}\d{5}$/.test(s);
}

export function sequenceAllocator(db: Db): (region: string, day: string) => string {
  const next = db.prepare(
    `INSERT INTO ticket_sequence (region, day, last) VALUES (?, ?, 1)
     ON CONFLICT (region, day) DO UPDATE SET last = last + 1 RETURNING last`,
  );
  return (region, day) => {
    const { last } = next.get(region, day) as { last: number };
    if (last > maxSequence) throw new AppError('ticket-sequence-exhausted', `more than ${maxSequence} tickets on ${day}`);
    return formatNumber(region, day, last);
  };
}
