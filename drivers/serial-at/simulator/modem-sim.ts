// A simulated GSM modem with behaviours, for the far end of a link (an in-memory pair in unit tests,
// the other end of a socat pty pair in integration tests, or a real serial null-modem). It keeps
// the rules of a real module that the driver relies on: one command line at a time, final result
// codes, the `> ` prompt of AT+CMGS, messages stored with +CMTI, RING/+CLIP for calls.
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../../common/clock.js';
import { systemClock } from '../../../common/clock.js';
import { bytesToHex, decodeSubmitBytes, encodeDeliver, encodeStatusReport, hexToBytes, type SmsSubmit } from '../pdu/index.js';
import { chooseAlphabet, splitText } from '../pdu/submit.js';
import type { ByteTransport } from '../transport.js';
import { parseWavPcm16, wavPcm16, xorChecksum16 } from '../files.js';

export interface StoredMessage {
  stat: number;
  pdu: string;
}

export interface IncomingSmsSpec {
  from: string;
  text: string;
  /** Storage the module puts it in, as +CMTI then names (default SM). */
  storage?: 'SM' | 'ME';
  /** Delivery order of the parts, 1-based (e.g. [3, 1, 2]); default in order. */
  order?: number[];
  /** Store without +CMTI (a message that arrived while the box was down). */
  silent?: boolean;
  /** Concatenation reference; default a counter. */
  reference?: number;
  reference16?: boolean;
  /** Leave these part numbers out (a part that never arrives). */
  drop?: number[];
  timestamp?: Date;
}

export interface SimOptions {
  clock?: Clock;
  /** Time zone the simulated SC stamps messages with, minutes (default +480, China). */
  offsetMinutes?: number;
  /** Gap between RINGs, ms (default 3000, as a GSM module). */
  ringIntervalMs?: number;
  /** Delay before `RDY` after AT+CFUN=1,1, ms (default 50). */
  restartMs?: number;
  /** How long the module's TTS takes per character before its end URC, ms (default 200). */
  ttsMsPerChar?: number;
  /**
   * Which voice-port command the firmware knows: Quectel AT+QPCMV, SIMCom AT+CPCMREG, both (default) or none
   * (a module without voice over USB answers ERROR). The audio itself is voice-sim.ts, on a second port.
   */
  pcm?: 'quectel' | 'simcom' | 'both' | 'none';
  /** Bytes of file storage on the module (UFS / E:), default 1 MiB; full storage refuses uploads and cuts recordings. */
  fileStorageBytes?: number;
  /** What ATI answers (default a Quectel EC20F's identification). */
  model?: string;
  /** What AT+CGSN answers (default 866758041234567). */
  imei?: string;
  /** The operator AT+COPS? names while registered (default CHINA MOBILE). */
  operator?: string;
}

type Freeze = { kind: 'none' } | { kind: 'until-reset' } | { kind: 'commands'; remaining: number };

export interface SimEvents {
  command: [string];
  sent: [SmsSubmit & { hex: string }];
  restarted: [];
  deleted: [number, 'SM' | 'ME'];
  /** The module started speaking this text (AT+CTTS / AT+QTTS, UCS2 decoded). */
  spoke: [string];
  /** Voice on the voice port starts (true: a call is up and the host asked for PCM) or stops. */
  voice: [boolean];
  /** A file stored on the module was played into the call (its name and length, ms). */
  played: [string, number];
  /** A file arrived on the module (AT+QFUPL / AT+CFTRANRX), whole or not. */
  stored: [string, number];
  /** The module's recording of a call was closed into this file. */
  recorded: [string, number];
}

export class SimulatedModem extends EventEmitter<SimEvents> {
  /** SIM message storage ("SM"). */
  readonly storage = new Map<number, StoredMessage>();
  /** The module's own message storage ("ME"), where some modules store when told or when the SIM is full. */
  readonly phoneStorage = new Map<number, StoredMessage>();
  readonly sent: Array<SmsSubmit & { hex: string }> = [];
  readonly commands: string[] = [];
  sim = 'READY';
  rssi = 21;
  creg = 1;
  /** ATI's answer; null: the module refuses ATI (ERROR). */
  model: string | null;
  /** AT+CGSN's answer; null: refused. */
  imei: string | null;
  /** The operator named by AT+COPS? while registered (creg 1 or 5). */
  operator: string;
  /** Set to make the next AT+CMGS fail with this +CMS ERROR code. */
  nextSendError: number | undefined;
  /** Destinations (as in the PDU) whose every AT+CMGS body hangs the module until reset (a send it chokes on). */
  readonly hangOnSendTo = new Set<string>();
  /** Whether the firmware has TTS (AT+CTTS / AT+QTTS); false answers ERROR, as a module without it. */
  tts = true;
  /** Texts spoken by the module's TTS, in order. */
  readonly spoken: string[] = [];
  /** Speech cut short by AT+CTTS=0 / AT+QTTS=0. */
  ttsStops = 0;
  /** Send a +CDS status report after each accepted part. */
  statusReports = false;
  resets = 0;
  /** Files on the module (UFS: / E:/ …), by full name. Kept across restarts (flash). */
  readonly files = new Map<string, Buffer>();
  /** Names of the files played into calls, in order. */
  readonly played: string[] = [];
  /** Storage size, bytes (see SimOptions.fileStorageBytes). */
  fileStorageBytes: number;
  /** Cut the next download (AT+QFDWL / AT+CFTRANTX) after this many bytes of the file: bytes lost on the line. */
  truncateNextDownload: number | undefined;
  /** Stop taking the next upload's bytes after this many (the host sees the module's short count or a timeout). */
  truncateNextUpload: number | undefined;
  /** Uploads (AT+QFUPL / AT+CFTRANRX) that reached the module, whole or not. */
  uploads = 0;

