// The trunk driver facade: what the call domain (firmware-agent/calls/) sees of a telephony gateway.
//
// Every trunk driver — the simulator (drivers/simulator/), the serial AT gateway (drivers/serial-at/) and the
// E1 ISDN PRI card (drivers/e1-pri/) — implements `TrunkDriver`. The domain never imports a driver; the
// composition root hands it one. The rules below are the contract: the simulator enforces them, and one
// contract suite (test/helpers/trunk-contract.ts) checks them on every driver: the simulator, the serial AT
// gateway, the analogue voice modem and the E1 span.
//
// Contract rules (numbered so tests and reviews can cite them):
//
//  T1  Lifecycle. `start()` resolves once the driver can take calls (it emits `ready`); `stop()` ends every
//      call in flight with cause `driver-stopped` (one `hangup` each) and resolves when nothing more will be
//      emitted. Commands before `start()` or after `stop()` reject with TrunkError `driver-down`.
//  T2  Call ids are opaque strings chosen by the driver and never reused, not even after a restart of the
//      driver or the box (call records are keyed by them): use a UUID, or prefix a counter with a boot id.
//      One call id follows the call from `offered` to its single `hangup`, through IVR, queue, agent and
//      transfer.
//  T3  Events for a call arrive in order: `offered` first, then any `digits`, then exactly one `hangup`.
//      Nothing is ever emitted for a call id after its `hangup`. A driver that receives (from the line) a
//      digit or a second release for a call already hung up drops it silently (and may log it).
//  T4  Commands on a call that has hung up, or on an id the driver never offered, reject with TrunkError
//      `unknown-call` — never throw synchronously, never hang. `hangup()` is the exception: it is
//      idempotent and resolves for a call already gone.
//  T5  A call must be answered (`answer()`) before `play`, `collectDigits`, `record`. `connectAgent` and
//      `transfer` may be used on an unanswered call (the driver answers or forwards as its hardware can).
//      Media commands on an unanswered call reject with `not-answered`. `transfer` on a call bridged to an
//      agent's station (an agent's transfer) first releases the station's leg — the station is free at once
//      and is not reconnected whatever the outcome; the caller stays with the box unless `connected`.
//  T6  At most one media operation (play, collectDigits, record-with-stop) runs on a call at once; starting
//      another while one runs rejects with `busy`. Exception: `record` with `background: true` (call
//      recording of a conversation) runs alongside anything and ends at hang-up.
//  T7  DTMF. Every digit the caller presses is emitted as a `digits` event *and* kept in a per-call type-ahead
//      buffer (at most 32 digits, oldest dropped). `collectDigits` first consumes the buffer (unless
//      `flush: true`), then waits. An interruptible `play` stops at the first digit, which stays in the
//      buffer for the next `collectDigits`.
//  T8  Every long command takes an optional AbortSignal. Aborting settles the promise promptly with the
//      command's "cancelled" outcome (not a rejection), and the driver undoes what it can (stops ringing a
//      station, stops a prompt). If the caller hangs up during a command, the command settles with its
//      `caller-gone` outcome, and the `hangup` event is still emitted.
//  T9  Failure. When the driver loses its hardware or its child process (crash, USB unplugged, D-channel
//      down past its grace time) it emits `failed` with every call id in flight, and those calls are over:
//      no `hangup` follows for them, their pending commands reject with `driver-failed`. If the driver
//      restarts itself (with backoff), it emits `ready` again; new call ids follow. `failed.permanent`
//      says whether a restart will be tried.
//  T10 Listeners must not throw; a driver wraps each listener call so one faulty listener cannot stop
//      event delivery to the others or kill the driver.
//  T11 Phone numbers are digits only (and a leading '+'); an unknown or withheld caller is `null`, with
//      `presentation` saying why. Drivers log numbers redacted (keep the last 4 digits).

/** Opaque, never reused (T2). */
export type CallId = string;

export type Presentation = 'allowed' | 'restricted' | 'unavailable';

/** Why a call ended. `q850` carries the ISDN cause value where the line gave one (Q.850 table 1). */
export type HangupCause =
  | 'normal' // either party released normally (Q.850 16)
  | 'caller-abandoned' // caller released before the box answered (a subset of `normal`, seen from the box)
  | 'busy' // 17
  | 'no-answer' // 18/19
  | 'rejected' // 21
  | 'transferred' // the box handed the call to an outside number and released it
  | 'network-failure' // 27/38/41 and the like
  | 'driver-stopped' // `stop()` was called (T1)
  | 'other';

/** Who released the call. */
export type HangupParty = 'caller' | 'station' | 'box' | 'network';

export interface CallOffered {
  callId: CallId;
  /** Physical or logical channel, e.g. "span1/ch17", "gsm2", "sim0". For logs and capacity figures. */
  channel: string;
  /** Calling number, or null when withheld/unknown (T11). */
  caller: string | null;
  /** Called number as dialled by the caller (e.g. "12328", or a legacy local number). */
  called: string;
  presentation: Presentation;
  /** Driver clock (ms since epoch) when the call arrived. */
  at: number;
}

