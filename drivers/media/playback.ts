// The prompt a voice path is playing into a call: one at a time, a new one stopping the last. Shared by the
// GSM module's voice port (serial-at/voice-port.ts) and the analog voice modem's path (voice-modem/voice-path.ts),
// whose pumps take the samples out frame by frame and say when the last one has been heard.

/** How a play ended: its last sample was heard, or it was cut (stopped, a newer prompt, the call's end). */
export type PlayEnd = 'done' | 'stopped';

export interface Playing {
  readonly pcm: Int16Array;
  /** The next sample the pump sends. */
  pos: number;
  finish(end: PlayEnd): void;
}

export class PromptSlot {
  /** What is playing; the pump clears it as it sends the last sample, and finishes it when that is heard. */
  current: Playing | undefined;

  /** Plays 8 kHz linear audio, cutting what was playing; resolves when the pump or `stop` finishes it. */
  play(pcm: Int16Array, stop: AbortSignal): Promise<PlayEnd> {
    return new Promise<PlayEnd>((resolve) => {
      this.stop();
      const onStop = () => p.finish('stopped');
      const p: Playing = {
        pcm,
        pos: 0,
        finish: (end) => {
          if (this.current === p) this.current = undefined;
          stop.removeEventListener('abort', onStop);
          resolve(end);
        },
      };
      this.current = p;
      stop.addEventListener('abort', onStop, { once: true });
    });
  }

  /** Cuts what is playing. */
  stop(): void {
    this.current?.finish('stopped');
  }
}
