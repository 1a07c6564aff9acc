// A small typed event emitter whose listeners cannot hurt the driver: a listener that throws is
// logged and the others still run (the same rule as trunk drivers, T10).
import type { Logger } from '../../common/log.js';

export class SafeEmitter<E extends { [K in keyof E]: unknown }> {
  #listeners = new Map<keyof E, Set<(v: never) => void>>();
  constructor(private readonly log: Logger) {}

  on<K extends keyof E>(event: K, listener: (v: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (v: never) => void);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: (v: E[K]) => void): void {
    this.#listeners.get(event)?.delete(listener as (v: never) => void);
  }

  /** Resolves with the next event of this kind that passes the filter. */
  once<K extends keyof E>(event: K, filter: (v: E[K]) => boolean = () => true): Promise<E[K]> {
    return new Promise((resolve) => {
      const off = this.on(event, (v) => {
        if (!filter(v)) return;
        off();
        resolve(v);
      });
    });
  }

  emit<K extends keyof E>(event: K, value: E[K]): void {
    for (const l of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (l as (v: E[K]) => void)(value);
      } catch (err) {
        this.log.error({ event: String(event), err: String(err) }, 'listener threw');
      }
    }
  }
}
