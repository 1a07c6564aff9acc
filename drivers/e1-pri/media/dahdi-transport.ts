/**
 * B-channel audio on a DAHDI card: one fd per B-channel in service, each `/dev/dahdi/channel` bound
 * to its channel with DAHDI_SPECIFY, set to A-law (DAHDI_SETLAW, G.711 on E1), audio mode
 * (DAHDI_AUDIOMODE: a clear channel carrying voice, not HDLC) and 20 ms blocks (DAHDI_SET_BLOCKSIZE
 * 160, so one read() is one frame of the media hub). All channels are opened at start and stay open,
 * as chan_dahdi does: the span's alarm events (DAHDI_EVENT_ALARM / NOALARM, queued by the kernel on
 * every channel of the span) then reach the box even with no call up.
 *
 * Reads are driven by `koffi.node.poll` (readable). A read failing with ELAST means an event is
 * queued on the channel: it is taken with DAHDI_GETEVENT; on ALARM/NOALARM the span's alarm bits are
 * read with DAHDI_SPANSTAT and reported to the span controller (link state). Writes are non-blocking:
 * with DAHDI's write buffers full (EAGAIN) a frame is dropped and counted — the media hub's 20 ms pacer
 * and the card's 8 kHz clock differ by a few ppm, which DAHDI's buffering absorbs.
 */
import { pollFd, type PollHandle } from '../binding/poll.js';
import {
  DAHDI_EVENT, DAHDI_LAW_ALAW, alarmNames, dahdiAudioMode, dahdiClose, dahdiGetEvent, dahdiOpen, dahdiRead,
  dahdiSetBlocksize, dahdiSetLaw, dahdiSpanStat, dahdiSpecify, dahdiWrite,
} from '../binding/dahdi.js';
import { FRAME_BYTES } from './frames.js';
import { E1Error } from '../errors.js';
import type { BChannelSink, BChannelTransport } from './transport.js';

export interface DahdiMediaOptions {
  /** The generic channel device, `/dev/dahdi/channel`. */
  device: string;
  /** Global DAHDI channel number of timeslot 1 of this span (1 for the first E1 span, 32 for the second …). */
  firstChannel: number;
  /** B-channels (E1 timeslots) in service. */
  channels: readonly number[];
}

/** Reads per readable notification before yielding to the event loop (a burst after a stall). */
const MAX_READS = 16;

interface Chan { channel: number; fd: number; poll: PollHandle; buf: Buffer; partial: Buffer[]; partialLen: number }

export class DahdiTransport implements BChannelTransport {
  private readonly chans = new Map<number, Chan>();
  private closed = false;
  /** Frames dropped because DAHDI's write buffers were full (probe, bench). */
  dropped = 0;

  constructor(private readonly opts: DahdiMediaOptions, private readonly sink: BChannelSink) {}

  get connected(): boolean {
    return !this.closed && this.chans.size === this.opts.channels.length;
  }

  async open(): Promise<void> {
    try {
      for (const ch of this.opts.channels) this.openChannel(ch);
      // The alarm state at start: a span already in alarm raises no new event.
      const first = this.chans.values().next().value;
      if (first) {
        const st = dahdiSpanStat(first.fd);
        this.sink.log('info', `DAHDI span ${st.spanno} (${st.name}): ${this.chans.size} B-channels open, alarms ${alarmNames(st.alarms)}`);
        if (st.alarms) this.sink.onAlarm(st.alarms);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private openChannel(channel: number): void {
    const channo = this.opts.firstChannel + channel - 1;
    const fd = dahdiOpen(this.opts.device);
    try {
      dahdiSpecify(fd, channo);
      dahdiSetLaw(fd, DAHDI_LAW_ALAW);
      dahdiAudioMode(fd, true);
      dahdiSetBlocksize(fd, FRAME_BYTES);
    } catch (e) {
      dahdiClose(fd);
      throw new E1Error('E1_MEDIA', `B-channel ${channel} (DAHDI channel ${channo}): ${(e as Error).message}`, { cause: e });
    }
    const c: Chan = {
      channel, fd, buf: Buffer.alloc(FRAME_BYTES * 4), partial: [], partialLen: 0,
      poll: pollFd(fd, { readable: true, disconnect: true }, (status, ev) => {
        if (this.closed) return;
        try {
          if (status < 0) throw new E1Error('E1_MEDIA', `poll on B-channel ${channel}: status ${status}`);
          if (ev.readable) this.drain(c);
          else if (ev.disconnect) this.gone(c, 'device closed');
        } catch (e) {
          this.sink.onError(e);
        }
      }),
    };
    this.chans.set(channel, c);
  }

  private drain(c: Chan): void {
    for (let i = 0; i < MAX_READS && this.chans.get(c.channel) === c; i++) {
      const r = dahdiRead(c.fd, c.buf);
      if (r.kind === 'again') return;
      if (r.kind === 'eof') {
        this.gone(c, 'end of file');
        return;
      }
      if (r.kind === 'event') {
        this.onEvent(c, dahdiGetEvent(c.fd));
        continue;
      }
      this.onData(c, r.data);
    }
  }

  /** Blocks are 160 bytes after DAHDI_SET_BLOCKSIZE; anything else is re-cut into 160-byte frames. */
  private onData(c: Chan, data: Buffer): void {
    if (data.length === FRAME_BYTES && c.partialLen === 0) {
      this.sink.onRx(c.channel, Buffer.from(data));
      return;
    }
    c.partial.push(Buffer.from(data));
    c.partialLen += data.length;
    if (c.partialLen < FRAME_BYTES) return;
    let all = Buffer.concat(c.partial);
    while (all.length >= FRAME_BYTES) {
      this.sink.onRx(c.channel, all.subarray(0, FRAME_BYTES));
      all = all.subarray(FRAME_BYTES);
    }
    c.partial = all.length ? [Buffer.from(all)] : [];
    c.partialLen = all.length;
  }

  private onEvent(c: Chan, ev: number): void {
    switch (ev) {
      case DAHDI_EVENT.NONE:
        return;
      case DAHDI_EVENT.ALARM:
      case DAHDI_EVENT.NOALARM: {
        // The event says the alarm state changed; DAHDI_SPANSTAT says what it is now (a NOALARM may
        // leave RECOVER or another alarm set).
        const st = dahdiSpanStat(c.fd);
        this.sink.onAlarm(st.alarms);
        return;
      }
      case DAHDI_EVENT.REMOVED:
        this.gone(c, 'DAHDI_EVENT_REMOVED (the card was removed)');
        return;
      default:
        this.sink.log('debug', `DAHDI event ${ev} on B-channel ${c.channel}`);
    }
  }

  /** The channel device is unusable (card removed, stand-in gone): close it and say so once. */
  private gone(c: Chan, why: string): void {
    if (this.chans.get(c.channel) !== c) return;
    this.chans.delete(c.channel);
    c.poll.close();
    dahdiClose(c.fd);
    this.sink.log('error', `B-channel ${c.channel}: ${why}; its audio is lost until the span worker restarts`);
  }

  send(channel: number, frame: Buffer): void {
    const c = this.chans.get(channel);
    if (!c) return;
    if (!dahdiWrite(c.fd, frame)) this.dropped++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.chans.values()) {
      c.poll.close();
      dahdiClose(c.fd);
    }
    this.chans.clear();
  }
}
