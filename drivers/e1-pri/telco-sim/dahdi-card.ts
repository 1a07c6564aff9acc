/**
 * The card side of the DAHDI stand-in (test/fixtures/dahdi-shim/dahdi-shim.c, preloaded into the box's
 * span worker): a simulated E1 card that the shim's device fds are connected to, over one Unix
 * SOCK_SEQPACKET socket per opened channel. It sees what the box set on each channel (DAHDI_SPECIFY,
 * DAHDI_SETLAW, DAHDI_SET_BLOCKSIZE, DAHDI_AUDIOMODE), carries B-channel audio both ways for the telco
 * simulator, relays a D-channel opened as a device to a libpri fd, and raises span alarms
 * (DAHDI_EVENT_ALARM / NOALARM on every open channel, as dahdi_alarm_notify does in the kernel).
 *
 * Wire protocol: see dahdi-shim.c. Runs in the test (or simulator) process, never in the box.
 */
import fs from 'node:fs';
import { EventEmitter } from 'node:events';
import { closeFd, readFrame, seqpacketAccept, seqpacketListen, seqpacketPair, shutdownFd, writeFrame } from '../binding/libc.js';
import { pollFd, type PollHandle } from '../binding/poll.js';
import { FRAME_BYTES, FramePacer } from '../media/frames.js';
import { ALAW_SILENCE } from '../../media/alaw.js';

const MSG_HELLO = 0x10;
const MSG_CONFIG = 0x11;
const MSG_DATA = 0x01;
const MSG_EVENT = 0x02;
/** user.h DAHDI_EVENT_NONE / DAHDI_EVENT_ALARM / DAHDI_EVENT_NOALARM. */
const EVENT_NONE = 0;
const EVENT_ALARM = 4;
const EVENT_NOALARM = 5;

function eventMessage(event: number, alarms: number): Buffer {
  const m = Buffer.alloc(9);
  m[0] = MSG_EVENT;
  m.writeInt32LE(event, 1);
  m.writeInt32LE(alarms, 5);
  return m;
}

/** What the box set on one channel fd, as the card saw it. */
export interface CardChannel {
  /** Global DAHDI channel number given to DAHDI_SPECIFY (or the D-channel device's number). */
  channo: number;
  /** E1 timeslot on this span. */
  timeslot: number;
  kind: 'bchannel' | 'dchannel';
  /** DAHDI_LAW_* (2 = A-law) from DAHDI_SETLAW; undefined until set. */
  law?: number;
  blocksize?: number;
  audioMode?: number;
  /** Blocks the box wrote, and how many of them were not `blocksize` long. */
  blocksWritten: number;
  oddBlocks: number;
  closed: boolean;
}

interface Conn { fd: number; poll: PollHandle | undefined; info: CardChannel | undefined; relay?: { fd: number; poll: PollHandle }; sentThisTick?: boolean }

const IDLE_BLOCK = Buffer.concat([Buffer.from([MSG_DATA]), Buffer.alloc(FRAME_BYTES, ALAW_SILENCE)]);

export interface DahdiCardEvents {
  /** A channel was opened and specified (B) or a D-channel device opened. */
  channel: [CardChannel];
  /** The box set law / blocksize / audio mode on a channel. */
  config: [CardChannel];
  /** A block of B-channel audio from the box. */
  audio: [number, Buffer];
  /** The box opened the D-channel device: the libpri end of its relay. */
  dchannel: [number];
  /** A channel fd was closed by the box. */
  closed: [CardChannel];
}

export class DahdiCard extends EventEmitter<DahdiCardEvents> {
  private listenFd = -1;
  private listenPoll: PollHandle | undefined;
  private readonly conns = new Set<Conn>();
  private readonly byTimeslot = new Map<number, Conn>();
  /** Everything the box opened, by timeslot, including closed channels (tests look at it). */
  readonly channels = new Map<number, CardChannel>();
  private pendingD: number[] = [];
  /** DAHDI_ALARM_* of the span; set it before the box opens the card for a span already in alarm. */
  alarms = 0;

  private clockPacer: FramePacer | undefined;

  /**
   * Run like a card's 8 kHz clock: every 20 ms each open B-channel gets a block, silence (0xD5) when the
   * telco simulator sent no audio on it, as a real card delivers a block per channel whether or not a
   * call is up (the bench measures the box's cost of reading them). Off by default: tests only need the
   * blocks that carry audio.
   */
  runClock(on = true): void {
    if (!on) {
      this.clockPacer?.end();
      this.clockPacer = undefined;
      return;
    }
    this.clockPacer ??= new FramePacer(() => {
      for (const c of this.byTimeslot.values()) {
        if (!c.sentThisTick) {
          try {
            writeFrame(c.fd, IDLE_BLOCK);
          } catch (e) {
            this.errors.push(e);
          }
        }
        c.sentThisTick = false;
      }
    }, (e) => this.errors.push(e));
    this.clockPacer.begin();
  }

  /** @param firstChannel global DAHDI channel number of timeslot 1 (as the box's bchannels.firstChannel). */
  constructor(readonly path: string, readonly firstChannel = 1) {
    super();
  }

  listen(): void {
    try {
      fs.unlinkSync(this.path);
    } catch {
      /* none */
    }
    // A box opens all 31 channels of a span at once.
    this.listenFd = seqpacketListen(this.path, 64);
    this.listenPoll = pollFd(this.listenFd, { readable: true }, (status) => {
      if (status < 0) return;
      try {
        for (;;) {
          const fd = seqpacketAccept(this.listenFd);
          if (fd < 0) return;
          this.accept(fd);
        }
      } catch (e) {
        this.errors.push(e);
      }
    });
  }

