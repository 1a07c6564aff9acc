// `edgebox simulate` and `edgebox call` as real processes against a running box (`edgebox start` in a child
// process), not --local. The run is a job on the box that the CLI polls, so a run of any length never holds
// one HTTP request open (Node's fetch gives up waiting for response headers after 300 s).
import t from 'tap';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { simAgentBase } from '../../firmware-agent/calls/simulate.js';
import { HttpClient, edgebox as edgeboxBin, startBoxProcess } from '../helpers/process.js';
import { shortPrompts } from '../helpers/prompts.js';

const run = promisify(execFile);
const edgebox = (args: string[]) => run(process.execPath, [edgeboxBin, ...args], { cwd: process.cwd(), timeout: 90_000 });

t.test('edgebox simulate and edgebox call against a running box print their results, and the simulated agents are gone afterwards', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-cli-box-'));
  await shortPrompts(dir); // the callers hear each announcement in real time: short ones
  const box = await startBoxProcess(['--data', dir]);
  t.teardown(async () => {
    box.child.kill('SIGTERM');
    await box.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  // Railway/aviation/postal callers (5, then 1-3) are routed by the rules whatever the hour; with seed 2 both
  // callers type ahead, so the run takes seconds, not the length of every prompt.
  const sim = await edgebox(['simulate', '--url', box.url, '--data', dir, '--calls', '2', '--rate', '36000', '--agents', '2', '--talk', '1', '--mix', '5:1', '--seed', '2']);
  const r = JSON.parse(sim.stdout);
  t.equal(r.calls, 2);
  t.equal(r.kpis.offered, 2);
  t.same(r.outcomes, { announced: 2 }, 'every caller heard the number to call');
  t.match(sim.stderr, /placed 2\/2, ended 2/, 'progress is printed while the run goes on');

  const api = new HttpClient(box.url);
  await api.login('admin', fs.readFileSync(path.join(dir, 'initial-admin-password'), 'utf8').trim());
  const agents = (await api.request('GET', '/api/agents')).json as { agentId: number }[];
  t.same(agents.filter((a) => a.agentId > simAgentBase), [], 'the run logged its simulated agents out and removed them');
  const jobs = (await api.request('GET', '/api/simulator/jobs')).json as { kind: string; state: string }[];
  t.same(jobs.map((j) => [j.kind, j.state]), [['traffic', 'done']]);

  const call = await edgebox(['call', '--url', box.url, '--data', dir, '--from', '13800138000', '--digits', '52']);
  const c = JSON.parse(call.stdout);
  t.equal(c.route, 'aviation');
  t.ok(c.prompts.includes('route.aviation'));
  const record = await api.request('GET', `/api/calls/${c.callId as string}`);
  t.equal(record.json.call.caller, '13800138000', 'the call is in the box’s records');

  const gone = await api.request('GET', '/api/simulator/jobs/no-such-job');
  t.equal(gone.status, 404);
  t.equal(gone.json.error.code, 'simulator-job-not-found');
  const bad = await edgebox(['simulate', '--url', box.url, '--data', dir, '--calls', '0']).catch((e: { code: number; stderr: string }) => e);
  t.equal((bad as { code: number }).code, 1);
  t.match((bad as { stderr: string }).stderr, /HTTP 400/);
});
