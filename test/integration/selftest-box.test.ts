// The self-test of a running box: `edgebox start --driver serial-at --serial PATH` with the modem simulator
// on a socat pty writes the trunk into config.json; `edgebox selftest --json` then asks the running box (it
// holds the serial port) and reports what its driver sees; GET /api/admin/selftest answers admins and
// technicians with the same shape (docs/technician.md §Self-test) and refuses other roles.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { HttpClient, startBoxProcess } from '../helpers/process.js';
import { cli, modemRig } from '../rigs/provision-rig.js';

t.test('selftest asks the running box, and the API serves the same checks by role', async (t) => {
  const rig = await modemRig({ model: 'Quectel EC25', imei: '866758049876543', operator: 'CHINA MOBILE' });
  rig.sim.rssi = 19;
  const data = path.join(rig.dir, 'data');
  const box = await startBoxProcess(['--data', data, '--driver', 'serial-at', '--serial', rig.serial]);
  t.teardown(async () => {
    box.child.kill('SIGTERM');
    await box.exited;
    await rig.close();
    fs.rmSync(rig.dir, { recursive: true, force: true });
  });
  t.same(JSON.parse(fs.readFileSync(path.join(data, 'config.json'), 'utf8')).trunk, { driver: 'serial-at', serial: rig.serial, dchannel: null, options: {} }, 'the start flags are in the configuration');

  const admin = new HttpClient(box.url);
  await admin.login('admin', fs.readFileSync(path.join(data, 'initial-admin-password'), 'utf8').trim());
  // The modem is ready once the driver has initialised it (an event of the box, read through /healthz).
  for (;;) {
    const h = await admin.request('GET', '/healthz');
    if (h.json.parts.sms?.modem?.state === 'ready' && h.json.parts.calls?.ok) break;
    await new Promise((r) => setImmediate(r));
  }

  const r = await cli(['selftest', '--json', '--data', data]);
  const st = JSON.parse(r.stdout) as { ok: boolean; source: string; checks: { name: string; ok: boolean; value: any; hint: string | null }[] };
  t.equal(st.source, 'box', 'asked the running box');
  const by = Object.fromEntries(st.checks.map((c) => [c.name, c]));
  t.match(by.trunk, { ok: true, value: { driver: 'serial-at', up: true } });
  t.match(by.modem, { ok: true, value: { port: rig.serial, answers: true, model: 'Quectel EC25', imei: '866758049876543' } }, 'the identification the driver asked at initialisation');
  t.match(by.sim, { ok: true, value: 'READY' });
  t.match(by.signal, { ok: true, value: { rssi: 19 } }, 'the signal the driver read from the simulator');
  t.same(by.registration?.value, { state: 'home', operator: 'CHINA MOBILE' }, 'the operator the driver read with the registration');
  const h = await admin.request('GET', '/healthz');
  t.match(h.json.parts.sms.modem, { model: 'Quectel EC25', imei: '866758049876543', operator: 'CHINA MOBILE' }, '/healthz shows the identification too');
  t.match(by.store, { ok: true, value: 'ok' });
  t.match(by.backup, { ok: false, value: null }, 'a box never provisioned and never backed up fails the backup check');
  t.match(by.backup?.hint, /edgebox backup/);
  t.equal(r.code, st.ok ? 0 : 1, 'exit status follows the result');

  const api = await admin.request('GET', '/api/admin/selftest');
  t.equal(api.status, 200);
  t.equal(api.json.source, 'box');
  t.same(api.json.checks.map((c: { name: string }) => c.name), st.checks.map((c) => c.name), 'the same checks as the CLI');

  t.equal((await new HttpClient(box.url).request('GET', '/api/admin/selftest')).status, 401, 'no session: 401');
  const add = await cli(['user', 'add', '--username', 'zhang', '--role', 'supervisor', '--password-stdin', '--data', data], { input: 'Supervisor-pass-2026\n' });
  t.equal(add.code, 0, add.stderr);
  const sup = new HttpClient(box.url);
  await sup.login('zhang', 'Supervisor-pass-2026');
  const refused = await sup.request('GET', '/api/admin/selftest');
  t.equal(refused.status, 403);
  t.equal(refused.json.error.code, 'forbidden-role');
});
