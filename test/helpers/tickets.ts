// A ticket service on an in-memory store with the default domains, for tests of the layers that file
// tickets (the SMS channel, its fuzzer): Gansu's 623000 box, Asia/Shanghai, the default deadlines.
import { WorkCalendar } from '../../firmware-agent/calendar/workdays.js';
import { RegionTable } from '../../firmware-agent/regions/regions.js';
import { type Db, openDb } from '../../firmware-agent/store/db.js';
import { defaultDomains } from '../../firmware-agent/tickets/codes.js';
import { TicketService } from '../../firmware-agent/tickets/service.js';

export function memoryTickets(now?: () => Date): { db: Db; tickets: TicketService } {
  const db = openDb({ file: ':memory:' });
  const seed = db.prepare('INSERT OR IGNORE INTO domains (code, label_zh, label_en, parent, sort) VALUES (?, ?, ?, ?, ?)');
  defaultDomains.forEach((d, i) => seed.run(d.code, d.zh, d.en, d.parent ?? null, i));
  const tickets = new TicketService({
    db,
    calendar: new WorkCalendar(db, 'Asia/Shanghai'),
    regions: RegionTable.load(),
    boxRegion: () => '623000',
    timezone: 'Asia/Shanghai',
    deadlines: () => ({ inquiry: 5, suggestion: 15, complaint: 15 }),
    dueSoonWorkingDays: () => 1,
    ...(now ? { now } : {}),
  });
  return { db, tickets };
}
