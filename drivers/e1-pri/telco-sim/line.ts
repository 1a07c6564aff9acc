// One call on the telco simulator's exchange (telco.ts), in either direction: its state, the audio and DTMF
// it sends into the B-channel, what it hears from the box, and its release.
import { EventEmitter, once } from 'node:events';
import { CAUSE } from '../binding/constants.js';
import type { CallPtr } from '../binding/libpri.js';
import { FRAME_BYTES } from '../media/frames.js';
import { DtmfDetector } from '../../media/dtmf.js';
import { linearToAlaw, ALAW_SILENCE } from '../../media/alaw.js';
import { dtmfSequence, type ToneOptions } from '../../media/tones.js';
import type { TelcoSim } from './telco.js';

export type LineState = 'dialing' | 'proceeding' | 'ringing' | 'answered' | 'released';

export interface LineEvents {
  state: [LineState];
  released: [{ cause: number; by: 'box' | 'telco' }];
  /** A DTMF digit heard in the audio the box sends (prompts, bridged audio). */
  heardDigit: [string];
}

/** One call on the simulated exchange, in either direction. */
export class SimLine extends EventEmitter<LineEvents> {
  state: LineState = 'dialing';
  releaseCause: number | undefined;
  releasedBy: 'box' | 'telco' | undefined;
  /** A-law frames received from the box on this line's B-channel. */
  readonly received: Buffer[] = [];
  readonly heard: string[] = [];
  private queue: Buffer[] = [];
  private readonly detector = new DtmfDetector((d) => {
    this.heard.push(d);
    this.emit('heardDigit', d);
  });
  readonly released: Promise<{ cause: number; by: 'box' | 'telco' }>;
  private resolveReleased: (v: { cause: number; by: 'box' | 'telco' }) => void = () => {};

  constructor(
    private readonly sim: TelcoSim,
    readonly direction: 'to-box' | 'from-box',
    public ptr: CallPtr,
    readonly channel: number,
    readonly caller: string,
    readonly called: string,
  ) {
    super();
    this.released = new Promise((res) => (this.resolveReleased = res));
  }

  /** Resolve when the line reaches `state` (or reject if it is released first). */
  async waitFor(state: LineState): Promise<void> {
    const order: LineState[] = ['dialing', 'proceeding', 'ringing', 'answered', 'released'];
    for (;;) {
      if (this.state === state || (state !== 'released' && order.indexOf(this.state) > order.indexOf(state) && this.state !== 'released')) return;
      if (this.state === 'released' && state !== 'released') throw new Error(`line released (cause ${this.releaseCause}) before ${state}`);
      await once(this, 'state');
    }
  }

  /** Queue A-law audio to send to the box, 20 ms per frame. */
  play(alaw: Buffer): void {
    for (let i = 0; i < alaw.length; i += FRAME_BYTES) {
      const f = alaw.subarray(i, i + FRAME_BYTES);
      this.queue.push(f.length === FRAME_BYTES ? f : Buffer.concat([f, Buffer.alloc(FRAME_BYTES - f.length, ALAW_SILENCE)]));
    }
    this.sim.wake();
  }

  /** Press keys: DTMF tones in the B-channel (in-band, as from an analogue phone behind the exchange). */
  pressDigits(digits: string, opts: ToneOptions = {}): void {
    this.play(linearToAlaw(dtmfSequence(digits, opts)));
  }

  /** Resolves when everything queued has been sent. */
  async drained(): Promise<void> {
    while (this.queue.length && this.state !== 'released') await once(this.sim, 'tick');
  }

  get queued(): number {
    return this.queue.length;
  }

  /** @internal */ nextFrame(): Buffer | undefined {
    return this.queue.shift();
  }
  /** @internal */ onAudio(frame: Buffer): void {
    if (this.received.length < 50 * 600) this.received.push(Buffer.from(frame));
    this.detector.pushAlaw(frame);
  }
  /** @internal */ setState(s: LineState): void {
    if (this.state === 'released') return;
    this.state = s;
    this.emit('state', s);
  }
  /** @internal */ markReleased(cause: number, by: 'box' | 'telco'): void {
    if (this.state === 'released') return;
    this.releaseCause = cause;
    this.releasedBy = by;
    this.queue = [];
    this.setState('released');
    this.emit('released', { cause, by });
    this.resolveReleased({ cause, by });
  }

  answer(): void {
    this.sim.answerLine(this);
  }
  hangup(cause: number = CAUSE.NORMAL_CLEARING): void {
    this.sim.hangupLine(this, cause);
  }
}
