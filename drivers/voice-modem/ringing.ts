// An incoming call on an analog line, from the modem's reports, as a small state machine (pure but for the
// injected clock's timers):
//
//   idle ──RING──▶ ringing ──NMBR= (caller ID) or second RING or cidWaitMs──▶ offered ──answer──▶ (the trunk's)
//                     └─────────── no RING for ringGapMs ───────────────────────▶ abandoned
//
// Caller ID (Bellcore/ETSI FSK or DTMF CLIP, decoded by the modem with +VCID=1, V.253 §9.2.3) is sent in the
// silence after the first ring burst, so the call is offered when NMBR arrives, or at the second RING without
// one (no caller ID on this line). An analog line says nothing when the caller gives up before the answer:
// the rings just stop, so a call whose RINGs stop for `ringGapMs` (longer than a ring cadence: China
// 1 s on / 4 s off, E.180 Suppl. 2) is abandoned.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Presentation } from '../trunk/types.js';
import type { LineMeaning } from './lines.js';

export type RingEvent =
  | { type: 'offered'; callId: string; number: string | null; presentation: Presentation; at: number }
  | { type: 'abandoned'; callId: string; at: number };

export interface RingOptions {
  /** After the first RING, wait this long for caller ID before offering without a number, ms. */
  cidWaitMs: number;
  /** No RING for this long: the caller gave up, ms. */
  ringGapMs: number;
}

interface Ringing {
  callId: string;
  rings: number;
  offered: boolean;
  cidTimer: TimerHandle | undefined;
  gapTimer: TimerHandle | undefined;
}

export class RingTracker {
  #call: Ringing | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly emit: (e: RingEvent) => void,
    private readonly opts: RingOptions,
    private readonly newId: () => string,
  ) {}

  get current(): { callId: string; offered: boolean } | undefined {
    return this.#call ? { callId: this.#call.callId, offered: this.#call.offered } : undefined;
  }

  onLine(m: LineMeaning): void {
    if (m.kind === 'ring') {
      const c = this.#call ?? this.#begin();
      c.rings += 1;
      if (c.rings >= 2) this.#offer(c, null, 'unavailable');
      else c.cidTimer = this.clock.setTimeout(() => this.#offer(c, null, 'unavailable'), this.opts.cidWaitMs);
      this.#armGap(c);
    } else if (m.kind === 'cid-number') {
      const c = this.#call;
      if (c) this.#offer(c, m.number, m.presentation);
    }
  }

  /** The call was answered (or the line was taken for another reason): stop tracking it. */
  taken(callId: string): void {
    if (this.#call?.callId === callId) this.#clear();
  }

  /** The port went away: forget the ringing call without an event. */
  reset(): void {
    this.#clear();
  }

  #begin(): Ringing {
    const c: Ringing = { callId: this.newId(), rings: 0, offered: false, cidTimer: undefined, gapTimer: undefined };
    this.#call = c;
    return c;
  }

  #offer(c: Ringing, number: string | null, presentation: Presentation): void {
    this.clock.clearTimeout(c.cidTimer);
    c.cidTimer = undefined;
    if (c.offered || this.#call !== c) return;
    c.offered = true;
    this.emit({ type: 'offered', callId: c.callId, number, presentation, at: this.clock.now() });
  }

  #armGap(c: Ringing): void {
    this.clock.clearTimeout(c.gapTimer);
    c.gapTimer = this.clock.setTimeout(() => {
      if (this.#call !== c) return;
      const offered = c.offered;
      this.#clear();
      if (offered) this.emit({ type: 'abandoned', callId: c.callId, at: this.clock.now() });
    }, this.opts.ringGapMs);
  }

  #clear(): void {
    const c = this.#call;
    if (!c) return;
    this.clock.clearTimeout(c.cidTimer);
    this.clock.clearTimeout(c.gapTimer);
    this.#call = undefined;
  }
}
