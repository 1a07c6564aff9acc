// What the composition root hands to route plugins and subsystems: the box's services.
import type { AccountService } from './accounts/service.js';
import type { WorkCalendar } from './calendar/workdays.js';
import type { ConfigStore } from './config/store.js';
import type { Health } from './health/health.js';
import type { RegionTable } from './regions/regions.js';
import type { Db } from './store/db.js';
import type { TicketService } from './tickets/service.js';

export interface BoxServices {
  version: string;
  dataDir: string;
  config: ConfigStore;
  db: Db;
  regions: RegionTable;
  calendar: WorkCalendar;
  accounts: AccountService;
  tickets: TicketService;
  health: Health;
  now: () => Date;
}
