// The one polling helper of the tests that wait on other processes or real I/O (boxes, span workers, pairs
// of boxes). Tests on a simulated clock wait on events instead.

/**
 * Polls `fn` until it returns a truthy value or the deadline passes. The first looks come quickly (5 ms, then
 * half again longer each time) and the interval grows to `everyMs`, so a condition that holds within
 * milliseconds costs milliseconds, not a whole 100 ms poll, and a long wait does not busy the machine.
 */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let wait = Math.min(5, everyMs);
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(everyMs, Math.ceil(wait * 1.5));
  }
}