  #port: ByteTransport | undefined;
  #clock: Clock;
  #o: Required<Omit<SimOptions, 'clock' | 'pcm' | 'fileStorageBytes' | 'model' | 'imei' | 'operator'>>;
  #echo = true;
  #buf = '';
  #pendingCmgs: number | undefined;
  #freeze: Freeze = { kind: 'none' };
  #mr = 0;
  #ref = 0;
  #ringTimer: TimerHandle | undefined;
  #call: { number: string | null; state: 'ringing' | 'active' } | undefined;
  #freezeOnSend = false;
  #dtmf: 'off' | 'ddet' | 'qtonedet' = 'off';
  #mem1: 'SM' | 'ME' = 'SM';
  #speech: { timer: TimerHandle; urc: string } | undefined;
  #pcm: 'quectel' | 'simcom' | 'both' | 'none';
  /** AT+QPCMV=1,0 (kept across calls) / AT+CPCMREG=1 (per call; the host must send =0 after hang-up). */
  #qpcmv = false;
  #cpcmreg = false;
  #streaming = false;
  #upload: { family: 'quectel' | 'simcom'; name: string; size: number; got: string; limit: number; timer: TimerHandle | undefined; timeoutMs: number } | undefined;
  #heldUrcs: string[] = [];
  #playing: { timer: TimerHandle; family: 'quectel' | 'simcom' } | undefined;
  #recording: { family: 'quectel' | 'simcom'; name: string; chunks: Int16Array[] } | undefined;

