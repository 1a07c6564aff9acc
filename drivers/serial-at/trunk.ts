// The serial gateway as a trunk driver (drivers/trunk/types.ts): one GSM/analog voice channel
// behind AT commands. What the AT interface can and cannot do shapes this adapter; the assumptions:
//
//  - Incoming calls: RING + +CLIP → `offered` (GsmModem/CallTracker). `called` is the number the
//    gateway's line answers for (configuration; the module does not report it).
//  - Answer / hang up: ATA / ATH.
//  - Digits from the caller: the module's DTMF detector URC (+DTMF: <d> on SIMCom, +QTONEDET on
//    Quectel), turned on at every initialisation by the modem's `extraInit` (`--module simcom|quectel`
//    or `--at-init`, see init.ts `moduleInit`). Without one, callers' digits never arrive and IVR
//    menus time out to their default branch.
//  - Prompts: AT has no standard way to play an audio file into a call. By default `play` is the
//    pause the trunk contract allows for a driver with no audio path (Prompt doc in types.ts). With
//    `tts` set (a module whose firmware has TTS: SIMCom AT+CTTS, Quectel AT+QTTS), a prompt that has
//    text is spoken by the module instead (UCS2, so Chinese needs no GBK); the prompt ends at the
//    module's end-of-speech URC, or after an estimate of its length if none comes. A refusal falls
//    back to the pause. Recorded audio files are never played over AT.
//  - Agents: a GSM gateway cannot ring another line while holding this one without network
//    services, so agent "stations" are the gateway's local audio ports (handset/headset wired to an
//    agent position), listed in `stations`; connecting to one succeeds at once. Other stations are
//    `unreachable`, and `transfer` and `record` are unsupported (capabilities say so).
import type { Clock, TimerHandle } from '../trunk/clock.js';
import { DigitBuffer } from '../trunk/digits.js';
import { TrunkEmitter } from '../trunk/emitter.js';
import {
  TrunkError,
  type CallId,
  type CollectOptions,
  type CollectResult,
  type ConnectOptions,
  type ConnectResult,
  type HangupCause,
  type PlayOptions,
  type PlayResult,
  type Prompt,
  type RecordResult,
  type TransferResult,
  type TrunkCapabilities,
  type TrunkDriver,
  type TrunkEventName,
  type TrunkListener,
} from '../trunk/types.js';
import { isSerialAtError } from './errors.js';
import { redactNumber, silentLogger, type Logger } from './log.js';
import type { GsmModem, TtsEngine } from './modem.js';
import type { CallEvent } from './voice.js';

export interface SerialAtTrunkOptions {
  modem: GsmModem;
  clock: Clock;
  logger?: Logger;
  /** Channel name for logs and call records (default "gsm0"). */
  channel?: string;
  /** The number callers dialled to reach this line (default "12328"). */
  called?: string;
  /** Agent positions wired to the gateway's audio (default none). */
  stations?: string[];
  /** Length of the silent pause that stands in for a prompt, ms (default 1000). */
  promptPauseMs?: number;
  /** False when no DTMF detector is turned on (a generic module without `--at-init`): capabilities.digits 'none'. */
  moduleDetectsDigits?: boolean;
  /** Speak prompts with the module's TTS (default: none, prompts are pauses). */
  tts?: TtsEngine;
  /** Longest a spoken prompt may take, per character, before it is taken as ended, ms (default 400; plus 2 s). */
  ttsMsPerChar?: number;
  /**
   * How long `start()` waits for the modem, ms (default 20000). A box must boot without its
   * gateway: past this, start resolves, `failed` (not permanent) is emitted, and `ready` follows
   * when the modem comes up.
   */
  startTimeoutMs?: number;
}

/** A prompt the module is speaking. */
interface Speech {
  ended: Promise<void>;
  /** Removes the end-of-speech listener (when the prompt ends another way). */
  release: () => void;
  maxMs: number;
  over: boolean;
}

