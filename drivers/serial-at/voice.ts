// Voice-call state from URCs. A GSM module announces an incoming call as RING (repeated every few
// seconds, V.250 §6.3) with +CLIP after each RING when AT+CLIP=1 (TS 27.007 §7.6); some send
// +CLIP first. The caller abandoning a ringing call is usually silent on GSM modules (the RINGs
// just stop), so a call that stops ringing for `ringGapMs` is treated as abandoned.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Urc } from './parsers/urc.js';

export type Presentation = 'allowed' | 'restricted' | 'unavailable';
export type CallEndReason = 'caller-abandoned' | 'remote-hangup' | 'local-hangup' | 'port-lost' | 'busy' | 'no-answer';

export type CallEvent =
  | { type: 'incoming'; callId: string; number: string | null; presentation: Presentation; at: number }
  | { type: 'answered'; callId: string; at: number }
  | { type: 'dtmf'; callId: string; digit: string; at: number }
  | { type: 'ended'; callId: string; reason: CallEndReason; at: number };

export interface CallTrackerOptions {
  /** How long to wait after RING for +CLIP before offering the call with no number. */
  clipWaitMs: number;
  /** Silence after the last RING that means the caller gave up. */
  ringGapMs: number;
}

interface Call {
  callId: string;
  state: 'ringing' | 'active';
  offered: boolean;
  clipTimer: TimerHandle | undefined;
  gapTimer: TimerHandle | undefined;
}

export class CallTracker {
  #call: Call | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly emit: (e: CallEvent) => void,
    private readonly opts: CallTrackerOptions,
    private readonly newId: () => string,
  ) {}

  get current(): { callId: string; state: 'ringing' | 'active'; offered: boolean } | undefined {
    const c = this.#call;
    return c ? { callId: c.callId, state: c.state, offered: c.offered } : undefined;
  }

  onUrc(urc: Urc): void {
    switch (urc.type) {
      case 'ring': {
        const c = this.#call ?? this.#begin();
        if (c.state !== 'ringing') return;
        if (!c.offered && !c.clipTimer) {
          c.clipTimer = this.clock.setTimeout(() => this.#offer(c, null, 'unavailable'), this.opts.clipWaitMs);
        }
        this.#armGap(c);
        return;
      }
      case 'clip': {
        const c = this.#call ?? this.#begin();
        if (c.state !== 'ringing') return;
        if (!c.offered) {
          const number = urc.validity === 0 && urc.number ? normaliseNumber(urc.number, urc.toa) : null;
          const presentation: Presentation = urc.validity === 1 ? 'restricted' : number === null ? 'unavailable' : 'allowed';
          this.#offer(c, number, presentation);
        }
        this.#armGap(c);
        return;
      }
      case 'call-ended': {
        const c = this.#call;
        if (!c) return;
        this.#end(c, c.state === 'ringing' ? 'caller-abandoned' : urc.reason === 'no-carrier' ? 'remote-hangup' : urc.reason);
        return;
      }
      case 'dtmf': {
        // A module detects tones only on a connected call, so a key reported while the call still looks
        // 'ringing' here was pressed in the instant after ATA: its URC follows the OK in the same read, before
        // answered() runs. It belongs to the call (T7), so it is kept, not dropped.
        const c = this.#call;
        if (c?.offered) this.emit({ type: 'dtmf', callId: c.callId, digit: urc.digit, at: this.clock.now() });
        return;
      }
      default:
        return;
    }
  }

  /** ATA succeeded. */
  answered(callId: string): boolean {
    const c = this.#call;
    if (!c || c.callId !== callId || c.state !== 'ringing') return false;
    if (!c.offered) this.#offer(c, null, 'unavailable');
    c.state = 'active';
    this.clock.clearTimeout(c.gapTimer);
    this.emit({ type: 'answered', callId, at: this.clock.now() });
    return true;
  }

  /** ATH was sent, or the port went away: the call is over either way. */
  end(callId: string, reason: CallEndReason): void {
    const c = this.#call;
    if (c && c.callId === callId) this.#end(c, reason);
  }

  endAll(reason: CallEndReason): void {
    if (this.#call) this.#end(this.#call, reason);
  }

  #begin(): Call {
    const c: Call = { callId: this.newId(), state: 'ringing', offered: false, clipTimer: undefined, gapTimer: undefined };
    this.#call = c;
    return c;
  }

  #offer(c: Call, number: string | null, presentation: Presentation): void {
    this.clock.clearTimeout(c.clipTimer);
    c.clipTimer = undefined;
    if (c.offered || this.#call !== c) return;
    c.offered = true;
    this.emit({ type: 'incoming', callId: c.callId, number, presentation, at: this.clock.now() });
  }

  #armGap(c: Call): void {
    this.clock.clearTimeout(c.gapTimer);
    c.gapTimer = this.clock.setTimeout(() => {
      if (this.#call === c && c.state === 'ringing') this.#end(c, 'caller-abandoned');
    }, this.opts.ringGapMs);
  }

  #end(c: Call, reason: CallEndReason): void {
    this.clock.clearTimeout(c.clipTimer);
    this.clock.clearTimeout(c.gapTimer);
    this.#call = undefined;
    // A call never offered is dropped silently: listeners never heard of it.
    if (c.offered) this.emit({ type: 'ended', callId: c.callId, reason, at: this.clock.now() });
  }
}

/** +CLIP <type> 145 = international (TS 24.008 §10.5.4.7): make sure the number carries its '+'. */
export function normaliseNumber(number: string, toa: number): string {
  const digits = number.replace(/[^0-9+*#]/g, '');
  if (toa === 145 && !digits.startsWith('+')) return `+${digits}`;
  return digits;
}
