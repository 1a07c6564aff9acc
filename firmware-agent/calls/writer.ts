// Write-behind for call progress. better-sqlite3 is synchronous and the store runs synchronous=FULL, so a
// commit on the main thread waits for an fsync on the event loop — measured 1-15 ms typical and over 100 ms
// at the tail on the target disk under load. A call makes a dozen progress writes (arrival, prompts, legs,
// route, queue, answer, end); written one by one at 120 calls in flight they stalled the loop for hundreds
// of ms, and with it every routing decision.
//
// So progress writes are statements (SQL + parameters) queued and committed together, in order, in one
// transaction every `intervalMs` (or at once when `maxPending` pile up). For a store in a file the commit
// runs in a writer thread (writer-thread.js) on its own connection, so the fsync is off the event loop;
// for ':memory:' (tests) it runs here. Invariants:
// - order is kept: statements run in the order queued, one transaction per batch, batches in order;
// - `flush()` returns only when everything queued so far is committed, and every read of call data
//   flushes first, so readers never see a stale record (read-your-writes);
// - what must be durable before the caller is told (a callback request, a ticket link) is flushed before
//   the caller hears the confirmation;
// - a crash loses at most the last interval of progress of calls that were in flight, which the next start
//   records as failed anyway (CallRecords.recoverUnfinished).
import { Worker } from 'node:worker_threads';
import type { Db } from '../store/db.js';

export interface WriteOp {
  sql: string;
  params: unknown[] | Record<string, unknown>;
}

export interface WriteBehindOptions {
  intervalMs?: number;
  maxPending?: number;
  /** Commit in a writer thread when the store is a file. Default true. */
  thread?: boolean;
  onError?: (err: unknown) => void;
}

export class WriteBehind {
  #queue: WriteOp[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #flushes = 0;
  #errors = 0;
  #maxFlushMs = 0;
  #totalFlushMs = 0;
  #statements = new Map<string, ReturnType<Db['prepare']>>();
  #worker: Worker | undefined;
  #shared: Int32Array | undefined;
  #seq = 0;
  /** Batches sent to the thread and not yet acknowledged, kept to re-commit here if the thread dies. */
  #inflight = new Map<number, WriteOp[]>();
  #threadWanted: boolean;
  #threadFailed = false;

  constructor(
    private readonly db: Db,
    private readonly opts: WriteBehindOptions = {},
  ) {
    this.#threadWanted = (opts.thread ?? true) && db.name !== ':memory:' && !db.memory;
  }

