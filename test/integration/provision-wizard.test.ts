// The interactive wizard driven through a pseudo-terminal (python3's pty module), answering each prompt as a
// technician would — Enter for a default, a wrong answer refused on the spot and asked again, passwords not
// echoed — on an empty data directory with the modem simulator on a socat pty.
import t from 'tap';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { edgebox, root } from '../helpers/process.js';
import { modemRig } from '../rigs/provision-rig.js';

const driver = path.join(root, 'test/rigs/provision-pty.py');

function inPty(steps: [RegExp, string][], args: string[]): Promise<{ code: number; transcript: string }> {
  return new Promise((resolve) => {
    execFile('python3', [driver, JSON.stringify(steps.map(([re, a]) => [re.source, a])), '--', process.execPath, edgebox, ...args], { cwd: root, timeout: 300_000, maxBuffer: 16 << 20 }, (err, stdout) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, transcript: stdout }),
    );
  });
}

t.test('the wizard asks each question in Chinese and English, checks each answer, and provisions the box', async (t) => {
  const rig = await modemRig({ model: 'SIMCOM_SIM7600CE-T', imei: '862146050012345', operator: 'CHN-UNICOM' });
  t.teardown(async () => {
    await rig.close();
    fs.rmSync(rig.dir, { recursive: true, force: true });
  });
  const data = path.join(rig.dir, 'data');
  const password = 'Gannan-admin-2026';
  const r = await inPty(
    [
      [/中继驱动.*Trunk driver.*\[serial-at\]: /, ''], // the modem was found: serial-at is the default
      [/模块串口 \/ Modem serial port \[[^\]]+\]: /, ''],
      [/本机级别.*\[city\]: /, ''],
      [/行政区划代码.*\[623000\]: /, '999999'],
      [/不在行政区划表中[\s\S]*?行政区划代码.*: /, '623000'], // refused on the spot, asked again
      [/中心名称 \/ Name of the centre.*: /, '甘南州12328'],
      [/时区 \/ Time zone \[Asia\/Shanghai\]: /, ''],
      [/人工服务开始时间.*\[08:00\]: /, '8:30'],
      [/HH:MM.*[\s\S]*?人工服务开始时间.*: /, '08:30'],
      [/人工服务结束时间.*\[18:00\]: /, '07:00'],
      [/结束时间须晚于开始时间[\s\S]*?人工服务结束时间.*: /, '17:30'],
      [/服务日.*\[workdays\]: /, ''],
      [/热线号码.*\[12328\]: /, '12328，0941-12328'],
      [/请输入1至16个号码.*[\s\S]*?热线号码.*: /, '12328,094112328'],
      [/管理员用户名.*\[admin\]: /, ''],
      [/管理员密码.*: /, 'short'],
      [/密码过于简单.*[\s\S]*?管理员密码.*: /, password],
      [/值班长用户名.*\[supervisor\]: /, 'lisi'],
      [/值班长密码.*: /, 'Gannan-duty-2026'],
      [/值班长姓名.*\[值班长\]: /, '李四'],
      [/上级地址.*\[-\]: /, ''],
    ],
    ['provision', '--serial', rig.serial, '--data', data],
  );
  t.equal(r.code, 0, `the wizard finished and the self-test passed:\n${r.transcript}`);
  t.match(r.transcript, /USB|SIMCOM_SIM7600CE-T/, 'the hardware step shows the modem');
  t.match(r.transcript, /运营商 \/ operator CHN-UNICOM/, 'and its operator');
  t.notMatch(r.transcript, new RegExp(password), 'the password was not echoed');
  t.match(r.transcript, /all checks ok/);
  const cfg = JSON.parse(fs.readFileSync(path.join(data, 'config.json'), 'utf8'));
  t.match(cfg, { box: { role: 'city', region: '623000', name: '甘南州12328' }, trunk: { driver: 'serial-at', serial: rig.serial }, hotline: { numbers: ['12328', '094112328'] } });
  t.match(JSON.parse(fs.readFileSync(path.join(data, 'config.json'), 'utf8')).calls.ivr.hours, { open: '08:30', close: '17:30', days: 'workdays' });
});
