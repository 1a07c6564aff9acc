// A simulated V.253 voice modem on an analog line, with behaviours, for the far end of a link (one end of a
// socat pty pair in integration tests, an in-memory pair in unit tests). It keeps the rules of a real modem
// that the driver relies on: one command line at a time with V.250 final results; voice mode only after
// AT+FCLASS=8; the compression list of a modem family (AT+VSM=?); RING with formatted caller ID between the
// first and second ring (+VCID=1); the voice streams +VRX / +VTX / +VTR with DLE shielding both ways, the
// DTE's <DLE>! / <DLE><ETX> / <DLE><CAN> / <DLE>^ ending them with <DLE><ETX> and OK; DLE event reports.
//
// The caller's side is a scriptable line: `ring()` a call with caller ID; `speak()` audio the caller sends
// (heard by the box only in +VRX/+VTR, as on a real half-duplex modem); `press()` keys as real DTMF tones in
// the audio and/or the modem's DLE digit events; `hangUp()` as a loop-current drop, busy tone, dial tone or
// plain silence. What the box plays is captured (`heard`, the `heard` event): the caller hears it.
// Faults: `garbage()`, `truncated()`, `freeze()` (a modem that stops answering and streaming).
import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../../../common/clock.js';
import { dtmfSequence } from '../../media/tones.js';
import type { ByteTransport } from '../../serial-at/transport.js';
import { kindOf, parseVsmList, VoiceCodec, type CompressionKind } from '../codec.js';
import { DLE, DleFramer, ETX, shield, type DleToken } from '../dle.js';

/** `AT+VSM=?` answers of modem families (codec.ts cites the manuals). */
export const VSM_LISTS = {
  conexant: [
    '0,"SIGNED PCM",8,0,(7200,8000,11025),(0),(0)',
    '1,"UNSIGNED PCM",8,0,(7200,8000,11025),(0),(0)',
    '4,"G711U",8,0,(7200,8000),(0),(0)',
    '5,"G711A",8,0,(7200,8000),(0),(0)',
    '129,"IMA ADPCM",4,0,(7200,8000,11025),(0),(0)',
  ],
  usr5637: [
    '128,"8-BIT LINEAR",8,0,(7200,8000,11025),(0),(0)',
    '129,"ADPCM",4,0,(7200,8000,11025),(0),(0)',
    '130,"UNSIGNED PCM",8,0,(7200,8000,11025),(0),(0)',
    '131,"G.711 ULAW",8,0,(8000),(0),(0)',
  ],
  linear16: ['2,"16-BIT LINEAR",16,0,(8000),(0),(0)', '129,"ADPCM",4,0,(8000),(0),(0)'],
  'adpcm-only': ['1,"CELP",1,0,(9600)', '2,"ADPCM",2,0,(9600)'],
} as const;

export type ModemFamily = keyof typeof VSM_LISTS;
export type HangupStyle = 'loop-drop' | 'busy' | 'dial-tone' | 'silence';

export interface VoiceSimOptions {
  clock?: Clock;
  family?: ModemFamily;
  /** Accept AT+VTR (full duplex). Default true. */
  duplex?: boolean;
  /** Report the caller's keys as DLE digit events (the modem's detector). Default true. */
  dtmfEvents?: boolean;
  /** Send the caller's keys as tones in the audio. Default true. */
  dtmfTones?: boolean;
  /** Gap between RINGs, ms (default 400 here; 5000 on a real line). */
  ringIntervalMs?: number;
  /** Frame length of the voice stream, ms (default 20). */
  frameMs?: number;
}

export interface VoiceSimEvents {
  command: [string];
  /** Audio the box played to the line (16-bit linear, 8 kHz). */
  heard: [Int16Array];
  state: [string];
  answered: [];
  onHook: [];
}

type Stream = 'command' | 'rx' | 'tx' | 'duplex';

export class SimulatedVoiceModem extends EventEmitter<VoiceSimEvents> {
  readonly commands: string[] = [];
  readonly heardChunks: Int16Array[] = [];
  dtmfEvents: boolean;
  dtmfTones: boolean;
  /** Whether the modem answers `AT+FCLASS=8` (false: a data-only modem). */
  voice = true;
  /** Whether the modem's detector reports busy and dial tone as <DLE>b / <DLE>d (false: only the tone is heard). */
  reportsLineTones = true;
  /** Report each ring burst as <DLE>R instead of a RING line (some modems in voice mode). */
  ringsAsDle = false;

