// The E1 driver in a real box process: `edgebox start --driver e1-pri --dchannel PATH` through the CLI, the
// telco simulator connected to its D-channel socket. Killing the span worker (SIGKILL, pid from its status
// file) must not take the box down: /healthz answers, tickets are created, the call in progress is recorded
// as failed, and a new worker takes the next call.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { TelcoSim, type SimLine } from '../../drivers/e1-pri/telco-sim/telco.js';
import { statusPathOf } from '../../drivers/e1-pri/probe.js';
import { complaint, tempDir } from '../helpers/box.js';
import { HttpClient, runCli, startBoxProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

function workerStatus(dchannel: string): { pid: number; dchannel: string; calls: number } | undefined {
  try {
    return JSON.parse(fs.readFileSync(statusPathOf(dchannel), 'utf8')) as { pid: number; dchannel: string; calls: number };
  } catch {
    return undefined; // not written yet, or between a worker's exit and its successor's first write
  }
}

/** Connect the telco once the box's span worker listens on the socket. */
async function connectTelco(dchannel: string): Promise<TelcoSim> {
  return waitFor('the span worker to accept the telco', async () => {
    const telco = new TelcoSim({ dchannel });
    try {
      await telco.connect();
      return telco;
    } catch {
      telco.close();
      return undefined;
    }
  });
}

t.test('when the span worker of a running box is killed, the box keeps serving, records the call failed and a new worker takes calls', async (t) => {
  const dir = tempDir('edgebox-e1-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const added = runCli(['user', 'add', '--username', 'agent1', '--role', 'agent', '--password-stdin', '--data', dir], 'E1-Agent-12328\n');
  t.equal(added.code, 0, `edgebox user add: ${added.stderr}`);
  const dchannel = path.join(dir, 'e1.sock');

  const box = await startBoxProcess(['--data', dir, '--driver', 'e1-pri', '--dchannel', dchannel]);
  t.teardown(() => box.child.kill('SIGKILL'));
  const api = new HttpClient(box.url);
  await api.login('agent1', 'E1-Agent-12328');

  let telco = await connectTelco(dchannel);
  t.teardown(() => telco.close());
  const line: SimLine = telco.placeCall({ caller: '13800000031' });
  await line.waitFor('answered');
  const call = await waitFor('the call record', async () => {
    const r = await api.request('GET', '/api/calls?caller=13800000031');
    return (r.json as { id: string }[])[0];
  });
  const before = await waitFor('the worker status with the call', () => {
    const s = workerStatus(dchannel);
    return s && s.calls >= 1 && s.dchannel === 'up' ? s : undefined;
  });
  t.not(before.pid, box.child.pid, 'libpri runs in a child process of the box');

  process.kill(before.pid, 'SIGKILL');
  const rel = await line.released;
  t.ok(rel, 'the exchange saw the link drop with the worker');

  const health = await api.request('GET', '/healthz');
  t.equal(health.status, 200, '/healthz still answers');
  t.ok(health.json.status, `the box reports its status (${health.json.status})`);
  const ticket = await api.request('POST', '/api/tickets', complaint);
  t.equal(ticket.status, 201, 'a ticket is created while the span worker is down or restarting');
  t.match(ticket.json.number, /^\d{19}$/);

  const failed = await waitFor('the call record to close', async () => {
    const r = await api.request('GET', `/api/calls/${call.id}`);
    return r.json?.call?.outcome ? (r.json.call as { outcome: string; hangup_cause: string | null }) : undefined;
  });
  t.equal(failed.outcome, 'failed', 'the call in progress is recorded as failed');

  const after = await waitFor('a new span worker', () => {
    const s = workerStatus(dchannel);
    return s && s.pid !== before.pid ? s : undefined;
  });
  t.not(after.pid, before.pid, 'the span worker was restarted');
  telco.close();
  telco = await connectTelco(dchannel);
  const line2 = telco.placeCall({ caller: '13800000032' });
  await line2.waitFor('answered');
  t.pass('the new worker answers a new call');
  const call2 = await waitFor('the second call record', async () => {
    const r = await api.request('GET', '/api/calls?caller=13800000032');
    return (r.json as { id: string }[])[0];
  });
  t.not(call2.id, call.id);
  line2.hangup();
  await waitFor('the second call to end', async () => {
    const r = await api.request('GET', `/api/calls/${call2.id}`);
    return r.json?.call?.outcome ?? undefined;
  });

  telco.close();
  box.child.kill('SIGTERM');
  const exit = await box.exited;
  t.equal(exit.code, 0, 'SIGTERM shuts the box and its span worker down cleanly');
  t.notOk(
    (() => {
      try {
        process.kill(after.pid, 0);
        return true;
      } catch {
        return false;
      }
    })(),
    'no span worker is left behind',
  );
});
