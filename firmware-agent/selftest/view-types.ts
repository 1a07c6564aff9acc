// The self-test's report (GET /api/admin/selftest, `edgebox selftest --json`; docs/technician.md §Self-test),
// as types with no runtime import, shared by the checks (checks.ts) and the technician page.

export interface Check {
  name: string;
  ok: boolean;
  value: unknown;
  /** What to do, English then Chinese; null when ok. */
  hint: string | null;
}

export interface SelfTest {
  ok: boolean;
  at: string;
  source: 'box' | 'direct';
  checks: Check[];
}