  #port: ByteTransport | undefined;
  readonly #clock: Clock;
  readonly #o: { family: ModemFamily; duplex: boolean; ringIntervalMs: number; frameMs: number };
  #framer = new DleFramer();
  #echo = true;
  #fclass = 0;
  #codec: VoiceCodec | undefined;
  #vcid = false;
  #offHook = false;
  #stream: Stream = 'command';
  #frameTimer: TimerHandle | undefined;
  #ringTimer: TimerHandle | undefined;
  #ringing: { number: string | null; presentation: 'allowed' | 'restricted' | 'unavailable'; rings: number } | undefined;
  /** Caller audio waiting to be sent, 16-bit linear. */
  #speech: Int16Array[] = [];
  #speechPos = 0;
  /** DLE events to send with the next frame. */
  #pendingEvents: string[] = [];
  /** Continuous tone the line carries (busy tone after the caller hung up). */
  #lineTone: ((n: number) => Int16Array) | undefined;
  #frozen = false;
  #toneT = 0;

  constructor(o: VoiceSimOptions = {}) {
    super();
    this.#clock = o.clock ?? systemClock;
    this.#o = { family: o.family ?? 'conexant', duplex: o.duplex ?? true, ringIntervalMs: o.ringIntervalMs ?? 400, frameMs: o.frameMs ?? 20 };
    this.dtmfEvents = o.dtmfEvents ?? true;
    this.dtmfTones = o.dtmfTones ?? true;
  }

