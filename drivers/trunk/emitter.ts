// A typed event emitter for trunk drivers that keeps rule T10: a listener that throws is reported and
// skipped, the other listeners still get the event and the driver carries on.
import type { TrunkEventName, TrunkEvents, TrunkListener } from './types.js';

export class TrunkEmitter {
  #listeners = new Map<TrunkEventName, Set<(e: never) => void>>();

  constructor(private readonly onListenerError: (err: unknown, event: TrunkEventName) => void = () => {}) {}

  on<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (e: never) => void);
  }

  off<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    this.#listeners.get(event)?.delete(listener as (e: never) => void);
  }

  emit<K extends TrunkEventName>(event: K, payload: TrunkEvents[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as TrunkListener<K>)(payload);
      } catch (err) {
        try {
          this.onListenerError(err, event);
        } catch {
          /* the error reporter itself failed; nothing more to do */
        }
      }
    }
  }
}
