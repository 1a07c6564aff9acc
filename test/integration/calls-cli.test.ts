// `edgebox call` and `edgebox simulate` as a technician runs them (--local: in-process, simulated time).
// Against a running box: calls-cli-box.test.ts.
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { edgebox as edgeboxBin } from '../helpers/process.js';

const run = promisify(execFile);
const edgebox = (args: string[]) => run(process.execPath, [edgeboxBin, ...args], { cwd: process.cwd(), timeout: 60_000 });

t.test('edgebox call prints what happened to a railway call as JSON', async (t) => {
  const { stdout } = await edgebox(['call', '--local', '--from', '13800138000', '--digits', '51']);
  const r = JSON.parse(stdout);
  t.equal(r.route, 'railway');
  t.equal(r.outcome, 'announced');
  t.ok(r.prompts.includes('route.railway'));
  t.equal(r.transferredTo, null);
});

t.test('edgebox call reaches an agent for 0', async (t) => {
  const { stdout } = await edgebox(['call', '--local', '--from', '13800138000', '--digits', '0', '--timeout', '30']);
  const r = JSON.parse(stdout);
  t.equal(r.route, 'queue');
  t.equal(r.agent, 1);
  t.equal(r.station, '801');
});

t.test('edgebox simulate prints the call KPIs of the simulated traffic', async (t) => {
  const { stdout } = await edgebox(['simulate', '--local', '--calls', '200', '--rate', '300', '--agents', '8']);
  const r = JSON.parse(stdout);
  t.equal(r.calls, 200);
  t.equal(r.kpis.offered, 200);
  t.ok(r.kpis.answered > 0);
  t.type(r.kpis.answeredWithin10sRate, 'number');
  t.type(r.kpis.abandonRate, 'number');
  t.ok(r.simulatedMs > r.wallMs, 'simulated time runs faster than real time');
});

t.test('bad arguments are refused with a message', async (t) => {
  const err = await edgebox(['call', '--local']).catch((e: { code: number; stderr: string }) => e);
  t.equal((err as { code: number }).code, 1);
  t.match((err as { stderr: string }).stderr, /--from NUMBER is required/);
});
