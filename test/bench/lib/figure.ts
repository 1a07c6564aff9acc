// The one shape every bench prints: a JSON object per line, so runs can be diffed, grepped and charted.
//
// A measured figure names what was timed (`bench`), where (`store`) and with how many tickets already in
// the store (`size`), then latency percentiles over `samples` timed operations. `ratio_vs_baseline` is this
// figure's p99 divided by the p99 of `baseline` (another figure of the same run: these machines are noisy,
// so only ratios within one run are compared). `target` and `ok` appear where the design sets a target.
// Modules written by other engineers may add their own fields; `bench` is the only one required.

export interface Figure {
  bench: string;
  store?: string;
  size?: number;
  samples?: number;
  p50_ms?: number;
  p99_ms?: number;
  max_ms?: number;
  ops_per_s?: number;
  ratio_vs_baseline?: number | null;
  baseline?: string | null;
  target?: string;
  ok?: boolean;
  /** Why a figure was not measured (e.g. lowdb at 1M tickets); no timings then. */
  skipped?: string;
  note?: string;
  [extra: string]: unknown;
}

export interface Stats {
  samples: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function stats(samplesMs: readonly number[]): Stats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    samples: sorted.length,
    p50_ms: percentile(sorted, 50),
    p99_ms: percentile(sorted, 99),
    max_ms: sorted[sorted.length - 1] ?? Number.NaN,
    mean_ms: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

/** Three significant digits: enough to compare, short enough to read. */
export function round(n: number): number {
  if (!Number.isFinite(n) || n === 0) return n;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(n))));
  return Number(n.toFixed(Math.min(digits, 6)));
}

/** A measured figure from raw samples (milliseconds). ops_per_s is 1000 / mean: one caller, back to back. */
export function measured(head: { bench: string; store: string; size: number }, samplesMs: readonly number[], extra: Partial<Figure> = {}): Figure {
  const s = stats(samplesMs);
  return {
    ...head,
    samples: s.samples,
    p50_ms: round(s.p50_ms),
    p99_ms: round(s.p99_ms),
    max_ms: round(s.max_ms),
    ops_per_s: round(1000 / s.mean_ms),
    ratio_vs_baseline: null,
    baseline: null,
    ...extra,
  };
}

export function label(f: Pick<Figure, 'bench' | 'store' | 'size'> & { q?: unknown }): string {
  return `${f.bench}${f.q !== undefined ? `[${String(f.q)}]` : ''} ${f.store ?? ''}@${f.size ?? ''}`.trim();
}

/** Sets `ratio_vs_baseline` (p99 ÷ baseline p99) on `f` and returns it. */
export function against(f: Figure, base: Figure | undefined): Figure {
  if (!base || base.p99_ms === undefined || f.p99_ms === undefined || base.p99_ms === 0) return f;
  f.ratio_vs_baseline = round(f.p99_ms / base.p99_ms);
  f.baseline = label(base);
  return f;
}
