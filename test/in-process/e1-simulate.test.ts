// `edgebox simulate --driver e1-pri` and the composition root's factory for `--driver e1-pri`.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createE1PriTrunk, simulateE1 } from '../../drivers/e1-pri/index.js';
import { dchannelUp } from '../rigs/e1-harness.js';
import { e1Options } from '../../firmware-agent/config/trunk-options.js';

t.test('the factory builds the driver from --dchannel and the e1 flags, and the simulator calls it', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e1-sim-'));
  const dchannel = path.join(dir, 'd');
  const driver = await createE1PriTrunk({}, e1Options({ dchannel, 'e1-channels': '1-10', 'e1-stations': '801=6801' }));
  t.teardown(async () => {
    await driver.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  t.same(driver.config.channels, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  t.same(driver.config.stations, { '801': '6801' });
  const ready = new Promise<number>((r) => driver.on('ready', (e) => r(e.channels)));
  await driver.start();
  t.equal(await ready, 10, 'ready with the channels in service');
  driver.on('offered', (o) => {
    driver.answer(o.callId).catch(() => {});
  });
  const up = dchannelUp(driver);
  const lines: string[] = [];
  const code = await simulateE1(['--dchannel', dchannel, '--calls', '3', '--concurrency', '2', '--talk-ms', '200', '--digits', '1'], (l) => lines.push(l));
  await up;
  t.equal(code, 0);
  t.equal(lines.filter((l) => /answered$/.test(l)).length, 3, 'three calls answered');
  t.equal(lines.filter((l) => /released by telco, cause 16/.test(l)).length, 3, 'and hung up by the caller');
  t.ok(lines.some((l) => l.includes('13800138002')), 'caller numbers are counted up');
  t.throws(() => e1Options({}), /--dchannel/);
});
