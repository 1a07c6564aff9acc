// Migration 202611281600-search-prefix-index rebuilds the contentless tickets_fts with prefix indexes from
// its own tokens: every ticket indexed before it must be found exactly as before, and new tickets after it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { WorkCalendar } from '../../firmware-agent/calendar/workdays.js';
import { defaultConfig } from '../../firmware-agent/config/model.js';
import { RegionTable } from '../../firmware-agent/regions/regions.js';
import { loadMigrations, migrate, openDb } from '../../firmware-agent/store/db.js';
import { defaultDomains } from '../../firmware-agent/tickets/codes.js';
import { TicketService } from '../../firmware-agent/tickets/service.js';
import type { Actor } from '../../firmware-agent/accounts/actor.js';

const id = '202611281600';

t.test('tickets indexed before the prefix-index migration are found the same after it', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-fts-migration-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const all = loadMigrations();
  t.ok(all.some((m) => m.id === id), 'migration present');
  const db = openDb({ file: path.join(dir, 'box.sqlite'), migrations: all.filter((m) => m.id !== id) });
  t.teardown(() => db.close());
  const seed = db.prepare('INSERT INTO domains (code, label_zh, label_en, parent, sort) VALUES (?, ?, ?, ?, ?)');
  defaultDomains.forEach((d, i) => seed.run(d.code, d.zh, d.en, d.parent ?? null, i));
  const cfg = defaultConfig;
  const tickets = new TicketService({
    db,
    calendar: new WorkCalendar(db, cfg.box.timezone),
    regions: RegionTable.load(),
    boxRegion: () => cfg.box.region,
    timezone: cfg.box.timezone,
    deadlines: () => cfg.tickets.deadlines,
    dueSoonWorkingDays: () => cfg.tickets.dueSoonWorkingDays,
  });
  const agent: Actor = { id: null, name: 'test', role: 'agent' };
  const texts = [
    ['出租车拒载', '我在火车站打车，司机拒载，说不顺路。'],
    ['出租车绕路', '从机场到市区，司机故意绕路，多收了二十元。'],
    ['公交车晚点', '早上七点在站台等了四十分钟，公交车一直没来。'],
    ['驾校乱收费', '报名时说好一次性收费，现在又要交补考费。车牌甘PT1234。'],
  ] as const;
  for (let i = 0; i < 12; i++) {
    const [subject, description] = texts[i % texts.length]!;
    tickets.create(
      { type: 'complaint', domain: 'taxi', channel: 'phone', region: cfg.box.region, caller: { phone: '13900000000' }, subject, description },
      agent,
    );
  }
  const queries = ['拒载', '绕路', '公交车', '出租', '车', '甘PT12', '拒载 火车站', '不存在的词'];
  const numbers = (q: string) => tickets.list({ q, pageSize: 100 }, agent).items.map((v) => v.number);
  const before = new Map(queries.map((q) => [q, numbers(q)]));
  t.same(migrate(db, all), [all.find((m) => m.id === id)!.name], 'only the prefix migration runs');
  const sql = (db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'tickets_fts'`).get() as { sql: string }).sql;
  t.match(sql, /prefix='1 2'/, 'tickets_fts now has prefix indexes');
  for (const q of queries) t.same(numbers(q), before.get(q), `same results for ${q}`);
  t.equal(before.get('拒载')!.length, 3);
  t.equal(before.get('甘PT12')!.length, 3);
  const made = tickets.create(
    { type: 'complaint', domain: 'taxi', channel: 'phone', region: cfg.box.region, caller: { phone: '13900000000' }, subject: '出租车拒载', description: '深夜拒载。' },
    agent,
  );
  t.equal(numbers('拒载')[0], made.number, 'a ticket created after the migration is found first');
});
