// Hardware health of the appliance (systeminformation): free space on the data disk, memory, CPU
// temperature where the board exposes it. Sampled on a timer, because /healthz must answer at once and
// systeminformation reads /proc and runs df; the latest sample is reported with its age.
import path from 'node:path';
import si from 'systeminformation';

export interface SystemSample {
  at: string;
  disk: { mount: string; sizeBytes: number; availableBytes: number; usePercent: number } | null;
  memory: { totalBytes: number; availableBytes: number };
  cpuTemperatureC: number | null;
  load1: number | null;
}

/** Minimum free space on the data disk before /healthz warns. */
export const diskWarnBytes = 1024 ** 3;
export const diskWarnPercent = 90;

export async function sampleSystem(dataDir: string, now: Date): Promise<SystemSample> {
  const [fsList, mem, temp, load] = await Promise.all([si.fsSize(), si.mem(), si.cpuTemperature(), si.currentLoad().catch(() => null)]);
  // The mount holding the data directory: the longest mount point that prefixes it.
  const dir = path.resolve(dataDir);
  const mount = fsList
    .filter((f) => dir === f.mount || dir.startsWith(f.mount.endsWith('/') ? f.mount : `${f.mount}/`))
    .sort((a, b) => b.mount.length - a.mount.length)[0];
  return {
    at: now.toISOString(),
    disk: mount ? { mount: mount.mount, sizeBytes: mount.size, availableBytes: mount.available, usePercent: mount.use } : null,
    memory: { totalBytes: mem.total, availableBytes: mem.available },
    cpuTemperatureC: typeof temp.main === 'number' ? temp.main : null,
    load1: load ? Math.round(load.currentLoad * 10) / 10 : null,
  };
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