interface CallState {
  answered: boolean;
  gone: boolean;
  media: boolean;
  digits: DigitBuffer;
  /** Settles pending commands when the driver fails (T9). */
  fail: AbortController;
}

export class SerialAtTrunk implements TrunkDriver {
  readonly kind = 'serial-at';
  readonly capabilities: TrunkCapabilities;
  readonly #modem: GsmModem;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #emitter: TrunkEmitter;
  readonly #calls = new Map<CallId, CallState>();
  readonly #channel: string;
  readonly #called: string;
  readonly #stations: ReadonlySet<string>;
  readonly #pauseMs: number;
  readonly #tts: TtsEngine | undefined;
  readonly #ttsMsPerChar: number;
  readonly #startTimeoutMs: number;
  #up = false;
  #unsubscribe: Array<() => void> = [];

  constructor(o: SerialAtTrunkOptions) {
    this.#modem = o.modem;
    this.#clock = o.clock;
    this.#log = o.logger ?? silentLogger;
    this.#emitter = new TrunkEmitter((err, event) => this.#log.error({ err: String(err), event }, 'trunk listener threw'));
    this.#channel = o.channel ?? 'gsm0';
    this.#called = o.called ?? '12328';
    this.#stations = new Set(o.stations ?? []);
    this.#pauseMs = o.promptPauseMs ?? 1000;
    this.#tts = o.tts;
    this.#ttsMsPerChar = o.ttsMsPerChar ?? 400;
    this.#startTimeoutMs = o.startTimeoutMs ?? 20_000;
    this.capabilities = {
      answer: true,
      play: this.#tts ? 'module-tts' : 'none',
      promptFormats: [],
      // The module's detector, when the initialisation turns one on (init.ts moduleInit); otherwise none.
      digits: o.moduleDetectsDigits === false ? 'none' : 'module',
      record: false,
      transfer: false,
      stations: this.#stations.size ? 'local' : 'none',
    };
  }

