// Files on the module: the byte-level sessions of the upload and download commands, as pure state machines
// fed with what the port delivers (no I/O, no clock — the channel runs them, tests feed them), and the
// parsers of the file-system answers. Two command families:
//
//  Quectel (EC2x/EG25 FILE AT Commands Manual, AT+QFUPL / AT+QFDWL / AT+QFLST / AT+QFLDS / AT+QFDEL):
//    AT+QFUPL="<name>",<size>,<timeout>  → CONNECT, the host sends exactly <size> bytes,
//                                          → +QFUPL: <upload_size>,<checksum>  OK   (or +CME ERROR: <err>)
//    AT+QFDWL="<name>"                   → CONNECT, the file's bytes, +QFDWL: <download_size>,<checksum>  OK
//    <checksum>: 16-bit XOR of the data taken as big-endian 16-bit words, an odd last byte as the high half.
//  SIMCom (SIM7500/SIM7600 AT Command Manual, file transfer commands AT+CFTRANRX / AT+CFTRANTX):
//    AT+CFTRANRX="<path>",<len>          → `>`, the host sends exactly <len> bytes → OK   (or ERROR)
//    AT+CFTRANTX="<path>"                → (+CFTRANTX: DATA,<len> CRLF <len bytes>)…  +CFTRANTX: 0  OK
//
// Every way a session can go wrong ends it with a reason the driver turns into a clear error: the module's
// refusal (ERROR, +CME ERROR: <n> — a full drive, a missing file), a transfer that stops short of what was
// announced ("truncated"), a checksum that does not match, an answer that is not the one the manual gives
// ("malformed"). A session never throws on bad input and never grows without bound past the announced size.

export type TransferFailure =
  | { kind: 'error' }
  | { kind: 'cme'; code: number | null; text: string }
  | { kind: 'truncated'; got: number; expected: number }
  | { kind: 'checksum'; got: number; expected: number }
  | { kind: 'malformed'; line: string }
  | { kind: 'timeout'; got: number; expected: number | undefined }
  | { kind: 'closed' };

export type TransferResult =
  | { ok: true; data: Buffer; info: string[]; rest: Buffer }
  | { ok: false; failure: TransferFailure; rest: Buffer };

export interface TransferStep {
  /** Bytes to write to the module now (latin1: one char per byte). */
  write?: string;
  done?: TransferResult;
  /** Text lines outside the transfer (URCs: RING, NO CARRIER, a key…) for the ordinary line path. */
  lines?: string[];
}

export interface TransferSession {
  /** The command line (without CR) that starts the transfer. */
  readonly command: string;
  push(chunk: Buffer): TransferStep;
  /** How far the transfer got, for a timeout's message. */
  readonly progress: { got: number; expected: number | undefined };
}

/** Quectel's <checksum>: XOR of big-endian 16-bit words; an odd last byte is the high half of a word. */
export function xorChecksum16(data: Uint8Array): number {
  let x = 0;
  for (let i = 0; i < data.length; i += 2) x ^= ((data[i]! << 8) | (data[i + 1] ?? 0)) & 0xffff;
  return x;
}

