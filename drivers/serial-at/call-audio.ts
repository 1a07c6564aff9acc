// One call's audio on the voice port (voice-port.ts): the box's DTMF receiver on what the caller sends, the
// echo guard, recorders, and the one-way-audio watch.
//
//  - DTMF: drivers/media/dtmf.ts `DtmfDetector.pushLinear`, the same receiver as on E1. Where the module's own
//    detector is on as well (+DTMF / +QTONEDET), the trunk merges both reports of one key press (DtmfMerger).
//  - Echo: a serial voice port is prone to echo (the far end, or the module's own acoustic path, returns a
//    delayed, quieter copy of what the box plays — platform notes). A second receiver listens to what the
//    box sends; a digit the caller's side "sends" within `echoWindowMs` after the box itself sent the same
//    digit is the box's own echo and is dropped. Speech prompts do not reach the receiver at all: its
//    talk-off checks (Q.24 §4) reject them, echoed or not (measured in test/unit/serial-at-voice-dtmf.test.ts).
//  - One-way audio: nothing at all on the voice port `oneWayMs` after the module was told to stream. The box
//    then cannot hear the caller: `oneWay` is set, `onOneWay` is called (the trunk logs it and puts it on the
//    modem's status), digits still come from the module's detector if it has one, recordings stay silent.
import { DtmfDetector } from '../media/dtmf.js';
import type { WavRecorder } from '../media/wav.js';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { VoicePort } from './voice-port.js';

export interface CallAudioOptions {
  port: VoicePort;
  clock: Clock;
  /** A digit the box's receiver heard (after the echo guard). */
  onDigit: (digit: string, at: number) => void;
  /** Called once if nothing arrives on the voice port in time. */
  onOneWay: () => void;
  /** A digit dropped as the echo of the box's own audio (for the log). */
  onEcho?: (digit: string) => void;
  oneWayMs?: number;
  echoWindowMs?: number;
}

export class CallAudio {
  readonly #o: Required<CallAudioOptions>;
  readonly #rx: DtmfDetector;
  readonly #tx: DtmfDetector;
  /** Digits the box itself sent, with when. */
  #sentDigits: Array<{ digit: string; at: number }> = [];
  /** What the box sent, waiting to be mixed into a conversation recording with what it receives. */
  #txQueue: Int16Array[] = [];
  #recorders = new Map<WavRecorder, { mix: boolean }>();
  #offs: Array<() => void> = [];
  #timer: TimerHandle | undefined;
  #oneWay = false;
  #heard = false;

  constructor(o: CallAudioOptions) {
    this.#o = { oneWayMs: 2000, echoWindowMs: 1000, onEcho: () => {}, ...o };
    this.#rx = new DtmfDetector((d) => this.#onRxDigit(d));
    this.#tx = new DtmfDetector((d) => this.#sentDigits.push({ digit: d, at: this.#o.clock.now() }));
  }

  get oneWay(): boolean {
    return this.#oneWay;
  }

  start(): void {
    const { port, clock } = this.#o;
    this.#offs.push(
      port.onAudio((pcm) => this.#onRx(pcm)),
      port.onSent((pcm) => this.#onTx(pcm)),
    );
    this.#timer = clock.setTimeout(() => {
      if (this.#heard || port.bytesIn > 0) return;
      this.#oneWay = true;
      this.#o.onOneWay();
    }, this.#o.oneWayMs);
  }

  stop(): void {
    this.#o.clock.clearTimeout(this.#timer);
    for (const off of this.#offs.splice(0)) off();
    this.#recorders.clear();
    this.#txQueue = [];
  }

  /** Writes the call's audio into `rec` until the returned function is called. `mix`: the box's side too. */
  record(rec: WavRecorder, mix: boolean): () => void {
    this.#recorders.set(rec, { mix });
    return () => this.#recorders.delete(rec);
  }

  #onRx(pcm: Int16Array): void {
    this.#heard = true;
    this.#rx.pushLinear(pcm);
    const tx = this.#txQueue.shift();
    let mixed: Int16Array | undefined;
    for (const [rec, { mix }] of this.#recorders) {
      if (!mix || !tx) {
        rec.writeLinear(pcm);
        continue;
      }
      if (!mixed) {
        mixed = new Int16Array(pcm.length);
        for (let i = 0; i < pcm.length; i++) mixed[i] = Math.max(-32768, Math.min(32767, pcm[i]! + (tx[i] ?? 0)));
      }
      rec.writeLinear(mixed);
    }
  }

  #onTx(pcm: Int16Array): void {
    this.#tx.pushLinear(pcm);
    // Kept only while something listens; bounded so a call without downlink does not grow it.
    if ([...this.#recorders.values()].some((r) => r.mix)) {
      this.#txQueue.push(pcm);
      if (this.#txQueue.length > 50) this.#txQueue.shift();
    }
  }

  #onRxDigit(digit: string): void {
    const now = this.#o.clock.now();
    this.#sentDigits = this.#sentDigits.filter((s) => now - s.at <= this.#o.echoWindowMs);
    const i = this.#sentDigits.findIndex((s) => s.digit === digit);
    if (i >= 0) {
      this.#sentDigits.splice(i, 1);
      this.#o.onEcho(digit);
      return;
    }
    this.#o.onDigit(digit, now);
  }
}
