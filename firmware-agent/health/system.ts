// Hardware health of the appliance (systeminformation): free space on the data disk, memory, CPU
// temperature where the board exposes it. Sampled on a timer, because /healthz must answer at once and
// systeminformation reads /proc and runs df; the latest sample is reported with its age.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// systeminformation is loaded on the first sample, not at import (it is not needed to reach ready; issue 11).
let si: typeof import('systeminformation') | undefined;

export interface SystemSample {
  at: string;
  disk: { mount: string; sizeBytes: number; availableBytes: number; usePercent: number } | null;
  memory: { totalBytes: number; availableBytes: number };
  cpuTemperatureC: number | null;
  /** The 1-minute load average (runnable processes), as `uptime` shows it. */
  load1: number | null;
  /** CPU use since the previous sample, percent of all cores — a different figure from the load average. */
  cpuUsePercent: number | null;
}

/** Minimum free space on the data disk before /healthz warns. */
export const diskWarnBytes = 1024 ** 3;
export const diskWarnPercent = 90;

export async function sampleSystem(dataDir: string, now: Date): Promise<SystemSample> {
  si ??= (await import('systeminformation')).default;
  const [mem, temp, load] = await Promise.all([si.mem(), si.cpuTemperature(), si.currentLoad().catch(() => null)]);
  return {
    at: now.toISOString(),
    disk: dataDisk(dataDir),
    memory: { totalBytes: mem.total, availableBytes: mem.available },
    cpuTemperatureC: typeof temp.main === 'number' ? temp.main : null,
    load1: Math.round(os.loadavg()[0]! * 100) / 100,
    cpuUsePercent: load ? Math.round(load.currentLoad * 10) / 10 : null,
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