  /**
   * Attaches to the device end of a link (again after a replug or a host restart). The modem keeps its state:
   * one left in a voice stream goes on streaming, as a real one does when the host goes away mid-call.
   */
  attach(port: ByteTransport): void {
    this.#port = port;
    this.#framer = new DleFramer();
    if (this.#stream === 'tx' || this.#stream === 'duplex') this.#framer.enterAudio();
    if (this.#stream === 'rx' || this.#stream === 'duplex') this.#startFrames();
    port.on('data', (chunk) => this.#onData(chunk));
    port.on('close', () => {
      if (this.#port === port) {
        this.#port = undefined;
        this.#stopFrames();
        this.stopRinging();
      }
    });
  }

  get stream(): Stream {
    return this.#stream;
  }
  get offHook(): boolean {
    return this.#offHook;
  }
  get compression(): CompressionKind | undefined {
    return this.#codec?.kind;
  }
  /** Everything the caller heard, joined. */
  get heard(): Int16Array {
    const all = new Int16Array(this.heardChunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of this.heardChunks) {
      all.set(c, o);
      o += c.length;
    }
    return all;
  }

  // ---------------------------------------------------------------- the caller's line

  /** An incoming call: RING, caller ID after the first ring (when +VCID=1), RING every ring interval. */
  ring(number: string | null, presentation: 'allowed' | 'restricted' | 'unavailable' = number ? 'allowed' : 'unavailable'): void {
    this.#ringing = { number, presentation, rings: 0 };
    this.#speech = [];
    this.#speechPos = 0;
    this.#lineTone = undefined;
    this.#pendingEvents = [];
    this.#ringOnce();
  }

  /** The caller gives up before the answer: the rings stop. */
  stopRinging(): void {
    this.#ringing = undefined;
    this.#clock.clearTimeout(this.#ringTimer);
  }

  /** The caller speaks: queued audio (16-bit linear, 8 kHz), sent in +VRX/+VTR. */
  speak(pcm: Int16Array): void {
    this.#speech.push(pcm);
  }

  /** The caller presses keys: DTMF tones in the audio and/or the modem's DLE digit events. */
  press(digits: string, o: { onMs?: number; offMs?: number; levelDbm0?: number } = {}): void {
    const onMs = o.onMs ?? 70;
    const offMs = o.offMs ?? 70;
    if (this.dtmfEvents) {
      // The modem's detector reports each key as its tone is heard; in +VTX nothing queues before it.
      const queuedMs = this.#stream === 'tx' ? 0 : (this.#queuedSamples() / 8000) * 1000;
      [...digits].forEach((d, i) => this.#later(queuedMs + offMs + i * (onMs + offMs) + onMs / 2, () => this.#event(d)));
    }
    if (this.dtmfTones) this.speak(dtmfSequence(digits, { onMs, offMs, levelDbm0: o.levelDbm0 ?? -12 }));
  }

  /** The caller hangs up: loop-current drop ('l'), busy tone ('b' and the tone), dial tone ('d'), or just silence. */
  hangUp(style: HangupStyle = 'loop-drop'): void {
    this.#speech = [];
    this.#speechPos = 0;
    if (style === 'loop-drop') this.#event('l');
    else if (style === 'busy') {
      // China busy tone: 450 Hz, 0.35 s on / 0.35 s off (E.180 Suppl. 2, China).
      this.#lineTone = (n) => this.#tone(n, 450, 350, 350);
      if (this.reportsLineTones) this.#event('b');
    } else if (style === 'dial-tone') {
      this.#lineTone = (n) => this.#tone(n, 450, 1, 0);
      if (this.reportsLineTones) this.#event('d');
    }
  }

  // ---------------------------------------------------------------- faults

  /** Bytes that are neither a line nor a DLE code the driver knows. */
  garbage(bytes: Uint8Array = Buffer.from([0xff, 0x00, 0x7e, 0x10, 0x7a, 0x41, 0x54, 0x0d])): void {
    void this.#port?.write(bytes).catch(() => undefined);
  }

  /** A line cut short (no line ending), as after a glitch. */
  truncated(): void {
    void this.#port?.write('\r\nRI').catch(() => undefined);
  }

  /** The modem stops answering and streaming (firmware hang) until `thaw()` or a new pty. */
  freeze(): void {
    this.#frozen = true;
    this.#stopFrames();
  }

  thaw(): void {
    this.#frozen = false;
    if (this.#stream === 'rx' || this.#stream === 'duplex') this.#startFrames();
  }

  // ---------------------------------------------------------------- the modem

  #later(ms: number, fn: () => void): void {
    this.#clock.setTimeout(fn, ms);
  }

  #send(data: string | Uint8Array): void {
    if (this.#frozen) return;
    void this.#port?.write(data).catch(() => undefined);
  }

  #reply(...lines: string[]): void {
    this.#send(lines.map((l) => `\r\n${l}\r\n`).join(''));
  }

  #event(code: string): void {
    if (this.#stream === 'rx' || this.#stream === 'duplex') this.#pendingEvents.push(code);
    else this.#send(Buffer.from([DLE, code.charCodeAt(0)]));
  }

  #ringOnce(): void {
    const r = this.#ringing;
    if (!r || this.#offHook) return;
    r.rings += 1;
    if (this.ringsAsDle) this.#send(Buffer.from([DLE, 0x52]));
    else this.#reply('RING');
    if (r.rings === 1 && this.#vcid) {
      const nmbr = r.presentation === 'restricted' ? 'P' : r.number ?? 'O';
      this.#reply('DATE = 1130', 'TIME = 2200', `NMBR = ${nmbr}`);
    }
    this.#ringTimer = this.#clock.setTimeout(() => this.#ringOnce(), this.#o.ringIntervalMs);
  }

  #onData(chunk: Buffer): void {
    if (this.#frozen) return;
    for (const tok of this.#framer.push(chunk)) this.#onToken(tok);
  }

  #onToken(tok: DleToken): void {
    switch (tok.type) {
      case 'line':
        if (this.#stream === 'command') this.#command(tok.text);
        return;
      case 'audio':
        if (this.#codec && (this.#stream === 'tx' || this.#stream === 'duplex')) {
          const pcm = this.#codec.decode(tok.data);
          this.heardChunks.push(pcm);
          this.emit('heard', pcm);
        }
        return;
      case 'end': // <DLE><ETX> from the DTE: end of transmit data
        if (this.#stream === 'tx') this.#leave();
        return;
      case 'event':
        if (tok.code === '!' && this.#stream === 'rx') this.#leave();
        else if (tok.code === '^' && this.#stream === 'duplex') this.#leave();
        else if (tok.code === '\x18' && this.#stream === 'tx') {
          /* <DLE><CAN>: buffer cleared; the <DLE><ETX> that follows ends the state */
        }
        return;
      case 'overflow':
        return;
    }
  }

  #enter(s: Stream): void {
    this.#stream = s;
    this.emit('state', s);
    this.#reply('CONNECT');
    if (s === 'tx' || s === 'duplex') this.#framer.enterAudio();
    if (s === 'rx' || s === 'duplex') this.#startFrames();
  }

  #leave(): void {
    const s = this.#stream;
    this.#stopFrames();
    this.#framer.reset();
    this.#stream = 'command';
    this.emit('state', 'command');
    if (s === 'rx' || s === 'duplex') this.#send(Buffer.from([DLE, ETX]));
    this.#reply('OK');
  }

  #command(raw: string): void {
    const line = raw.trim();
    if (!line) return;
    if (this.#echo) this.#send(`${line}\r`);
    this.commands.push(line);
    this.emit('command', line);
    const u = line.toUpperCase();
    const ok = () => this.#reply('OK');
    const err = () => this.#reply('ERROR');
    if (!u.startsWith('AT')) return err();
    const cmd = u.slice(2);
    if (cmd === '' || cmd === 'Z') return ok();
    if (/^(E[01]|V1|E0V1|V1E0)+$/.test(cmd)) {
      if (cmd.includes('E0')) this.#echo = false;
      if (cmd.includes('E1')) this.#echo = true;
      return ok();
    }
    if (cmd === 'H' || cmd === 'H0') {
      this.#offHook = false;
      this.#ringing = undefined;
      this.emit('onHook');
      return ok();
    }
    if (cmd === '+FCLASS=8') {
      if (!this.voice) return err();
      this.#fclass = 8;
      return ok();
    }
    if (cmd === '+FCLASS=0') {
      this.#fclass = 0;
      return ok();
    }
    if (this.#fclass !== 8 && cmd.startsWith('+V')) return err();
    if (cmd === '+VSM=?') return this.#reply(...VSM_LISTS[this.#o.family], 'OK');
    const vsm = /^\+VSM=(\d+)(?:,(\d+))?/.exec(cmd);
    if (vsm) {
      const m = parseVsmList([...VSM_LISTS[this.#o.family]]).find((x) => x.cml === Number(vsm[1]));
      const kind = m && kindOf(m);
      if (!kind || (vsm[2] && vsm[2] !== '8000')) return err();
      this.#codec = new VoiceCodec(kind);
      return ok();
    }
    if (cmd === '+VCID=1' || cmd === '+VCID=0') {
      this.#vcid = cmd.endsWith('1');
      return ok();
    }
    if (cmd.startsWith('+VSD=') || cmd.startsWith('+VIT=')) return ok();
    if (cmd === '+VTR=?') return this.#o.duplex ? ok() : err();
    if (cmd === '+VLS=1' || cmd === 'A') {
      this.#offHook = true;
      this.#clock.clearTimeout(this.#ringTimer);
      this.#ringing = undefined;
      this.emit('answered');
      return cmd === 'A' ? this.#reply('VCON') : ok();
    }
    if (cmd === '+VLS=0') {
      this.#offHook = false;
      return ok();
    }
    if (cmd === '+VRX' || cmd === '+VTX' || (cmd === '+VTR' && this.#o.duplex)) {
      if (!this.#codec || !this.#offHook) return err();
      return this.#enter(cmd === '+VRX' ? 'rx' : cmd === '+VTX' ? 'tx' : 'duplex');
    }
    return err();
  }

  #queuedSamples(): number {
    return this.#speech.reduce((n, c) => n + c.length, 0) - this.#speechPos;
  }

  #startFrames(): void {
    this.#stopFrames();
    const tick = () => {
      this.#frame();
      this.#frameTimer = this.#clock.setTimeout(tick, this.#o.frameMs);
    };
    this.#frameTimer = this.#clock.setTimeout(tick, this.#o.frameMs);
  }

  #stopFrames(): void {
    this.#clock.clearTimeout(this.#frameTimer);
    this.#frameTimer = undefined;
  }

  /** One frame of the caller's audio (or silence, or the line's tone), with pending events after it. */
  #frame(): void {
    if (!this.#codec || this.#frozen) return;
    const n = (8000 * this.#o.frameMs) / 1000;
    let pcm: Int16Array;
    if (this.#lineTone) pcm = this.#lineTone(n);
    else {
      pcm = new Int16Array(n);
      let filled = 0;
      while (filled < n && this.#speech.length) {
        const cur = this.#speech[0]!;
        const take = Math.min(n - filled, cur.length - this.#speechPos);
        pcm.set(cur.subarray(this.#speechPos, this.#speechPos + take), filled);
        filled += take;
        this.#speechPos += take;
        if (this.#speechPos >= cur.length) {
          this.#speech.shift();
          this.#speechPos = 0;
        }
      }
    }
    const parts: Buffer[] = [shield(this.#codec.encode(pcm))];
    for (const e of this.#pendingEvents.splice(0)) parts.push(Buffer.from([DLE, e.charCodeAt(0)]));
    this.#send(Buffer.concat(parts));
  }

  #tone(n: number, hz: number, onMs: number, offMs: number): Int16Array {
    const out = new Int16Array(n);
    const period = ((onMs + offMs) * 8000) / 1000;
    for (let i = 0; i < n; i++, this.#toneT++) {
      const on = offMs === 0 || this.#toneT % period < (onMs * 8000) / 1000;
      out[i] = on ? Math.round(6000 * Math.sin((2 * Math.PI * hz * this.#toneT) / 8000)) : 0;
    }
    return out;
  }
}
