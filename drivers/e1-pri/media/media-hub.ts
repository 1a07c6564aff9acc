/**
 * B-channel media for one span, whatever carries the audio (transport.ts: the audio socket or DAHDI
 * channel devices): per channel the DTMF receiver, prompt playback paced in 20 ms frames, recording,
 * and hairpin bridging between two channels (transfers and agent legs).
 *
 * When the transport has nowhere to send a frame (no socket peer) prompts still take their real time
 * and recordings fill with silence, so call flows behave the same with or without audio.
 */
import { DtmfDetector } from '../../media/dtmf.js';
import { FRAME_BYTES, FramePacer } from './frames.js';
import { ALAW_DECODE, ALAW_SILENCE } from '../../media/alaw.js';
import { WavRecorder } from '../../media/wav.js';
import type { BChannelSink, BChannelTransport } from './transport.js';

const SILENCE = Buffer.alloc(FRAME_BYTES, ALAW_SILENCE);

interface Player { id: string; audio: Buffer; pos: number }
interface Recorder { id: string; rec: WavRecorder; mix: boolean }
interface ChannelMedia {
  channel: number;
  dtmf: DtmfDetector;
  player?: Player;
  recorders: Recorder[];
  peer?: number;
  rxQueue: Buffer[];
  /** What the far end heard this tick (prompt or bridged audio), for mixed recordings. */
  txTick?: Buffer;
  /** The box takes this call's audio (a browser station): received frames go up, the box's come down. */
  tapped?: boolean;
}

export interface MediaHubHooks {
  onDigit(channel: number, digit: string): void;
  onPlayDone(channel: number, playId: string, outcome: 'completed' | 'stopped' | 'gone'): void;
  /** A frame received on a tapped channel. */
  onTapped?(channel: number, frame: Buffer): void;
  onError(e: unknown): void;
  /** The span's alarm bits changed (DAHDI_ALARM_*; 0 = cleared). Only the DAHDI transport reports alarms. */
  onAlarm(alarms: number): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void;
}

export type TransportFactory = (sink: BChannelSink) => BChannelTransport;

export class MediaHub {
  private readonly chans = new Map<number, ChannelMedia>();
  private readonly pacer: FramePacer;
  private readonly transport: BChannelTransport;

  constructor(transport: TransportFactory, private readonly hooks: MediaHubHooks) {
    this.pacer = new FramePacer(() => this.tick(), (e) => hooks.onError(e));
    this.transport = transport({
      onRx: (ch, frame) => this.onRx(ch, frame),
      onAlarm: (alarms) => hooks.onAlarm(alarms),
      onError: (e) => hooks.onError(e),
      log: (level, msg) => hooks.log(level, msg),
    });
  }

  get connected(): boolean {
    return this.transport.connected;
  }

  /** Listen on the audio socket / open the channel devices. */
  open(): Promise<void> {
    return this.transport.open();
  }

  /** A call now owns `channel`: start listening for DTMF on it. */
  attach(channel: number): void {
    this.detach(channel);
    this.chans.set(channel, {
      channel,
      dtmf: new DtmfDetector((d) => this.hooks.onDigit(channel, d)),
      recorders: [],
      rxQueue: [],
    });
  }

  /** The call on `channel` ended: stop its prompt, close its recordings, undo any bridge. */
  detach(channel: number): { recId: string; durationMs: number; error?: string }[] {
    const c = this.chans.get(channel);
    if (!c) return [];
    this.chans.delete(channel);
    if (c.player) this.hooks.onPlayDone(channel, c.player.id, 'gone');
    if (c.peer !== undefined) {
      const p = this.chans.get(c.peer);
      if (p && p.peer === channel) p.peer = undefined;
    }
    const done = c.recorders.map((r) => this.finishRecorder(r));
    this.updatePacer();
    return done;
  }

  play(channel: number, playId: string, audio: Buffer): boolean {
    const c = this.chans.get(channel);
    if (!c) return false;
    if (c.player) this.hooks.onPlayDone(channel, c.player.id, 'stopped');
    c.player = { id: playId, audio, pos: 0 };
    this.updatePacer();
    return true;
  }

  stopPlay(channel: number, playId: string): void {
    const c = this.chans.get(channel);
    if (!c?.player || c.player.id !== playId) return;
    c.player = undefined;
    this.hooks.onPlayDone(channel, playId, 'stopped');
    this.updatePacer();
  }

