// `edgebox probe` for the E1 card: libpri version, D-channel state and B-channels in use, read from
// the running span worker's status file (never by connecting to the D-channel).
import t from 'tap';
import fs from 'node:fs';
import { once } from 'node:events';
import { e1Harness } from '../rigs/e1-harness.js';
import { probeE1, formatProbe, statusPathOf } from '../../drivers/e1-pri/probe.js';
import { runProbe } from '../../firmware-agent/cli/probe.js';

/** Resolve once the status file satisfies `ok` (waits on fs.watch events, not on a timer). */
async function statusWhere(dchannel: string, ok: (s: { channelsInUse: number[]; dchannel: string }) => boolean): Promise<void> {
  const file = statusPathOf(dchannel);
  const dir = file.slice(0, file.lastIndexOf('/'));
  const w = fs.watch(dir);
  try {
    for (;;) {
      try {
        if (ok(JSON.parse(fs.readFileSync(file, 'utf8')))) return;
      } catch {
        /* not written yet */
      }
      await once(w, 'change');
    }
  } finally {
    w.close();
  }
}

t.test('probe reports the libpri version, the D-channel up and the B-channel in use', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const dchannel = h.driver.config.dchannel;
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000021', channel: 9 });
  const o = await offered;
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  await statusWhere(dchannel, (s) => s.dchannel === 'up' && s.channelsInUse.includes(9));
  const r = await probeE1(dchannel);
  t.ok(r.libpri.loaded);
  t.match(r.libpri.version, /^1\.6/);
  t.equal(r.box?.dchannel, 'up');
  t.same(r.box?.channelsInUse, [9]);
  t.equal(r.box?.channelsInService.length, 30);
  t.equal(r.box?.stale, false);
  t.match(formatProbe(r), /B-channels +1\/30 in use: 9/);
  const live = await h.driver.probe();
  t.same(live.channelsInUse, [9], 'the driver answers the same from the live worker');
  await h.driver.hangup(o.callId);
});

t.test('probe without a running box says so, and the CLI needs --dchannel', async (t) => {
  const r = await probeE1('/tmp/e1-nobox-here');
  t.equal(r.box, null);
  t.match(formatProbe(r), /no box running/);
  const write = process.stderr.write;
  let err = '';
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  const code = await runProbe([]).finally(() => (process.stderr.write = write));
  t.equal(code, 2);
  t.match(err, /--dchannel/);
});
