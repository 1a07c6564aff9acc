/**
 * The box's side of the span worker: forks it (`--import tsx`), pairs commands with replies
 * (the timeout error is created when the wait starts, so its stack points at the caller), and
 * restarts the worker with exponential backoff when it dies. The box process never loads libpri.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { E1SpanConfig } from './config.js';
import { E1Error } from './errors.js';
import type { ChildToParent, ParentToChild, WorkerCommand, WorkerEvent } from './child/protocol.js';

export interface SpanHostEvents {
  event: [WorkerEvent];
  /** The worker died; every call it carried is gone. `willRestart` false = gave up (permanent). */
  /** `restartInMs`: the backoff before the next worker is forked (absent when giving up). */
  exit: [{ code: number | null; signal: NodeJS.Signals | null; willRestart: boolean; reason: string; crashes: number; restartInMs?: number }];
  /** A new worker is listening after a restart. */
  restarted: [{ pid: number; attempt: number }];
  error: [Error];
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  timeoutError: E1Error;
}

// Built (dist/, .js) the worker is the built .js; from the sources (tsx) it is the .ts, run through tsx.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER = fileURLToPath(new URL(FROM_SOURCE ? './child/worker-main.ts' : './child/worker-main.js', import.meta.url));

export class SpanHost extends EventEmitter<SpanHostEvents> {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private crashes = 0;
  private startedAt = 0;
  private generation = 0;

  /** `env`: added to the box's environment for the worker (e.g. LD_PRELOAD of a device stand-in). */
  constructor(private readonly cfg: Readonly<E1SpanConfig>, private readonly workerPath = WORKER, private readonly env?: Readonly<Record<string, string>>) {
    super();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    this.stopping = false;
    try {
      await this.spawn();
    } catch (e) {
      // A worker that cannot initialise (bad socket path, libpri missing) must not linger.
      this.stopping = true;
      this.child?.kill('SIGKILL');
      this.child = undefined;
      throw e;
    }
  }

  private async spawn(): Promise<void> {
    const gen = ++this.generation;
    const child = fork(this.workerPath, [], {
      execArgv: FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      ...(this.env ? { env: { ...process.env, ...this.env } } : {}),
    });
    this.child = child;
    this.startedAt = Date.now();
    child.on('message', (m: ChildToParent) => this.onMessage(m));
    child.once('exit', (code, signal) => this.onExit(gen, code, signal));
    child.on('error', (e) => this.emit('error', e));
    await this.request({ op: 'init', config: this.cfg }, 15_000);
  }

  private onMessage(m: ChildToParent): void {
    if (m.type === 'event') {
      this.emit('event', m.event);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.result);
    else p.reject(new E1Error(m.code, m.message));
  }

  private onExit(gen: number, code: number | null, signal: NodeJS.Signals | null): void {
    if (gen !== this.generation) return;
    this.child = undefined;
    const died = new E1Error('E1_WORKER_DIED', `exit code ${code}, signal ${signal}`);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(died);
      this.pending.delete(id);
    }
    if (this.stopping) return;
    if (Date.now() - this.startedAt > this.cfg.restartResetMs) this.crashes = 0;
    this.crashes++;
    const willRestart = this.crashes <= this.cfg.maxRestarts;
    const deathNote = `span worker died (code ${code}, signal ${signal})`;
    if (!willRestart) {
      this.emit('exit', {
        code, signal, willRestart, crashes: this.crashes,
        reason: `${deathNote}; gave up after ${this.crashes} consecutive crashes (maxRestarts ${this.cfg.maxRestarts})`,
      });
      return;
    }
    const { initial, max } = this.cfg.restartBackoffMs;
    const delay = Math.min(max, initial * 2 ** (this.crashes - 1));
    this.emit('exit', { code, signal, willRestart, reason: deathNote, crashes: this.crashes, restartInMs: delay });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.spawn().then(
        () => this.emit('restarted', { pid: this.child?.pid ?? 0, attempt: this.crashes }),
        (e: unknown) => {
          this.emit('error', e as Error);
          // The new worker failed to initialise; kill it so onExit schedules the next attempt.
          this.child?.kill('SIGKILL');
        },
      ).catch((e: unknown) => this.emit('error', e as Error));
    }, delay);
  }

  /** Tapped calls' frames for their B-channels (no reply; dropped when the worker is not running). */
  sendAudio(frames: [string, Uint8Array][]): void {
    const child = this.child;
    if (!child || !child.connected) return;
    const msg: ParentToChild = { type: 'audio', frames };
    child.send(msg, () => undefined);
  }

  request<T = unknown>(cmd: WorkerCommand, timeoutMs = this.cfg.commandTimeoutMs): Promise<T> {
    const child = this.child;
    if (!child || !child.connected) {
      return Promise.reject(new E1Error(this.stopping ? 'E1_CLOSED' : 'E1_WORKER_DIED', 'span worker not running'));
    }
    const id = this.nextId++;
    const timeoutError = new E1Error('E1_WORKER_TIMEOUT', `${cmd.op} after ${timeoutMs} ms`);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(timeoutError);
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, timeoutError });
      const msg: ParentToChild = { type: 'cmd', id, cmd };
      child.send(msg, (err) => {
        if (!err) return;
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        clearTimeout(p.timer);
        reject(new E1Error('E1_WORKER_DIED', err.message, { cause: err }));
      });
    });
  }

  /** Kill the worker (tests: simulate a crash). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    await this.request({ op: 'shutdown' }, 2000).catch(() => child.kill('SIGKILL'));
    const guard = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(guard);
    this.child = undefined;
  }
}
