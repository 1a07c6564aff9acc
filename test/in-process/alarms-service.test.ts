// Alarms on a real box (SQLite file in a temp dir, the HTTP API through inject): a threshold crossed for
// two samples raises, back inside the margin for two samples clears, with a history, audit records and
// /healthz; roles are enforced on the server; the raiseAlarm/clearAlarm API of other subsystems (the jobs
// table) validates its input, refreshes an active alarm instead of raising it twice, and survives a restart.
import t from 'tap';
import { AlarmError } from '../../firmware-agent/alarms/model.js';
import { alarmsOf, clearAlarm, raiseAlarm } from '../../firmware-agent/alarms/install.js';
import { startTestBox, staff } from '../helpers/box.js';

t.test('a threshold raises and clears an alarm with hysteresis, history and audit', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  t.equal((await s.agent.get('/api/alarms')).statusCode, 403, 'an agent does not see alarms');
  t.equal((await s.taxi.get('/api/alarms')).statusCode, 403, 'nor a department');
  t.equal((await s.supervisor.post('/api/alarms/sample')).statusCode, 403, 'a supervisor cannot trigger a sample');
  t.same((await s.supervisor.get('/api/alarms')).json().active, [], 'a supervisor sees that none is active');

  // Free space on the data disk is always below 100 %: the threshold is crossed deterministically.
  // Only the disk threshold is on: the machine's CPU and load (other tests share it) must not add alarms.
  await tb.box.config.update((c) => {
    for (const k of Object.keys(c.alarms.thresholds) as (keyof typeof c.alarms.thresholds)[]) c.alarms.thresholds[k] = null;
    c.alarms.thresholds.diskFreeMinPercent = 100;
  });
  const first = (await s.tech.post('/api/alarms/sample')).json();
  t.ok(first.sample.figures.diskFreePercent < 100, 'the figure is the data directory’s filesystem');
  t.ok(first.sample.figures.rssMB > 10, 'resident memory of the box, in MiB');
  t.type(first.sample.figures.load1PerCore, 'number');
  t.same(first.decisions, [], 'one sample past the threshold does not raise (raiseAfterSamples 2)');
  const second = (await s.tech.post('/api/alarms/sample')).json();
  t.same(second.decisions.map((d: { action: string; key: string }) => `${d.action}:${d.key}`), ['raise:disk-free']);
  const active = (await s.supervisor.get('/api/alarms')).json().active;
  t.equal(active.length, 1);
  t.match(active[0], { key: 'disk-free', source: 'threshold', severity: 'critical', threshold: 100, clearedAt: null, messageZh: /^数据盘剩余空间 [\d.]+%，低于阈值 100%$/ });
  const hz = (await s.tech.get('/healthz')).json();
  t.equal(hz.status, 'degraded');
  t.match(hz.parts.alarms, { ok: false, active: 1, critical: 1 }, 'a critical alarm degrades the box');
  t.ok(hz.warnings.some((w: string) => /^alarms: disk-free: free space on the data disk [\d.]+%, below the threshold 100%$/.test(w)), 'the alarm is among the warnings');
  t.equal((await s.tech.post('/api/alarms/sample')).json().decisions.length, 0, 'a third sample past it refreshes, raises nothing');

  // Back to a threshold the disk meets: two samples inside the margin clear it.
  await tb.box.config.update((c) => {
    c.alarms.thresholds.diskFreeMinPercent = 1;
  });
  t.same((await s.tech.post('/api/alarms/sample')).json().decisions, [], 'one sample inside does not clear (clearAfterSamples 2)');
  const cleared = (await s.tech.post('/api/alarms/sample')).json();
  t.same(cleared.decisions.map((d: { action: string; key: string }) => `${d.action}:${d.key}`), ['clear:disk-free']);
  t.same(cleared.active, []);
  const history = (await s.tech.get('/api/alarms?limit=5')).json().history;
  t.equal(history.length, 1);
  t.match(history[0], { key: 'disk-free', clearReason: /back to/ });
  t.ok(Date.parse(history[0].clearedAt) >= Date.parse(history[0].raisedAt));
  const audit = tb.box.db.prepare(`SELECT action, actor_name FROM audit WHERE entity = 'alarm' ORDER BY id`).all();
  t.same(audit, [
    { action: 'raise', actor_name: 'alarms' },
    { action: 'clear', actor_name: 'alarms' },
  ]);
  t.equal((await s.tech.get('/healthz')).json().parts.alarms.ok, true);
  t.equal((await s.tech.get('/api/alarms?limit=0')).statusCode, 400, 'a bad limit is a validation error, not a 500');
  t.equal((await s.tech.get('/api/health/sample')).statusCode, 200);
});

t.test('the alarm API for other subsystems', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const events: string[] = [];
  alarmsOf(tb.box).on('raised', (a) => events.push(`raised:${a.key}`));
  alarmsOf(tb.box).on('cleared', (a) => events.push(`cleared:${a.key}`));
  const a = raiseAlarm(tb.box, { key: 'job-failed:backup', message: 'backup failed: ENOSPC', messageZh: '备份失败：磁盘已满', severity: 'critical' });
  t.match(a, { key: 'job-failed:backup', source: 'api', severity: 'critical', clearedAt: null });
  const again = raiseAlarm(tb.box, { key: 'job-failed:backup', message: 'backup failed again: ENOSPC', value: 2 });
  t.equal(again.id, a.id, 'raising an active alarm refreshes it');
  t.equal(again.message, 'backup failed again: ENOSPC');
  t.same(events, ['raised:job-failed:backup'], 'and emits once');
  t.throws(() => raiseAlarm(tb.box, { key: 'disk-free', message: 'x' }), AlarmError, 'a rule’s key is refused');
  t.throws(() => raiseAlarm(tb.box, { key: 'Job Failed', message: 'x' }), { code: 'alarm-input-invalid', field: 'key' });
  t.throws(() => raiseAlarm(tb.box, { key: 'job-failed:x', message: '' }), { code: 'alarm-input-invalid', field: 'message' });
  t.throws(() => raiseAlarm(tb.box, { key: 'job-failed:x', message: 'x', colour: 'red' } as never), { code: 'alarm-input-invalid', field: '"colour"' });
  t.throws(() => raiseAlarm(tb.box, { key: 'job-failed:x', message: 'x', value: Number.NaN }), { code: 'alarm-input-invalid', field: 'value' });
  t.equal(clearAlarm(tb.box, 'job-failed:nothing'), null, 'clearing what is not active is harmless');
  const metrics = (await tb.box.http.inject({ method: 'GET', url: '/metrics' })).body;
  t.match(metrics, /^edgebox_alarm_active\{key="job-failed:backup",severity="warning",region="623000",role="city"\} 1$/m, 'the active alarm in /metrics, with the severity of its latest raise');

  // The history survives a restart; the active alarm is still active there.
  await tb.box.close();
  const box = (await startTestBox({ login: false, dataDir: tb.dir })).box;
  t.teardown(() => box.close());
  t.same(alarmsOf(box).active().map((x) => x.key), ['job-failed:backup']);
  const c = clearAlarm(box, 'job-failed:backup', 'the next backup succeeded');
  t.match(c, { id: a.id, clearReason: 'the next backup succeeded' });
  t.same(alarmsOf(box).active(), []);
});
