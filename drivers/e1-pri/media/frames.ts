/**
 * B-channel audio framing on the media socket (gateways and tests): fixed records of
 * 1 byte B-channel number + 160 bytes A-law (20 ms at 8 kHz). A byte stream, so the parser
 * re-assembles records across chunk boundaries.
 */
export const FRAME_BYTES = 160;
export const RECORD_BYTES = FRAME_BYTES + 1;
export const FRAME_MS = 20;

export function encodeRecord(channel: number, frame: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(RECORD_BYTES);
  b[0] = channel;
  b.set(frame.subarray(0, FRAME_BYTES), 1);
  if (frame.length < FRAME_BYTES) b.fill(0xd5, 1 + frame.length);
  return b;
}

export class RecordParser {
  private rest: Buffer = Buffer.alloc(0);
  constructor(private readonly onRecord: (channel: number, frame: Buffer) => void) {}
  push(chunk: Buffer): void {
    let buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= RECORD_BYTES) {
      this.onRecord(buf[off]!, buf.subarray(off + 1, off + RECORD_BYTES));
      off += RECORD_BYTES;
    }
    this.rest = off < buf.length ? Buffer.from(buf.subarray(off)) : Buffer.alloc(0);
    buf = this.rest;
  }
}

/**
 * A 20 ms pacer that does not drift: each tick computes how many frames are due since start
 * from the monotonic clock and calls `onFrame` that many times (at most `maxBurst`, so a stalled
 * event loop does not flood the line afterwards).
 */
export class FramePacer {
  private timer: NodeJS.Timeout | undefined;
  private start = 0n;
  private sent = 0;
  constructor(private readonly onFrame: () => void, private readonly onError: (e: unknown) => void, private readonly maxBurst = 5) {}
  get running(): boolean {
    return this.timer !== undefined;
  }
  begin(): void {
    if (this.timer) return;
    this.start = process.hrtime.bigint();
    this.sent = 0;
    this.timer = setInterval(() => {
      try {
        const due = Number((process.hrtime.bigint() - this.start) / 20_000_000n) + 1;
        let n = Math.min(due - this.sent, this.maxBurst);
        if (due - this.sent > this.maxBurst) this.sent = due - this.maxBurst;
        while (n-- > 0) {
          this.sent++;
          this.onFrame();
        }
      } catch (e) {
        this.onError(e);
      }
    }, FRAME_MS);
  }
  end(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