  /**
   * The writer thread starts with the first batch, not with the box: a thread is a V8 isolate of its own
   * (~10 MB resident) and a box that takes no call for hours need not carry it (issue 11, idle memory).
   */
  #startThread(): void {
    if (!this.#threadWanted || this.#worker || this.#threadFailed || this.#closed) return;
    const shared = new SharedArrayBuffer(4);
    this.#shared = new Int32Array(shared);
    Atomics.store(this.#shared, 0, this.#seq);
    this.#worker = new Worker(new URL('./writer-thread.js', import.meta.url), {
      workerData: { file: this.db.name, shared },
      execArgv: [],
    });
    this.#worker.on('message', (m: { type: string; seq?: number; ms?: number; errors?: string[] }) => {
      if (m.type !== 'committed') return;
      this.#inflight.delete(m.seq ?? -1);
      if (this.#inflight.size === 0) this.#worker?.unref();
      this.#note(m.ms ?? 0);
      for (const e of m.errors ?? []) {
        this.#errors += 1;
        this.opts.onError?.(new Error(e));
      }
    });
    this.#worker.on('error', (err) => {
      this.#errors += 1;
      this.opts.onError?.(err);
      this.#worker = undefined; // fall back to committing here, starting with what the thread had not done
      this.#threadFailed = true;
      const lost = [...this.#inflight.entries()].sort((a, b) => a[0] - b[0]);
      this.#inflight.clear();
      for (const [, batch] of lost) this.#commitHere(batch);
      if (this.#shared) Atomics.store(this.#shared, 0, this.#seq);
    });
    this.#worker.unref(); // idle: it must not keep the process alive (after the listeners, which ref it)
  }

  /** Whether batches commit in the writer thread (started with the first batch; false once it failed). */
  get threaded(): boolean {
    return this.#threadWanted && !this.#threadFailed;
  }

  /** Queue statements; they run inside the next batch's transaction, in order. */
  enqueue(...ops: WriteOp[]): void {
    if (this.#closed) {
      this.#commitHere(ops);
      return;
    }
    this.#queue.push(...ops);
    if (this.#queue.length >= (this.opts.maxPending ?? 1000)) this.#send(false);
    else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#send(false);
      }, this.opts.intervalMs ?? 200);
      this.#timer.unref();
    }
  }

  /** Commit everything queued, and wait until it is committed. */
  flush(): void {
    this.#send(true);
  }

  #send(wait: boolean): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length) this.#startThread();
    if (!this.#worker || !this.#shared) {
      if (batch.length) this.#commitHere(batch);
      return;
    }
    if (batch.length) {
      this.#seq += 1;
      this.#inflight.set(this.#seq, batch);
      this.#worker.ref(); // the process does not exit while a batch is unacknowledged
      this.#worker.postMessage({ type: 'batch', seq: this.#seq, ops: batch });
    }
    if (!wait) return;
    // Block until the writer thread has committed our last batch (reads need their own writes).
    const deadline = Date.now() + 15_000;
    while (Atomics.load(this.#shared, 0) < this.#seq) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.#errors += 1;
        this.opts.onError?.(new Error('call record writer thread did not commit within 15 s'));
        return;
      }
      Atomics.wait(this.#shared, 0, Atomics.load(this.#shared, 0), Math.min(left, 1000));
    }
  }

  #commitHere(batch: WriteOp[]): void {
    if (!this.db.open) return;
    const started = performance.now();
    try {
      this.db.transaction(() => {
        for (const op of batch) this.#run(op);
      })();
    } catch (err) {
      // One bad statement must not lose the others: retry them one by one outside a shared transaction.
      this.#errors += 1;
      for (const op of batch) {
        try {
          this.#run(op);
        } catch (e) {
          this.opts.onError?.(e);
        }
      }
      this.opts.onError?.(err);
    }
    this.#note(performance.now() - started);
  }

  #run(op: WriteOp): void {
    let stmt = this.#statements.get(op.sql);
    if (!stmt) {
      stmt = this.db.prepare(op.sql);
      this.#statements.set(op.sql, stmt);
    }
    stmt.run(op.params);
  }

  #note(ms: number): void {
    this.#flushes += 1;
    this.#totalFlushMs += ms;
    if (ms > this.#maxFlushMs) this.#maxFlushMs = ms;
  }

  /** Flush, stop the writer thread, and write through from now on. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    const w = this.#worker;
    this.#worker = undefined;
    if (w) {
      w.ref(); // keep the process alive until the thread has closed its connection
      await new Promise<void>((resolve) => {
        const onMessage = (m: { type: string }) => {
          if (m.type !== 'closed') return;
          w.off('message', onMessage);
          resolve();
        };
        w.on('message', onMessage);
        w.once('exit', () => resolve());
        w.postMessage({ type: 'close' });
      });
      await w.terminate();
    }
  }

  /** Batches committed and time spent committing (in the writer thread when threaded). */
  get stats(): { threaded: boolean; pending: number; flushes: number; errors: number; maxFlushMs: number; meanFlushMs: number } {
    return {
      threaded: this.threaded,
      pending: this.#queue.length,
      flushes: this.#flushes,
      errors: this.#errors,
      maxFlushMs: Math.round(this.#maxFlushMs * 100) / 100,
      meanFlushMs: this.#flushes ? Math.round((this.#totalFlushMs / this.#flushes) * 100) / 100 : 0,
    };
  }
}
