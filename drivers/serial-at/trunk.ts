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
//    back to the pause. Prompt files reach the caller only through the voice port or stored on the module (below).
//  - Agents: a GSM gateway cannot ring another line while holding this one without network
//    services, so agent "stations" are the gateway's local audio ports (handset/headset wired to an
//    agent position), listed in `stations`; connecting to one succeeds at once. Other stations are
//    `unreachable`, and `transfer` is unsupported (capabilities say so).
//  - Audio path (`voice`): a module with a PCM voice port (Quectel AT+QPCMV, SIMCom AT+CPCMREG; voice-port.ts)
//    carries the call's audio to the box. Then the box plays its own prompt files, detects digits in software
//    (merged with the module's detector when that is on too) and records (voicemail, conversations): play
//    'audio', digits 'box', record 'box'. Without the port (not configured, or it cannot be opened) the
//    profile above applies; a port that fails is retried when the modem comes back (re-initialised).
//  - Files on the module (`moduleFiles`, no voice port): the box's prompt files are uploaded to the module
//    (Quectel AT+QFUPL, SIMCom AT+CFTRANRX; files.ts) under a name made of their content's hash, and played there
//    into the call (AT+QPSND / AT+CCMXPLAY): play 'module-file'. The module records the call itself
//    (AT+QAUDRD / AT+CREC), the box fetches the file afterwards (AT+QFDWL / AT+CFTRANTX), stores it as the
//    call's WAV and deletes it on the module: record 'module'. A prompt the module cannot take (storage full,
//    refused) falls back to TTS or the pause; a recording that cannot be fetched rejects `record` with a clear
//    error (the flow then files the missed call).
import { type Clock, type TimerHandle, within } from '../../common/clock.js';
import { DigitBuffer } from '../trunk/digits.js';
import { TrunkEmitter } from '../trunk/emitter.js';
import { liveCall, mediaCall } from '../trunk/guards.js';
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
import { WavRecorder } from '../media/wav.js';
import { DtmfMerger } from '../media/dtmf-merge.js';
import type { RecordOptions } from '../trunk/types.js';
import { CallAudio } from './call-audio.js';
import { ModuleFiles, promptPcm } from './module-files.js';
import { isSerialAtError } from './errors.js';
import { redactNumber, silentLogger, type Logger } from '../../common/log.js';
import type { GsmModem, PcmFamily, TtsEngine } from './modem.js';
import type { VoicePort } from './voice-port.js';
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
  /** The module's PCM voice port (Quectel AT+QPCMV / SIMCom AT+CPCMREG), for the box's own audio path. */
  voice?: {
    port: VoicePort;
    family: PcmFamily;
    /** Directory of digit prompts 0.wav … 9.wav for `Prompt.say` (optional). */
    sayDir?: string;
    /** Nothing on the voice port this long after the module was told to stream = one-way audio (default 2000). */
    oneWayMs?: number;
    /** A received digit this soon after the box sent the same one is its echo (default 1000). */
    echoWindowMs?: number;
  };
  /**
   * Prompts stored on the module and the module's own recording, for a module without a voice port. `dir`: where
   * on the module (default "UFS:" for Quectel, "E:/" for SIMCom); `promptsDir`: prompt files uploaded whenever
   * the modem becomes ready (others are uploaded at their first play); `sayDir`: digit prompts 0.wav … 9.wav.
   */
  moduleFiles?: { family: PcmFamily; play?: boolean; record?: boolean; dir?: string; promptsDir?: string; sayDir?: string };
  /**
   * How long `start()` waits for the modem, ms (default 20000). A box must boot without its
   * gateway: past this, start resolves, `failed` (not permanent) is emitted, and `ready` follows
   * when the modem comes up.
   */
  startTimeoutMs?: number;
}

/** A prompt being played: by the module's TTS, from its storage or over the voice port. */
export interface Speech {
  ended: Promise<void>;
  /** Removes the end-of-speech listener (when the prompt ends another way). */
  release: () => void;
  /** Stops it when it did not end by itself (interrupted, cancelled, timed out). */
  stop: () => Promise<void>;
  maxMs: number;
  over: boolean;
}

interface CallState {
  answered: boolean;
  ended: boolean;
  mediaBusy: boolean;
  digits: DigitBuffer;
  /** Settles pending commands when the driver fails (T9). */
  fail: AbortController;
  /** The call's audio on the voice port, once streaming (undefined: no audio path for this call). */
  audio?: CallAudio;
  /** Ends background recordings at hang-up. */
  over: AbortController;
  /** A recording by the module runs (one at a time). */
  moduleRecording?: boolean;
}