  record(channel: number, recId: string, file: string, mix: boolean): boolean {
    const c = this.chans.get(channel);
    if (!c) return false;
    c.recorders.push({ id: recId, rec: new WavRecorder(file), mix });
    this.updatePacer();
    return true;
  }

  stopRecord(channel: number, recId: string): { durationMs: number; error?: string } | undefined {
    const c = this.chans.get(channel);
    const i = c?.recorders.findIndex((r) => r.id === recId) ?? -1;
    if (!c || i < 0) return undefined;
    const [r] = c.recorders.splice(i, 1);
    this.updatePacer();
    return this.finishRecorder(r!);
  }

  /** Start or stop passing a channel's audio to the box (a browser station's audio port). */
  tap(channel: number, on: boolean): boolean {
    const c = this.chans.get(channel);
    if (!c) return false;
    c.tapped = on;
    return true;
  }

  /** A frame from the box for a tapped channel: sent at once, and what the far end heard for mixed recordings. */
  sendFromBox(channel: number, frame: Buffer): void {
    const c = this.chans.get(channel);
    if (!c?.tapped || c.player) return;
    this.send(channel, frame);
    c.txTick = frame;
  }

  /** Hairpin two B-channels: each one's received audio is sent on the other. */
  bridge(a: number, b: number): boolean {
    const ca = this.chans.get(a);
    const cb = this.chans.get(b);
    if (!ca || !cb) return false;
    ca.peer = b;
    cb.peer = a;
    return true;
  }

  private finishRecorder(r: Recorder): { recId: string; durationMs: number; error?: string } {
    try {
      return { recId: r.id, durationMs: r.rec.finish() };
    } catch (e) {
      return { recId: r.id, durationMs: 0, error: (e as Error).message };
    }
  }

  private onRx(channel: number, frame: Buffer): void {
    const c = this.chans.get(channel);
    if (!c) return;
    c.dtmf.pushAlaw(frame);
    if (c.tapped) this.hooks.onTapped?.(channel, Buffer.from(frame));
    if (c.peer !== undefined) {
      const p = this.chans.get(c.peer);
      if (p) {
        this.send(c.peer, frame);
        p.txTick = frame;
      }
    }
    if (c.recorders.length) {
      if (c.rxQueue.length >= 10) c.rxQueue.shift();
      c.rxQueue.push(Buffer.from(frame));
    }
  }

  private send(channel: number, frame: Buffer): void {
    this.transport.send(channel, frame);
  }

  private tick(): void {
    for (const c of this.chans.values()) {
      const pl = c.player;
      if (pl) {
        const frame = pl.audio.subarray(pl.pos, pl.pos + FRAME_BYTES);
        pl.pos += FRAME_BYTES;
        this.send(c.channel, frame.length === FRAME_BYTES ? frame : Buffer.concat([frame, SILENCE.subarray(frame.length)]));
        c.txTick = frame;
        if (pl.pos >= pl.audio.length) {
          c.player = undefined;
          this.hooks.onPlayDone(c.channel, pl.id, 'completed');
        }
      }
      if (c.recorders.length) {
        const rx = c.rxQueue.shift() ?? SILENCE;
        const tx = c.txTick;
        for (const r of c.recorders) {
          if (r.mix && tx) r.rec.writeLinear(mix(rx, tx));
          else r.rec.write(rx);
        }
      }
      c.txTick = undefined;
    }
    this.updatePacer();
  }

  private updatePacer(): void {
    let busy = false;
    for (const c of this.chans.values()) if (c.player || c.recorders.length) busy = true;
    if (busy) this.pacer.begin();
    else this.pacer.end();
  }

  close(): void {
    for (const ch of [...this.chans.keys()]) this.detach(ch);
    this.pacer.end();
    this.transport.close();
  }
}

function mix(a: Uint8Array, b: Uint8Array): Int16Array {
  const out = new Int16Array(FRAME_BYTES);
  for (let i = 0; i < FRAME_BYTES; i++) {
    const s = ALAW_DECODE[a[i] ?? ALAW_SILENCE]! + ALAW_DECODE[b[i] ?? ALAW_SILENCE]!;
    out[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
  }
  return out;
}
