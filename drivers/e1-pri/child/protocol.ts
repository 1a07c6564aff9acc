/**
 * Typed messages between the box (parent) and the span worker (child process that owns libpri).
 * Every command carries a request id and gets exactly one `reply`. Events carry no id.
 * Q.850 causes travel as numbers; mapping to the trunk interface happens in the parent.
 */
import type { E1SpanConfig } from '../config.js';
import type { E1ErrorCode } from '../errors.js';

export type HangupParty = 'remote' | 'local';

export type WorkerCommand =
  | { op: 'init'; config: E1SpanConfig }
  /** ALERTING (Q.931 §3.1.1), with in-band progress so the caller hears our audio. */
  | { op: 'ring'; callId: string }
  /** CONNECT (Q.931 §3.1.3). */
  | { op: 'answer'; callId: string }
  /** DISCONNECT/RELEASE with a Q.850 cause. Idempotent. */
  | { op: 'hangup'; callId: string; cause: number }
  /** SETUP of an outgoing call; resolves with its call id once sent. */
  | { op: 'dial'; number: string; caller: string; callerPres?: number }
  /** Cross-connect two calls' B-channels (a hairpin: the box relays audio both ways). */
  | { op: 'bridge'; a: string; b: string }
  /** Release `b` automatically when `a` ends and vice versa (transfer: the box keeps only the hairpin). */
  | { op: 'link'; a: string; b: string }
  | { op: 'play'; callId: string; playId: string; files: string[] }
  | { op: 'stopPlay'; callId: string; playId: string }
  | { op: 'record'; callId: string; recId: string; file: string; mix: boolean }
  | { op: 'stopRecord'; callId: string; recId: string }
  /** RESTART one B-channel (Q.931 §5.5) or the whole interface (channel 0). */
  /** A browser station's audio port (C6): the call's received frames go to the box, the box's go on the channel. */
  | { op: 'tap'; callId: string; on: boolean }
  | { op: 'restart'; channel: number }
  | { op: 'probe' }
  | { op: 'shutdown' };

export type CommandMessage = { type: 'cmd'; id: number; cmd: WorkerCommand };

export interface ProbeInfo {
  libpriVersion: string;
  dchannel: 'up' | 'down' | 'waiting';
  side: 'cpe' | 'network';
  switchType: string;
  channelsInService: number[];
  channelsInUse: number[];
  calls: number;
  mediaConnected: boolean;
  /** What carries B-channel audio (config `bchannels.kind`). */
  bchannels: 'socket' | 'dahdi';
  /** The span's DAHDI alarms by name ('none' without alarms or without DAHDI). */
  alarms: string;
  pid: number;
  /** process.cpuUsage() of the span worker, µs (bench: CPU per call). */
  cpu: { user: number; system: number };
}

export type WorkerEvent =
  /** The worker listens on (or opened) the D-channel and the media socket. */
  | { ev: 'listening'; pid: number }
  | { ev: 'dchannel'; state: 'up' | 'down'; reason?: string }
  /** Incoming SETUP accepted (CALL PROCEEDING sent). */
  | { ev: 'offered'; callId: string; channel: number; caller: string; called: string; presentation: number; callerPlan: number; at: number }
  | { ev: 'progress'; callId: string; stage: 'proceeding' | 'ringing' | 'answered' }
  | { ev: 'hangup'; callId: string; cause: number; by: HangupParty; at: number }
  /** Calls dropped without Q.931 clearing (link lost, RESTART). */
  | { ev: 'lost'; callIds: string[]; reason: string; scope: 'link' | 'channel'; at: number }
  | { ev: 'digit'; callId: string; digit: string; at: number }
  | { ev: 'playDone'; callId: string; playId: string; outcome: 'completed' | 'stopped' | 'gone'; error?: string }
  | { ev: 'recordDone'; callId: string; recId: string; durationMs: number; outcome: 'stopped' | 'gone'; error?: string }
  /** Frames received on tapped calls' B-channels since the last such event. */
  | { ev: 'audio'; frames: [callId: string, alaw: Uint8Array][] }
  | { ev: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string };

export type EventMessage = { type: 'event'; event: WorkerEvent };
export type ReplyMessage =
  | { type: 'reply'; id: number; ok: true; result?: unknown }
  | { type: 'reply'; id: number; ok: false; code: E1ErrorCode; message: string };

export type ChildToParent = EventMessage | ReplyMessage;
/** A tapped call's frames to send on its B-channel (fire and forget, batched per event-loop turn). */
export type AudioMessage = { type: 'audio'; frames: [callId: string, alaw: Uint8Array][] };
export type ParentToChild = CommandMessage | AudioMessage;