export interface DigitsEvent {
  callId: CallId;
  /** One or more DTMF symbols in the order pressed: 0-9 * # A-D. */
  digits: string;
  at: number;
}

export interface HangupEvent {
  callId: CallId;
  cause: HangupCause;
  party: HangupParty;
  /** Q.850 cause value when known. */
  q850?: number;
  at: number;
}

export interface DriverFailed {
  /** Human-readable reason for the log and the health page. */
  reason: string;
  /** True when the driver will not try to restart (T9). */
  permanent: boolean;
  /** Calls that were in flight; they are over and get no `hangup` (T9). */
  callIds: CallId[];
  at: number;
}

export interface DriverReady {
  /** How many calls the trunk can carry at once (e.g. 30 per E1 span, 1 per GSM module). */
  channels: number;
  at: number;
}

/** Event name → payload. */
export interface TrunkEvents {
  offered: CallOffered;
  digits: DigitsEvent;
  hangup: HangupEvent;
  failed: DriverFailed;
  ready: DriverReady;
}

export type TrunkEventName = keyof TrunkEvents;
export type TrunkListener<K extends TrunkEventName> = (event: TrunkEvents[K]) => void;

/**
 * A prompt to play. `id` is stable (e.g. "menu.main", "route.railway"); `file` is an audio file the driver can
 * play (8 kHz A-law raw or WAV, see provisioning); `text` is what it says, for logs, for the simulator, and
 * for a driver that has no audio path. A driver that cannot play `file` (missing or unsupported) plays
 * nothing audible and still resolves `completed` after a short pause — a missing prompt must not stop a
 * distress call from being routed.
 */
export interface Prompt {
  id: string;
  file?: string;
  text?: string;
  /** Values spoken after the prompt (queue position, minutes of wait), digit by digit. */
  say?: string[];
}

export interface PlayOptions {
  /** Stop at the first DTMF digit (T7). Default false. */
  interruptible?: boolean;
  signal?: AbortSignal;
}

export type PlayResult =
  | { outcome: 'completed' }
  | { outcome: 'interrupted'; digit: string }
  | { outcome: 'cancelled' }
  | { outcome: 'caller-gone' };

export interface CollectOptions {
  /** Stop after this many digits. 1..32. */
  max: number;
  /** How long to wait for the first digit, ms. */
  firstDigitTimeoutMs: number;
  /** How long to wait between digits, ms. Default = firstDigitTimeoutMs. */
  interDigitTimeoutMs?: number;
  /** Digits that end collection and are not included in the result, e.g. "#". */
  terminators?: string;
  /** Discard type-ahead digits before collecting (T7). Default false. */
  flush?: boolean;
  signal?: AbortSignal;
}

export type CollectResult =
  | { outcome: 'max' | 'terminator' | 'timeout'; digits: string }
  | { outcome: 'cancelled'; digits: string }
  | { outcome: 'caller-gone'; digits: string };

