import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { complaint, tempDir } from '../helpers/box.js';
import { HttpClient, runCli, startBoxProcess } from '../helpers/process.js';

t.test('killing the box with SIGKILL during 1,000 creates loses no acknowledged ticket and reuses no number', async (t) => {
  const dir = tempDir('edgebox-crash-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const added = runCli(['user', 'add', '--username', 'agent1', '--role', 'agent', '--password-stdin', '--data', dir], 'Burst-Agent-12328\n');
  t.equal(added.code, 0, `edgebox user add: ${added.stderr}`);
  t.ok(fs.existsSync(path.join(dir, 'edgebox.sqlite')));

  let box = await startBoxProcess(['--data', dir]);
  t.teardown(() => box.child.kill('SIGKILL'));
  const api = new HttpClient(box.url);
  await api.login('agent1', 'Burst-Agent-12328');

  const acked: string[] = [];
  let sent = 0;
  let killed = false;
  const killAt = 300 + Math.floor(Math.random() * 400);
  const worker = async () => {
    while (sent < 1000) {
      sent += 1;
      const i = sent;
      try {
        const r = await api.request('POST', '/api/tickets', { ...complaint, subject: `拒载 ${i}`, description: `第${i}次投诉，司机拒载。` });
        if (r.status === 201) acked.push(r.json.number as string);
      } catch {
        // connection reset by the kill: not acknowledged, so the ticket may or may not exist
      }
      if (!killed && acked.length >= killAt) {
        killed = true;
        box.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const exit = await box.exited;
  t.equal(exit.signal, 'SIGKILL', `box killed after ${acked.length} acknowledged creates`);
  t.ok(acked.length >= killAt, 'creates were acknowledged before the kill');
  t.equal(new Set(acked).size, acked.length, 'no two acknowledged creates got the same number');

  box = await startBoxProcess(['--data', dir]);
  const api2 = new HttpClient(box.url);
  await api2.login('agent1', 'Burst-Agent-12328');
  const stored = new Set<string>();
  for (let page = 1; ; page++) {
    const r = await api2.request('GET', `/api/tickets?pageSize=100&page=${page}`);
    for (const item of r.json.items as { number: string }[]) stored.add(item.number);
    if (r.json.items.length < 100) break;
  }
  const missing = acked.filter((n) => !stored.has(n));
  t.same(missing, [], `every acknowledged ticket survived (${acked.length} acknowledged, ${stored.size} stored)`);
  const more = await api2.request('POST', '/api/tickets', complaint);
  t.equal(more.status, 201, 'the box takes tickets after the restart');
  t.notOk(stored.has(more.json.number), 'and does not reuse a number');
  box.child.kill('SIGTERM');
  const clean = await box.exited;
  t.equal(clean.code, 0, 'SIGTERM shuts the box down cleanly');
});