  constructor(opts: SimOptions = {}) {
    super();
    this.fileStorageBytes = opts.fileStorageBytes ?? 1 << 20;
    this.model = opts.model ?? 'Quectel EC20F Revision: EC20CEFAGR06A05M4G';
    this.imei = opts.imei ?? '866758041234567';
    this.operator = opts.operator ?? 'CHINA MOBILE';
    this.#clock = opts.clock ?? systemClock;
    this.#pcm = opts.pcm ?? 'both';
    this.#o = {
      offsetMinutes: opts.offsetMinutes ?? 480,
      ringIntervalMs: opts.ringIntervalMs ?? 3000,
      restartMs: opts.restartMs ?? 50,
      ttsMsPerChar: opts.ttsMsPerChar ?? 200,
    };
  }

  /** Attaches to the device end of a link (again after a replug). */
  attach(port: ByteTransport): void {
    this.#port = port;
    this.#buf = '';
    this.#pendingCmgs = undefined;
    port.on('data', (chunk) => this.#onData(chunk));
    port.on('close', () => {
      if (this.#port === port) this.#port = undefined;
    });
  }

  get attached(): boolean {
    return this.#port !== undefined && this.#port.isOpen;
  }

  // ------------------------------------------------------------ behaviours

  /** Stops answering: until AT+CFUN=1,1 (a hung module whose reset line still works), or for n command lines. */
  stopAnswering(until: 'reset' | number = 'reset'): void {
    this.#freeze = until === 'reset' ? { kind: 'until-reset' } : { kind: 'commands', remaining: until };
  }

  /** Hangs (until reset) the moment the next PDU body of AT+CMGS arrives, without answering it. */
  freezeOnNextSend(): void {
    this.#freezeOnSend = true;
  }

  get answering(): boolean {
    return this.#freeze.kind === 'none';
  }

  /** Writes raw bytes (noise, or a hand-made line) to the host. */
  garble(bytes: Uint8Array | string): void {
    this.#write(typeof bytes === 'string' ? bytes : Buffer.from(bytes));
  }

  /** Stores a raw PDU (e.g. a truncated one, or a status report) and announces it unless silent. */
  storeRaw(pdu: string, silent = false, storage: 'SM' | 'ME' = 'SM'): number {
    const mem = this.#mem(storage);
    let index = 1;
    while (mem.has(index)) index++;
    mem.set(index, { stat: 0, pdu });
    if (!silent) this.#urc(`+CMTI: "${storage}",${index}`);
    return index;
  }

  /** The storage AT+CMGR/CMGL/CMGD now work on (AT+CPMS <mem1>; SM after a restart). */
  get readStorage(): 'SM' | 'ME' {
    return this.#mem1;
  }

  #mem(name: 'SM' | 'ME'): Map<number, StoredMessage> {
    return name === 'ME' ? this.phoneStorage : this.storage;
  }

  /** Delivers a text as the network would: one PDU per part, stored, each with +CMTI. Returns the indexes. */
  deliverSms(spec: IncomingSmsSpec): number[] {
    const alphabet = chooseAlphabet(spec.text);
    const chunks = splitText(spec.text, alphabet, spec.reference16 ? 7 : 6);
    const total = chunks.length;
    const reference = spec.reference ?? (this.#ref = (this.#ref + 1) % 256);
    const order = spec.order ?? chunks.map((_, i) => i + 1);
    const indexes: number[] = [];
    for (const seq of order) {
      if (spec.drop?.includes(seq)) continue;
      const text = chunks[seq - 1];
      if (text === undefined) continue;
      const pdu = bytesToHex(
        encodeDeliver({
          from: spec.from,
          text,
          alphabet,
          timestamp: spec.timestamp ?? new Date(this.#clock.now()),
          offsetMinutes: this.#o.offsetMinutes,
          ...(total > 1 ? { concat: { reference, referenceBits: spec.reference16 ? 16 : 8, total, sequence: seq } } : {}),
        }),
      );
      indexes.push(this.storeRaw(pdu, spec.silent, spec.storage));
    }
    return indexes;
  }

  /** An incoming call: RING and +CLIP now and every ringIntervalMs until answered or abandoned. */
  ring(number: string | null): void {
    this.#call = { number, state: 'ringing' };
    const once = () => {
      if (this.#call?.state !== 'ringing') return;
      this.#urc('RING');
      if (number === null) this.#urc('+CLIP: "",128,"",0,"",1');
      else this.#urc(`+CLIP: "${number}",${number.startsWith('+') ? 145 : 129},"",0,"",0`);
      this.#ringTimer = this.#clock.setTimeout(once, this.#o.ringIntervalMs);
    };
    once();
  }

  /** The caller hangs up (while ringing: the RINGs just stop, as on most modules). */
  callerHangsUp(): void {
    const c = this.#call;
    this.#clock.clearTimeout(this.#ringTimer);
    this.#clock.clearTimeout(this.#speech?.timer);
    this.#speech = undefined;
    this.#call = undefined;
    if (c?.state === 'active') this.#urc('NO CARRIER');
    this.#callOver();
    this.#voiceState();
  }

  /** The call ended: a file playing stops, a recording is closed (as a module does on its own). */
  #callOver(): void {
    if (this.#playing) {
      this.#clock.clearTimeout(this.#playing.timer);
      this.#playing = undefined;
    }
    if (this.#recording) this.#closeRecording(true);
  }

  /**
   * The caller speaks (8 kHz linear), in real time on the modem's clock, 20 ms at a time: what the module's own
   * recording hears while it runs (speech before AT+QAUDRD / AT+CREC or after the call is not in the file).
   * Resolves when the last sample has been spoken (or the call ended).
   */
  callerSpeaks(pcm: Int16Array): Promise<void> {
    const FRAME = 160;
    const t0 = this.#clock.now();
    let pos = 0;
    return new Promise((resolve) => {
      const tick = () => {
        const due = Math.min(pcm.length, Math.floor(((this.#clock.now() - t0) * 8000) / 1000) + FRAME);
        if (this.#call?.state !== 'active') return resolve();
        while (pos < due) {
          const frame = pcm.subarray(pos, Math.min(due, pos + FRAME));
          this.#recording?.chunks.push(frame);
          pos += frame.length;
        }
        if (pos >= pcm.length) return resolve();
        this.#clock.setTimeout(tick, 20);
      };
      tick();
    });
  }

  /** Bytes used in the file storage. */
  get fileBytesUsed(): number {
    let n = 0;
    for (const b of this.files.values()) n += b.length;
    return n;
  }

  /** Whether the module records a call now. */
  get recording(): boolean {
    return this.#recording !== undefined;
  }

  #closeRecording(urc: boolean): void {
    const r = this.#recording!;
    this.#recording = undefined;
    const n = r.chunks.reduce((a, c) => a + c.length, 0);
    const pcm = new Int16Array(n);
    let o = 0;
    for (const c of r.chunks) {
      pcm.set(c, o);
      o += c.length;
    }
    let wav = wavPcm16(pcm);
    // Full storage: the module keeps what fits (a recording cut short; its header still says the whole length).
    const room = Math.max(0, this.fileStorageBytes - this.fileBytesUsed);
    if (wav.length > room) wav = wav.subarray(0, room);
    this.files.set(r.name, Buffer.from(wav));
    this.emit('recorded', r.name, n / 8);
    if (urc) this.#urc(r.family === 'quectel' ? '+QAUDRIND: 0,0' : '+RECSTATE: crec stop');
  }

  /**
   * The caller presses keys. As on a real module the tones are only reported when the host turned
   * the detector on: one `+DTMF: <d>` per digit after AT+DDET=1 (SIMCom), `+QTONEDET: <ascii>` after
   * AT+QTONEDET=1 (Quectel); otherwise they are just audio and nothing is sent.
   */
  callerPresses(digits: string): void {
    if (this.#call?.state !== 'active' || this.#dtmf === 'off') return;
    for (const d of digits) this.#urc(this.#dtmf === 'ddet' ? `+DTMF: ${d}` : `+QTONEDET: ${d.charCodeAt(0)}`);
  }

  /** Which DTMF detector the host turned on (reset by a module restart). */
  get dtmfDetection(): 'off' | 'ddet' | 'qtonedet' {
    return this.#dtmf;
  }

  /** Whether the module streams the call's voice on its voice port now. */
  get streaming(): boolean {
    return this.#streaming;
  }

  /** Whether AT+CPCMREG is still 1 (the host did not send =0 after the last call). */
  get pcmRegistered(): boolean {
    return this.#cpcmreg;
  }

  #voiceState(): void {
    const on = this.#call?.state === 'active' && (this.#qpcmv || this.#cpcmreg);
    if (on === this.#streaming) return;
    this.#streaming = on;
    this.emit('voice', on);
  }

  get call(): { number: string | null; state: 'ringing' | 'active' } | undefined {
    return this.#call ? { ...this.#call } : undefined;
  }

  // ------------------------------------------------------------ protocol

  #write(data: string | Buffer): void {
    this.#port?.write(data).catch(() => {
      /* the host went away; the link owner reattaches */
    });
  }

  #urc(line: string): void {
    if (this.#freeze.kind !== 'none') return;
    // In data mode (an upload's bytes) URCs wait and follow its result, as modules cache them.
    if (this.#upload) this.#heldUrcs.push(line);
    else this.#write(`\r\n${line}\r\n`);
  }

  #reply(...lines: string[]): void {
    this.#write(lines.map((l) => `\r\n${l}\r\n`).join(''));
  }


  #onData(chunk: Buffer): void {
    this.#buf += chunk.toString('latin1');
    for (;;) {
      if (this.#upload) {
        const u = this.#upload;
        const take = Math.min(u.size - u.got.length, this.#buf.length);
        // Bytes past the limit are lost (a cable that drops them); the module only counts what it got.
        const keep = Math.max(0, Math.min(take, u.limit - u.got.length));
        u.got += this.#buf.slice(0, keep);
        this.#buf = this.#buf.slice(take);
        if (u.got.length >= u.size) this.#finishUpload();
        else if (take > 0) this.#armUpload();
        if (this.#upload) return;
        continue;
      }
      if (this.#pendingCmgs !== undefined) {
        // PDU body: ends with Ctrl-Z (send) or ESC (cancel), TS 27.005 §3.5.1.
        const end = this.#buf.search(/[\x1a\x1b]/);
        if (end < 0) return;
        const body = this.#buf.slice(0, end).replace(/[\r\n]/g, '');
        const cancelled = this.#buf[end] === '\x1b';
        this.#buf = this.#buf.slice(end + 1);
        const len = this.#pendingCmgs;
        this.#pendingCmgs = undefined;
        if (cancelled) this.#reply('OK');
        else this.#onSubmit(len, body);
        continue;
      }
      const cr = this.#buf.indexOf('\r');
      if (cr < 0) return;
      // Control characters outside text entry (a stray ESC, LF) are ignored, as modules do.
      const line = this.#buf.slice(0, cr).replace(/[\x00-\x1f]/g, '').trim();
      this.#buf = this.#buf.slice(cr + 1);
      if (line) this.#onCommand(line);
    }
  }

  #onCommand(line: string): void {
    this.commands.push(line);
    this.emit('command', line);
    const upper = line.toUpperCase();
    if (this.#freeze.kind === 'until-reset') {
      if (upper === 'AT+CFUN=1,1') this.#restart(false);
      return;
    }
    if (this.#freeze.kind === 'commands') {
      if (--this.#freeze.remaining <= 0) this.#freeze = { kind: 'none' };
      return;
    }
    if (this.#echo) this.#write(`${line}\r`);
    this.#handle(upper, line);
  }

  #handle(upper: string, line: string): void {
    const ok = () => this.#reply('OK');
    if (upper === 'AT' || upper === 'AT+CMEE=1' || upper === 'AT+CMGF=0' || upper === 'AT+CLIP=1') return ok();
    if (upper.startsWith('AT+CNMI=') || upper.startsWith('AT+CSCA=')) return ok();
    if (upper === 'ATE0' || upper === 'ATE1') {
      this.#echo = upper === 'ATE1';
      return ok();
    }
    if (this.#voiceCommand(upper) || this.#files(upper, line) || this.#smsCommand(upper) || this.#callCommand(upper)) return;
    if (upper === 'AT+CPIN?') return this.sim === 'READY' ? this.#reply('+CPIN: READY', 'OK') : this.#reply(`+CME ERROR: ${this.sim}`);
    if (upper === 'AT+CSQ') return this.#reply(`+CSQ: ${this.rssi},99`, 'OK');
    if (upper === 'AT+CREG?') return this.#reply(`+CREG: 0,${this.creg}`, 'OK');
    if (upper === 'ATI') return this.model === null ? this.#reply('ERROR') : this.#reply(this.model, 'OK');
    if (upper === 'AT+CGSN') return this.imei === null ? this.#reply('ERROR') : this.#reply(this.imei, 'OK');
    // +COPS: <mode>,<format 0: long name>,"<oper>",<AcT 7: E-UTRAN> while registered; only the mode when not.
    if (upper === 'AT+COPS?') return this.#reply(this.creg === 1 || this.creg === 5 ? `+COPS: 0,0,"${this.operator}",7` : '+COPS: 0', 'OK');
    if (upper === 'AT+CFUN=1,1') {
      ok();
      return this.#restart(true);
    }
    void line;
    return this.#reply('ERROR');
  }

  /** DTMF detection, TTS, and voice over the USB serial port (Quectel AT+QPCMV, SIMCom AT+CPCMREG). Returns true when the line was one of them. */
  #voiceCommand(upper: string): boolean {
    let d = /^AT\+DDET=([01])(?:,.*)?$/.exec(upper);
    if (d) {
      this.#dtmf = d[1] === '1' ? 'ddet' : 'off';
      return this.#ok();
    }
    d = /^AT\+QTONEDET=([01])$/.exec(upper);
    if (d) {
      this.#dtmf = d[1] === '1' ? 'qtonedet' : 'off';
      return this.#ok();
    }
    // TTS (SIMCom AT+CTTS, Quectel AT+QTTS): mode 1 speaks UCS2 hex text, mode 0 stops; the end of
    // speech is reported as +CTTS: 0 / +QTTS: 0. AT+CDTAM=1 routes it to the far end of the call.
    if (/^AT\+CDTAM=[01]$/.test(upper)) return this.tts ? this.#ok() : this.#err();
    // Voice over the USB serial port. Quectel AT+QPCMV=<enable>[,<port>] (port 0: USB serial; the simulator
    // has no UAC, so 2 is refused), AT+QPCMV? → +QPCMV: <enable>,<port>. SIMCom AT+CPCMREG=<0|1>: only on a
    // call, and =1 again without =0 after the previous call fails, as users of SIM7600 report.
    if (this.#pcm === 'quectel' || this.#pcm === 'both') {
      if (upper === 'AT+QPCMV?') return this.#answer(`+QPCMV: ${this.#qpcmv ? 1 : 0},0`, 'OK');
      const q = /^AT\+QPCMV=([01])(?:,(\d))?$/.exec(upper);
      if (q) {
        if (q[1] === '1' && (q[2] ?? '0') !== '0') return this.#err();
        this.#qpcmv = q[1] === '1';
        this.#reply('OK');
        this.#voiceState();
        return true;
      }
    }
    if (this.#pcm === 'simcom' || this.#pcm === 'both') {
      if (upper === 'AT+CPCMREG?') return this.#answer(`+CPCMREG: ${this.#cpcmreg ? 1 : 0}`, 'OK');
      const c = /^AT\+CPCMREG=([01])$/.exec(upper);
      if (c) {
        if (c[1] === '1' && (this.#call?.state !== 'active' || this.#cpcmreg)) return this.#err();
        this.#cpcmreg = c[1] === '1';
        this.#reply('OK');
        this.#voiceState();
        return true;
      }
    }
    const tts = /^AT\+(CTTS|QTTS)=([01])(?:,"([0-9A-F]*)")?$/.exec(upper);
    if (tts) {
      if (!this.tts) return this.#err();
      const urc = `+${tts[1]}: 0`;
      if (tts[2] === '0') {
        if (this.#speech) this.ttsStops += 1;
        this.#clock.clearTimeout(this.#speech?.timer);
        this.#speech = undefined;
        return this.#ok();
      }
      const hex = tts[3] ?? '';
      if (hex.length === 0 || hex.length % 4 !== 0) return this.#err();
      let text = '';
      for (let i = 0; i < hex.length; i += 4) text += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
      this.#clock.clearTimeout(this.#speech?.timer);
      this.#reply('OK');
      this.spoken.push(text);
      this.emit('spoke', text);
      const timer = this.#clock.setTimeout(() => {
        this.#speech = undefined;
        this.#urc(urc);
      }, this.#o.ttsMsPerChar * text.length);
      this.#speech = { timer, urc };
      return true;
    }
    return false;
  }

  /** Short messages in PDU mode: storages, read, list, delete, send (TS 27.005 §3). Returns true when the line was one of them. */
  #smsCommand(upper: string): boolean {
    // Message storages (TS 27.005 §3.2.2): <mem1> is where AT+CMGR/CMGL/CMGD read and delete.
    if (upper === 'AT+CPMS?') {
      const n = (m: 'SM' | 'ME') => `${this.#mem(m).size},30`;
      return this.#answer(`+CPMS: "${this.#mem1}",${n(this.#mem1)},"SM",${n('SM')},"SM",${n('SM')}`, 'OK');
    }
    const cpms = /^AT\+CPMS="([A-Z]+)"/.exec(upper);
    if (cpms) {
      if (cpms[1] !== 'SM' && cpms[1] !== 'ME') return this.#answer('+CMS ERROR: 302'); // operation not allowed
      this.#mem1 = cpms[1];
      const n = (m: 'SM' | 'ME') => `${this.#mem(m).size},30`;
      return this.#answer(`+CPMS: ${n(this.#mem1)},${n('SM')},${n('SM')}`, 'OK');
    }
    let m = /^AT\+CMGR=(\d+)$/.exec(upper);
    if (m) {
      const s = this.#mem(this.#mem1).get(Number(m[1]));
      if (!s) return this.#err(321); // invalid memory index
      this.#reply(`+CMGR: ${s.stat},,${Math.max(0, s.pdu.length / 2 - 1 - this.#scaLen(s.pdu))}`);
      this.#write(`${s.pdu}\r\n\r\nOK\r\n`);
      if (s.stat === 0) s.stat = 1;
      return true;
    }
    if (upper === 'AT+CMGL=4') {
      let out = '';
      for (const [i, s] of [...this.#mem(this.#mem1)].sort((a, b) => a[0] - b[0])) {
        out += `\r\n+CMGL: ${i},${s.stat},,${Math.max(0, s.pdu.length / 2 - 1 - this.#scaLen(s.pdu))}\r\n${s.pdu}`;
      }
      this.#write(`${out}\r\n\r\nOK\r\n`);
      return true;
    }
    m = /^AT\+CMGD=(\d+)/.exec(upper);
    if (m) {
      this.#mem(this.#mem1).delete(Number(m[1]));
      this.emit('deleted', Number(m[1]), this.#mem1);
      return this.#ok();
    }
    m = /^AT\+CMGS=(\d+)$/.exec(upper);
    if (m) {
      this.#pendingCmgs = Number(m[1]);
      this.#write('\r\n> ');
      return true;
    }
    return false;
  }

  /** The call: answer, hang up, send a tone. Returns true when the line was one of them. */
  #callCommand(upper: string): boolean {
    if (upper === 'ATA') {
      if (this.#call?.state !== 'ringing') return this.#answer('NO CARRIER');
      this.#clock.clearTimeout(this.#ringTimer);
      this.#call.state = 'active';
      this.#reply('OK');
      this.#voiceState();
      return true;
    }
    if (upper === 'ATH' || upper === 'AT+CHUP') {
      this.#clock.clearTimeout(this.#ringTimer);
      this.#call = undefined;
      this.#callOver();
      this.#reply('OK');
      this.#voiceState();
      return true;
    }
    if (/^AT\+VTS=[0-9*#A-D]$/.test(upper)) return this.#call?.state === 'active' ? this.#ok() : this.#answer('+CME ERROR: 3');
    return false;
  }

  #ok(): true {
    this.#reply('OK');
    return true;
  }

  /** ERROR, or a +CMS ERROR with its number. */
  #err(n?: number): true {
    this.#reply(n === undefined ? 'ERROR' : `+CMS ERROR: ${n}`);
    return true;
  }

  #answer(...lines: string[]): true {
    this.#reply(...lines);
    return true;
  }

  /**
   * File commands: Quectel AT+QFUPL / AT+QFDWL / AT+QFLST / AT+QFDEL / AT+QPSND / AT+QAUDRD (EC2x FILE and audio
   * manuals), SIMCom AT+CFTRANRX / AT+CFTRANTX / AT+FSDEL / AT+CCMXPLAY / AT+CCMXSTOP / AT+CREC (SIM7500/SIM7600
   * manual). Errors as the modules give them with AT+CMEE=1: Quectel 403 drive full, 405 file not found, 407 file
   * exists; SIMCom (TS 27.007 §9.2.1) 20 memory full, 22 not found. Returns true when the line was one of them.
   */
  #files(upper: string, line: string): boolean {
    const cme = (n: number) => this.#reply(`+CME ERROR: ${n}`);
    const name = (q: string | undefined) => q ?? '';
    const active = this.#call?.state === 'active';
    let m = /^AT\+QFUPL="([^"]+)"(?:,(\d+)(?:,(\d+)(?:,[01])?)?)?$/i.exec(line);
    if (m) {
      const n = name(m[1]);
      const size = Number(m[2] ?? 10240);
      if (this.files.has(n)) return cme(407), true;
      if (this.fileBytesUsed + size > this.fileStorageBytes) return cme(403), true;
      this.#beginUpload('quectel', n, size, Number(m[3] ?? 5) * 1000);
      this.#write('\r\nCONNECT\r\n');
      return true;
    }
    m = /^AT\+CFTRANRX="([^"]+)",(\d+)$/i.exec(line);
    if (m) {
      const n = name(m[1]);
      const size = Number(m[2]);
      const room = this.fileStorageBytes - this.fileBytesUsed + (this.files.get(n)?.length ?? 0);
      if (size > room) return cme(20), true;
      this.#beginUpload('simcom', n, size, 3000);
      this.#write('\r\n>');
      return true;
    }
    m = /^AT\+QFDWL="([^"]+)"$/i.exec(line);
    if (m) {
      const data = this.files.get(name(m[1]));
      if (!data) return cme(405), true;
      const sent = this.#cut(data);
      this.#write(Buffer.concat([Buffer.from('\r\nCONNECT\r\n', 'latin1'), sent, Buffer.from(`\r\n+QFDWL: ${data.length},${xorChecksum16(data).toString(16)}\r\n\r\nOK\r\n`, 'latin1')]));
      return true;
    }
    m = /^AT\+CFTRANTX="([^"]+)"$/i.exec(line);
    if (m) {
      const data = this.files.get(name(m[1]));
      if (!data) return cme(22), true;
      const cut = this.truncateNextDownload;
      this.truncateNextDownload = undefined;
      const parts: Buffer[] = [];
      for (let o = 0; o < data.length; o += 2048) {
        const chunk = data.subarray(o, Math.min(data.length, o + 2048));
        parts.push(Buffer.from(`\r\n+CFTRANTX: DATA,${chunk.length}\r\n`, 'latin1'));
        // The header announces the chunk; bytes past the cut never arrive.
        parts.push(cut === undefined ? chunk : chunk.subarray(0, Math.max(0, Math.min(chunk.length, cut - o))));
        if (cut !== undefined && o + chunk.length > cut) break;
      }
      if (cut === undefined) parts.push(Buffer.from('\r\n+CFTRANTX: 0\r\n\r\nOK\r\n', 'latin1'));
      this.#write(Buffer.concat(parts));
      return true;
    }
    m = /^AT\+QFLST="([^"]+)"$/i.exec(line);
    if (m) {
      const pattern = name(m[1]);
      const list = [...this.files].filter(([n]) => pattern === '*' || n === pattern || (pattern.endsWith('*') && n.startsWith(pattern.slice(0, -1))));
      if (!list.length) return cme(405), true;
      this.#reply(...list.map(([n, b]) => `+QFLST: "${n}",${b.length}`), 'OK');
      return true;
    }
    m = /^AT\+(QFDEL|FSDEL)="([^"]+)"$/i.exec(line);
    if (m) {
      if (!this.files.delete(name(m[2]))) return cme(m[1]!.toUpperCase() === 'QFDEL' ? 405 : 22), true;
      this.#reply('OK');
      return true;
    }
    m = /^AT\+QPSND=1,"([^"]+)",\d+(?:,[01],[01])?$/i.exec(line);
    if (m) return this.#play('quectel', name(m[1])), true;
    m = /^AT\+CCMXPLAY="([^"]+)"(?:,([01]))?(?:,\d+)?$/i.exec(line);
    if (m) return this.#play('simcom', name(m[1])), true;
    if (upper === 'AT+QPSND=0' || upper === 'AT+CCMXSTOP') {
      const p = this.#playing;
      if (p) {
        this.#clock.clearTimeout(p.timer);
        this.#playing = undefined;
      }
      this.#reply(...(upper === 'AT+CCMXSTOP' ? ['+CCMXSTOP:'] : []), 'OK');
      if (p?.family === 'simcom') this.#urc('+AUDIOSTATE: audio play stop');
      return true;
    }
    m = /^AT\+QAUDRD=1,"([^"]+)",(\d+),([0-2])$/i.exec(line);
    if (m) {
      if (!active || this.#recording || m[2] !== '13') return this.#reply('ERROR'), true;
      if (this.fileBytesUsed + 44 > this.fileStorageBytes) return cme(403), true;
      this.#recording = { family: 'quectel', name: name(m[1]), chunks: [] };
      this.#reply('OK');
      return true;
    }
    m = /^AT\+CREC=([23]),"([^"]+)"$/i.exec(line);
    if (m) {
      if (!active || this.#recording) return this.#reply('ERROR'), true;
      if (this.fileBytesUsed + 44 > this.fileStorageBytes) return cme(20), true;
      this.#recording = { family: 'simcom', name: name(m[2]), chunks: [] };
      this.#reply('+CREC: 1', 'OK');
      return true;
    }
    if (upper === 'AT+QAUDRD=0' || upper === 'AT+CREC=0') {
      if (!this.#recording) return this.#reply(upper === 'AT+CREC=0' ? 'ERROR' : 'OK'), true;
      const simcom = this.#recording.family === 'simcom';
      this.#reply(...(simcom ? ['+CREC: 0'] : []), 'OK');
      this.#closeRecording(simcom);
      return true;
    }
    return false;
  }

  #cut(data: Buffer): Buffer {
    const cut = this.truncateNextDownload;
    this.truncateNextDownload = undefined;
    return cut === undefined ? data : data.subarray(0, cut);
  }

  #beginUpload(family: 'quectel' | 'simcom', name: string, size: number, timeoutMs: number): void {
    const limit = this.truncateNextUpload ?? size;
    this.truncateNextUpload = undefined;
    this.#upload = { family, name, size, got: '', limit, timer: undefined, timeoutMs };
    this.#armUpload();
  }

  #armUpload(): void {
    const u = this.#upload!;
    this.#clock.clearTimeout(u.timer);
    // No byte for <timeout>: the module leaves data mode with what it has (Quectel) / gives up (SIMCom).
    u.timer = this.#clock.setTimeout(() => this.#finishUpload(), u.timeoutMs);
  }

  #finishUpload(): void {
    const u = this.#upload!;
    this.#clock.clearTimeout(u.timer);
    this.#upload = undefined;
    const data = Buffer.from(u.got, 'latin1');
    this.uploads += 1;
    if (u.family === 'simcom' && data.length < u.size) this.#reply('ERROR');
    else {
      this.files.set(u.name, data);
      this.emit('stored', u.name, data.length);
      if (u.family === 'quectel') this.#reply(`+QFUPL: ${data.length},${xorChecksum16(data).toString(16)}`, 'OK');
      else this.#reply('OK');
    }
    for (const l of this.#heldUrcs.splice(0)) this.#urc(l);
  }

  #play(family: 'quectel' | 'simcom', name: string): void {
    const data = this.files.get(name);
    if (this.#call?.state !== 'active') return this.#reply('ERROR');
    if (!data) return this.#reply(`+CME ERROR: ${family === 'quectel' ? 405 : 22}`);
    let ms: number;
    try {
      ms = parseWavPcm16(data).length / 8;
    } catch {
      return this.#reply('ERROR'); // not a file the module can play
    }
    if (this.#playing) this.#clock.clearTimeout(this.#playing.timer);
    this.#reply('OK');
    if (family === 'simcom') this.#urc('+AUDIOSTATE: audio play');
    this.played.push(name);
    this.emit('played', name, ms);
    const timer = this.#clock.setTimeout(() => {
      this.#playing = undefined;
      this.#urc(family === 'quectel' ? '+QPSND: 0' : '+AUDIOSTATE: audio play stop');
    }, ms);
    this.#playing = { timer, family };
  }

  #scaLen(pdu: string): number {
    const n = parseInt(pdu.slice(0, 2), 16);
    return Number.isNaN(n) ? 0 : n;
  }

  #onSubmit(len: number, body: string): void {
    if (this.#freezeOnSend) {
      this.#freezeOnSend = false;
      this.#freeze = { kind: 'until-reset' };
      return;
    }
    if (this.nextSendError !== undefined) {
      const code = this.nextSendError;
      this.nextSendError = undefined;
      return this.#reply(`+CMS ERROR: ${code}`);
    }
    let submit: SmsSubmit;
    try {
      const bytes = hexToBytes(body);
      if (bytes.length - 1 - (bytes[0] ?? 0) !== len) return this.#reply('+CMS ERROR: 304');
      submit = decodeSubmitBytes(bytes);
    } catch {
      return this.#reply('+CMS ERROR: 304'); // invalid PDU mode parameter
    }
    if (this.hangOnSendTo.has(submit.destination.value)) {
      this.#freeze = { kind: 'until-reset' };
      return;
    }
    const mr = (this.#mr = (this.#mr + 1) % 256);
    const record = { ...submit, messageReference: mr, hex: body };
    this.sent.push(record);
    this.emit('sent', record);
    this.#reply(`+CMGS: ${mr}`, 'OK');
    if (this.statusReports && submit.statusReportRequest) {
      const now = new Date(this.#clock.now());
      const pdu = bytesToHex(
        encodeStatusReport({ messageReference: mr, recipient: submit.destination.value, scTimestamp: now, dischargeTime: now, offsetMinutes: this.#o.offsetMinutes, status: 0 }),
      );
      this.#urc(`+CDS: ${pdu.length / 2 - 1}`);
      this.#urc(pdu);
    }
  }

  #restart(answered: boolean): void {
    void answered;
    this.resets += 1;
    this.#freeze = { kind: 'none' };
    this.#echo = true;
    this.#dtmf = 'off';
    this.#mem1 = 'SM';
    this.#clock.clearTimeout(this.#speech?.timer);
    this.#speech = undefined;
    this.#pendingCmgs = undefined;
    this.#clock.clearTimeout(this.#ringTimer);
    this.#call = undefined;
    this.#qpcmv = false;
    this.#cpcmreg = false;
    if (this.#upload) this.#clock.clearTimeout(this.#upload.timer);
    this.#upload = undefined;
    this.#heldUrcs = [];
    if (this.#playing) this.#clock.clearTimeout(this.#playing.timer);
    this.#playing = undefined;
    if (this.#recording) this.#closeRecording(false);
    this.#voiceState();
    this.#clock.setTimeout(() => {
      this.#urc('RDY');
      this.emit('restarted');
    }, this.#o.restartMs);
  }
}
