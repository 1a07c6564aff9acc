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
import { type Box, createBox } from '../../firmware-agent/app.js';
import { waitFor } from '../helpers/wait.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-restore-'));
const flags = { 'net-idle-ms': '100', 'net-poll-wait': '1', 'net-retry-base-ms': '50', 'net-retry-max-ms': '300' };
const open: Box[] = [];

async function session(box: Box): Promise<string> {
  const pw = fs.readFileSync(path.join(box.dataDir, 'initial-admin-password'), 'utf8').trim();
  const r = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: pw } });
  return r.cookies.find((c) => c.name === 'edgebox_session')!.value;
}

async function as(box: Box, method: 'GET' | 'POST', url: string, payload?: object) {
  return box.http.inject({ method, url, ...(payload ? { payload } : {}), cookies: { edgebox_session: await session(box) } });
}

const hasArticle = async (box: Box, title: string) => {
  const r = await as(box, 'GET', '/api/kb/articles?scope=province&limit=100');
  return (r.json() as { items: { title: string }[] }).items.some((i) => i.title === title);
};

t.teardown(async () => {
  for (const b of [...open.reverse(), province]) await b?.close().catch(() => undefined);
  fs.rmSync(root, { recursive: true, force: true });
});

let province: Box;
let city: Box;
const cityDir = path.join(root, 'city');

t.test('a city restored from a backup gets again the messages its restored store lost', async (t) => {
  province = await createBox({ dataDir: path.join(root, 'province'), role: 'province', region: '620000', host: '127.0.0.1', port: 0, flags });

  const url = await province.listen();
  city = await createBox({ dataDir: cityDir, role: 'city', region: '623000', flags });
  const code = (await as(province, 'POST', '/api/network/enrollments', { region: '623000' })).json().code as string;
  t.equal((await as(city, 'POST', '/api/network/pair', { upstream: url, code })).statusCode, 200);
  await waitFor('first contact', () => city.health.report().parts.network?.lastContact != null);
  // The backup: a copy of the city's data directory taken now.
  await city.close();
  const backup = path.join(root, 'city-backup');
  fs.cpSync(cityDir, backup, { recursive: true });
  city = await createBox({ dataDir: cityDir, role: 'city', region: '623000', flags });
  const title = '甘肃省12328节假日值班安排';
  t.equal((await as(province, 'POST', '/api/kb/articles', { kind: 'notice', title, body: '节假日期间12328热线24小时值守。' })).statusCode, 201);
  await waitFor('the article at the city', () => hasArticle(city, title));
  // The disk fails; the technician restores the backup, which predates the article.
  await city.close();
  fs.rmSync(cityDir, { recursive: true, force: true });
  fs.cpSync(backup, cityDir, { recursive: true });
  const restored = new Database(path.join(cityDir, 'edgebox.sqlite'), { readonly: true });
  t.equal((restored.prepare('SELECT count(*) AS n FROM kb_articles WHERE title = ?').get(title) as { n: number }).n, 0, 'the restored store lacks it');
  restored.close();
  city = await createBox({ dataDir: cityDir, role: 'city', region: '623000', flags });
  open.push(city);
  await waitFor('the article again after the restore', () => hasArticle(city, title));
  t.pass('the restored city got it again');
});

t.test('after the province is restored from a backup, `edgebox network resend` sends it again what it lost', async (t) => {
  const provinceDir = province.dataDir;
  const port = (province.http.server.address() as { port: number }).port;
  await province.close();
  const backup = path.join(root, 'province-backup');
  fs.cpSync(provinceDir, backup, { recursive: true });
  const backupTime = new Date();
  province = await createBox({ dataDir: provinceDir, role: 'province', region: '620000', host: '127.0.0.1', port, flags });
  await province.listen();
  const ticket = city.tickets.create(
    { type: 'suggestion', domain: 'bus', channel: 'phone', region: '623001', caller: { phone: '13800138000' }, subject: '增开夜班公交', description: '建议增开夜班公交线路' },
    systemActor,
  );
  const reported = () => (province.db.prepare('SELECT count(*) AS n FROM net_reports WHERE number = ?').get(ticket.number) as { n: number }).n === 1;
  await waitFor('the report at the province', reported);
  // The province's disk fails; its backup predates the report.
  await province.close();
  fs.rmSync(provinceDir, { recursive: true, force: true });
  fs.cpSync(backup, provinceDir, { recursive: true });
  province = await createBox({ dataDir: provinceDir, role: 'province', region: '620000', host: '127.0.0.1', port, flags });
  await province.listen();
  t.notOk(reported(), 'the restored province lacks the report');
  const bin = path.join(path.dirname(new URL(import.meta.url).pathname), '../../bin/edgebox-dev.js');
  const out = await promisify(execFile)(process.execPath, [bin, 'network', 'resend', '--since', backupTime.toISOString(), '--data', cityDir]);
  t.match(out.stdout, /queued again for the upstream/);
  await waitFor('the report at the restored province', reported);
  t.pass('the restored province has it again');
});