  private accept(fd: number): void {
    const conn: Conn = { fd, poll: undefined, info: undefined };
    this.conns.add(conn);
    // An exception must never leave a koffi poll callback (it would stay pending in the N-API env).
    conn.poll = pollFd(fd, { readable: true, disconnect: true }, (status, ev) => this.guard(conn, () => {
      if (status < 0 || (!ev.readable && ev.disconnect)) return this.drop(conn);
      for (;;) {
        const m = readFrame(fd, 8200);
        if (m === null) return;
        if (m.length === 0) return this.drop(conn);
        this.onMessage(conn, m);
      }
    }));
  }

  private onMessage(conn: Conn, m: Buffer): void {
    const type = m[0];
    if (type === MSG_HELLO && m.length >= 6) {
      const channo = m.readInt32LE(2);
      const timeslot = channo - this.firstChannel + 1;
      const info: CardChannel = { channo, timeslot, kind: m[1] === 1 ? 'dchannel' : 'bchannel', blocksWritten: 0, oddBlocks: 0, closed: false };
      conn.info = info;
      this.channels.set(timeslot, info);
      // The shim waits for the span's state before DAHDI_SPECIFY / open returns.
      writeFrame(conn.fd, eventMessage(EVENT_NONE, this.alarms));
      if (info.kind === 'dchannel') this.relayDchannel(conn);
      else this.byTimeslot.set(timeslot, conn);
      this.emit('channel', info);
      return;
    }
    const info = conn.info;
    if (!info) return;
    if (type === MSG_CONFIG && m.length >= 6) {
      const v = m.readInt32LE(2);
      if (m[1] === 1) info.law = v;
      else if (m[1] === 2) info.blocksize = v;
      else if (m[1] === 3) info.audioMode = v;
      this.emit('config', info);
      return;
    }
    if (type === MSG_DATA) {
      const data = m.subarray(1);
      if (conn.relay) {
        writeFrame(conn.relay.fd, data);
        return;
      }
      info.blocksWritten++;
      if (info.blocksize !== undefined && data.length !== info.blocksize) info.oddBlocks++;
      this.emit('audio', info.timeslot, Buffer.from(data));
    }
  }

  /** A D-channel device: frames between the shim and one end of a SEQPACKET pair handed to libpri. */
  private relayDchannel(conn: Conn): void {
    const [mine, theirs] = seqpacketPair();
    const poll = pollFd(mine, { readable: true, disconnect: true }, (status, ev) => this.guard(conn, () => {
      if (status < 0 || (!ev.readable && ev.disconnect)) return this.drop(conn);
      for (;;) {
        const f = readFrame(mine, 1024);
        if (f === null) return;
        if (f.length === 0) return this.drop(conn);
        writeFrame(conn.fd, Buffer.concat([Buffer.from([MSG_DATA]), f]));
      }
    }));
    conn.relay = { fd: mine, poll };
    this.pendingD.push(theirs);
    this.emit('dchannel', theirs);
  }

  /** The libpri fd of the D-channel the box opened last (waits for the box to open it). */
  nextDchannel(): Promise<number> {
    const fd = this.pendingD.shift();
    if (fd !== undefined) return Promise.resolve(fd);
    return new Promise((resolve) => this.once('dchannel', () => resolve(this.pendingD.shift()!)));
  }

  /** Errors of one channel's socket (the box's side went away mid-write) end that channel only. */
  private guard(conn: Conn, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.errors.push(e);
      try {
        this.drop(conn);
      } catch (e2) {
        this.errors.push(e2);
      }
    }
  }

  /** What went wrong on the card's sockets (kept, not thrown: tests look at it). */
  readonly errors: unknown[] = [];

  private drop(conn: Conn): void {
    if (!this.conns.delete(conn)) return;
    conn.poll?.close();
    closeFd(conn.fd);
    if (conn.relay) {
      conn.relay.poll.close();
      shutdownFd(conn.relay.fd);
      closeFd(conn.relay.fd);
    }
    if (conn.info) {
      conn.info.closed = true;
      if (this.byTimeslot.get(conn.info.timeslot) === conn) this.byTimeslot.delete(conn.info.timeslot);
      this.emit('closed', conn.info);
    }
  }

  /** One block of audio to the box on a B-channel; false when the channel is not open (or full). */
  sendAudio(timeslot: number, frame: Buffer): boolean {
    const conn = this.byTimeslot.get(timeslot);
    if (!conn) return false;
    conn.sentThisTick = true;
    try {
      return writeFrame(conn.fd, Buffer.concat([Buffer.from([MSG_DATA]), frame]));
    } catch {
      return false;
    }
  }

  /**
   * Set the span's alarms (DAHDI_ALARM_* bits; 0 clears): every open channel gets DAHDI_EVENT_ALARM
   * (or NOALARM) and DAHDI_SPANSTAT reports `alarms` from then on.
   */
  setAlarms(alarms: number): void {
    this.alarms = alarms;
    const m = eventMessage(alarms ? EVENT_ALARM : EVENT_NOALARM, alarms);
    for (const c of this.conns) {
      if (!c.info) continue;
      try {
        writeFrame(c.fd, m);
      } catch {
        /* a channel closing under us */
      }
    }
  }

  /** Open B-channels, by timeslot. */
  get openBchannels(): number[] {
    return [...this.byTimeslot.keys()].sort((a, b) => a - b);
  }

  close(): void {
    this.runClock(false);
    for (const c of [...this.conns]) this.drop(c);
    for (const fd of this.pendingD) closeFd(fd);
    this.pendingD = [];
    this.listenPoll?.close();
    if (this.listenFd >= 0) closeFd(this.listenFd);
    this.listenFd = -1;
    try {
      fs.unlinkSync(this.path);
    } catch {
      /* gone */
    }
  }
}
