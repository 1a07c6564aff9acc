// Hardware health of the appliance: free space on the data disk, memory, CPU use and temperature where the
// board exposes it. Sampled on a timer, because /healthz must answer at once; the latest sample is reported
// with its age. Everything is read straight from the kernel with asynchronous reads — /proc/meminfo,
// /proc/stat, /sys/class/thermal and /sys/class/hwmon — and statfs(2) for the disk. systeminformation did
// this before, but spawned helper processes and parsed their output on the main thread: every sample held
// the event loop 50–80 ms (a caller's DTMF, an agent's click waited meanwhile; issue 11).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SystemSample } from './view-types.js';

export type { SystemSample } from './view-types.js';

/** Minimum free space on the data disk before /healthz warns. */
export const diskWarnBytes = 1024 ** 3;
export const diskWarnPercent = 90;

/** Where the kernel's files are: the real ones, or a fixture tree in tests. */
export interface KernelFiles {
  proc: string;
  sys: string;
}
const kernel: KernelFiles = { proc: '/proc', sys: '/sys' };

/** MemTotal and MemAvailable of /proc/meminfo, in bytes; null when either is missing or not a number. */
export function parseMeminfo(text: string): { totalBytes: number; availableBytes: number } | null {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d{1,15}) kB$`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return total !== null && available !== null && total > 0 && available <= total ? { totalBytes: total, availableBytes: available } : null;
}

/** The aggregate `cpu` line of /proc/stat as busy and total jiffies (idle = idle + iowait); null when malformed. */
export function parseProcStat(text: string): { busy: number; total: number } | null {
  const m = /^cpu((?: +\d{1,20}){4,10})\s*$/m.exec(text);
  if (!m) return null;
  const v = m[1]!.trim().split(/ +/).map(Number);
  // user nice system idle iowait irq softirq steal [guest guest_nice — already counted in user and nice]
  const counted = v.slice(0, 8);
  const total = counted.reduce((a, b) => a + b, 0);
  const idle = v[3]! + (v[4] ?? 0);
  return Number.isSafeInteger(total) ? { busy: total - idle, total } : null;
}

/** Percent of all cores busy between two /proc/stat readings (one decimal); null when they do not follow. */
export function cpuPercent(before: { busy: number; total: number } | null, after: { busy: number; total: number } | null): number | null {
  if (!before || !after) return null;
  const dt = after.total - before.total;
  const db = after.busy - before.busy;
  if (dt <= 0 || db < 0 || db > dt) return null;
  return Math.round((db / dt) * 1000) / 10;
}

/**
 * The CPU's temperature (°C) from the sensors the kernel lists: a thermal zone or hwmon chip that names the
 * CPU (x86_pkg_temp, cpu-thermal, soc, coretemp, k10temp …) first, else the hottest plausible one. Readings are
 * millidegrees; values outside −40…150 °C are a sensor's garbage and left out.
 */
export function pickTemperature(sensors: readonly { name: string; milli: string }[]): number | null {
  const valid = sensors
    .map((s) => ({ name: s.name.trim().toLowerCase(), c: /^-?\d{1,7}$/.test(s.milli.trim()) ? Number(s.milli.trim()) / 1000 : NaN }))
    .filter((s) => Number.isFinite(s.c) && s.c >= -40 && s.c <= 150);
  if (valid.length === 0) return null;
  const cpu = valid.filter((s) => /pkg|cpu|soc|coretemp|k10temp|zenpower|tctl/.test(s.name));
  return Math.round(Math.max(...(cpu.length ? cpu : valid).map((s) => s.c)) * 10) / 10;
}

const read = (file: string) => fsp.readFile(file, 'utf8').catch(() => null);

async function sensors(sys: string): Promise<{ name: string; milli: string }[]> {
  const out: { name: string; milli: string }[] = [];
  const zones = await fsp.readdir(path.join(sys, 'class/thermal')).catch(() => [] as string[]);
  for (const z of zones.filter((z) => z.startsWith('thermal_zone'))) {
    const [name, milli] = await Promise.all([read(path.join(sys, 'class/thermal', z, 'type')), read(path.join(sys, 'class/thermal', z, 'temp'))]);
    if (name !== null && milli !== null) out.push({ name, milli });
  }
  const chips = await fsp.readdir(path.join(sys, 'class/hwmon')).catch(() => [] as string[]);
  for (const c of chips) {
    const [name, milli] = await Promise.all([read(path.join(sys, 'class/hwmon', c, 'name')), read(path.join(sys, 'class/hwmon', c, 'temp1_input'))]);
    if (name !== null && milli !== null) out.push({ name, milli });
  }
  return out;
}

/** The previous /proc/stat reading per proc tree (one in the box; fixture trees in tests). */
const lastCpu = new Map<string, { busy: number; total: number }>();

export async function sampleSystem(dataDir: string, now: Date, files: KernelFiles = kernel): Promise<SystemSample> {
  const [meminfo, stat, temps] = await Promise.all([read(path.join(files.proc, 'meminfo')), read(path.join(files.proc, 'stat')), sensors(files.sys)]);
  const cpu = stat !== null ? parseProcStat(stat) : null;
  const cpuUse = cpuPercent(lastCpu.get(files.proc) ?? null, cpu);
  if (cpu) lastCpu.set(files.proc, cpu);
  const mem = meminfo !== null ? parseMeminfo(meminfo) : null;
  return {
    at: now.toISOString(),
    disk: dataDisk(dataDir),
    // Without a readable /proc/meminfo (a restricted container), what Node itself knows.
    memory: mem ?? { totalBytes: os.totalmem(), availableBytes: os.freemem() },
    cpuTemperatureC: pickTemperature(temps),
    load1: Math.round(os.loadavg()[0]! * 100) / 100,
    cpuUsePercent: cpuUse,
  };
}

/**
 * The filesystem the data directory is on, from statfs(2) on the directory itself: a tmpfs or a small
 * separate data disk is measured as it is (systeminformation's list leaves tmpfs out, and the longest-prefix
 * match then reported the root filesystem instead). Space is what an unprivileged writer may use (bavail).
 */
export function dataDisk(dataDir: string): SystemSample['disk'] {
  try {
    const st = fs.statfsSync(path.resolve(dataDir));
    const size = st.blocks * st.bsize;
    const available = st.bavail * st.bsize;
    const used = size - st.bfree * st.bsize;
    return { mount: mountOf(path.resolve(dataDir)), sizeBytes: size, availableBytes: available, usePercent: size ? Math.round((used / (used + available)) * 1000) / 10 : 0 };
  } catch {
    return null;
  }
}

/** The mount point holding `dir`, from /proc/self/mountinfo (the longest mount point that prefixes it). */
function mountOf(dir: string): string {
  try {
    const mounts = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m): m is string => !!m)
      .map((m) => m.replace(/\\040/g, ' '));
    return mounts.filter((m) => dir === m || dir.startsWith(m.endsWith('/') ? m : `${m}/`)).sort((a, b) => b.length - a.length)[0] ?? '/';
  } catch {
    return '/';
  }
}

export function systemWarnings(s: SystemSample): string[] {
  const w: string[] = [];
  if (s.disk && (s.disk.availableBytes < diskWarnBytes || s.disk.usePercent >= diskWarnPercent)) {
    w.push(`data disk ${s.disk.mount} is ${s.disk.usePercent}% full (${Math.round(s.disk.availableBytes / 1024 ** 2)} MiB free)`);
  }
  if (s.memory.availableBytes < 0.05 * s.memory.totalBytes) w.push('less than 5% of memory available');
  if (s.cpuTemperatureC !== null && s.cpuTemperatureC >= 85) w.push(`CPU at ${s.cpuTemperatureC} °C`);
  return w;
}
