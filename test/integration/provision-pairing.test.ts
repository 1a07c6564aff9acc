// Provisioning pairs the box with its upstream (URL and enrollment code, over real HTTP to a province box
// process), and the self-test then finds the upstream reachable and compares the clocks.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { api, startBox, stopBox, tempDir } from '../fixtures/network-fixture.js';
import { cli } from '../rigs/provision-rig.js';

t.test('provision with an upstream URL and code pairs the box; the self-test checks the link and the clock', async (t) => {
  const province = await startBox({ role: 'province', region: '620000' });
  const dir = tempDir('provision-city');
  t.teardown(async () => {
    await stopBox(province);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const e = await api(province, 'POST', '/api/network/enrollments', { region: '620100' });
  t.equal(e.status, 201);
  const answers = path.join(dir, 'answers.yaml');
  fs.writeFileSync(
    answers,
    ['driver: simulator', 'region: "620100"', 'admin:', '  password: Lanzhou-admin-2026', 'supervisor:', '  password: Lanzhou-duty-2026', 'upstream:', `  url: ${province.url}`, `  code: ${e.json.code}`, ''].join('\n'),
  );
  const data = path.join(dir, 'data');
  const p = await cli(['provision', '--answers', answers, '--data', data, '--json']);
  const out = JSON.parse(p.stdout);
  t.match(out.paired, { region: '620000' }, 'paired with the province');
  t.ok(out.changed.some((c: string) => c.startsWith('paired with province 620000')));
  const by = Object.fromEntries(out.selftest.checks.map((c: { name: string }) => [c.name, c]));
  t.match(by.upstream, { ok: true, value: { url: province.url, reachable: true } });
  t.match(by.clock, { ok: true });
  t.type(by.clock.value.upstream, 'string', 'the upstream’s clock was read');
  t.ok(Math.abs(by.clock.value.skewSeconds) <= 60, `skew ${by.clock.value.skewSeconds} s`);
  t.equal(p.code, 0, `all checks ok: ${p.stderr}`);

  // The upstream goes away: the upstream check fails with its hint; the box itself is fine.
  await stopBox(province);
  const s = await cli(['selftest', '--json', '--data', data]);
  t.equal(s.code, 1);
  const st = JSON.parse(s.stdout);
  const up = st.checks.find((c: { name: string }) => c.name === 'upstream');
  t.match(up, { ok: false, value: { reachable: false }, hint: /does not answer/ });
  t.match(st.checks.find((c: { name: string }) => c.name === 'clock'), { ok: true, value: { upstream: null } });
});