/** A file name the module accepts in a quoted parameter: no quote, no control character, at most 80 bytes. */
export function checkModuleFileName(name: string): string | undefined {
  if (!name || name.length > 80) return 'a module file name has 1 to 80 characters';
  if (/["\x00-\x1f\x7f-\uffff]/.test(name)) return 'a module file name is printable ASCII without quotes';
  return undefined;
}

const LINE_END = /\r\n|\r|\n/;

function failureOf(line: string): TransferFailure | undefined {
  const l = line.trim();
  if (l === 'ERROR') return { kind: 'error' };
  const m = /^\+CME ERROR:\s*(.*)$/.exec(l);
  if (m) return { kind: 'cme', code: /^\d+$/.test(m[1]!) ? Number(m[1]) : null, text: m[1]! };
  return undefined;
}

/** Text lines before a data phase, taken one at a time so what follows the last one stays raw. */
class LineHead {
  #buf = '';
  constructor(private readonly command: string) {}
  add(chunk: string): void {
    this.#buf += chunk;
  }
  /** The next complete line (echo of the command and empty lines skipped), or undefined. */
  next(): string | undefined {
    for (;;) {
      const m = LINE_END.exec(this.#buf);
      // A CR at the very end may be the first half of CRLF: wait, or its LF would be taken for data.
      if (!m || (m[0] === '\r' && m.index === this.#buf.length - 1)) return undefined;
      const line = this.#buf.slice(0, m.index).trim();
      this.#buf = this.#buf.slice(m.index + m[0].length);
      if (line && line !== this.command) return line;
    }
  }
  get pending(): string {
    return this.#buf;
  }
  take(): string {
    const b = this.#buf;
    this.#buf = '';
    return b;
  }
}

const rest0 = Buffer.alloc(0);
const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** Upload: CONNECT (Quectel) or `>` (SIMCom), the bytes, then the final answer. */
export class UploadSession implements TransferSession {
  readonly command: string;
  #phase: 'head' | 'tail' | 'done' = 'head';
  #head: LineHead;
  #info: string[] = [];
  constructor(
    readonly family: 'quectel' | 'simcom',
    readonly name: string,
    readonly data: Buffer,
    timeoutS = 10,
  ) {
    this.command = family === 'quectel' ? `AT+QFUPL="${name}",${data.length},${timeoutS}` : `AT+CFTRANRX="${name}",${data.length}`;
    this.#head = new LineHead(this.command);
  }
  get progress() {
    return { got: this.#phase === 'head' ? 0 : this.data.length, expected: this.data.length };
  }
  push(chunk: Buffer): TransferStep {
    if (this.#phase === 'done') return {};
    this.#head.add(chunk.toString('latin1'));
    let write: string | undefined;
    const other: string[] = [];
    const step = (s: TransferStep): TransferStep => (other.length ? { ...s, lines: other } : s);
    for (let line = this.#head.next(); line !== undefined; line = this.#head.next()) {
      const f = failureOf(line);
      if (f) return step(this.#end({ ok: false, failure: f, rest: latin1(this.#head.take()) }, write));
      if (this.#phase === 'head') {
        if (this.family === 'quectel' && /^CONNECT\b/.test(line)) {
          this.#phase = 'tail';
          write = this.data.toString('latin1');
          continue;
        }
        if (line === 'OK' || line.startsWith('+QFUPL:')) return step(this.#end({ ok: false, failure: { kind: 'malformed', line }, rest: rest0 }, write));
        other.push(line);
        continue;
      }
      if (line === 'OK') return step(this.#end(this.#check(), write, latin1(this.#head.take())));
      if (line.startsWith('+QFUPL:')) this.#info.push(line);
      else other.push(line);
    }
    // SIMCom's prompt has no line end.
    if (this.#phase === 'head' && this.family === 'simcom' && /^\s*>\s?$/.test(this.#head.pending)) {
      this.#head.take();
      this.#phase = 'tail';
      write = this.data.toString('latin1');
    }
    if (this.#head.pending.length > 256) return step(this.#end({ ok: false, failure: { kind: 'malformed', line: this.#head.pending.slice(0, 40) }, rest: rest0 }, write));
    return step(write !== undefined ? { write } : {});
  }
  #check(): TransferResult {
    if (this.family === 'simcom') return { ok: true, data: rest0, info: this.#info, rest: rest0 };
    const line = this.#info.find((l) => l.startsWith('+QFUPL:'));
    const m = line && /^\+QFUPL:\s*(\d+),\s*([0-9A-Fa-f]+)$/.exec(line);
    if (!m) return { ok: false, failure: { kind: 'malformed', line: line ?? 'OK without +QFUPL' }, rest: rest0 };
    const size = Number(m[1]);
    if (size !== this.data.length) return { ok: false, failure: { kind: 'truncated', got: size, expected: this.data.length }, rest: rest0 };
    const sum = parseInt(m[2]!, 16);
    const mine = xorChecksum16(this.data);
    if (sum !== mine) return { ok: false, failure: { kind: 'checksum', got: sum, expected: mine }, rest: rest0 };
    return { ok: true, data: rest0, info: this.#info, rest: rest0 };
  }
  #end(r: TransferResult, write?: string, rest?: Buffer): TransferStep {
    this.#phase = 'done';
    const done = rest ? { ...r, rest } : r;
    return write !== undefined ? { write, done } : { done };
  }
}

/** Quectel download: CONNECT, the bytes, `+QFDWL: <size>,<checksum>`, OK. `expected`: the size AT+QFLST gave. */
export class QfdwlSession implements TransferSession {
  readonly command: string;
  #phase: 'head' | 'data' | 'done' = 'head';
  #head: LineHead;
  #data = '';
  constructor(
    readonly name: string,
    readonly expected?: number,
  ) {
    this.command = `AT+QFDWL="${name}"`;
    this.#head = new LineHead(this.command);
  }
  get progress() {
    return { got: this.#data.length, expected: this.expected };
  }
  push(chunk: Buffer): TransferStep {
    if (this.#phase === 'done') return {};
    let text = chunk.toString('latin1');
    if (this.#phase === 'head') {
      this.#head.add(text);
      const other: string[] = [];
      let line = this.#head.next();
      while (line !== undefined && !/^CONNECT\b/.test(line)) {
        const f = failureOf(line);
        if (f) return { done: this.#end({ ok: false, failure: f, rest: latin1(this.#head.take()) }).done!, ...(other.length ? { lines: other } : {}) };
        if (line === 'OK' || line.startsWith('+QFDWL:')) return { done: this.#end({ ok: false, failure: { kind: 'malformed', line }, rest: rest0 }).done!, ...(other.length ? { lines: other } : {}) };
        other.push(line);
        line = this.#head.next();
      }
      if (line === undefined) {
        if (this.#head.pending.length > 256) return this.#end({ ok: false, failure: { kind: 'malformed', line: this.#head.pending.slice(0, 40) }, rest: rest0 });
        return other.length ? { lines: other } : {};
      }
      // Everything after CONNECT's line end is the file.
      this.#phase = 'data';
      text = this.#head.take();
      if (other.length) {
        const r = this.push(latin1(text));
        return { ...r, lines: [...other, ...(r.lines ?? [])] };
      }
    }
    this.#data += text;
    // The trailer is found where the bytes before it are as many as it announces.
    const re = /\r\n\+QFDWL:\s*(\d+),\s*([0-9A-Fa-f]+)\r\n(?:\r\n)?OK\r\n/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(this.#data))) {
      const size = Number(m[1]);
      const at = m.index;
      const ends = at + m[0].length === this.#data.length;
      if (at !== size && !ends) continue; // bytes of the file that look like a trailer
      const data = latin1(this.#data.slice(0, at));
      const rest = latin1(this.#data.slice(at + m[0].length));
      if (at !== size) return this.#end({ ok: false, failure: { kind: 'truncated', got: at, expected: size }, rest });
      if (this.expected !== undefined && size !== this.expected) return this.#end({ ok: false, failure: { kind: 'truncated', got: size, expected: this.expected }, rest });
      const sum = parseInt(m[2]!, 16);
      const mine = xorChecksum16(data);
      if (sum !== mine) return this.#end({ ok: false, failure: { kind: 'checksum', got: mine, expected: sum }, rest });
      return this.#end({ ok: true, data, info: [m[0].trim().split(/\r\n/)[0]!], rest });
    }
    // An error in place of the trailer (the module could not read on).
    const err = /\r\n(\+CME ERROR:[^\r\n]*|ERROR)\r\n$/.exec(this.#data);
    if (err && (this.expected === undefined || err.index < this.expected)) {
      return this.#end({ ok: false, failure: failureOf(err[1]!) ?? { kind: 'error' }, rest: rest0 });
    }
    // Bounded: a stream far past the announced size without a trailer is not this command's answer.
    if (this.expected !== undefined && this.#data.length > this.expected + 64) {
      return this.#end({ ok: false, failure: { kind: 'malformed', line: `${this.#data.length} bytes and no +QFDWL trailer` }, rest: rest0 });
    }
    return {};
  }
  #end(r: TransferResult): TransferStep {
    this.#phase = 'done';
    return { done: r };
  }
}

/** SIMCom download: (+CFTRANTX: DATA,<len> CRLF <len bytes>)… +CFTRANTX: 0, OK. */
export class CftrantxSession implements TransferSession {
  readonly command: string;
  #phase: 'line' | 'data' | 'ok' | 'done' = 'line';
  #buf = '';
  #need = 0;
  #data: string[] = [];
  #got = 0;
  #other: string[] = [];
  constructor(
    readonly name: string,
    readonly expected?: number,
  ) {
    this.command = `AT+CFTRANTX="${name}"`;
  }
  get progress() {
    return { got: this.#got + (this.#phase === "data" ? this.#buf.length : 0), expected: this.expected };
  }
  push(chunk: Buffer): TransferStep {
    const r = this.#step(chunk);
    if (!this.#other.length) return r;
    const lines = this.#other;
    this.#other = [];
    return { ...r, lines };
  }
  #step(chunk: Buffer): TransferStep {
    if (this.#phase === 'done') return {};
    this.#buf += chunk.toString('latin1');
    for (;;) {
      if (this.#phase === 'data') {
        if (this.#buf.length < this.#need) return {};
        this.#data.push(this.#buf.slice(0, this.#need));
        this.#got += this.#need;
        this.#buf = this.#buf.slice(this.#need);
        this.#phase = 'line';
        continue;
      }
      const m = LINE_END.exec(this.#buf);
      if (!m || (m[0] === '\r' && m.index === this.#buf.length - 1)) {
        if (this.#buf.length > 256) return this.#end({ ok: false, failure: { kind: 'malformed', line: this.#buf.slice(0, 40) }, rest: rest0 });
        return {};
      }
      const line = this.#buf.slice(0, m.index).trim();
      this.#buf = this.#buf.slice(m.index + m[0].length);
      if (!line || line === this.command) continue;
      const f = failureOf(line);
      if (f) return this.#end({ ok: false, failure: f, rest: latin1(this.#buf) });
      if (this.#phase === 'ok') {
        if (line !== 'OK') return this.#end({ ok: false, failure: { kind: 'malformed', line }, rest: rest0 });
        const data = latin1(this.#data.join(''));
        if (this.expected !== undefined && data.length !== this.expected) {
          return this.#end({ ok: false, failure: { kind: 'truncated', got: data.length, expected: this.expected }, rest: latin1(this.#buf) });
        }
        return this.#end({ ok: true, data, info: [], rest: latin1(this.#buf) });
      }
      const d = /^\+CFTRANTX:\s*DATA,\s*(\d+)$/.exec(line);
      if (d) {
        this.#need = Number(d[1]);
        if (this.expected !== undefined && this.#got + this.#need > this.expected) {
          return this.#end({ ok: false, failure: { kind: 'malformed', line }, rest: rest0 });
        }
        this.#phase = 'data';
        continue;
      }
      if (/^\+CFTRANTX:\s*0$/.test(line)) {
        this.#phase = 'ok';
        continue;
      }
      if (line.startsWith('+CFTRANTX:')) return this.#end({ ok: false, failure: { kind: 'malformed', line }, rest: rest0 });
      // Not part of the transfer (a URC between chunks): passed on.
      this.#other.push(line);
    }
  }
  #end(r: TransferResult): TransferStep {
    this.#phase = 'done';
    return { done: r };
  }
}

/** Human text for a failure (the driver's error messages). */
export function describeTransferFailure(f: TransferFailure): string {
  switch (f.kind) {
    case 'error':
      return 'the module answered ERROR';
    case 'cme':
      return `the module answered +CME ERROR: ${f.text}`;
    case 'truncated':
      return `the transfer stopped short: ${f.got} of ${f.expected} bytes`;
    case 'checksum':
      return `checksum mismatch (module ${f.expected.toString(16)}, data ${f.got.toString(16)})`;
    case 'malformed':
      return `unexpected answer ${JSON.stringify(f.line.slice(0, 60))}`;
    case 'timeout':
      return `no complete answer in time (${f.got}${f.expected !== undefined ? ` of ${f.expected}` : ''} bytes)`;
    case 'closed':
      return 'the port closed during the transfer';
  }
}

/** +QFLST: "<name>",<size> lines → sizes by name. Lines that do not parse are skipped. */
export function parseQflst(lines: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) {
    const m = /^\+QFLST:\s*"([^"]*)",\s*(\d+)$/.exec(l.trim());
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** +QFLDS: <free>,<total> → bytes; undefined when absent or malformed. */
export function parseQflds(lines: string[]): { free: number; total: number } | undefined {
  for (const l of lines) {
    const m = /^\+QFLDS:\s*(\d+),\s*(\d+)$/.exec(l.trim());
    if (m) return { free: Number(m[1]), total: Number(m[2]) };
  }
  return undefined;
}

/** SIMCom AT+FSLS listing (one name per line, directories end with '/'): plain names. */
export function parseFsls(lines: string[]): Set<string> {
  const out = new Set<string>();
  for (const l of lines) {
    const t = l.trim();
    if (!t || t.startsWith('+FSLS:') || t.endsWith('/')) continue;
    out.add(t);
  }
  return out;
}

/** A RIFF/WAVE file of 16-bit linear PCM, mono, 8 kHz (what the module records) → samples. Throws with the reason. */
export function parseWavPcm16(data: Buffer): Int16Array {
  if (data.length < 12 || data.toString('latin1', 0, 4) !== 'RIFF' || data.toString('latin1', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let off = 12;
  while (off + 8 <= data.length) {
    const id = data.toString('latin1', off, off + 4);
    const size = data.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > data.length) throw new Error('WAVE fmt chunk truncated');
      fmt = { format: data.readUInt16LE(body), channels: data.readUInt16LE(body + 2), rate: data.readUInt32LE(body + 4), bits: data.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAVE data before fmt');
      if (fmt.format !== 1 || fmt.bits !== 16 || fmt.channels !== 1 || fmt.rate !== 8000) {
        throw new Error(`WAVE is not 8 kHz 16-bit mono PCM (format ${fmt.format}, ${fmt.bits} bits, ${fmt.channels} ch, ${fmt.rate} Hz)`);
      }
      // A recording cut at the end (the call ended while the module wrote it) keeps the whole samples it has.
      const end = Math.min(data.length, body + size);
      const n = Math.floor((end - body) / 2);
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = data.readInt16LE(body + 2 * i);
      return out;
    }
    off = body + size + (size & 1);
  }
  throw new Error('WAVE without a data chunk');
}

/** 8 kHz 16-bit mono PCM → a WAV file's bytes (what the box uploads for the module to play). */
export function wavPcm16(samples: Int16Array): Buffer {
  const b = Buffer.alloc(44 + samples.length * 2);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + samples.length * 2, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i]!, 44 + 2 * i);
  return b;
}