export class SerialAtTrunk implements TrunkDriver {
  readonly kind = 'serial-at';
  readonly #noAudio: TrunkCapabilities;
  readonly #withAudio: TrunkCapabilities;
  readonly #voice: SerialAtTrunkOptions['voice'];
  readonly #merger = new DtmfMerger(300);
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
  readonly #files: SerialAtTrunkOptions['moduleFiles'];
  /** Prompts stored on the module and the module's recordings (module-files.ts), when configured. */
  readonly #moduleFiles: ModuleFiles | undefined;
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
    this.#voice = o.voice;
    this.#files = o.moduleFiles;
    this.#moduleFiles = o.moduleFiles && new ModuleFiles(o.moduleFiles, this.#modem, this.#clock, this.#log, () => this.#up);
    const filePlay = !!this.#files?.play;
    this.#noAudio = Object.freeze<TrunkCapabilities>({
      answer: true,
      play: filePlay ? 'module-file' : this.#tts ? 'module-tts' : 'none',
      promptFormats: filePlay ? ['alaw', 'wav'] : [],
      // The module's detector, when the initialisation turns one on (init.ts moduleInit); otherwise none.
      digits: o.moduleDetectsDigits === false ? 'none' : 'module',
      record: this.#files?.record ? 'module' : false,
      transfer: false,
      stations: this.#stations.size ? 'local' : 'none',
      // Agents talk at the gateway's local audio ports; a module's PCM port carries prompts and recordings,
      // not a conversation to a browser (issue 17: telephone stations only).
      audioPort: false,
    });
    this.#withAudio = Object.freeze<TrunkCapabilities>({ ...this.#noAudio, play: 'audio', promptFormats: ['alaw', 'wav'], digits: 'box', record: 'box' });
  }

  /** The audio profile while the voice port is open, else the module-only one (read per call by the flow). */
  get capabilities(): TrunkCapabilities {
    return this.#voice?.port.isOpen ? this.#withAudio : this.#noAudio;
  }

  /** Opens the voice port; on failure logs a clear problem and carries on with the no-audio profile. */
  async #openVoice(quiet = false): Promise<void> {
    const v = this.#voice;
    if (!v || v.port.isOpen) return;
    try {
      await v.port.open();
      this.#log.info({ port: v.port.describe, family: v.family }, 'voice port open: prompts, digits and recording by the box');
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (!quiet) this.#log.error({ port: v.port.describe, err: text }, 'voice port unavailable: calls go on without the box\'s audio (no prompts from files, no recording)');
      this.#modem.noteProblem(text);
    }
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
        // A re-plugged module re-enumerates its voice port too: try it again.
        if (this.#voice && !this.#voice.port.isOpen) void this.#openVoice(true).catch(() => undefined);
        // Maybe another module (or a reset one): what it stores is checked again.
        this.#moduleFiles?.forgetUploads();
        void this.#moduleFiles?.syncPrompts();
      }),
    ];
    await this.#openVoice();
    const started = this.#modem.start().then(() => 'ready' as const);
    const first = await within(this.#clock, started, this.#startTimeoutMs, () => 'late' as const);
    this.#up = true;
    if (first === 'ready') {
      this.#emitter.emit('ready', { channels: 1, at: this.#clock.now() });
      void this.#moduleFiles?.syncPrompts();
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
    await this.#voice?.port.close();
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
    await this.#startAudio(callId, c);
  }

  /** Tells the module to stream the call's voice to the voice port and starts listening to it. */
  async #startAudio(callId: CallId, c: CallState): Promise<void> {
    const v = this.#voice;
    if (!v?.port.isOpen || c.ended) return;
    v.port.startCall();
    try {
      await this.#modem.startPcm(v.family);
    } catch (err) {
      v.port.endCall();
      this.#log.warn({ callId, err: String(err), command: v.family === 'quectel' ? 'AT+QPCMV=1,0' : 'AT+CPCMREG=1' }, 'the module refused voice on its voice port: this call has no audio path');
      this.#modem.noteProblem(`voice port: ${v.family === 'quectel' ? 'AT+QPCMV=1,0' : 'AT+CPCMREG=1'} refused`);
      return;
    }
    if (c.ended) return;
    const audio = new CallAudio({
      port: v.port,
      clock: this.#clock,
      ...(v.oneWayMs !== undefined ? { oneWayMs: v.oneWayMs } : {}),
      ...(v.echoWindowMs !== undefined ? { echoWindowMs: v.echoWindowMs } : {}),
      onDigit: (d, at) => this.#digit(callId, 'box', d, at),
      onEcho: (d) => this.#log.debug({ callId, digit: d }, 'digit dropped: echo of the box\'s own audio'),
      onOneWay: () => {
        const text = `voice port ${v.port.describe}: no audio from the module since answer (one-way audio)`;
        this.#log.warn({ callId, port: v.port.describe, moduleDetector: this.#noAudio.digits === 'module' }, `${text}; digits only from the module's detector, recordings silent`);
        this.#modem.noteProblem(text);
      },
    });
    c.audio = audio;
    audio.start();
  }

  /** A key press from the module's detector or the box's receiver; one press reported by both counts once. */
  #digit(callId: CallId, source: 'module' | 'box', digit: string, at: number): void {
    const c = this.#calls.get(callId);
    if (!c || c.ended) return;
    if (this.#voice && !this.#merger.report(source, digit, at)) return;
    c.digits.push(digit);
    this.#emitter.emit('digits', { callId, digits: digit, at });
  }

  async play(callId: CallId, prompt: Prompt, options: PlayOptions = {}): Promise<PlayResult> {
    const c = this.#media(callId);
    let speech: Speech | undefined;
    try {
      const signal = options.signal;
      if (c.audio && !signal?.aborted) speech = await this.#playAudio(callId, c, prompt);
      if (!speech && !c.audio && this.#files?.play && !signal?.aborted && !c.ended) speech = await this.#moduleFiles!.play(callId, prompt, () => c.ended);
      if (!speech && this.#tts && prompt.text && !signal?.aborted) speech = await this.#speak(callId, this.#tts, prompt);
      else if (!speech) this.#log.debug({ callId, prompt: prompt.id }, 'prompt (no audio path: pause)');
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
      if (speech && !speech.over && !c.ended && !c.fail.signal.aborted) await speech.stop();
      if (c.fail.signal.aborted && !c.ended) throw new TrunkError('driver-failed', 'the gateway was lost');
      if (c.ended && r.outcome === 'completed') return { outcome: 'caller-gone' };
      return r;
    } finally {
      c.mediaBusy = false;
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
    return { ended, release, stop: () => this.#modem.stopSpeaking(engine), maxMs: 2000 + this.#ttsMsPerChar * text.length, over: false };
  }

  /**
   * Starts the prompt's file (and its `say` digits) over the voice port: A-law or PCM WAV → 8 kHz linear,
   * paced at real time. Undefined (TTS or the pause instead) when the prompt has no file or it cannot be read.
   */
  async #playAudio(callId: CallId, c: CallState, prompt: Prompt): Promise<Speech | undefined> {
    const v = this.#voice!;
    if (!prompt.file) return undefined;
    const pcm = await promptPcm(prompt, v.sayDir, this.#log, callId);
    if (!pcm) return undefined;
    if (c.ended) return undefined;
    const cut = new AbortController();
    const ended = v.port.play(pcm, cut.signal).then(() => undefined);
    this.#log.debug({ callId, prompt: prompt.id, ms: Math.round(pcm.length / 8) }, 'prompt played over the voice port');
    return {
      ended,
      release: () => {},
      stop: async () => cut.abort(),
      // Real time plus a margin: a port that stops taking writes must not hold the call.
      maxMs: pcm.length / 8 + 2000,
      over: false,
    };
  }

  /**
   * The module records the call into a file of its own; when the recording ends (max, stop digit, hang-up,
   * cancel) the box stops it if the call is still up, fetches the file, writes it to `options.file` (8 kHz WAV,
   * .part then rename) and deletes it on the module. A module that refuses to record: `unsupported`; a file
   * that cannot be fetched or read: `driver-failed`, with the reason (the module's error, a cut transfer).
   */
  async #recordOnModule(callId: CallId, c: CallState, options: RecordOptions, background: boolean): Promise<RecordResult> {
    const f = this.#files!;
    if (!background) this.#media(callId);
    else if (!c.answered) throw new TrunkError('not-answered', `call ${callId} is not answered`);
    if (c.moduleRecording) {
      if (!background) c.mediaBusy = false;
      throw new TrunkError('busy', `call ${callId} is already recorded by the module`);
    }
    const cleanups: Array<() => void> = [];
    const name = this.#moduleFiles!.recordingName();
    try {
      if (options.signal?.aborted) return { outcome: 'cancelled', file: options.file, durationMs: 0 };
      c.moduleRecording = true;
      try {
        await this.#modem.files.startRecording(f.family, name, background);
      } catch (err) {
        if (c.ended) return { outcome: background ? 'ended' : 'caller-gone', file: options.file, durationMs: 0 };
        throw new TrunkError('unsupported', `the module refused to record: ${(err as Error).message}`, { cause: err });
      }
      const outcome = await this.#recordingOutcome(c, options, background, cleanups);
      for (const fn of cleanups.splice(0)) fn();
      if (c.fail.signal.aborted && !c.ended) throw new TrunkError('driver-failed', 'the gateway was lost');
      // The module stops by itself when the call ends; otherwise it is told to.
      if (!c.ended) await this.#modem.files.stopRecording(f.family);
      const durationMs = await this.#moduleFiles!.fetchRecording(callId, name, options.file);
      return { outcome, file: options.file, durationMs };
    } finally {
      for (const fn of cleanups) fn();
      c.moduleRecording = false;
      if (!background) c.mediaBusy = false;
    }
  }

  async collectDigits(callId: CallId, options: CollectOptions): Promise<CollectResult> {
    const c = this.#media(callId);
    try {
      const r = await c.digits.collect(options);
      if (c.fail.signal.aborted && !c.ended) throw new TrunkError('driver-failed', 'the gateway was lost');
      return r;
    } finally {
      c.mediaBusy = false;
    }
  }

  async connectAgent(callId: CallId, station: string, options: ConnectOptions): Promise<ConnectResult> {
    const c = this.#get(callId);
    if (options.signal?.aborted) return { outcome: 'cancelled' };
    if (!this.#stations.has(station)) return { outcome: 'unreachable' };
    if (!c.answered) await this.answer(callId);
    if (c.ended) return { outcome: 'caller-gone' };
    return { outcome: 'answered', at: this.#clock.now() };
  }

  async transfer(callId: CallId, number: string): Promise<TransferResult> {
    this.#get(callId);
    void number;
    throw new TrunkError('unsupported', 'the serial gateway cannot transfer calls');
  }

  /**
   * How a recording ends: the call over (or the gateway lost), `maxMs`, a stop digit (not in the background),
   * or the caller's signal. What it listens on is undone by `cleanups`.
   */
  #recordingOutcome(c: CallState, options: RecordOptions, background: boolean, cleanups: Array<() => void>): Promise<RecordResult['outcome']> {
    return new Promise((resolve) => {
      const over = () => resolve(background ? 'ended' : 'caller-gone');
      if (c.over.signal.aborted || c.fail.signal.aborted) return over();
      c.over.signal.addEventListener('abort', over, { once: true });
      c.fail.signal.addEventListener('abort', over, { once: true });
      cleanups.push(() => {
        c.over.signal.removeEventListener('abort', over);
        c.fail.signal.removeEventListener('abort', over);
      });
      if (options.maxMs !== undefined) {
        const t = this.#clock.setTimeout(() => resolve('max'), options.maxMs);
        cleanups.push(() => this.#clock.clearTimeout(t));
      }
      if (!background && options.stopDigits) {
        const stop = options.stopDigits;
        const watch = new AbortController();
        cleanups.push(() => watch.abort());
        const next = (): void => {
          void c.digits.firstDigit(watch.signal).then((d) => {
            if (d === null) return;
            c.digits.shift();
            if (stop.includes(d)) resolve('digit');
            else next();
          });
        };
        next();
      }
      if (options.signal) {
        const ab = () => resolve('cancelled');
        options.signal.addEventListener('abort', ab, { once: true });
        cleanups.push(() => options.signal!.removeEventListener('abort', ab));
      }
    });
  }

  /**
   * Records what the caller says (voicemail; `background`: the whole conversation, the box's prompts mixed in)
   * from the voice port into an 8 kHz WAV (media/wav.ts WavRecorder: .part, fsync, rename). Without an audio
   * path for this call: `unsupported` (capabilities say record false). With one-way audio the file is written
   * and holds nothing the caller said (the problem is logged when it is found).
   */
  async record(callId: CallId, options: RecordOptions): Promise<RecordResult> {
    const background = !!options?.background;
    const c = background ? this.#get(callId) : this.#calls.get(callId);
    if (!c?.audio && c && this.#files?.record) return this.#recordOnModule(callId, c, options, background);
    if (!c?.audio) {
      this.#get(callId);
      throw new TrunkError('unsupported', 'the serial gateway has no audio path for this call: it cannot record');
    }
    if (!background) this.#media(callId);
    else if (!c.answered) throw new TrunkError('not-answered', `call ${callId} is not answered`);
    const audio = c.audio;
    const cleanups: Array<() => void> = [];
    try {
      if (options.signal?.aborted) return { outcome: 'cancelled', file: options.file, durationMs: 0 };
      let rec: WavRecorder;
      try {
        rec = new WavRecorder(options.file);
      } catch (err) {
        throw new TrunkError('invalid-argument', `cannot record to ${options.file}: ${(err as Error).message}`, { cause: err });
      }
      cleanups.push(audio.record(rec, background));
      const outcome = await this.#recordingOutcome(c, options, background, cleanups);
      for (const f of cleanups.splice(0)) f();
      const durationMs = rec.finish();
      if (c.fail.signal.aborted && !c.ended) throw new TrunkError('driver-failed', 'the gateway was lost');
      return { outcome, file: options.file, durationMs };
    } finally {
      for (const f of cleanups) f();
      if (!background) c.mediaBusy = false;
    }
  }

  async hangup(callId: CallId, cause: HangupCause = 'normal'): Promise<void> {
    const c = this.#calls.get(callId);
    if (!this.#up && !c) throw new TrunkError('driver-down', 'the serial gateway is not started');
    if (!c || c.ended) return;
    const streaming = c.audio !== undefined;
    this.#release(callId, c, cause, 'box', false);
    try {
      await this.#modem.hangup(callId);
    } catch (err) {
      // The call is over for the box either way; a modem that cannot take ATH is being recovered.
      this.#log.warn({ callId, err: String(err) }, 'ATH failed');
    }
    if (streaming && this.#voice) await this.#modem.stopPcm(this.#voice.family);
  }

  // ------------------------------------------------------------------

  #get(callId: CallId): CallState {
    return liveCall('serial-at', this.#up ? 'running' : 'down', this.#calls.get(callId), callId);
  }

  #media(callId: CallId): CallState {
    const c = mediaCall('serial-at', this.#up ? 'running' : 'down', this.#calls.get(callId), callId, 'media');
    c.mediaBusy = true;
    return c;
  }

  #map(err: unknown, callId: CallId): Error {
    if (err instanceof TrunkError) return err;
    if (isSerialAtError(err)) {
      const c = this.#calls.get(callId);
      if (!c || c.ended) return new TrunkError('unknown-call', `call ${callId} ended`, { cause: err });
      return new TrunkError('driver-failed', err.message, { cause: err });
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  #onCall(e: CallEvent): void {
    if (!this.#up) return;
    switch (e.type) {
      case 'incoming': {
        const c: CallState = { answered: false, ended: false, mediaBusy: false, digits: new DigitBuffer(this.#clock), fail: new AbortController(), over: new AbortController() };
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
      case 'dtmf':
        this.#digit(e.callId, 'module', e.digit, e.at);
        return;
      case 'ended': {
        const c = this.#calls.get(e.callId);
        if (!c || c.ended) return;
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

  #release(callId: CallId, c: CallState, cause: HangupCause, party: 'caller' | 'box', stopPcm = true): void {
    c.ended = true;
    this.#endAudio(c, stopPcm);
    c.over.abort();
    c.digits.end();
    this.#calls.delete(callId);
    this.#emitter.emit('hangup', { callId, cause, party, at: this.#clock.now() });
  }

  #onLost(reason: string): void {
    if (!this.#up) return;
    const callIds = [...this.#calls.keys()];
    for (const c of this.#calls.values()) {
      c.audio?.stop();
      c.audio = undefined;
      this.#voice?.port.endCall();
      c.fail.abort();
      c.digits.end();
    }
    this.#calls.clear();
    this.#emitter.emit('failed', { reason, permanent: false, callIds, at: this.#clock.now() });
  }

  /** Stops the call's audio; SIMCom wants AT+CPCMREG=0 after every call (USB AUDIO Application Note). */
  #endAudio(c: CallState, stopPcm: boolean): void {
    const v = this.#voice;
    if (!v) return;
    const had = c.audio !== undefined;
    c.audio?.stop();
    c.audio = undefined;
    v.port.endCall();
    if (had && stopPcm) void this.#modem.stopPcm(v.family).catch(() => undefined);
  }
}