export interface ConnectOptions {
  /** Give up ringing the station after this long, ms. */
  ringTimeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Result of ringing an agent's station. `answered` means the caller and the station now talk; the call goes on
 * until a `hangup` (party `station` when the agent hung up). Any other outcome leaves the caller where they
 * were (still answered, on hold/music) so the queue can try another agent.
 */
export type ConnectResult =
  | { outcome: 'answered'; at: number }
  | { outcome: 'no-answer' | 'busy' | 'unreachable' | 'cancelled' | 'caller-gone' };

export interface TransferOptions {
  ringTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Result of transferring to an outside number. After `connected` the box no longer controls the call; the
 * driver emits `hangup` with cause `transferred` (party `box`) when it releases its side, which may be at
 * once. Any other outcome leaves the caller with the box.
 */
export type TransferResult =
  | { outcome: 'connected'; at: number }
  | { outcome: 'busy' | 'no-answer' | 'failed' | 'cancelled' | 'caller-gone' };

export interface RecordOptions {
  /** Absolute path the driver writes (WAV, 8 kHz). The directory exists. */
  file: string;
  /** Stop after this long, ms. Omit with `background` to record until hang-up. */
  maxMs?: number;
  /** Digits that stop recording (voicemail: "#"). Ignored with `background`. */
  stopDigits?: string;
  /** Record the whole conversation (caller and station) alongside other commands until hang-up (T6). */
  background?: boolean;
  signal?: AbortSignal;
}

export interface RecordResult {
  outcome: 'max' | 'digit' | 'caller-gone' | 'cancelled' | 'ended';
  file: string;
  durationMs: number;
}

/**
 * What a driver can do with a call, and how (design §5). Drivers differ: an E1 card plays, records and
 * transfers; an analog voice modem (V.253) plays and records but has one line and no transfer; a GSM module
 * may have no audio path to the host at all. The call flow (firmware-agent/calls/flow.ts) reads these and has a
 * fallback for every missing capability that never drops the caller and never loses the contact:
 *
 *  C1  `transfer` false: distress callers hear the 12395 announcement (where `play` is not 'none') and go to the
 *      first free agent ahead of the queue; referral callers hear the number, or reach an agent when nothing
 *      can be played. `transfer()` rejects with `unsupported`.
 *  C2  `record` false: an after-hours or overflow caller leaves a ticket from the missed call (number, time,
 *      menu choice) with a callback task for the next working day, and an SMS with the ticket number where the
 *      box has an SMS channel. `record()` rejects with `unsupported`.
 *  C3  `play` 'none': prompts are silent pauses (the Prompt doc); a flow step that only informs (a referral's
 *      number) gives the caller a person instead.
 *  C4  `digits` 'none': the IVR menu cannot be answered; the caller goes to a person (or, after hours, leaves
 *      a ticket) without waiting through menu retries.
 *  C5  `stations` 'none': no agent can talk on this trunk; calls that need a person end in a ticket with a
 *      callback task (and distress in the announcement and an urgent ticket).
 *  C6  `audioPort` false: no browser stations; agents answer on telephone stations (or C5).
 *
 * A driver's capabilities may change while it runs (a module that refuses TTS at initialisation), so the flow
 * reads them per call; they never change during a call.
 */
export interface TrunkCapabilities {
  /** The driver can answer (go off-hook). Every driver that takes calls can. */
  answer: boolean;
  /**
   * How `play` reaches the caller: `audio` — the box's own prompt file over the driver's audio path (E1 B-channel,
   * a modem's voice data stream, a GSM module's PCM port); `module-tts` — the module speaks the prompt's text;
   * `module-file` — a copy of the prompt stored on the module is played there; `none` — a silent pause.
   */
  play: 'audio' | 'module-tts' | 'module-file' | 'none';
  /** Audio formats `play` accepts, e.g. ["alaw", "wav"]. Empty: prompt files are not played. */
  promptFormats: string[];
  /**
   * How the caller's DTMF digits are detected: `box` — the box's software detector on the call's audio;
   * `module` — the gateway's own detector (an AT URC, DLE events of a voice modem); `signalling` — out of band;
   * `none` — digits never arrive.
   */
  digits: 'box' | 'module' | 'signalling' | 'none';
  /** Recording (voicemail, conversations): `box` writes the audio it receives; `module` on the gateway; false: none. */
  record: false | 'box' | 'module';
  /** Outside transfer (12395, 12306…): `network` asks the exchange; `bridge` places a second call; false: none. */
  transfer: false | 'network' | 'bridge';
  /** Agent stations: `call` rings a station's number; `local` an audio port wired to the gateway; `none`. */
  stations: 'call' | 'local' | 'none';
  /**
   * C6 The call's audio reaches the box both ways (`openAudio`): agents may talk in their browser (a browser
   * station, issue 17). False (a GSM module's own audio, a half-duplex modem): telephone stations only.
   */
  audioPort: boolean;
}

/**
 * The audio of one answered call at the box, both ways, in 20 ms frames of 8 kHz G.711 A-law (160 bytes): what
 * the caller says (a B-channel's received bytes) and what the caller hears. While a port is open the driver
 * sends what is written to the caller; prompts and the port are not used at once (the call is with an agent).
 */
export interface CallAudio {
  /** Frames from the caller, every 20 ms while the call lasts. */
  onFrame(listener: (alaw: Buffer) => void): void;
  /** One frame to the caller. */
  write(alaw: Buffer): void;
  /** Stops both ways (also when the call ends). */
  close(): void;
}

export interface TrunkDriver {
  /** Short kind for logs and /healthz, e.g. "simulator", "serial-at", "e1-pri". */
  readonly kind: string;
  readonly capabilities: TrunkCapabilities;

  start(): Promise<void>;
  stop(): Promise<void>;

  on<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void;
  off<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void;

  answer(callId: CallId): Promise<void>;
  play(callId: CallId, prompt: Prompt, options?: PlayOptions): Promise<PlayResult>;
  collectDigits(callId: CallId, options: CollectOptions): Promise<CollectResult>;
  /** Ring an agent's station (an extension or port name the driver knows) and bridge the caller to it. */
  connectAgent(callId: CallId, station: string, options: ConnectOptions): Promise<ConnectResult>;
  transfer(callId: CallId, number: string, options?: TransferOptions): Promise<TransferResult>;
  record(callId: CallId, options: RecordOptions): Promise<RecordResult>;
  /** C6: the answered call's audio, both ways (`not-answered`, `unknown-call`; `unsupported` without audioPort). */
  openAudio?(callId: CallId): CallAudio;
  /** Idempotent (T4). Emits `hangup` (party `box`) if the call was still up. */
  hangup(callId: CallId, cause?: HangupCause): Promise<void>;
}

export type TrunkErrorCode =
  | 'driver-down' // T1
  | 'driver-failed' // T9
  | 'unknown-call' // T4
  | 'not-answered' // T5
  | 'busy' // T6
  | 'unsupported' // capability missing (e.g. transfer on a gateway that cannot)
  | 'invalid-argument';

/** The one error class of the trunk subsystem; `code` is stable. */
export class TrunkError extends Error {
  constructor(
    readonly code: TrunkErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TrunkError';
  }
}
