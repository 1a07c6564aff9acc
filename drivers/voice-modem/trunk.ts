// The voice modem on one analog line as a trunk driver (drivers/trunk/types.ts). What an analog line and a
// V.253 modem can do shapes this adapter:
//
//  - Incoming calls: RING, caller ID (+VCID=1) → `offered` (ringing.ts). `called` is configuration: an analog
//    line does not say which number was dialled.
//  - Answer: +VLS=1 (off-hook on the line), then the voice stream (voice-path.ts): +VTR full duplex where the
//    modem offers it, else +VRX with +VTX for each prompt.
//  - Prompts: the box's own 8 kHz prompt files (A-law raw or WAV, decoded by drivers/media/wav.ts) in the
//    compression chosen from AT+VSM=? (codec.ts). A missing or unreadable file is a 500 ms pause.
//  - Digits: the modem's DLE digit events (V.253 §7.3) and the box's Goertzel detector on the received
//    audio, merged so one key press is one digit (dtmf-merge.ts). While a prompt plays in half duplex the box
//    hears nothing and only the modem's detector works.
//  - Recording (voicemail): the received audio, 8 kHz 16-bit PCM WAV (drivers/media/wav.ts WavRecorder).
//  - The caller hanging up: an analog line has no release message. The modem's DLE reports are taken for it —
//    loop-current interruption 'l', busy tone 'b' (the exchange's tone after the far end hangs up), dial tone
//    'd' —, the box's own busy/dial-tone detector on the received audio (line-tones.ts), and while a message is recorded, the modem's silence report 's' ("presumed hang-up") and the box's
//    own long-silence timer. The modem's 'q' ("presumed end of message") ends a recording as if at its limit.
//  - No agent stations (a modem on one line cannot bridge the caller to a second line) and no transfer (no
//    hook-flash transfer implemented): capabilities say so; connectAgent is `unreachable`, transfer
//    `unsupported`.
import { type Clock, within } from '../../common/clock.js';
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
  type Presentation,
  type Prompt,
  type RecordOptions,
  type RecordResult,
  type TransferResult,
  type TrunkCapabilities,
  type TrunkDriver,
  type TrunkEventName,
  type TrunkListener,
} from '../trunk/types.js';
import { DtmfDetector } from '../media/dtmf.js';
import { redactNumber, silentLogger, type Logger } from '../../common/log.js';
import type { VoiceEvent } from './dle.js';
import { isVoiceModemError, VoiceModemErrorCodes } from './errors.js';
import { DtmfMerger, type DtmfSource } from '../media/dtmf-merge.js';
import { LineToneDetector } from './line-tones.js';
import type { VoiceModem } from './modem.js';
import { VoicePath } from './voice-path.js';
import type { CallState } from './call-state.js';
import { PromptLoader } from './prompts.js';
import { recordCall } from './record.js';

export interface VoiceModemTrunkOptions {
  modem: VoiceModem;
  clock: Clock;
  logger?: Logger;
  /** Channel name for logs and call records (default "line0"). */
  channel?: string;
  /** The number callers dial to reach this line (default "12328"). */
  called?: string;
  /** Directory of digit prompts 0.wav … 9.wav for `Prompt.say` (optional). */
  sayDir?: string;
  /** Length of the pause that stands in for a missing prompt, ms (default 500). */
  promptPauseMs?: number;
  /** While recording a message: this much silence on the line means the caller has gone, ms (default 10000). */
  silenceHangupMs?: number;
  /** A received frame whose mean absolute sample is below this is silence (default 64, about −54 dBm0). */
  silenceLevel?: number;
  /** Run the box's own DTMF detector on the received audio (default true). */
  boxDtmf?: boolean;
  /** How long `start()` waits for the modem before resolving (the box boots without it), ms (default 20000). */
  startTimeoutMs?: number;
}


export class VoiceModemTrunk implements TrunkDriver {
  readonly kind = 'voice-modem';
  readonly capabilities: TrunkCapabilities;
  readonly #modem: VoiceModem;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #emitter: TrunkEmitter;
  readonly #o: Required<Omit<VoiceModemTrunkOptions, 'modem' | 'clock' | 'logger' | 'sayDir'>> & { sayDir: string | undefined };
  readonly #prompts: PromptLoader;
  #call: CallState | undefined;
  #up = false;
  #unsubscribe: Array<() => void> = [];

