// `edgebox gov12345 send` and `edgebox gov12345 status` against a running box and the 12345 simulator: a ticket
// handed over from the shell (the real `edgebox` process), its exchange shown, and each refusal worded with
// what to do (the command in this process; one refusal through the real process for its exit status).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { gov12345Command } from '../../firmware-agent/cli/gov12345.js';
import { complaint, staff, startTestBox, strongPassword, tempDir } from '../helpers/box.js';
import { Gov12345Sim, boxSectionFor } from '../sim/gov12345-sim.js';
import { waitFor } from '../helpers/wait.js';
import { edgebox as edgeboxBin } from '../helpers/process.js';

const run = promisify(execFile);
const secret = 'k'.repeat(16) + 'shared-secret-of-the-cli-platform';

t.test('a ticket handed over to 12345 from the shell, its exchange shown, and refusals that say what to do', async (t) => {
  const sim = new Gov12345Sim({ account: '12328-623000', platformId: 'gansu-12345', secret });
  await sim.start();
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ gov12345: boxSectionFor(sim) }));
  const tb = await startTestBox({ dataDir: dir });
  const url = await tb.box.listen();
  sim.boxUrl = url;
  t.teardown(async () => {
    await sim.stop();
    await tb.close();
  });
  const s = await staff(tb);
  const edgebox = (args: string[], user = 'agent1') =>
    run(process.execPath, [edgeboxBin, 'gov12345', ...args, '--url', url], {
      cwd: process.cwd(),
      timeout: 60_000,
      env: { ...process.env, EDGEBOX_USER: user, EDGEBOX_PASSWORD: strongPassword },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  // The same command in this process (no process start per call: under tsx each costs seconds), printing into
  // a string; a refusal is what `edgebox` prints on standard error with exit status 1.
  const cli = async (args: string[], user = 'agent1') => {
    const saved = [process.env.EDGEBOX_USER, process.env.EDGEBOX_PASSWORD];
    process.env.EDGEBOX_USER = user;
    process.env.EDGEBOX_PASSWORD = strongPassword;
    let stdout = '';
    try {
      const code = await gov12345Command([...args, '--url', url], (text) => void (stdout += text));
      return { code, stdout, stderr: '' };
    } catch (err) {
      return { code: 1, stdout, stderr: `edgebox gov12345: ${(err as Error).message}\n` };
    } finally {
      [process.env.EDGEBOX_USER, process.env.EDGEBOX_PASSWORD] = saved;
      if (saved[0] === undefined) delete process.env.EDGEBOX_USER;
      if (saved[1] === undefined) delete process.env.EDGEBOX_PASSWORD;
    }
  };

  const number = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  const before = await cli(['status', number]);
  t.equal(before.code, 0, before.stderr);
  t.match(before.stdout, new RegExp(`${number}: not sent to 12345`));
  t.match(before.stdout, new RegExp(`may be sent: edgebox gov12345 send ${number}`));

  const sent = await edgebox(['send', number, '--note', '属市场监管事项']);
  t.equal(sent.code, 0, sent.stderr);
  t.match(sent.stdout, new RegExp(`${number} handed over to `));
  await sim.waitFor(() => sim.received.length === 1);
  t.equal(sim.received[0]!.order.gdbh, number, 'the platform received the order');
  t.match(sim.received[0]!.order.sqnr, /属市场监管事项/, 'with the note');
  const audit = (await s.supervisor.get(`/api/tickets/${number}/audit`)).json() as { action: string; actor?: { name?: string } }[] | { items: { action: string }[] };
  t.ok((Array.isArray(audit) ? audit : audit.items).some((a) => a.action === 'transfer12345'), 'audited as the logged-in agent’s transfer12345');

  await waitFor('the transfer delivered', async () => (await s.agent.get(`/api/gov12345/tickets/${number}`)).json().state === 'transfer-delivered');
  const json = await cli(['status', number, '--json']);
  const state = JSON.parse(json.stdout);
  t.same([state.state, state.link.direction, state.sent[0].kind], ['transfer-delivered', 'out', 'order.transfer'], '--json prints the state');
  const text = await cli(['status', number]);
  t.match(text.stdout, /delivered to the platform, waiting for its result/);
  t.match(text.stdout, /sent\s+order\.transfer\s+\S+\s+delivered /);

  const all = await cli(['status'], 'super1');
  t.match(all.stdout, /gansu-12345 .* enabled/);
  t.match(all.stdout, /outbox: 0 waiting, 0 refused by a platform/);

  const again = await edgebox(['send', number]);
  t.equal(again.code, 1, 'a second hand-over is refused');
  t.match(again.stderr, /\[illegal-transition\]/);
  t.match(again.stderr, /only a ticket that is received or returned/);
  const platform = await cli(['send', (await s.agent.post('/api/tickets', complaint)).json().number as string, '--platform', 'nowhere']);
  t.match(platform.stderr, /\[gov12345-platform-unknown\][\s\S]*enabled platforms with --platform: gansu-12345/);
  const missing = await cli(['send', '6230002026120599999']);
  t.match(missing.stderr, /\[ticket-not-found\]/);
  const dept = await cli(['send', number], 'taxi1');
  t.match(dept.stderr, /\[forbidden-role\][\s\S]*log in as an agent, supervisor or admin/);
  const bad = await cli(['send', '12345']);
  t.same([bad.code, /is not a ticket number/.test(bad.stderr)], [1, true], 'a malformed number is refused before contacting the box');
  const usage = await cli(['resend', number]);
  t.match(usage.stderr, /usage:[\s\S]*gov12345 send NUMBER/);
  t.equal(sim.received.length, 1, 'nothing refused reached the platform');
});
