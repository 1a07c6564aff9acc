import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { complaint, tempDir } from '../helpers/box.js';
import { HttpClient, runCli, startBoxProcess } from '../helpers/process.js';

const stop = async (box: Awaited<ReturnType<typeof startBoxProcess>>) => {
  box.child.kill('SIGTERM');
  return (await box.exited).code;
};

t.test('--role/--region on a box that has a config.json: applied while unused, refused once it holds tickets', async (t) => {
  const dir = tempDir('edgebox-identity-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const configFile = path.join(dir, 'config.json');

  const first = await startBoxProcess(['--data', dir]);
  t.teardown(() => first.child.kill('SIGKILL'));
  t.match((await new HttpClient(first.url).request('GET', '/healthz')).json, { role: 'city', region: '623000' }, 'the default city box');
  t.equal(await stop(first), 0);

  const moved = await startBoxProcess(['--data', dir, '--region', '620100']);
  t.teardown(() => moved.child.kill('SIGKILL'));
  const api = new HttpClient(moved.url);
  t.match((await api.request('GET', '/healthz')).json, { role: 'city', region: '620100' }, 'a new --region on an unused box is applied');
  t.equal(JSON.parse(fs.readFileSync(configFile, 'utf8')).box.region, '620100', 'and written to config.json');
  await api.login('admin', fs.readFileSync(path.join(dir, 'initial-admin-password'), 'utf8').trim());
  const created = await api.request('POST', '/api/tickets', complaint);
  t.equal(created.status, 201);
  t.match(created.json.number, /^620100\d{13}$/, 'tickets are numbered under the new region');
  t.equal(await stop(moved), 0);

  const region = runCli(['start', '--data', dir, '--port', '0', '--region', '623000']);
  t.equal(region.code, 1, 'a region change on a box that holds tickets is refused');
  t.match(region.stderr, /config\.json says this box is city 620100/, 'the message names config.json and what it says');
  t.match(region.stderr, /box\.region 620100 → 623000/);
  t.match(region.stderr, /holds 1 ticket/, 'and why');
  const role = runCli(['start', '--data', dir, '--port', '0', '--role', 'province']);
  t.equal(role.code, 1, 'so is a role change');
  t.match(role.stderr, /box\.role city → province/);
  t.equal(JSON.parse(fs.readFileSync(configFile, 'utf8')).box.region, '620100', 'config.json is unchanged');

  const unknown = runCli(['start', '--data', dir, '--port', '0', '--region', '629999']);
  t.equal(unknown.code, 1, 'a region code that does not exist is refused before anything is written');
  t.match(unknown.stderr, /--region 629999 is not a GB\/T 2260 code/);

  const same = await startBoxProcess(['--data', dir, '--role', 'city', '--region', '620100']);
  t.teardown(() => same.child.kill('SIGKILL'));
  t.match((await new HttpClient(same.url).request('GET', '/healthz')).json, { role: 'city', region: '620100' }, 'flags equal to config.json start the box');
  t.equal(await stop(same), 0);
});
