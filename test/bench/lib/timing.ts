// Latency sampling with process.hrtime.bigint. Warm-up runs are discarded so JIT, statement preparation
// and the page cache settle before anything is counted.

export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function timeSync(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return elapsedMs(start);
}

export async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return elapsedMs(start);
}

/** Runs `fn` `warmup` times untimed, then `samples` times timed; returns the timings in ms. */
export function sampleSync(fn: (i: number) => unknown, samples: number, warmup = Math.min(50, samples)): number[] {
  for (let i = 0; i < warmup; i++) fn(i);
  const out: number[] = new Array<number>(samples);
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    fn(i);
    out[i] = elapsedMs(start);
  }
  return out;
}
