// The DLE framer of the V.253 voice data stream (ITU-T V.253 §6.3.7 "data stream transparent commands (<DLE> shielded)"; the codes are
// V.253 §7.3 for DCE→DTE event reports and §8.3 for DTE→DCE commands — the same tables as the
// Conexant/Rockwell "Supported <DLE> Shielded Codes" 6-2/6-3 and the USRobotics 5637 command reference).
//
// Pure: bytes in, tokens out; no I/O, no clock. The modem's output is one byte stream that changes meaning:
//
//   text mode  — V.250 response lines (CR/LF framed); a <DLE><c> pair is an event report (while the modem
//                plays our audio, +VTX, it still reports DTMF, busy, loop drop … this way, §7.3).
//   audio mode — after the CONNECT of +VRX/+VTR: every byte is voice data except <DLE> pairs:
//                <DLE><DLE> is one data byte 0x10, <DLE><ETX> ends the stream (back to text mode: the OK or
//                VCON that follows is a line), any other <DLE><c> is an event report.
//
// The switch to audio mode must happen exactly after the CONNECT line, whose audio may arrive in the same
// read; so the owner arms it (`audioAfterConnect()`) before sending +VRX/+VTR, and the framer switches
// itself. A <DLE> at the end of a chunk waits for its partner in the next one.

export const DLE = 0x10;
export const ETX = 0x03;
export const CAN = 0x18;
export const SUB = 0x1a;

export type DleToken =
  | { type: 'line'; text: string }
  | { type: 'overflow'; length: number }
  | { type: 'audio'; data: Buffer }
  | { type: 'event'; code: string }
  | { type: 'end' };

export class DleFramer {
  #mode: 'text' | 'audio' = 'text';
  #armed = false;
  #dle = false;
  /** The CONNECT line ended with CR: its LF (V.250 §5.7.1: responses end <CR><LF>) is not voice data. */
  #skipLf = false;
  #line: number[] = [];
  constructor(private readonly maxLineLength = 1024) {}

  get mode(): 'text' | 'audio' {
    return this.#mode;
  }

  /** The next CONNECT line switches to audio mode (+VRX, +VTR). */
  audioAfterConnect(): void {
    this.#armed = true;
  }

  /** Audio mode at once (the simulated modem entering +VTX/+VTR reads the DTE's voice data this way). */
  enterAudio(): void {
    this.#armed = false;
    this.#mode = 'audio';
  }

  /** Forget an armed switch (the command was refused). */
  disarm(): void {
    this.#armed = false;
  }

  /** Back to text mode without a <DLE><ETX> (the port was reopened). */
  reset(): void {
    this.#mode = 'text';
    this.#armed = false;
    this.#dle = false;
    this.#skipLf = false;
    this.#line = [];
  }

  push(chunk: Uint8Array): DleToken[] {
    const out: DleToken[] = [];
    let audio: number[] = [];
    const flushAudio = () => {
      if (audio.length) out.push({ type: 'audio', data: Buffer.from(audio) });
      audio = [];
    };
    for (const b of chunk) {
      if (this.#skipLf) {
        this.#skipLf = false;
        if (b === 0x0a) continue;
      }
      if (this.#dle) {
        this.#dle = false;
        if (this.#mode === 'audio') {
          if (b === DLE) audio.push(DLE);
          else if (b === SUB) audio.push(DLE, DLE); // <DLE><SUB>: two data DLEs, as some modems compress them
          else if (b === ETX) {
            flushAudio();
            out.push({ type: 'end' });
            this.#mode = 'text';
          } else {
            flushAudio();
            out.push({ type: 'event', code: String.fromCharCode(b) });
          }
        } else if (b === ETX) out.push({ type: 'end' }); // a late end marker; the owner ignores it unless streaming
        else if (b !== DLE) out.push({ type: 'event', code: String.fromCharCode(b) });
        continue;
      }
      if (b === DLE) {
        this.#dle = true;
        continue;
      }
      if (this.#mode === 'audio') {
        audio.push(b);
        continue;
      }
      if (b === 0x0d || b === 0x0a) {
        if (this.#line.length) {
          const text = Buffer.from(this.#line).toString('latin1');
          this.#line = [];
          out.push({ type: 'line', text });
          if (this.#armed && /^CONNECT\b/.test(text.trim())) {
            this.#armed = false;
            this.#mode = 'audio';
            this.#skipLf = b === 0x0d;
          }
        }
        continue;
      }
      this.#line.push(b);
      if (this.#line.length >= this.maxLineLength) {
        out.push({ type: 'overflow', length: this.#line.length });
        this.#line = [];
      }
    }
    flushAudio();
    return out;
  }
}

/** Shields voice data for the modem (V.253 §6.3.7): every data byte 0x10 is sent as <DLE><DLE>. */
export function shield(data: Uint8Array): Buffer {
  let n = 0;
  for (const b of data) if (b === DLE) n++;
  if (n === 0) return Buffer.from(data);
  const out = Buffer.allocUnsafe(data.length + n);
  let j = 0;
  for (const b of data) {
    out[j++] = b;
    if (b === DLE) out[j++] = DLE;
  }
  return out;
}

/** DTE→DCE shielded commands (V.253 §8.3). */
export const DTE = {
  /** End of transmit data (+VTX): the modem plays out its buffer, then OK. */
  endTransmit: Buffer.from([DLE, ETX]),
  /** Clear the transmit buffer at once, then end (an interrupted prompt). */
  cancelTransmit: Buffer.from([DLE, CAN, DLE, ETX]),
  /** Receive abort (+VRX): the modem sends <DLE><ETX>, then OK. */
  abortReceive: Buffer.from([DLE, 0x21]),
  /** End the voice duplex state (+VTR, Conexant `<DLE>^`): <DLE><ETX>, then OK. */
  endDuplex: Buffer.from([DLE, 0x5e]),
} as const;

/** What an event report means (V.253 §7.3). */
export type VoiceEvent =
  | { kind: 'dtmf'; digit: string }
  | { kind: 'busy' }
  | { kind: 'dial-tone' }
  | { kind: 'silence' }
  | { kind: 'quiet' }
  | { kind: 'loop-drop' }
  | { kind: 'ring' }
  | { kind: 'ringback' }
  | { kind: 'fax-or-data' }
  | { kind: 'underrun' }
  | { kind: 'overrun' }
  | { kind: 'other'; code: string };

export function classifyEvent(code: string): VoiceEvent {
  if (/^[0-9*#A-D]$/.test(code)) return { kind: 'dtmf', digit: code };
  switch (code) {
    case 'b':
      return { kind: 'busy' };
    case 'd':
      return { kind: 'dial-tone' };
    case 's': // "presumed hang-up": no voice, then silence longer than +VSD
      return { kind: 'silence' };
    case 'q': // "presumed end of message": voice, then silence longer than +VSD
      return { kind: 'quiet' };
    case 'l': // loop current interruption: the exchange released the line
      return { kind: 'loop-drop' };
    case 'R':
      return { kind: 'ring' };
    case 'r':
      return { kind: 'ringback' };
    case 'a':
    case 'c':
    case 'e':
    case 'f':
      return { kind: 'fax-or-data' };
    case 'u':
      return { kind: 'underrun' };
    case 'o':
      return { kind: 'overrun' };
    default:
      return { kind: 'other', code };
  }
}