  constructor(o: VoiceModemTrunkOptions) {
    this.#modem = o.modem;
    this.#clock = o.clock;
    this.#log = o.logger ?? silentLogger;
    this.#emitter = new TrunkEmitter((err, event) => this.#log.error({ err: String(err), event }, 'trunk listener threw'));
    this.#o = {
      channel: o.channel ?? 'line0',
      called: o.called ?? '12328',
      sayDir: o.sayDir,
      promptPauseMs: o.promptPauseMs ?? 500,
      silenceHangupMs: o.silenceHangupMs ?? 10_000,
      silenceLevel: o.silenceLevel ?? 64,
      boxDtmf: o.boxDtmf ?? true,
      startTimeoutMs: o.startTimeoutMs ?? 20_000,
    };
    this.#prompts = new PromptLoader(this.#o.sayDir, this.#log);
    this.capabilities = Object.freeze({
      answer: true,
      play: 'audio',
      promptFormats: ['alaw', 'wav'],
      // The modem's detector reports every digit, also while a prompt plays; the box's detector backs it up.
      digits: 'module',
      record: 'box',
      transfer: false,
      stations: 'none',
      // Half duplex: the modem listens or speaks, never both (no browser stations).
      audioPort: false,
    });
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
      this.#modem.on('ring', (e) => {
        if (!this.#up) return;
        if (e.type === 'offered') this.#offered(e.callId, e.number, e.presentation, e.at);
        else if (this.#call?.id === e.callId && !this.#call.answered) this.#release(this.#call, 'caller-abandoned', 'caller');
      }),
      this.#modem.on('event', ({ event, at }) => this.#onEvent(event, at)),
      this.#modem.on('audio', ({ pcm, at }) => this.#onAudio(pcm, at)),
      this.#modem.on('streamEnded', () => {
        const c = this.#call;
        if (c?.answered && !c.ended) this.#callerGone(c, 'the modem ended the voice stream');
      }),
      this.#modem.on('lost', (e) => this.#onLost(e.reason, e.permanent)),
      this.#modem.on('ready', () => {
        if (this.#up) this.#emitter.emit('ready', { channels: 1, at: this.#clock.now() });
      }),
    ];
    const started = this.#modem.start().then(
      () => 'ready' as const,
      (err: unknown) => (isVoiceModemError(err, VoiceModemErrorCodes.NoVoiceMode) ? ('refused' as const) : ('late' as const)),
    );
    const first = await within(this.#clock, started, this.#o.startTimeoutMs, () => 'late' as const);
    this.#up = true;
    if (first === 'ready') {
      this.#emitter.emit('ready', { channels: 1, at: this.#clock.now() });
      return;
    }
    const s = this.#modem.status;
    this.#log.warn({ state: s.state }, 'voice modem not ready at start; carrying on without it');
    // A modem with no voice mode will never take a call: permanent (T9), no restart is tried.
    this.#emitter.emit('failed', { reason: `voice modem not ready (${s.lastProblem ?? s.state})`, permanent: first === 'refused', callIds: [], at: this.#clock.now() });
  }

  async stop(): Promise<void> {
    if (!this.#up) return;
    this.#up = false;
    const c = this.#call;
    if (c) this.#release(c, 'driver-stopped', 'box');
    for (const u of this.#unsubscribe.splice(0)) u();
    await c?.path?.close().catch(() => undefined);
    await this.#modem.stop();
  }

  async answer(callId: CallId): Promise<void> {
    const c = this.#get(callId);
    if (c.answered) return;
    try {
      await this.#modem.offHook(callId);
      const p = new VoicePath(this.#modem, this.#clock, this.#log, this.#modem.status.duplex);
      c.path = p;
      await p.open();
      c.answered = true;
      this.#log.info({ callId, duplex: p.duplex }, 'answered');
    } catch (err) {
      throw this.#map(err, c);
    }
  }

  async play(callId: CallId, prompt: Prompt, options: PlayOptions = {}): Promise<PlayResult> {
    const c = this.#media(callId);
    const mine = new AbortController();
    try {
      if (options.signal?.aborted) return { outcome: 'cancelled' };
      if (options.interruptible) {
        const d = c.digits.peek();
        if (d) return { outcome: 'interrupted', digit: d };
      }
      const pcm = await this.#prompts.load(prompt);
      const race: Promise<PlayResult>[] = [
        pcm
          ? c.path!.play(pcm, mine.signal).then((e): PlayResult => (e === 'done' ? { outcome: 'completed' } : { outcome: 'cancelled' }))
          : this.#sleep(this.#o.promptPauseMs, mine.signal).then((): PlayResult => ({ outcome: 'completed' })),
        abortOf(c.over.signal, { outcome: 'caller-gone' }, mine.signal),
      ];
      if (options.signal) race.push(abortOf(options.signal, { outcome: 'cancelled' }, mine.signal));
      if (options.interruptible) {
        race.push(c.digits.firstDigit(mine.signal).then((d) => (d ? { outcome: 'interrupted' as const, digit: d } : never())));
      }
      const r = await Promise.race(race);
      if (c.fail.signal.aborted) throw new TrunkError('driver-failed', 'the voice modem was lost');
      return r;
    } catch (err) {
      throw this.#map(err, c);
    } finally {
      mine.abort();
      c.mediaBusy = false;
    }
  }

  async collectDigits(callId: CallId, options: CollectOptions): Promise<CollectResult> {
    const c = this.#media(callId);
    try {
      const r = await c.digits.collect(options);
      if (c.fail.signal.aborted) throw new TrunkError('driver-failed', 'the voice modem was lost');
      return r;
    } finally {
      c.mediaBusy = false;
    }
  }

  async connectAgent(callId: CallId, station: string, options?: ConnectOptions): Promise<ConnectResult> {
    this.#get(callId);
    void station;
    if (options?.signal?.aborted) return { outcome: 'cancelled' };
    // One line, one call: no second line to ring a station on (capabilities.stations 'none').
    return { outcome: 'unreachable' };
  }

  async transfer(callId: CallId, number: string): Promise<TransferResult> {
    this.#get(callId);
    void number;
    throw new TrunkError('unsupported', 'the voice modem cannot transfer calls (no hook-flash transfer)');
  }

  async record(callId: CallId, options: RecordOptions): Promise<RecordResult> {
    const background = !!options.background;
    const c = background ? this.#get(callId) : this.#media(callId);
    if (background && !c.answered) throw new TrunkError('not-answered', `call ${callId} is not answered`);
    try {
      const r = await recordCall(c, options, { clock: this.#clock, silenceLevel: this.#o.silenceLevel, silenceHangupMs: this.#o.silenceHangupMs });
      if (c.fail.signal.aborted) throw new TrunkError('driver-failed', 'the voice modem was lost');
      // A long silence in a message: the caller hung up on a line that gives no loop-current drop.
      if (r.outcome === 'caller-gone' && !c.ended) this.#callerGone(c, 'silence while recording');
      return r;
    } finally {
      if (!background) c.mediaBusy = false;
    }
  }

  async hangup(callId: CallId, cause: HangupCause = 'normal'): Promise<void> {
    const c = this.#call?.id === callId ? this.#call : undefined;
    if (!this.#up && !c) throw new TrunkError('driver-down', 'the voice modem is not started');
    if (!c || c.ended) return;
    this.#release(c, cause, 'box');
    await this.#onHook(c);
  }

  // ------------------------------------------------------------------

  #get(callId: CallId): CallState {
    return liveCall('voice-modem', this.#up ? 'running' : 'down', this.#call?.id === callId ? this.#call : undefined, callId);
  }

  #media(callId: CallId): CallState {
    const c = mediaCall('voice-modem', this.#up ? 'running' : 'down', this.#call?.id === callId ? this.#call : undefined, callId, 'media');
    c.mediaBusy = true;
    return c;
  }

  #map(err: unknown, c: CallState): Error {
    if (err instanceof TrunkError) return err;
    if (c.fail.signal.aborted) return new TrunkError('driver-failed', 'the voice modem was lost', { cause: err });
    if (c.ended) return new TrunkError('unknown-call', `call ${c.id} ended`, { cause: err });
    return new TrunkError('driver-failed', String((err as Error)?.message ?? err), { cause: err });
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const t = this.#clock.setTimeout(resolve, ms);
      signal.addEventListener('abort', () => this.#clock.clearTimeout(t), { once: true });
    });
  }

  #offered(callId: CallId, number: string | null, presentation: Presentation, at: number): void {
    if (this.#call && !this.#call.ended) return; // one line, one call
    const c: CallState = {
      id: callId,
      answered: false,
      ended: false,
      mediaBusy: false,
      digits: new DigitBuffer(this.#clock),
      digitListeners: new Set(),
      audioSinks: new Set(),
      eventSinks: new Set(),
      over: new AbortController(),
      fail: new AbortController(),
      path: undefined,
      detector: new DtmfDetector((d) => this.#digit(c, 'box', d)),
      merger: new DtmfMerger(),
      tones: new LineToneDetector((tone) => this.#callerGone(c, `the box heard ${tone}`)),
    };
    this.#call = c;
    this.#log.info({ callId, caller: redactNumber(number) }, 'call offered');
    this.#emitter.emit('offered', { callId, channel: this.#o.channel, caller: number, called: this.#o.called, presentation, at });
  }

  #digit(c: CallState, source: DtmfSource, d: string): void {
    if (c.ended || !c.answered) return;
    if (!c.merger.report(source, d, this.#clock.now())) return;
    c.digits.push(d);
    for (const l of [...c.digitListeners]) l(d);
    this.#emitter.emit('digits', { callId: c.id, digits: d, at: this.#clock.now() });
  }

  #onEvent(e: VoiceEvent, at: number): void {
    void at;
    const c = this.#call;
    if (!c || c.ended) return;
    if (e.kind === 'dtmf') return this.#digit(c, 'module', e.digit);
    if (!c.answered) return;
    for (const s of [...c.eventSinks]) s(e);
    if (e.kind === 'loop-drop' || e.kind === 'busy' || e.kind === 'dial-tone') this.#callerGone(c, `line event ${e.kind}`);
  }

  #onAudio(pcm: Int16Array, at: number): void {
    void at;
    const c = this.#call;
    if (!c || c.ended || !c.answered) return;
    if (this.#o.boxDtmf) c.detector.pushLinear(pcm);
    c.tones.push(pcm);
    for (const s of [...c.audioSinks]) s(pcm);
  }

  #callerGone(c: CallState, why: string): void {
    if (c.ended) return;
    this.#log.info({ callId: c.id, why }, 'caller hung up');
    this.#release(c, 'normal', 'caller');
    this.#onHook(c).catch(() => undefined);
  }

  async #onHook(c: CallState): Promise<void> {
    try {
      await c.path?.close();
    } catch (err) {
      this.#log.warn({ callId: c.id, err: String(err) }, 'ending the voice stream failed');
    }
    try {
      await this.#modem.onHook();
    } catch (err) {
      // The call is over for the box either way; a modem that cannot take ATH is being recovered.
      this.#log.warn({ callId: c.id, err: String(err) }, 'ATH failed');
    }
  }

  #release(c: CallState, cause: HangupCause, party: 'caller' | 'box'): void {
    c.ended = true;
    c.digits.end();
    c.over.abort();
    if (this.#call === c) this.#call = undefined;
    this.#emitter.emit('hangup', { callId: c.id, cause, party, at: this.#clock.now() });
  }

  #onLost(reason: string, permanent: boolean): void {
    if (!this.#up) return;
    const c = this.#call;
    this.#call = undefined;
    c?.path?.abandon();
    if (c && !c.ended) {
      c.ended = true;
      c.fail.abort();
      c.over.abort();
      c.digits.end();
    }
    this.#emitter.emit('failed', { reason, permanent, callIds: c && c.fail.signal.aborted ? [c.id] : [], at: this.#clock.now() });
  }
}

/** Resolves with `value` when `signal` aborts, or when `until` aborts first never (its listener removed). */
function abortOf<T>(signal: AbortSignal, value: T, until: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.resolve(value);
  return new Promise((resolve) => {
    const on = () => resolve(value);
    signal.addEventListener('abort', on, { once: true });
    until.addEventListener('abort', () => signal.removeEventListener('abort', on), { once: true });
  });
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}
