// /healthz: the box's state for monitoring and for technicians. Subsystems register a contributor that
// returns their part (the network its outbox depth, the trunk its link state) and any warnings.
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
