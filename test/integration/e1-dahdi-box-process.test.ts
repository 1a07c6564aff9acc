// `edgebox start --driver e1-pri --dchannel /dev/dahdi/16` in a real box process, with DAHDI media: the
// box process (and so its span worker) runs with the DAHDI stand-in preloaded; the simulated card in this
// process carries the D-channel and the B-channels to the telco simulator. The caller hears the IVR's
// spoken prompt through the channel device, and SIGTERM shuts the box down cleanly.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { TelcoSim } from '../../drivers/e1-pri/telco-sim/telco.js';
import { DahdiCard } from '../../drivers/e1-pri/telco-sim/dahdi-card.js';
import { alawToLinear } from '../../drivers/media/alaw.js';
import { tempDir } from '../helpers/box.js';
import { HttpClient, runCli, startBoxProcess } from '../helpers/process.js';
import { buildDahdiShim, shimEnv } from '../fixtures/dahdi-shim/build.js';

t.test('a box started on a DAHDI D-channel device takes a call whose prompt reaches the caller through /dev/dahdi/channel', async (t) => {
  const so = await buildDahdiShim();
  const dir = tempDir('edgebox-e1-dahdi-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const added = runCli(['user', 'add', '--username', 'agent1', '--role', 'agent', '--password-stdin', '--data', dir], 'E1-Agent-12328\n');
  t.equal(added.code, 0, `edgebox user add: ${added.stderr}`);
  const card = new DahdiCard(path.join(dir, 'card'));
  card.listen();
  t.teardown(() => card.close());

  // No --media and no --e1-media: a /dev/dahdi D-channel means the B-channels are DAHDI channels too.
  const box = await startBoxProcess(['--data', dir, '--driver', 'e1-pri', '--dchannel', '/dev/dahdi/16'], shimEnv(so, card.path));
  t.teardown(() => box.child.kill('SIGKILL'));
  const telco = new TelcoSim({ dchannel: '/dev/dahdi/16', card, dchannelViaCard: true });
  t.teardown(() => telco.close());
  await telco.connect();
  t.equal(card.channels.get(16)?.kind, 'dchannel', 'the box opened the D-channel device');
  t.equal(card.openBchannels.length, 30, 'and the 30 B-channels on /dev/dahdi/channel');

  const line = telco.placeCall({ caller: '13800000041' });
  await line.waitFor('answered');
  // The welcome prompt: re-check the audio received until it is more than silence (another process plays it).
  let peak = 0;
  const deadline = Date.now() + 30_000;
  while (peak < 2000 && line.state !== 'released' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    for (const s of alawToLinear(Buffer.concat(line.received))) peak = Math.max(peak, Math.abs(s));
  }
  t.ok(peak >= 2000, `the caller hears the spoken prompt (peak ${peak}) from ${line.received.length} blocks`);
  const api = new HttpClient(box.url);
  await api.login('agent1', 'E1-Agent-12328');
  const r = await api.request('GET', '/api/calls?caller=13800000041');
  t.equal((r.json as unknown[]).length, 1, 'the call is recorded');
  line.hangup();
  await line.released;

  telco.close();
  box.child.kill('SIGTERM');
  const exit = await box.exited;
  t.equal(exit.code, 0, 'SIGTERM shuts the box and its span worker down cleanly');
  t.equal(card.openBchannels.length, 0, 'every channel device was closed');
});
