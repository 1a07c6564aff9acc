// CPU profiles of a bench's measured window: with EDGEBOX_BENCH_PROFILE=<dir>, `profileWindow(name)` starts
// the V8 profiler and the function it returns stops it and writes <dir>/<name>.cpuprofile (open it in
// Chrome's DevTools or read it with a script). Without the variable both are free.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

export async function profileWindow(name: string): Promise<() => Promise<void>> {
  const dir = process.env.EDGEBOX_BENCH_PROFILE;
  if (!dir) return async () => undefined;
  const s = new Session();
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.setSamplingInterval', { interval: 250 });
  await s.post('Profiler.start');
  return async () => {
    const { profile } = await s.post('Profiler.stop');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    s.disconnect();
  };
}
