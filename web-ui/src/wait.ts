// Queue wait figures for the wallboard (pure: no DOM, unit-tested from test/unit).

/**
 * Longest wait now, ticking between queue events: counted from the oldest `waiting[].since`, corrected by
 * the box-browser clock difference measured when the snapshot arrived (`longestWaitMs` is the box's own
 * count at that moment), so a browser whose clock is off still shows the box's figure.
 */
export function longestWaitS(q: { waiting: { since: number }[]; longestWaitMs: number; receivedAt: number }, now: number): number | null {
  if (!q.waiting.length) return 0;
  const oldest = Math.min(...q.waiting.map((w) => w.since));
  const skew = q.receivedAt - oldest - q.longestWaitMs;
  return Math.max(0, Math.round((now - skew - oldest) / 1000));
}
