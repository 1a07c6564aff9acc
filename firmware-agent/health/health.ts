// /healthz: the box's state for monitoring and for technicians. Subsystems register a contributor that
// returns their part (the network its outbox depth, the trunk its link state) and any warnings.
/**
 * How long after it listens the box starts its catch-up work (the jobs' start-up runs — deadline sweep over
 * what fell due while it was off, calendar check, first health sample — and the metrics registry). That work
 * needs the CPU for a while on a big store and nothing waits for it, so the box answers its first requests
 * before (issue 11 §6: start to /healthz ready within 1 s at 1M tickets). The schedules start at once.
 */
export const startupRunDelayMs = 2000;

export interface HealthPart {
  ok: boolean;
  warnings?: string[];
  [key: string]: unknown;
}

export class Health {
  readonly #parts = new Map<string, () => HealthPart>();

  register(name: string, contributor: () => HealthPart): void {
    this.#parts.set(name, contributor);
  }

  report(): { status: 'ok' | 'degraded'; warnings: string[]; parts: Record<string, HealthPart> } {
    const parts: Record<string, HealthPart> = {};
    const warnings: string[] = [];
    let ok = true;
    for (const [name, fn] of this.#parts) {
      let part: HealthPart;
      try {
        part = fn();
      } catch (err) {
        part = { ok: false, error: (err as Error).message };
      }
      parts[name] = part;
      ok &&= part.ok;
      for (const w of part.warnings ?? []) warnings.push(`${name}: ${w}`);
    }
    return { status: ok ? 'ok' : 'degraded', warnings, parts };
  }
}
