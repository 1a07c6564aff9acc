// Issue 13, finding 1, the allocator's side: whatever the store holds, a new ticket never gets a number
// that is taken. Before the fix a row holding the next number made every create fail on tickets.number's
// UNIQUE constraint, all day (the counter rolled back with each failed insert).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { v7 as uuidv7 } from 'uuid';
import { type Box } from '../../firmware-agent/app.js';
import { startTestBox } from '../helpers/box.js';
import { systemActor } from '../../firmware-agent/accounts/service.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-allocator-'));
let box: Box;
t.before(async () => {
  box = (await startTestBox({ login: false, dataDir: dir, role: 'province', region: '620000', flags: { 'net-idle-ms': '60000' } })).box;
});
t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const input = (subject: string) => ({
  type: 'complaint' as const,
  domain: 'taxi',
  channel: 'phone' as const,
  region: '620000',
  caller: { phone: '13800138000' },
  subject,
  description: `${subject}的详细情况`,
});

/** A row holding `number` put straight into the store, as a legacy import or an old forged transfer left it. */
function hold(number: string): void {
  box.db.transaction(() =>
    box.tickets.receiveTransferred(
      {
        id: uuidv7(),
        number,
        type: 'complaint',
        subtype: 'complaint',
        domain: 'taxi',
        channel: 'phone',
        region: '620000',
        callerPhone: null,
        callerName: null,
        anonymous: true,
        confidential: false,
        urgent: false,
        subject: '占用编号',
        description: '占用编号的工单',
        location: null,
        involved: null,
        dueAt: null,
        createdAt: new Date().toISOString(),
        originRegion: '620100',
      },
      { id: null, name: 'peer:620100', role: 'peer' },
    ),
  )();
}

t.test('a create skips numbers the store already holds, and keeps doing so', async (t) => {
  const first = box.tickets.create(input('第一张'), systemActor);
  const prefix = first.number.slice(0, 14);
  t.equal(first.number, `${prefix}00001`);
  hold(`${prefix}00002`);
  hold(`${prefix}00004`);
  const second = box.tickets.create(input('第二张'), systemActor);
  t.equal(second.number, `${prefix}00005`, 'past the highest number held for the day');
  const third = box.tickets.create(input('第三张'), systemActor);
  t.equal(third.number, `${prefix}00006`);
  const numbers = box.db.prepare('SELECT number FROM tickets WHERE number LIKE ?').pluck().all(`${prefix}%`) as string[];
  t.equal(new Set(numbers).size, numbers.length, 'every number unique');
  t.equal(numbers.length, 5);
});

t.test('the counter alone is not trusted: a row at the very next number is skipped', async (t) => {
  const last = box.tickets.create(input('再一张'), systemActor);
  const prefix = last.number.slice(0, 14);
  const n = Number(last.number.slice(-5));
  hold(`${prefix}${String(n + 1).padStart(5, '0')}`);
  const next = box.tickets.create(input('下一张'), systemActor);
  t.equal(next.number, `${prefix}${String(n + 2).padStart(5, '0')}`);
});
