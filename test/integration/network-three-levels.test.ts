// One ministry, two provinces and three cities (two in the same province) as separate processes with
// their own data directories, talking real HTTP on loopback.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { edgebox } from '../helpers/process.js';
import { type BoxProc, api, login, pair, startBox, stopBox, ticketInput } from '../fixtures/network-fixture.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);
const boxes: BoxProc[] = [];
let ministry: BoxProc, gansu: BoxProc, guangdong: BoxProc, gannan: BoxProc, lanzhou: BoxProc, guangzhou: BoxProc;

t.before(async () => {
  // Each box is kept for teardown as soon as it is up, so one that fails to start leaves no other running.
  const started = (o: { role: string; region: string }) => startBox(o).then((b) => (boxes.push(b), b));
  [ministry, gansu, guangdong, gannan, lanzhou, guangzhou] = await Promise.all([
    started({ role: 'ministry', region: '110000' }),
    started({ role: 'province', region: '620000' }),
    started({ role: 'province', region: '440000' }),
    started({ role: 'city', region: '623000' }),
    started({ role: 'city', region: '620100' }),
    started({ role: 'city', region: '440100' }),
  ]);
  await Promise.all([pair(ministry, gansu), pair(ministry, guangdong)]);
  await Promise.all([pair(gansu, lanzhou), pair(guangdong, guangzhou)]);
});

t.teardown(async () => {
  await Promise.all(boxes.map((b) => stopBox(b)));
  for (const b of boxes) fs.rmSync(b.dir, { recursive: true, force: true });
});

t.test('a city pairs with its province from the command line: enroll prints a one-time code, pair registers the key', async (t) => {
  const bin = edgebox;
  const enroll = await run(process.execPath, [bin, 'enroll', '--region', '623000', '--data', gansu.dir]);
  const code = enroll.stdout.split('\n')[0]!.trim();
  t.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/, 'enroll prints the code on its first line');
  const paired = await run(process.execPath, [bin, 'pair', '--upstream', gansu.url, '--code', code, '--data', gannan.dir]);
  t.match(paired.stdout, /paired city 623000 with province 620000/);
  const again = await run(process.execPath, [bin, 'pair', '--upstream', gansu.url, '--code', code, '--data', gannan.dir]).catch((e: { code: number; stderr: string }) => e);
  t.equal((again as { code: number }).code, 1, 'a used code is refused');
  t.match((again as { stderr: string }).stderr, /exchange-enrollment-invalid/);
  const status = await waitFor('gannan to reach its province', async () => {
    const h = await api(gannan, 'GET', '/healthz');
    return h.json.parts.network.lastContact ? h.json.parts.network : null;
  });
  t.equal(status.upstream.address, '620000');
});

t.test('a matter in city B reported at city A reaches B through the province, B replies, and the result reaches A', async (t) => {
  const created = await api(gannan, 'POST', '/api/tickets', ticketInput('620102', '兰州出租车拒载'));
  t.equal(created.status, 201);
  const number: string = created.json.number;
  t.ok(number.startsWith('623000'), 'the number carries the receiving box’s region');
  const atB = await waitFor('the ticket at Lanzhou', async () => {
    const r = await api(lanzhou, 'GET', `/api/tickets/${number}`);
    return r.status === 200 ? r.json : null;
  });
  t.equal(atB.status, 'received', 'B’s desks receive it like a local ticket');
  t.equal(atB.caller.phone, '13800138000', 'a non-confidential caller’s phone travels with a transfer');
  // B dispatches it to a department, which accepts and replies.
  const dept = await api(lanzhou, 'POST', '/api/departments', { name: '兰州市出租汽车管理处' });
  t.equal(dept.status, 201);
  const user = await api(lanzhou, 'POST', '/api/users', { username: 'taxi', password: 'Taxi-office-2026!', role: 'department', department: dept.json.id });
  t.equal(user.status, 201);
  t.equal((await api(lanzhou, 'POST', `/api/tickets/${number}/actions`, { action: 'dispatch', department: dept.json.id })).status, 200);
  const cookie = await login(lanzhou, 'taxi', 'Taxi-office-2026!');
  const asDept = async (action: string, body: unknown) =>
    fetch(`${lanzhou.url}/api/tickets/${number}/actions`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ action, ...(body as object) }) });
  t.equal((await asDept('accept', {})).status, 200);
  t.equal((await asDept('reply', { text: '已约谈驾驶员并处罚款200元' })).status, 200);
  const atA = await waitFor('the result at Gannan', async () => {
    const r = await api(gannan, 'GET', `/api/tickets/${number}`);
    return r.json.status === 'replied' ? r.json : null;
  });
  t.equal(atA.reply, '已约谈驾驶员并处罚款200元', 'the origin box holds the handling result to tell the caller');
  // 差评整改: A's unsatisfied visit leaves B's copy waiting for rectification; B's supervisor reopens it, the
  // department replies again, and the reworked reply reaches A's copy, which was waiting in 'visited'.
  t.equal((await api(gannan, 'POST', `/api/tickets/${number}/actions`, { action: 'visit', satisfaction: 'unsatisfied', note: '驾驶员未道歉' })).status, 200);
  await waitFor('the unsatisfied visit at Lanzhou', async () => (await api(lanzhou, 'GET', `/api/tickets/${number}`)).json.status === 'visited');
  t.equal((await api(lanzhou, 'POST', `/api/tickets/${number}/actions`, { action: 'reopen', note: '差评整改' })).status, 200);
  t.equal((await asDept('accept', {})).status, 200);
  t.equal((await asDept('reply', { text: '已责令驾驶员当面道歉' })).status, 200);
  const reworked = await waitFor('the reworked reply at Gannan', async () => {
    const r = await api(gannan, 'GET', `/api/tickets/${number}`);
    return r.json.status === 'replied' && r.json.reply === '已责令驾驶员当面道歉' ? r.json : null;
  });
  t.equal(reworked.satisfaction, 'unsatisfied', 'A still knows the first visit was unsatisfied');
  // A's second return visit closes B's copy too.
  t.equal((await api(gannan, 'POST', `/api/tickets/${number}/actions`, { action: 'visit', satisfaction: 'satisfied' })).status, 200);
  await waitFor('the visit at Lanzhou', async () => (await api(lanzhou, 'GET', `/api/tickets/${number}`)).json.status === 'closed');
  // Both boxes keep their history.
  const trailB = await api(lanzhou, 'GET', `/api/tickets/${number}/audit`);
  t.ok(JSON.stringify(trailB.json).includes('receive'), 'B’s audit trail records the transfer in');
  // The province supervises both boxes' copies.
  const reports = await waitFor('reports at Gansu', async () => {
    const r = await api(gansu, 'GET', '/api/network/reports?limit=1000');
    const mine = r.json.items.filter((i: { ticket: { number: string } }) => i.ticket.number === number);
    return mine.length === 2 && mine.every((i: { ticket: { status: string } }) => i.ticket.status === 'closed') ? mine : null;
  });
  t.same(reports.map((r: { reporter: string }) => r.reporter).sort(), ['620100', '623000']);
});

