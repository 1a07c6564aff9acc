// The box's own figures for the alarms, read from /healthz parts (firmware-agent/health/sampler.ts
// partFigures), and one real sample of this machine through systeminformation and the process.
import os from 'node:os';
import t from 'tap';
import { HealthSampler, partFigures } from '../../firmware-agent/health/sampler.js';
import { openDb } from '../../firmware-agent/store/db.js';

t.test('figures from the parts: modem, trunk, outboxes', async (t) => {
  t.same(partFigures({}), {
    modemSignalRssi: null, modemReady: null, modemRegistered: null, trunkUp: null, netOutboxDepth: null, netOutboxAgeMinutes: null, smsOutboxDepth: null,
  }, 'a box without those parts has no such figures (they neither raise nor clear)');
  const f = partFigures({
    sms: { ok: true, modem: { state: 'ready', signal: { rssi: 21, dbm: -71 }, registration: { registered: true, state: 'home' } }, outboxPending: 3 },
    network: { ok: true, outboxDepth: 12, oldestAgeSeconds: 150 },
    calls: { ok: false, driver: 'e1-pri' },
  });
  t.same(f, { modemSignalRssi: 21, modemReady: true, modemRegistered: true, trunkUp: false, netOutboxDepth: 12, netOutboxAgeMinutes: 2.5, smsOutboxDepth: 3 });
  t.equal(partFigures({ sms: { ok: false, modem: { state: 'ready', signal: { rssi: 99 } } } }).modemSignalRssi, null, 'CSQ 99 is "not known", not a weak signal');
  t.equal(partFigures({ sms: { ok: false, modem: { state: 'no-answer', signal: null, registration: null } } }).modemReady, false);
  t.equal(partFigures({ sms: { ok: true, modem: null } }).modemReady, null, 'the SMS part of a box without a modem');
  t.equal(partFigures({ calls: { ok: true, driver: 'simulator' } }).trunkUp, null, 'the simulator trunk has no link to lose');
});

t.test('a real sample of this machine', async (t) => {
  const db = openDb({ file: ':memory:' });
  const sampler = new HealthSampler({ dataDir: os.tmpdir(), db, now: () => new Date(), parts: () => ({}) });
  t.teardown(() => {
    sampler.stop();
    db.close();
  });
  const s = await sampler.sample();
  const f = s.figures;
  t.ok(f.load1PerCore !== null && f.load1PerCore >= 0, 'the 1-minute load average per core');
  t.ok(f.cpuUsePercent === null || (f.cpuUsePercent >= 0 && f.cpuUsePercent <= 100), 'CPU use in percent');
  t.ok(f.diskFreePercent! > 0 && f.diskFreePercent! <= 100, 'free % of the temp directory’s filesystem');
  t.ok(f.diskFreeMB! > 0);
  t.ok(f.memoryAvailablePercent! > 0 && f.memoryAvailablePercent! <= 100);
  t.ok(Math.abs(f.rssMB! - process.memoryUsage().rss / 1048576) < 64, 'this process’s resident memory');
  t.equal(f.overdueTickets, 0, 'no ticket in an empty store');
  t.equal(sampler.latest, s);
});
