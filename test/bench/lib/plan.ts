// Which bench modules a run does, and the figure that closes it (test/bench/run.ts). Pure, so a unit test
// can check the quick-mode rules without timing anything.
import type { Figure } from './figure.js';

/** `npm run bench -- --quick` must finish within this (issue 2). */
export const quickLimitS = 60;
/** The modules `--quick` runs when neither `--only` nor `--all` is given. */
export const quickModules: readonly string[] = ['tickets'];

export interface PlanArgs {
  quick: boolean;
  all: boolean;
  only: string[] | null;
}

/**
 * The modules to run, in `modules` order, and those quick mode leaves out. Quick mode runs only the
 * tickets module: the others at their quick sizes take minutes together (calls runs on the real clock).
 */
export function planModules(modules: readonly string[], available: (m: string) => boolean, args: PlanArgs): { selected: string[]; left: string[] } {
  if (args.only) return { selected: modules.filter((m) => args.only!.includes(m)), left: [] };
  const wanted = modules.filter(available);
  if (!args.quick || args.all) return { selected: wanted, left: [] };
  return { selected: wanted.filter((m) => quickModules.includes(m)), left: wanted.filter((m) => !quickModules.includes(m)) };
}

/** The `bench.run` figure: total and per-module time; the default quick run carries the 60 s target. */
export function runFigure(args: PlanArgs, selected: string[], seconds: number, durations: [string, number][]): Figure {
  const f: Figure = {
    bench: 'bench.run',
    quick: args.quick,
    modules: selected,
    elapsed_s: Math.round(seconds * 10) / 10,
    module_s: Object.fromEntries(durations.map(([m, s]) => [m, Math.round(s * 10) / 10])),
  };
  // A quick run asked to do more modules still says how long it took, without the target.
  if (args.quick && !args.only && !args.all) Object.assign(f, { limit_s: quickLimitS, target: `elapsed_s < ${quickLimitS}`, ok: seconds < quickLimitS });
  return f;
}