t.test('a matter in another province goes up to the ministry and down the other side, and the answer comes back', async (t) => {
  const created = await api(gannan, 'POST', '/api/tickets', ticketInput('440104', '广州网约车乱收费', { domain: 'ride-hailing' }));
  const number: string = created.json.number;
  await waitFor('the ticket at Guangzhou', async () => (await api(guangzhou, 'GET', `/api/tickets/${number}`)).status === 200);
  t.equal((await api(guangzhou, 'POST', `/api/tickets/${number}/actions`, { action: 'answer', text: '已转平台核实退费' })).status, 200);
  const atA = await waitFor('the answer at Gannan', async () => {
    const r = await api(gannan, 'GET', `/api/tickets/${number}`);
    return r.json.status === 'replied' ? r.json : null;
  });
  t.equal(atA.reply, '已转平台核实退费');
  // The ministry saw the ticket reported from both ends.
  await waitFor('reports at the ministry', async () => {
    const r = await api(ministry, 'GET', '/api/network/reports?limit=1000');
    const reporters = r.json.items.filter((i: { ticket: { number: string } }) => i.ticket.number === number).map((i: { reporter: string }) => i.reporter);
    return reporters.includes('623000') && reporters.includes('440100');
  });
});

t.test('a matter in a city with no box is handled by the province, and one in a province with no box by the ministry', async (t) => {
  const jiayuguan = await api(gannan, 'POST', '/api/tickets', ticketInput('620200', '嘉峪关客运站服务差'));
  const xinjiang = await api(gannan, 'POST', '/api/tickets', ticketInput('650102', '乌鲁木齐公交拒载'));
  const atProvince = await waitFor('the ticket at Gansu', async () => {
    const r = await api(gansu, 'GET', `/api/tickets/${jiayuguan.json.number}`);
    return r.status === 200 ? r.json : null;
  });
  t.equal(atProvince.status, 'received', 'the province’s own desks receive it');
  const atMinistry = await waitFor('the ticket at the ministry', async () => {
    const r = await api(ministry, 'GET', `/api/tickets/${xinjiang.json.number}`);
    return r.status === 200 ? r.json : null;
  });
  t.equal(atMinistry.region, '650102');
  t.equal((await api(ministry, 'POST', `/api/tickets/${xinjiang.json.number}/actions`, { action: 'answer', text: '已转新疆交通运输厅' })).status, 200);
  await waitFor('the ministry’s answer at Gannan', async () => (await api(gannan, 'GET', `/api/tickets/${xinjiang.json.number}`)).json.reply === '已转新疆交通运输厅');
});

