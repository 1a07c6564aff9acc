// Hardware health figures (issue 12 bugs found by technicians): /healthz reported `load1: 92.9` on an idle
// machine whose load average was 0.6 (the CPU-use percentage under the load average's name), and the data
// disk figure was the root filesystem's, leaving a tmpfs or a small data disk out. And the sample read from
// the kernel's files directly, with fixture trees and generated garbage.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cpuPercent, dataDisk, parseMeminfo, parseProcStat, pickTemperature, sampleSystem } from '../../firmware-agent/health/system.js';

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

// The kernel's files read directly (issue 11: systeminformation held the event loop 50–80 ms per sample).
const meminfo = 'MemTotal:       16314540 kB\nMemFree:         1103828 kB\nMemAvailable:    9411004 kB\nBuffers:          331124 kB\n';
const stat1 = 'cpu  4705 150 1120 16250 520 0 36 0 0 0\ncpu0 2352 75 560 8125 260 0 18 0 0 0\nintr 1 2 3\n';
const stat2 = 'cpu  4805 150 1170 16400 530 0 36 0 0 0\ncpu0 2402 75 585 8200 265 0 18 0 0 0\nintr 1 2 3\n';

t.test('the sample from a fixture tree: memory, CPU use between two samples, the CPU sensor', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kernel-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const files = { proc: path.join(root, 'proc'), sys: path.join(root, 'sys') };
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  put('proc/meminfo', meminfo);
  put('proc/stat', stat1);
  put('sys/class/thermal/thermal_zone0/type', 'acpitz\n');
  put('sys/class/thermal/thermal_zone0/temp', '27800\n');
  put('sys/class/thermal/thermal_zone1/type', 'x86_pkg_temp\n');
  put('sys/class/thermal/thermal_zone1/temp', '51000\n');
  put('sys/class/hwmon/hwmon0/name', 'nvme\n');
  put('sys/class/hwmon/hwmon0/temp1_input', '64850\n');
  await sampleSystem(root, new Date(), files);
  put('proc/stat', stat2);
  const s = await sampleSystem(root, new Date(), files);
  t.same(s.memory, { totalBytes: 16314540 * 1024, availableBytes: 9411004 * 1024 });
  // Busy +150 (user +100, system +50) of +310 jiffies (idle +150, iowait +10).
  t.equal(s.cpuUsePercent, 48.4);
  t.equal(s.cpuTemperatureC, 51, 'the CPU package sensor, not the hotter disk');
  fs.rmSync(files.sys, { recursive: true });
  fs.writeFileSync(path.join(files.proc, 'meminfo'), 'garbage');
  const bare = await sampleSystem(root, new Date(), files);
  t.equal(bare.cpuTemperatureC, null, 'no sensor: no temperature');
  t.equal(bare.cpuUsePercent, null, 'the same reading again: no time passed, no figure');
  t.ok(bare.memory.totalBytes > 0, 'an unreadable meminfo falls back to what node knows');
});

t.test('the parsers take any text: a figure or null, never a throw (fast-check)', async () => {
  const noisy = (good: string) =>
    fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.constant(good),
      fc.tuple(fc.nat({ max: good.length }), fc.string({ maxLength: 20 })).map(([cut, junk]) => good.slice(0, cut) + junk), // truncated, garbage after
    );
  fc.assert(
    fc.property(noisy(meminfo), noisy(stat1), noisy(stat2), fc.array(fc.record({ name: fc.string({ maxLength: 20 }), milli: fc.string({ maxLength: 10 }) }), { maxLength: 5 }), (m, a, b, zones) => {
      const mem = parseMeminfo(m);
      const use = cpuPercent(parseProcStat(a), parseProcStat(b));
      const temp = pickTemperature(zones);
      return (
        (mem === null || (mem.availableBytes <= mem.totalBytes && mem.totalBytes > 0)) &&
        (use === null || (use >= 0 && use <= 100)) &&
        (temp === null || (temp >= -40 && temp <= 150))
      );
    }),
    { numRuns: 2000 },
  );
});
