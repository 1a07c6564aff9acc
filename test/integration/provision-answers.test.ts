// `edgebox provision --answers FILE` on an empty data directory with the modem simulator on a socat pty, then
// `edgebox selftest --json`: every check ok with the signal and operator the simulator reports; a re-run
// changes only what changed; with the SIM locked the SIM check fails with its hint (issue 12 "What it must show").
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cli, modemRig } from '../rigs/provision-rig.js';

const identity = { model: 'Quectel EC20F Revision: EC20CEFAGR06A05M4G', imei: '866758041234567', operator: 'CHINA MOBILE' };

t.test('provisioning a new box on a modem, then the self-test', async (t) => {
  const rig = await modemRig(identity);
  t.teardown(async () => {
    await rig.close();
    fs.rmSync(rig.dir, { recursive: true, force: true });
  });
  rig.sim.rssi = 17; // not the simulator's default, so the figure is seen to come from the modem
  const data = path.join(rig.dir, 'data');
  const answers = path.join(rig.dir, 'answers.json');
  fs.writeFileSync(
    answers,
    JSON.stringify({
      driver: 'serial-at',
      serial: rig.serial,
      role: 'city',
      region: '620100',
      name: '兰州市12328交通运输服务监督电话',
      hours: { open: '08:30', close: '17:30', days: 'workdays' },
      hotline: ['12328', '96779'],
      admin: { username: 'admin', password: 'Lanzhou-admin-2026' },
      supervisor: { username: 'zhangsan', password: 'Lanzhou-duty-2026', displayName: '张三' },
    }),
  );

  const p = await cli(['provision', '--answers', answers, '--data', data, '--json']);
  t.equal(p.code, 0, `provision exits 0 when the self-test passes: ${p.stderr}`);
  const out = JSON.parse(p.stdout) as { hardware: { modems: any[] }; changed: string[]; selftest: { ok: boolean; checks: any[] } };
  const modem = out.hardware.modems.find((m) => m.port === rig.serial);
  t.match(modem, { answers: true, model: identity.model, imei: identity.imei, sim: 'READY', signal: { rssi: 17, dbm: -79 }, registration: { registered: true, state: 'home' }, operator: 'CHINA MOBILE' }, 'the hardware step probed the modem');
  t.ok(out.changed.some((c) => c.startsWith('config trunk')), 'the trunk was configured');
  t.ok(out.changed.includes('account zhangsan (supervisor) created'), 'the supervisor account was created');

  const cfg = JSON.parse(fs.readFileSync(path.join(data, 'config.json'), 'utf8'));
  t.same(cfg.trunk, { driver: 'serial-at', serial: rig.serial, dchannel: null, options: {} });
  t.same(cfg.box, { role: 'city', region: '620100', name: '兰州市12328交通运输服务监督电话', timezone: 'Asia/Shanghai' });
  t.same(cfg.hotline.numbers, ['12328', '96779']);
  t.ok(cfg.provisioned, 'marked provisioned');
  t.match(JSON.parse(fs.readFileSync(path.join(data, 'config.json'), 'utf8')).calls.ivr.hours, { open: '08:30', close: '17:30', days: 'workdays' });
  t.notOk(fs.existsSync(path.join(data, 'initial-admin-password')), 'no random admin password: the technician set one');

  const db = new Database(path.join(data, 'edgebox.sqlite'), { readonly: true });
  t.equal((db.prepare('SELECT count(*) AS n FROM kb_articles').get() as { n: number }).n, 0, 'no demo articles on a provisioned box');
  t.same((db.prepare("SELECT username, role FROM users ORDER BY username").all() as object[]), [{ username: 'admin', role: 'admin' }, { username: 'zhangsan', role: 'supervisor' }]);
  const configAudits = (db.prepare("SELECT count(*) AS n FROM audit WHERE entity = 'config'").get() as { n: number }).n;
  t.ok(configAudits >= 6, `${configAudits} configuration changes audited`);
  db.close();

  const s = await cli(['selftest', '--json', '--data', data]);
  t.equal(s.code, 0, `selftest exits 0: ${s.stdout}${s.stderr}`);
  const st = JSON.parse(s.stdout) as { ok: boolean; source: string; checks: { name: string; ok: boolean; value: any; hint: string | null }[] };
  t.equal(st.source, 'direct', 'no box runs: probed directly');
  t.same(st.checks.filter((c) => !c.ok), [], 'every check ok');
  t.same(st.checks.map((c) => c.name), ['store', 'disk-free', 'inodes-free', 'clock', 'config', 'trunk', 'modem', 'sim', 'signal', 'registration', 'prompts', 'upstream', 'outbox', 'backup']);
  const by = Object.fromEntries(st.checks.map((c) => [c.name, c]));
  t.same(by.signal?.value, { rssi: 17, dbm: -79 }, 'the signal as the simulator reports it');
  t.same(by.registration?.value, { state: 'home', operator: 'CHINA MOBILE' }, 'the operator as the modem reports it');
  t.equal(by.store?.value, 'ok');

  // A re-run with the same answers (passwords left out: the accounts exist) changes nothing; one new answer changes one thing.
  const same = JSON.parse(fs.readFileSync(answers, 'utf8'));
  delete same.admin.password;
  delete same.supervisor.password;
  fs.writeFileSync(answers, JSON.stringify(same));
  const again = await cli(['provision', '--answers', answers, '--data', data, '--json']);
  t.equal(again.code, 0, again.stderr);
  t.same(JSON.parse(again.stdout).changed, [], 'nothing changed');
  fs.writeFileSync(answers, JSON.stringify({ ...same, hotline: ['12328'] }));
  const one = await cli(['provision', '--answers', answers, '--data', data, '--json']);
  t.same(JSON.parse(one.stdout).changed, ['config hotline.numbers: ["12328","96779"] → ["12328"]'], 'only the hotline numbers changed');

  // The SIM asks for its PIN (a SIM moved from a phone): the SIM check fails and says what to do.
  rig.sim.sim = 'SIM PIN';
  const locked = await cli(['selftest', '--json', '--data', data]);
  t.equal(locked.code, 1, 'selftest exits 1');
  const lt = JSON.parse(locked.stdout) as typeof st;
  const sim = lt.checks.find((c) => c.name === 'sim')!;
  t.match(sim, { ok: false, value: 'SIM PIN' });
  t.match(sim.hint, /SIM is locked \(SIM PIN\).*PIN/, 'the hint says to remove the PIN');
  t.same(lt.checks.filter((c) => !c.ok).map((c) => c.name).filter((n) => n !== 'sim' && n !== 'trunk'), [], 'the other checks stay ok');
});

t.test('a bad answer is refused with its key named, and nothing is written', async (t) => {
  const rig = await modemRig(identity);
  t.teardown(async () => {
    await rig.close();
    fs.rmSync(rig.dir, { recursive: true, force: true });
  });
  const data = path.join(rig.dir, 'data');
  const answers = path.join(rig.dir, 'answers.yaml');
  fs.writeFileSync(answers, `driver: serial-at\nserial: ${rig.serial}\nregion: "999999"\nadmin:\n  username: admin\n  password: Lanzhou-admin-2026\n`);
  const r = await cli(['provision', '--answers', answers, '--data', data]);
  t.equal(r.code, 1);
  t.match(r.stderr, /region: 999999 is not in the region table/);
  t.notOk(fs.existsSync(path.join(data, 'config.json')), 'no configuration written');
});
