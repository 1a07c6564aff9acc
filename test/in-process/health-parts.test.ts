// /healthz of a real box: a ministry on the national code names its region 全国 (it showed an empty
// regionName: 100000 is not a row of the region table), and the one health sample (the jobs table's
// alarm-sample) is what the `system` and `host` parts show — there is no second sampler (issue 12).
import t from 'tap';
import { jobsOf } from '../../firmware-agent/jobs/install.js';
import { startTestBox } from '../helpers/box.js';

t.test('a ministry box on the national code is named 全国', async (t) => {
  const tb = await startTestBox({ role: 'ministry' });
  t.teardown(() => tb.close());
  const anon = (await tb.box.http.inject({ method: 'GET', url: '/healthz' })).json();
  t.match(anon, { role: 'ministry', region: '100000', regionName: '全国' });
});

t.test('one health sample feeds the alarms and the system and host parts of /healthz', async (t) => {
  const tb = await startTestBox({ role: 'city', region: '623000' });
  t.teardown(() => tb.close());
  const jobs = jobsOf(tb.box);
  t.notOk(jobs.has('system-sample'), 'no second sampler');
  let parts = (await tb.admin.get('/healthz')).json().parts;
  t.match(parts.system, { ok: true, sampled: false }, 'nothing sampled before the first sample');
  t.match(parts.host, { ok: true, sampled: false });
  const run = await jobs.run('alarm-sample', 'manual');
  t.equal(run.outcome, 'ok', run.error ?? '');
  parts = (await tb.admin.get('/healthz')).json().parts;
  t.type(parts.system.load1, 'number', 'the machine figures of that sample');
  t.type(parts.system.memory.totalBytes, 'number');
  t.ok(Array.isArray(parts.system.warnings));
  t.equal(parts.host.at, parts.system.at, 'system and host parts show the same sample');
  t.type(parts.host.overdueTickets, 'number', 'the box figures of that sample');
});