  on<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    this.#emitter.on(event, listener);
  }
  off<K extends TrunkEventName>(event: K, listener: TrunkListener<K>): void {
    this.#emitter.off(event, listener);
  }

  async start(): Promise<void> {
    if (this.#up) return;
    this.#unsubscribe = [
      this.#modem.on('call', (e) => this.#onCall(e)),
      this.#modem.on('lost', (e) => this.#onLost(e.reason)),
      this.#modem.on('ready', () => {
        if (this.#up) this.#emitter.emit('ready', { channels: 1, at: this.#clock.now() });
      }),
    ];
    let timer: TimerHandle | undefined;
    const late = new Promise<'late'>((resolve) => (timer = this.#clock.setTimeout(() => resolve('late'), this.#startTimeoutMs)));
    const started = this.#modem.start().then(() => 'ready' as const);
    const first = await Promise.race([started, late]);
    this.#clock.clearTimeout(timer);
    this.#up = true;
    if (first === 'ready') {
      this.#emitter.emit('ready', { channels: 1, at: this.#clock.now() });
      return;
    }
    this.#log.warn({ status: this.#modem.status.state }, 'gateway not ready at start; carrying on without it');
    this.#emitter.emit('failed', { reason: `gateway not ready (${this.#modem.status.lastProblem ?? this.#modem.status.state})`, permanent: false, callIds: [], at: this.#clock.now() });
    // `ready` is emitted by the modem's ready listener above when it comes up.
    started.catch(() => undefined);
  }

  async stop(): Promise<void> {
    if (!this.#up) return;
    this.#up = false;
    for (const [callId, c] of [...this.#calls]) this.#release(callId, c, 'driver-stopped', 'box');
    for (const u of this.#unsubscribe.splice(0)) u();
    await this.#modem.stop();
  }

  async answer(callId: CallId): Promise<void> {
    const c = this.#get(callId);
    if (c.answered) return;
    try {
      await this.#modem.answer(callId);
      c.answered = true;
    } catch (err) {
      throw this.#map(err, callId);
    }
  }

  async play(callId: CallId, prompt: Prompt, options: PlayOptions = {}): Promise<PlayResult> {
    const c = this.#media(callId);
    let speech: Speech | undefined;
    try {
      const signal = options.signal;
      if (this.#tts && prompt.text && !signal?.aborted) speech = await this.#speak(callId, this.#tts, prompt);
      else this.#log.debug({ callId, prompt: prompt.id }, 'prompt (no audio path: pause)');
      const r = await new Promise<PlayResult>((resolve) => {
        let timer: TimerHandle | undefined;
        const stopWatch = new AbortController();
        const finish = (v: PlayResult) => {
          this.#clock.clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          c.fail.signal.removeEventListener('abort', onFail);
          stopWatch.abort(); // releases the digit watch (and its listener) when the pause ends first
          resolve(v);
        };
        const onAbort = () => finish({ outcome: 'cancelled' });
        const onFail = () => finish({ outcome: 'caller-gone' });
        if (signal?.aborted) return finish({ outcome: 'cancelled' });
        signal?.addEventListener('abort', onAbort, { once: true });
        if (speech) {
          const sp = speech;
          void sp.ended.then(() => {
            sp.over = true;
            finish({ outcome: 'completed' });
          });
          timer = this.#clock.setTimeout(() => finish({ outcome: 'completed' }), sp.maxMs);
        } else {
          timer = this.#clock.setTimeout(() => finish({ outcome: 'completed' }), this.#pauseMs);
        }
        if (options.interruptible) {
          void c.digits.firstDigit(stopWatch.signal).then((d) => {
            if (d !== null) finish({ outcome: 'interrupted', digit: d });
            else if (c.digits.ended) finish({ outcome: 'caller-gone' });
          }, () => finish({ outcome: 'completed' }));
        }
        c.fail.signal.addEventListener('abort', onFail, { once: true });
      });
      // Interrupted, cancelled or timed out: the module must not talk over what comes next.
      speech?.release();
      if (speech && !speech.over && !c.gone && !c.fail.signal.aborted) await this.#modem.stopSpeaking(this.#tts!);
      if (c.fail.signal.aborted && !c.gone) throw new TrunkError('driver-failed', 'the gateway was lost');
      if (c.gone && r.outcome === 'completed') return { outcome: 'caller-gone' };
      return r;
    } finally {
      c.media = false;
    }
  }

  /** Starts the module speaking a prompt's text; undefined (use the pause) when the module refuses. */
  async #speak(callId: CallId, engine: TtsEngine, prompt: Prompt): Promise<Speech | undefined> {
    const text = prompt.text!;
    // Listen before asking: the end of a short prompt can come right after OK.
    let release = () => {};
    const ended = new Promise<void>((resolve) => {
      release = this.#modem.on('tts', (e) => {
        if (e.status !== 0) return;
        release();
        resolve();
      });
    });
    try {
      await this.#modem.speak(engine, text);
    } catch (err) {
      release();
      this.#log.warn({ callId, prompt: prompt.id, err: String(err) }, 'module TTS refused; prompt is a pause');
      return undefined;
    }
    this.#log.debug({ callId, prompt: prompt.id, engine }, 'prompt spoken by the module');
    return { ended, release, maxMs: 2000 + this.#ttsMsPerChar * text.length, over: false };
  }

  async collectDigits(callId: CallId, options: CollectOptions): Promise<CollectResult> {
    const c = this.#media(callId);
    try {
      const r = await c.digits.collect(options);
      if (c.fail.signal.aborted && !c.gone) throw new TrunkError('driver-failed', 'the gateway was lost');
      return r;
    } finally {
      c.media = false;
    }
  }

  async connectAgent(callId: CallId, station: string, options: ConnectOptions): Promise<ConnectResult> {
    const c = this.#get(callId);
    if (options.signal?.aborted) return { outcome: 'cancelled' };
    if (!this.#stations.has(station)) return { outcome: 'unreachable' };
    if (!c.answered) await this.answer(callId);
    if (c.gone) return { outcome: 'caller-gone' };
    return { outcome: 'answered', at: this.#clock.now() };
  }

  async transfer(callId: CallId, number: string): Promise<TransferResult> {
    this.#get(callId);
    void number;
    throw new TrunkError('unsupported', 'the serial gateway cannot transfer calls');
  }

  async record(callId: CallId): Promise<RecordResult> {
    this.#get(callId);
    throw new TrunkError('unsupported', 'the serial gateway cannot record calls');
  }

  async hangup(callId: CallId, cause: HangupCause = 'normal'): Promise<void> {
    const c = this.#calls.get(callId);
    if (!this.#up && !c) throw new TrunkError('driver-down', 'the serial gateway is not started');
    if (!c || c.gone) return;
    this.#release(callId, c, cause, 'box');
    try {
      await this.#modem.hangup(callId);
    } catch (err) {
      // The call is over for the box either way; a modem that cannot take ATH is being recovered.
      this.#log.warn({ callId, err: String(err) }, 'ATH failed');
    }
  }

  // ------------------------------------------------------------------

  #get(callId: CallId): CallState {
    if (!this.#up) throw new TrunkError('driver-down', 'the serial gateway is not started');
    const c = this.#calls.get(callId);
    if (!c || c.gone) throw new TrunkError('unknown-call', `no call ${callId}`);
    return c;
  }

  #media(callId: CallId): CallState {
    const c = this.#get(callId);
    if (!c.answered) throw new TrunkError('not-answered', `call ${callId} is not answered`);
    if (c.media) throw new TrunkError('busy', `call ${callId} already has a media operation`);
    c.media = true;
    return c;
  }

  #map(err: unknown, callId: CallId): Error {
    if (err instanceof TrunkError) return err;
    if (isSerialAtError(err)) {
      const c = this.#calls.get(callId);
      if (!c || c.gone) return new TrunkError('unknown-call', `call ${callId} ended`, { cause: err });
      return new TrunkError('driver-failed', err.message, { cause: err });
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  #onCall(e: CallEvent): void {
    if (!this.#up) return;
    switch (e.type) {
      case 'incoming': {
        const c: CallState = { answered: false, gone: false, media: false, digits: new DigitBuffer(this.#clock), fail: new AbortController() };
        this.#calls.set(e.callId, c);
        this.#log.info({ callId: e.callId, caller: redactNumber(e.number) }, 'call offered');
        this.#emitter.emit('offered', {
          callId: e.callId,
          channel: this.#channel,
          caller: e.number,
          called: this.#called,
          presentation: e.presentation,
          at: e.at,
        });
        return;
      }
      case 'dtmf': {
        const c = this.#calls.get(e.callId);
        if (!c || c.gone) return;
        c.digits.push(e.digit);
        this.#emitter.emit('digits', { callId: e.callId, digits: e.digit, at: e.at });
        return;
      }
      case 'ended': {
        const c = this.#calls.get(e.callId);
        if (!c || c.gone) return;
        if (e.reason === 'port-lost' || e.reason === 'local-hangup') return; // reported by `failed` / hangup()
        const cause: HangupCause =
          e.reason === 'caller-abandoned' ? 'caller-abandoned' : e.reason === 'busy' ? 'busy' : e.reason === 'no-answer' ? 'no-answer' : 'normal';
        this.#release(e.callId, c, cause, 'caller');
        return;
      }
      case 'answered':
        return;
    }
  }

  #release(callId: CallId, c: CallState, cause: HangupCause, party: 'caller' | 'box'): void {
    c.gone = true;
    c.digits.end();
    this.#calls.delete(callId);
    this.#emitter.emit('hangup', { callId, cause, party, at: this.#clock.now() });
  }

  #onLost(reason: string): void {
    if (!this.#up) return;
    const callIds = [...this.#calls.keys()];
    for (const c of this.#calls.values()) {
      c.fail.abort();
      c.digits.end();
    }
    this.#calls.clear();
    this.#emitter.emit('failed', { reason, permanent: false, callIds, at: this.#clock.now() });
  }
}
