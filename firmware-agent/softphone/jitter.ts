// The jitter buffer on the way from an agent's browser to the B-channel (issue 17 §2). RTP packets of 20 ms
// arrive over the LAN with uneven gaps and now and then out of order or lost; the B-channel takes one 20 ms
// frame every 20 ms. The buffer holds `depth` packets (or its first packet `depth` ticks) before it starts
// playing out (40 ms by default: a LAN rarely jitters more, and every packet held is delay the caller
// hears), then gives one frame per tick in
// sequence order: a packet that has not arrived when its turn comes is a gap (the caller of `next()` plays
// silence or repeats the last frame), and one that arrives after its turn is dropped.
//
// Sequence numbers are RTP's 16 bits and wrap; they are unwrapped against the next expected one. A jump of
// more than `resyncAfter` packets either way (the browser restarted its stream, or the buffer ran dry for
// long) starts the buffer again from the new packet instead of waiting for the missing ones.

export interface JitterOptions {
  /** Packets held before playout starts, and the most held after an underrun. Default 2 (40 ms). */
  depth?: number;
  /** Most packets kept ahead of playout; beyond it the oldest are dropped (the browser ran ahead). */
  capacity?: number;
  /** A sequence jump of more than this many packets restarts the buffer. */
  resyncAfter?: number;
}

export interface JitterStats {
  received: number;
  played: number;
  /** Ticks that found their packet missing once playout had started. */
  gaps: number;
  /** Packets that arrived after their turn or twice. */
  late: number;
  /** Packets dropped because the buffer was full. */
  overflow: number;
  restarts: number;
}

export class JitterBuffer<T> {
  readonly #depth: number;
  readonly #capacity: number;
  readonly #resyncAfter: number;
  /** Packets by unwrapped sequence number. */
  readonly #held = new Map<number, T>();
  /** The unwrapped sequence number whose turn is next, once playout has started. */
  #next: number | undefined;
  /** The last sequence number seen (unwrapped), to unwrap the following ones. */
  #last: number | undefined;
  #playing = false;
  /** Ticks the first packet has waited while the buffer fills. */
  #waited = 0;
  readonly stats: JitterStats = { received: 0, played: 0, gaps: 0, late: 0, overflow: 0, restarts: 0 };

  constructor(o: JitterOptions = {}) {
    this.#depth = Math.max(1, o.depth ?? 2);
    this.#capacity = Math.max(this.#depth, o.capacity ?? 50);
    this.#resyncAfter = o.resyncAfter ?? 500;
  }

  /** Packets held now. */
  get size(): number {
    return this.#held.size;
  }

  /** Takes a packet with its 16-bit RTP sequence number. */
  push(seq: number, packet: T): void {
    this.stats.received++;
    const s = this.#unwrap(seq & 0xffff);
    if (this.#next !== undefined && Math.abs(s - this.#next) > this.#resyncAfter) {
      this.#restart();
      this.#last = s;
    }
    if ((this.#next !== undefined && s < this.#next) || this.#held.has(s)) {
      this.stats.late++;
      return;
    }
    this.#held.set(s, packet);
    if (this.#next === undefined || (!this.#playing && s < this.#next)) this.#next = s;
    while (this.#held.size > this.#capacity) {
      const oldest = Math.min(...this.#held.keys());
      this.#held.delete(oldest);
      this.stats.overflow++;
      if (this.#next !== undefined && oldest >= this.#next) this.#next = oldest + 1;
    }
  }

  /**
   * The frame whose turn it is (one call per 20 ms tick): the packet, or `undefined` for a gap or while the
   * buffer fills (`playing` says which).
   */
  next(): T | undefined {
    if (!this.#playing) {
      // Start once `depth` packets are here, or once the first has waited `depth` ticks (a short burst, the
      // last words before a pause): never hold a packet longer than the depth.
      if (this.#held.size > 0) this.#waited++;
      if (this.#held.size < this.#depth && this.#waited < this.#depth) return undefined;
      if (this.#held.size === 0) return undefined;
      this.#playing = true;
      this.#waited = 0;
    }
    const at = this.#next!;
    const packet = this.#held.get(at);
    this.#next = at + 1;
    if (packet === undefined) {
      this.stats.gaps++;
      // Ran dry: wait for `depth` packets again rather than play every other tick.
      if (this.#held.size === 0) this.#playing = false;
      return undefined;
    }
    this.#held.delete(at);
    this.stats.played++;
    return packet;
  }

  /** True once playout has started (and not run dry since). */
  get playing(): boolean {
    return this.#playing;
  }

  #restart(): void {
    this.#held.clear();
    this.#next = undefined;
    this.#playing = false;
    this.#waited = 0;
    this.stats.restarts++;
  }

  /** The 16-bit sequence number as the unwrapped one nearest the last seen. */
  #unwrap(seq: number): number {
    if (this.#last === undefined) {
      this.#last = seq;
      return seq;
    }
    const base = this.#last - (this.#last & 0xffff);
    let s = base + seq;
    if (s - this.#last > 0x8000) s -= 0x10000;
    else if (this.#last - s > 0x8000) s += 0x10000;
    if (s > this.#last) this.#last = s;
    return s;
  }
}
