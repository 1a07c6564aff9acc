// Live events for the web UI (served as SSE by calls/routes/events.ts). In-memory, fire-and-forget: a slow or
// failing subscriber never holds up call handling (each delivery is isolated), and nothing here is the
// record — the call records are.
import type { LiveEvent } from './view-types.js';

export type { AgentSnapshot, AgentState, LiveEvent, QueueSnapshot } from './view-types.js';





export class LiveEvents {
  #subs = new Set<(e: LiveEvent) => void>();
  #errors = 0;

  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.#subs.add(fn);
    return () => this.#subs.delete(fn);
  }

  publish(e: LiveEvent): void {
    for (const fn of [...this.#subs]) {
      try {
        fn(e);
      } catch {
        this.#errors += 1;
      }
    }
  }

  get subscriberErrors(): number {
    return this.#errors;
  }
}
