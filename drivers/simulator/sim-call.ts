// The line side of one simulated call (trunk.ts): the handle a test or a scripted caller (callers.ts) holds to
// press keys, speak and hang up, the events it sees, and the log of what happened to it; and how simulated
// stations and outside numbers behave.
import { EventEmitter } from 'node:events';
import type { CallId, CollectOptions, HangupEvent, Prompt, RecordOptions } from '../trunk/types.js';
import type { SimulatorTrunk } from './trunk.js';

export interface StationBehaviour {
  /** Ring time before the agent picks up, ms. Default 3000. */
  answerAfterMs?: number;
  /** Conversation length before the agent hangs up, ms; Infinity = the caller ends it. Default 90 000. */
  talkMs?: number;
  /** Never answers (a headset unplugged, an agent who walked off). */
  silent?: boolean;
}

export type OutsideBehaviour = 'connected' | 'busy' | 'no-answer' | 'failed';

/** What happened to one simulated call, as the caller and the line saw it. */
export interface SimCallLog {
  callId: CallId;
  caller: string | null;
  called: string;
  answeredAt?: number;
  prompts: string[];
  collects: number;
  connected?: { station: string; at: number };
  /** When the box released the agent's station from the call (an agent's transfer). */
  stationReleasedAt?: number;
  stationsRung: string[];
  transferredTo?: string;
  recordings: string[];
  /** Prompts that were silent pauses (a profile with `play: 'none'`). */
  silentPrompts?: number;
  hangup?: HangupEvent;
  failed?: boolean;
}

export interface SimCallEvents {
  prompt: [Prompt];
  collect: [CollectOptions];
  answered: [];
  connected: [string];
  transferred: [string];
  record: [RecordOptions];
  /** A 20 ms A-law frame the box sent the caller through an open audio port (C6). */
  heard: [Buffer];
  ended: [SimCallLog];
}

/** The line-side handle of one simulated call. */
export class SimCall extends EventEmitter<SimCallEvents> {
  readonly log: SimCallLog;
  readonly ended: Promise<SimCallLog>;
  #resolveEnded!: (l: SimCallLog) => void;

  constructor(
    private readonly sim: SimulatorTrunk,
    readonly callId: CallId,
    caller: string | null,
    called: string,
  ) {
    super();
    this.log = { callId, caller, called, prompts: [], collects: 0, stationsRung: [], recordings: [] };
    this.ended = new Promise((r) => (this.#resolveEnded = r));
  }

  /** The caller presses DTMF digits. Ignored after the call ended (T3). */
  press(digits: string): void {
    this.sim.lineDigits(this.callId, digits);
  }

  /** The caller speaks: one 20 ms A-law frame into the call's open audio port (C6), if one is open. */
  say(alaw: Buffer): void {
    this.sim.lineAudio(this.callId, alaw);
  }

  /** The caller hangs up. A second hang-up is ignored (T3). */
  hangup(): void {
    this.sim.lineHangup(this.callId, 'caller', 'normal');
  }

  /** @internal */
  finish(): void {
    this.emit('ended', this.log);
    this.#resolveEnded(this.log);
  }
}
