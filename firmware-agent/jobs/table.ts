// The jobs table (issue 12 §5): every schedule of the box in one place, run through node-cron. A job is a
// name, a cron expression, a description and an async function. The table
// - runs each job at most once at a time (asking again while it runs returns the running one),
// - records every run (start, duration, outcome, what it did, the error) in SQLite (`job_runs`); a
//   `quiet` job (store maintenance, every few seconds) records a run only when its outcome changes, so an
//   idle box does not write every few seconds,
// - tells its listeners when a job fails and when a failed job succeeds again (the installer raises and
//   clears the `job-failed:<name>` alarm),
// - never lets a failing job take the box down: every run's error is caught and stored.
//
// The scheduler is injected: node-cron in the box, a hand-fired one in tests (simulated clocks: nothing in
// the table reads the time except through `now`).
import { EventEmitter } from 'node:events';
import cron from 'node-cron';
import type { Db } from '../store/db.js';
import type { Logger } from '../../common/log.js';

export type RunReason = 'scheduled' | 'manual' | 'startup';
export type JobDetail = Record<string, unknown>;

export interface JobContext {
  /** The time the run started (the table's clock). */
  at: Date;
  reason: RunReason;
}

export interface JobDefinition {
  /** Lower case letters, digits and `-`, 2–40 characters. */
  name: string;
  /** node-cron expression (5 fields, or 6 with seconds first), in the box's time zone. */
  schedule: string;
  description: string;
  /** Record a run only when its outcome differs from the last recorded one (frequent jobs). */
  quiet?: boolean;
  run(ctx: JobContext): Promise<JobDetail | void> | JobDetail | void;
}

export interface JobRun {
  name: string;
  reason: RunReason;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: 'ok' | 'failed';
  detail: JobDetail | null;
  error: string | null;
}

export interface JobStatus {
  name: string;
  schedule: string;
  description: string;
  running: boolean;
  nextRun: string | null;
  lastRun: JobRun | null;
  /** Runs since the box started (every run, recorded or not). */
  runs: number;
  failures: number;
}

/** What the table needs of a scheduler: call `fire` at the times of `expression`. */
export interface Scheduler {
  schedule(name: string, expression: string, timezone: string, fire: () => void): ScheduledJob;
}
export interface ScheduledJob {
  nextRun(): Date | null;
  stop(): void;
}

export class JobError extends Error {
  constructor(
    readonly code: 'job-not-found' | 'job-definition-invalid',
    message: string,
  ) {
    super(message);
    this.name = 'JobError';
  }
}

/** node-cron: the box's scheduler. Tasks are unref'd, so a scheduled job never keeps a process alive. */
export const cronScheduler: Scheduler = {
  schedule(name, expression, timezone, fire) {
    const task = cron.schedule(expression, () => fire(), { name: `edgebox-${name}`, timezone, noOverlap: false, suppressMissedWarning: true });
    task.unref?.();
    return {
      nextRun: () => task.getNextRun(),
      stop: () => void task.destroy(),
    };
  },
};

export interface JobTableEvents {
  failed: [JobRun];
  /** A job that had failed (last run) ran well again. */
  recovered: [JobRun];
  finished: [JobRun];
}

export interface JobTableDeps {
  db: Db;
  now: () => Date;
  timezone: () => string;
  scheduler?: Scheduler;
  log?: Pick<Logger, 'info' | 'error'>;
}

const nameRe = /^[a-z][a-z0-9-]{1,39}$/;

interface Entry {
  def: JobDefinition;
  task: ScheduledJob | null;
  running: Promise<JobRun> | null;
  last: JobRun | null;
  runs: number;
  failures: number;
}

interface RunRow {
  name: string;
  reason: RunReason;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  outcome: 'ok' | 'failed';
  detail: string | null;
  error: string | null;
}

function fromRow(r: RunRow): JobRun {
  return {
    name: r.name,
    reason: r.reason,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    outcome: r.outcome,
    detail: r.detail ? (JSON.parse(r.detail) as JobDetail) : null,
    error: r.error,
  };
}

export class JobTable extends EventEmitter<JobTableEvents> {
  readonly #jobs = new Map<string, Entry>();
  readonly #scheduler: Scheduler;
  #started = false;
  readonly #soon = new Set<NodeJS.Timeout>();
  readonly #insert;
  readonly #lastOf;
  readonly #history;

