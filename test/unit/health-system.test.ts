// Hardware health figures (issue 12 bugs found by technicians): /healthz reported `load1: 92.9` on an idle
// machine whose load average was 0.6 (the CPU-use percentage under the load average's name), and the data
// disk figure was the root filesystem's, leaving a tmpfs or a small data disk out.
import fs from 'node:fs';
import os from 'node:os';
import t from 'tap';
import { dataDisk, sampleSystem } from '../../firmware-agent/health/system.js';

t.test('load1 is the load average; CPU use is its own figure', async (t) => {
  const s = await sampleSystem(os.tmpdir(), new Date());
  const [l1] = os.loadavg();
  t.ok(s.load1 !== null && Math.abs(s.load1 - l1!) < Math.max(1, l1! * 0.5), `load1 ${s.load1} is the 1-minute load average (${l1})`);
  t.ok(s.cpuUsePercent === null || (s.cpuUsePercent >= 0 && s.cpuUsePercent <= 100), 'cpuUsePercent is a percentage');
});

t.test('the data disk is the filesystem the data directory is on, tmpfs included', async (t) => {
  const shm = '/dev/shm';
  if (!fs.existsSync(shm)) return t.comment('no /dev/shm here');
  const d = dataDisk(shm)!;
  const st = fs.statfsSync(shm);
  t.equal(d.sizeBytes, st.blocks * st.bsize, 'the size of the tmpfs itself, not of /');
  t.equal(d.availableBytes, st.bavail * st.bsize);
  t.equal(d.mount, shm);
  t.notSame(dataDisk('/')!.sizeBytes === d.sizeBytes && dataDisk('/')!.mount === d.mount, true, 'not the root filesystem');
});