t.test('a confidential reporter’s phone and name never reach the province or the ministry', async (t) => {
  const created = await api(gannan, 'POST', '/api/tickets', ticketInput('623001', '举报非法营运', { subtype: 'report', caller: { phone: '13900001111', name: '李女士' } }));
  const number: string = created.json.number;
  const copy = await waitFor('the report at the ministry', async () => {
    const r = await api(ministry, 'GET', '/api/network/reports?reporter=623000&limit=1000');
    return r.json.items.find((i: { ticket: { number: string } }) => i.ticket.number === number);
  });
  t.equal(copy.ticket.caller.phone, null);
  t.equal(copy.ticket.caller.name, null);
  t.equal(copy.ticket.caller.hidden, true);
  const raw = fs.readFileSync(path.join(gansu.dir, 'edgebox.sqlite')).toString('latin1') + fs.readFileSync(path.join(gansu.dir, 'edgebox.sqlite-wal'), { flag: 'r' }).toString('latin1');
  t.notOk(raw.includes('13900001111'), 'the province’s store never held the phone number');
});

t.test('a ministry article reaches every province and city; a newer version replaces it', async (t) => {
  const title = '全国统一12328服务规范第七版';
  const a = await api(ministry, 'POST', '/api/kb/articles', { kind: 'policy', title, body: '各级12328热线应当在受理后及时转办。' });
  t.equal(a.status, 201);
  t.equal(a.json.scope, 'ministry');
  for (const b of [gansu, guangdong, gannan, lanzhou, guangzhou]) {
    const hit = await waitFor(`the article at ${b.region}`, async () => {
      const r = await api(b, 'GET', '/api/kb/articles?scope=ministry&limit=100');
      return r.json.items.find((i: { title: string }) => i.title === title);
    });
    t.equal(hit.upstream, true, `${b.region} holds it as an upstream article`);
    const edit = await api(b, 'PATCH', `/api/kb/articles/${hit.id}`, { title: `${title}（改）` });
    t.equal(edit.json?.error?.code, 'kb-upstream-owned', `${b.region} may not edit it`);
  }
  const v2 = await api(ministry, 'PATCH', `/api/kb/articles/${a.json.id}`, { body: '各级12328热线应当在受理后一个工作日内转办。', version: a.json.version });
  t.equal(v2.status, 200);
  await waitFor('version 2 at Guangzhou', async () => {
    const r = await api(guangzhou, 'GET', '/api/kb/articles?scope=ministry&limit=100');
    const hit = r.json.items.find((i: { title: string }) => i.title === title);
    return hit && hit.version === v2.json.version;
  });
});

t.test('a province’s articles reach its own cities only, and a city’s local articles stay local', async (t) => {
  const title = '甘肃省出租汽车投诉处理指引';
  const a = await api(gansu, 'POST', '/api/kb/articles', { kind: 'guide', title, body: '省内出租汽车投诉由所在市交通运输主管部门办理。' });
  t.equal(a.status, 201);
  t.equal(a.json.scope, 'province');
  for (const b of [gannan, lanzhou]) {
    await waitFor(`the province article at ${b.region}`, async () => {
      const r = await api(b, 'GET', '/api/kb/articles?scope=province&limit=100');
      return r.json.items.some((i: { title: string }) => i.title === title);
    });
  }
  const local = await api(gannan, 'POST', '/api/kb/articles', { kind: 'notice', title: '合作市春运临时班车通知', body: '春运期间增开临时班车。' });
  t.equal(local.json.scope, 'city');
  // Everything queued before now has been delivered once the outboxes are empty; then compare.
  for (const b of [gansu, gannan]) await waitFor(`${b.region} outbox to drain`, async () => (await api(b, 'GET', '/healthz')).json.parts.network.outboxDepth === 0);
  const elsewhere = await api(guangzhou, 'GET', '/api/kb/articles?limit=100&all=true');
  t.notOk(elsewhere.json.items.some((i: { title: string }) => i.title === title), 'another province’s city does not get it');
  const atProvince = await api(gansu, 'GET', '/api/kb/articles?limit=100&all=true');
  t.notOk(atProvince.json.items.some((i: { title: string }) => i.title === '合作市春运临时班车通知'), 'a city’s local article stays local');
});

t.test('daily statistics of each city reach the province and the ministry, side by side', async (t) => {
  const day = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  for (const b of [gannan, lanzhou, guangzhou]) t.equal((await api(b, 'POST', '/api/network/stats/send', { day })).status, 200);
  const stats = await waitFor('stats at the ministry', async () => {
    const r = await api(ministry, 'GET', `/api/network/stats?day=${day}`);
    const regions = r.json.regions.map((s: { region: string }) => s.region);
    return ['620100', '623000', '440100'].every((x) => regions.includes(x)) ? r.json.regions : null;
  });
  const gn = stats.find((s: { region: string }) => s.region === '623000');
  t.ok(gn.volumes.total >= 3, 'Gannan counted its tickets');
  t.ok(gn.volumes.transferredOut >= 2);
  t.ok('complaintOnTimeRate' in gn.kpis);
  const prov = await api(gansu, 'GET', `/api/network/stats?day=${day}`);
  t.same(prov.json.regions.map((s: { region: string }) => s.region).filter((r: string) => r !== '440100').sort(), ['620100', '623000']);
});