  constructor(private readonly deps: JobTableDeps) {
    super();
    this.#scheduler = deps.scheduler ?? cronScheduler;
    this.#insert = deps.db.prepare(
      `INSERT INTO job_runs (name, reason, started_at, finished_at, duration_ms, outcome, detail, error)
       VALUES (@name, @reason, @startedAt, @finishedAt, @durationMs, @outcome, @detail, @error)`,
    );
    this.#lastOf = deps.db.prepare('SELECT * FROM job_runs WHERE name = ? ORDER BY id DESC LIMIT 1');
    this.#history = deps.db.prepare('SELECT * FROM job_runs WHERE name = ? ORDER BY id DESC LIMIT ?');
  }

  /** Adds a job. Throws JobError('job-definition-invalid') naming what is wrong. */
  define(def: JobDefinition): void {
    if (!nameRe.test(def.name)) throw new JobError('job-definition-invalid', `job name must match ${nameRe.source}, got ${JSON.stringify(def.name)}`);
    if (this.#jobs.has(def.name)) throw new JobError('job-definition-invalid', `job ${def.name} is defined twice`);
    if (!cron.validate(def.schedule)) throw new JobError('job-definition-invalid', `job ${def.name}: schedule ${JSON.stringify(def.schedule)} is not a cron expression`);
    const stored = this.#lastOf.get(def.name) as RunRow | undefined;
    const e: Entry = { def, task: null, running: null, last: stored ? fromRow(stored) : null, runs: 0, failures: 0 };
    this.#jobs.set(def.name, e);
    if (this.#started) this.#schedule(e);
  }

  has(name: string): boolean {
    return this.#jobs.has(name);
  }

  names(): string[] {
    return [...this.#jobs.keys()];
  }

  /** Starts the schedules (the box: once it listens). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const e of this.#jobs.values()) this.#schedule(e);
  }

  /**
   * Runs a job once, `delayMs` from now (reason 'startup'): a daily job catching up on a day the box was off.
   * The one-shot timer is unref'd and cancelled by stop().
   */
  runAfter(name: string, delayMs: number): void {
    if (!this.#jobs.has(name)) throw new JobError('job-not-found', `no job ${JSON.stringify(name)}`);
    const timer = setTimeout(() => {
      this.#soon.delete(timer);
      this.run(name, 'startup').catch((err: unknown) => this.deps.log?.error({ err, job: name }, 'job listener failed'));
    }, delayMs);
    timer.unref();
    this.#soon.add(timer);
  }

  /** Stops the schedules and waits for the runs in progress. */
  async stop(): Promise<void> {
    this.#started = false;
    for (const t of this.#soon) clearTimeout(t);
    this.#soon.clear();
    for (const e of this.#jobs.values()) {
      e.task?.stop();
      e.task = null;
    }
    await Promise.allSettled([...this.#jobs.values()].map((e) => e.running));
  }

  #schedule(e: Entry): void {
    e.task = this.#scheduler.schedule(e.def.name, e.def.schedule, this.deps.timezone(), () => {
      // run() never rejects; the catch is for the listeners it calls.
      this.run(e.def.name, 'scheduled').catch((err: unknown) => this.deps.log?.error({ err, job: e.def.name }, 'job listener failed'));
    });
  }

  /** Runs a job now (or joins its run in progress). Never rejects for the job's own failure: see the outcome. */
  run(name: string, reason: RunReason = 'manual'): Promise<JobRun> {
    const e = this.#jobs.get(name);
    if (!e) return Promise.reject(new JobError('job-not-found', `no job ${JSON.stringify(name)}; jobs: ${this.names().join(', ')}`));
    if (!e.running) {
      const p = this.#run(e, reason);
      e.running = p;
      // #run clears it before telling listeners; this covers a listener that throws.
      p.finally(() => {
        if (e.running === p) e.running = null;
      }).catch(() => undefined);
    }
    return e.running;
  }

  async #run(e: Entry, reason: RunReason): Promise<JobRun> {
    const at = this.deps.now();
    const t0 = performance.now();
    let detail: JobDetail | null = null;
    let error: string | null = null;
    try {
      detail = (await e.def.run({ at, reason })) ?? null;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      if (!error) error = 'failed';
    }
    const run: JobRun = {
      name: e.def.name,
      reason,
      startedAt: at.toISOString(),
      finishedAt: this.deps.now().toISOString(),
      durationMs: Math.round((performance.now() - t0) * 10) / 10,
      outcome: error === null ? 'ok' : 'failed',
      detail,
      error,
    };
    const before = e.last;
    e.last = run;
    e.running = null;
    e.runs += 1;
    if (error !== null) e.failures += 1;
    if (!e.def.quiet || !before || before.outcome !== run.outcome || reason === 'manual') this.#record(run);
    if (error !== null) {
      this.deps.log?.error({ job: run.name, err: error, reason }, `job ${run.name} failed`);
      this.emit('failed', run);
    } else if (before?.outcome === 'failed') {
      this.emit('recovered', run);
    }
    this.emit('finished', run);
    return run;
  }

  #record(run: JobRun): void {
    try {
      this.#insert.run({ ...run, detail: run.detail ? JSON.stringify(run.detail) : null });
    } catch (err) {
      // A full disk must not turn a job's outcome into an unhandled rejection; the run stays in memory.
      this.deps.log?.error({ err, job: run.name }, 'job run could not be recorded');
    }
  }

  list(): JobStatus[] {
    return [...this.#jobs.values()].map((e) => ({
      name: e.def.name,
      schedule: e.def.schedule,
      description: e.def.description,
      running: e.running !== null,
      nextRun: e.task?.nextRun()?.toISOString() ?? null,
      lastRun: e.last,
      runs: e.runs,
      failures: e.failures,
    }));
  }

  /** Recorded runs of a job, newest first. */
  history(name: string, limit = 20): JobRun[] {
    if (!this.#jobs.has(name)) throw new JobError('job-not-found', `no job ${JSON.stringify(name)}`);
    return (this.#history.all(name, limit) as RunRow[]).map(fromRow);
  }
}

/** Recorded runs, for a CLI without a running box (the schedule and the next run are not known there). */
export function storedRuns(db: Db): JobRun[] {
  return (
    db
      .prepare('SELECT r.* FROM job_runs r JOIN (SELECT name, MAX(id) AS id FROM job_runs GROUP BY name) m ON r.id = m.id ORDER BY r.name')
      .all() as RunRow[]
  ).map(fromRow);
}
