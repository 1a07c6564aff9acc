// Line parser: V.250 §5.7.1 responses are framed by <CR><LF>; many modules also send bare CR or LF.
// Any run of CR/LF ends a line, empty lines are dropped. A line that never ends (garbage with no
// line break) is cut at `maxLength` and reported as an overflow, so noise cannot grow memory.

export type LineToken = { type: 'line'; text: string } | { type: 'overflow'; length: number };

export class LineParser {
  #pending = '';
  constructor(private readonly maxLength = 1024) {}

  /** Bytes are read as latin1: AT responses in PDU mode are ASCII, and latin1 never fails to decode. */
  push(chunk: Uint8Array): LineToken[] {
    const out: LineToken[] = [];
    const text = Buffer.from(chunk).toString('latin1');
    for (const ch of text) {
      if (ch === '\r' || ch === '\n') {
        if (this.#pending.length > 0) out.push({ type: 'line', text: this.#pending });
        this.#pending = '';
        continue;
      }
      this.#pending += ch;
      if (this.#pending.length >= this.maxLength) {
        out.push({ type: 'overflow', length: this.#pending.length });
        this.#pending = '';
      }
    }
    return out;
  }

  /** The partial line received so far (no line ending yet). */
  get pending(): string {
    return this.#pending;
  }

  clearPending(): void {
    this.#pending = '';
  }
}
