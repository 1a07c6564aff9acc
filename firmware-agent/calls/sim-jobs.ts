// Simulator jobs: a traffic run (`edgebox simulate`) or one long simulated call (`edgebox call`) runs on the
// box in real time for minutes or hours, longer than any HTTP client waits for response headers (Node's
// fetch gives up after 300 s). So the POST starts a job and answers its id at once; the client polls
// `GET /api/simulator/jobs/:id` for progress and, once the job has finished, its result.
//
// Jobs live in memory only: they are simulations, and a box restart ends their calls anyway. Finished jobs
// are kept (the newest `keep`) so a client that polls late still gets the result.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../common/clock.js';

export type SimJobKind = 'call' | 'traffic';
export type SimJobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface SimJobView {
  id: string;
  kind: SimJobKind;
  state: SimJobState;
  startedAt: number;
  endedAt: number | null;
  /** Kind-specific progress (traffic: calls, placed, ended). */
  progress: Record<string, unknown> | null;
  /** The job's answer once `state` is `done` or `cancelled` (a cancelled traffic run still has KPIs). */
  result: unknown;
  /** Why a `failed` job failed. */
  error: string | null;
}

export interface SimJobControl {
  /** Aborted when the job is cancelled or the box stops. */
  signal: AbortSignal;
  progress(p: Record<string, unknown>): void;
}

interface Job {
  view: SimJobView;
  abort: AbortController;
  finished: Promise<void>;
}

export class SimJobs {
  readonly #jobs = new Map<string, Job>();
  readonly #keep: number;
  #closed = false;

  constructor(private readonly deps: { clock: Clock; keep?: number; newId?: () => string; onError?: (err: unknown, job: SimJobView) => void }) {
    this.#keep = deps.keep ?? 50;
    if (!Number.isInteger(this.#keep) || this.#keep < 1) throw new RangeError(`SimJobs keep must be a positive integer, got ${deps.keep}`);
  }

  /** Start `run` as a job; answers its view at once. Refused once the box is stopping. */
  start(kind: SimJobKind, run: (job: SimJobControl) => Promise<unknown>): SimJobView {
    if (this.#closed) throw new Error('the box is stopping: no new simulator jobs');
    const view: SimJobView = {
      id: (this.deps.newId ?? randomUUID)(),
      kind,
      state: 'running',
      startedAt: this.deps.clock.now(),
      endedAt: null,
      progress: null,
      result: null,
      error: null,
    };
    const abort = new AbortController();
    const control: SimJobControl = { signal: abort.signal, progress: (p) => (view.progress = p) };
    // run() starts synchronously (a throw becomes a rejection), so a cancel right after start reaches it.
    const finished = new Promise<unknown>((resolve) => resolve(run(control)))
      .then(
        (result) => {
          view.result = result;
          view.state = abort.signal.aborted ? 'cancelled' : 'done';
        },
        (err: unknown) => {
          view.error = err instanceof Error ? err.message : String(err);
          view.state = 'failed';
          this.deps.onError?.(err, view);
        },
      )
      .finally(() => {
        view.endedAt = this.deps.clock.now();
        this.#prune();
      });
    this.#jobs.set(view.id, { view, abort, finished });
    return { ...view };
  }

  get(id: string): SimJobView | undefined {
    const j = this.#jobs.get(id);
    return j ? { ...j.view } : undefined;
  }

  /** Cancel a running job (its calls are hung up); a finished job is left as it is. */
  cancel(id: string): SimJobView | undefined {
    const j = this.#jobs.get(id);
    if (!j) return undefined;
    if (j.view.state === 'running') j.abort.abort();
    return { ...j.view };
  }

  /** Resolves with the job's view once it has finished (undefined for an unknown id). */
  async settled(id: string): Promise<SimJobView | undefined> {
    const j = this.#jobs.get(id);
    if (!j) return undefined;
    await j.finished;
    return { ...j.view };
  }

  list(): SimJobView[] {
    return [...this.#jobs.values()].map((j) => ({ ...j.view }));
  }

  /** Box shutdown: cancel every running job and wait until each has finished. */
  async close(): Promise<void> {
    this.#closed = true;
    const running = [...this.#jobs.values()].filter((j) => j.view.state === 'running');
    for (const j of running) j.abort.abort();
    await Promise.all(running.map((j) => j.finished));
  }

  #prune(): void {
    const finished = [...this.#jobs.values()].filter((j) => j.view.state !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - this.#keep))) this.#jobs.delete(j.view.id);
  }
}
