/**
 * WAV reading (prompts) and writing (recordings). Prompts: 8 kHz mono WAV (16-bit PCM or A-law,
 * format tag 6) or headerless A-law (.al/.alaw/.raw). Recordings: 8 kHz mono 16-bit PCM WAV,
 * written to `<file>.part`, header patched, fsynced, then renamed (style.md #10).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { alawToLinear, linearToAlaw } from './alaw.js';
import { MediaError } from './errors.js';

/** Load a prompt as A-law bytes at 8 kHz. */
export async function loadPromptAlaw(file: string): Promise<Buffer> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(file);
  } catch (e) {
    throw new MediaError('MEDIA_FILE', `prompt ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (/\.(al|alaw|raw)$/i.test(file)) return buf;
  return wavToAlaw(buf, file);
}

/** A WAV's format and where its samples are, from its RIFF chunks. */
interface WavLayout {
  format: number;
  channels: number;
  rate: number;
  bits: number;
  byteRate: number;
  /** Offset of the data chunk's samples. */
  data: number;
  /** Length of the samples the data chunk declares. */
  dataBytes: number;
}

/** The layout of a WAV whose first bytes are `head`, or why it is not one. */
function wavLayout(head: Buffer): WavLayout | string {
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return 'not a RIFF/WAVE file';
  const fmt = { format: -1, channels: 0, rate: 0, bits: 0, byteRate: 0 };
  for (let off = 12; off + 8 <= head.length; ) {
    const id = head.toString('ascii', off, off + 4);
    const size = head.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ' && body + 16 <= head.length) {
      fmt.format = head.readUInt16LE(body);
      fmt.channels = head.readUInt16LE(body + 2);
      fmt.rate = head.readUInt32LE(body + 4);
      fmt.byteRate = head.readUInt32LE(body + 8);
      fmt.bits = head.readUInt16LE(body + 14);
    } else if (id === 'data') return { ...fmt, data: body, dataBytes: size };
    off = body + size + (size & 1);
  }
  return 'no data chunk';
}

/**
 * How long a WAV file plays, ms, from its header (the data chunk over the format's byte rate); undefined for a
 * missing, unreadable or malformed file. Reads only the first few kilobytes.
 */
export function wavDurationMs(file: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    fs.readSync(fd, head, 0, head.length, 0);
    const w = wavLayout(head);
    if (typeof w === 'string' || w.byteRate <= 0) return undefined;
    return (Math.min(w.dataBytes, size - w.data) * 1000) / w.byteRate;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function wavToAlaw(buf: Buffer, name = 'wav'): Buffer {
  const w = wavLayout(buf);
  if (typeof w === 'string') throw new MediaError('MEDIA_FORMAT', `${name}: ${w}`);
  const data = buf.subarray(w.data, Math.min(buf.length, w.data + w.dataBytes));
  if (w.rate !== 8000 || w.channels !== 1) throw new MediaError('MEDIA_FORMAT', `${name}: ${w.rate} Hz × ${w.channels} ch, need 8000 Hz mono`);
  if (w.format === 6 && w.bits === 8) return Buffer.from(data);
  if (w.format === 1 && w.bits === 16) {
    const pcm = new Int16Array(data.length >> 1);
    for (let i = 0; i < pcm.length; i++) pcm[i] = data.readInt16LE(i * 2);
    return linearToAlaw(pcm);
  }
  throw new MediaError('MEDIA_FORMAT', `${name}: WAV format ${w.format}/${w.bits} bit, need PCM16 or A-law`);
}

export function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Streams A-law frames into a 16-bit PCM WAV; `finish()` makes the file appear atomically. */
export class WavRecorder {
  private readonly fd: number;
  private readonly part: string;
  private bytes = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;

  constructor(readonly file: string) {
    this.part = `${file}.part`;
    try {
      this.fd = fs.openSync(this.part, 'w');
      fs.writeSync(this.fd, wavHeader(0));
    } catch (e) {
      throw new MediaError('MEDIA_FILE', `recording ${file}: ${(e as Error).message}`, { cause: e });
    }
  }

  get durationMs(): number {
    return ((this.bytes + this.pendingBytes) / 2 / 8000) * 1000;
  }

  /** Append A-law audio. Buffered; written about once a second. */
  write(alaw: Uint8Array): void {
    if (this.done) return;
    const pcm = alawToLinear(alaw);
    this.pending.push(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    this.pendingBytes += pcm.byteLength;
    if (this.pendingBytes >= 16000) this.flush();
  }

  /** Append already-linear audio (mixing). */
  writeLinear(pcm: Int16Array): void {
    if (this.done) return;
    this.pending.push(Buffer.from(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength)));
    this.pendingBytes += pcm.byteLength;
    if (this.pendingBytes >= 16000) this.flush();
  }

  private flush(): void {
    if (!this.pendingBytes) return;
    const chunk = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    fs.writeSync(this.fd, chunk, 0, chunk.length, 44 + this.bytes);
    this.bytes += chunk.length;
  }

  /** Patch the header, fsync, close, rename `.part` → file. Returns the duration in ms. */
  finish(): number {
    if (this.done) return this.durationMs;
    this.flush();
    this.done = true;
    fs.writeSync(this.fd, wavHeader(this.bytes), 0, 44, 0);
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    fs.renameSync(this.part, this.file);
    return (this.bytes / 2 / 8000) * 1000;
  }
}
