// Daily statistics: volumes by type, domain and channel and the scoring method's ticket KPIs, each with
// numerator and denominator, over the tickets received on one local day.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { systemActor } from '../../firmware-agent/accounts/service.js';
import { type Box, createBox } from '../../firmware-agent/app.js';
import { localDay } from '../../firmware-agent/calendar/time.js';
import { computeDailyStats } from '../../firmware-agent/stats/daily.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-stats-'));
let box: Box;
t.before(async () => {
  box = await createBox({ dataDir: dir, role: 'city', region: '623000', flags: { 'net-idle-ms': '60000' } });
});
t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

t.test('a day’s tickets are counted by type, domain and channel, with KPIs an upstream can add up', async (t) => {
  const base = { caller: { phone: '13800138000' }, region: '623001', description: '详细情况' };
  const inquiry = (subject: string, channel: 'phone' | 'sms') => box.tickets.create({ ...base, type: 'inquiry', domain: 'bus', channel, subject }, systemActor);
  const a = inquiry('公交线路咨询', 'phone');
  inquiry('末班车时间', 'sms');
  const c = box.tickets.create({ ...base, type: 'complaint', domain: 'taxi', channel: 'phone', subject: '出租车拒载' }, systemActor);
  box.tickets.act(a.number, 'answer', { text: '请乘坐1路' }, systemActor);
  box.tickets.act(a.number, 'visit', { satisfaction: 'satisfied' }, systemActor);
  const dept = box.accounts.createDepartment({ name: '运管所' }, systemActor);
  box.tickets.act(c.number, 'dispatch', { department: dept.id }, systemActor);

  const day = localDay(new Date(), 'Asia/Shanghai');
  const s = computeDailyStats(box.db, '623000', day, 'Asia/Shanghai', new Date());
  t.equal(s.volumes.total, 3);
  t.same(s.volumes.byType, { complaint: 1, inquiry: 2 });
  t.same(s.volumes.byDomain, { bus: 2, taxi: 1 });
  t.same(s.volumes.byChannel, { phone: 2, sms: 1 });
  t.same(s.kpis.inquiryImmediateAnswerRate, { numerator: 1, denominator: 2, rate: 0.5 });
  t.same(s.kpis.immediateAnswerSatisfactionRate, { numerator: 1, denominator: 1, rate: 1 });
  t.same(s.kpis.dispatchedVisitRate, { numerator: 0, denominator: 1, rate: 0 });
  t.same(s.kpis.complaintOnTimeRate, { numerator: 0, denominator: 0, rate: null }, 'no complaint finished yet');
  const other = computeDailyStats(box.db, '623000', '2020-01-01', 'Asia/Shanghai', new Date());
  t.equal(other.volumes.total, 0, 'another day counts nothing');
});
