// Backups: a city box restored from an older copy of its store asks from its older cursor and gets again
// what the restore lost; the province answers from its history, not only from what is still unacknowledged.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { systemActor } from '../../firmware-agent/accounts/service.js';
import { type TestBox, startTestBox } from '../helpers/box.js';
import { waitFor } from '../helpers/wait.js';
import { edgebox } from '../helpers/process.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-restore-'));
const flags = { 'net-idle-ms': '100', 'net-poll-wait': '1', 'net-retry-base-ms': '50', 'net-retry-max-ms': '300' };
const open: TestBox[] = [];

async function as(box: TestBox, method: 'GET' | 'POST', url: string, payload?: object) {
  return box.admin.request(method, url, payload);
}

const hasArticle = async (box: TestBox, title: string) => {
  const r = await as(box, 'GET', '/api/kb/articles?scope=province&limit=100');
  return (r.json() as { items: { title: string }[] }).items.some((i) => i.title === title);
};

t.teardown(async () => {
  for (const b of [...open.reverse(), province]) await b?.stop().catch(() => undefined);
  fs.rmSync(root, { recursive: true, force: true });
});

let province: TestBox;
let city: TestBox;
const cityDir = path.join(root, 'city');

t.test('a city restored from a backup gets again the messages its restored store lost', async (t) => {
  province = await startTestBox({ dataDir: path.join(root, 'province'), role: 'province', region: '620000', listen: true, flags });
  const url = province.url;
  city = await startTestBox({ dataDir: cityDir, role: 'city', region: '623000', flags });
  const code = (await as(province, 'POST', '/api/network/enrollments', { region: '623000' })).json().code as string;
  t.equal((await as(city, 'POST', '/api/network/pair', { upstream: url, code })).statusCode, 200);
  await waitFor('first contact', () => city.box.health.report().parts.network?.lastContact != null);
  // The backup: a copy of the city's data directory taken now.
  await city.stop();
  const backup = path.join(root, 'city-backup');
  fs.cpSync(cityDir, backup, { recursive: true });
  city = await startTestBox({ dataDir: cityDir, role: 'city', region: '623000', flags });
  const title = '甘肃省12328节假日值班安排';
  t.equal((await as(province, 'POST', '/api/kb/articles', { kind: 'notice', title, body: '节假日期间12328热线24小时值守。' })).statusCode, 201);
  await waitFor('the article at the city', () => hasArticle(city, title));
  // The disk fails; the technician restores the backup, which predates the article.
  await city.stop();
  fs.rmSync(cityDir, { recursive: true, force: true });
  fs.cpSync(backup, cityDir, { recursive: true });
  const restored = new Database(path.join(cityDir, 'edgebox.sqlite'), { readonly: true });
  t.equal((restored.prepare('SELECT count(*) AS n FROM kb_articles WHERE title = ?').get(title) as { n: number }).n, 0, 'the restored store lacks it');
  restored.close();
  city = await startTestBox({ dataDir: cityDir, role: 'city', region: '623000', flags });
  open.push(city);
  await waitFor('the article again after the restore', () => hasArticle(city, title));
  t.pass('the restored city got it again');
});

t.test('after the province is restored from a backup, `edgebox network resend` sends it again what it lost', async (t) => {
  const provinceDir = province.dir;
  const port = Number(new URL(province.url).port);
  await province.stop();
  const backup = path.join(root, 'province-backup');
  fs.cpSync(provinceDir, backup, { recursive: true });
  const backupTime = new Date();
  province = await startTestBox({ dataDir: provinceDir, role: 'province', region: '620000', listen: true, port, flags });
  const ticket = city.box.tickets.create(
    { type: 'suggestion', domain: 'bus', channel: 'phone', region: '623001', caller: { phone: '13800138000' }, subject: '增开夜班公交', description: '建议增开夜班公交线路' },
    systemActor,
  );
  const reported = () => (province.box.db.prepare('SELECT count(*) AS n FROM net_reports WHERE number = ?').get(ticket.number) as { n: number }).n === 1;
  await waitFor('the report at the province', reported);
  // The province's disk fails; its backup predates the report.
  await province.stop();
  fs.rmSync(provinceDir, { recursive: true, force: true });
  fs.cpSync(backup, provinceDir, { recursive: true });
  province = await startTestBox({ dataDir: provinceDir, role: 'province', region: '620000', listen: true, port, flags });
  t.notOk(reported(), 'the restored province lacks the report');
  const bin = edgebox;
  const out = await promisify(execFile)(process.execPath, [bin, 'network', 'resend', '--since', backupTime.toISOString(), '--data', cityDir]);
  t.match(out.stdout, /queued again for the upstream/);
  await waitFor('the report at the restored province', reported);
  t.pass('the restored province has it again');
});
