/**
 * Where the D-channel fd comes from: a Unix SOCK_SEQPACKET socket the box listens on (a gateway or
 * the telco simulator connects; each accepted connection is a new link), or a DAHDI D-channel
 * device opened directly and re-opened a second after it fails. Hands each fd to `onFd`.
 */
import fs from 'node:fs';
import { closeFd, openDevice, seqpacketAccept, seqpacketListen } from '../binding/libc.js';
import { pollFd, type PollHandle } from '../binding/poll.js';

const REOPEN_MS = 1000;

export class DchannelTransport {
  private listenFd = -1;
  private listenPoll: PollHandle | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly onFd: (fd: number) => void,
    private readonly log: (level: 'info' | 'warn' | 'error', msg: string) => void,
  ) {}

  get isDevice(): boolean {
    return this.path.startsWith('/dev/');
  }

  /** A DAHDI device (it has DAHDI events: alarms). */
  get isDahdi(): boolean {
    return this.path.startsWith('/dev/dahdi/');
  }

  /** Listen on the socket path (replacing a stale one) or open the device. Throws E1Error on failure. */
  open(): void {
    if (this.isDevice) {
      this.onFd(openDevice(this.path));
      return;
    }
    try {
      if (fs.existsSync(this.path)) fs.unlinkSync(this.path);
    } catch {
      /* bind() below reports the real problem */
    }
    this.listenFd = seqpacketListen(this.path);
    this.listenPoll = pollFd(this.listenFd, { readable: true }, (status) => {
      if (status < 0 || this.closed) return;
      try {
        const fd = seqpacketAccept(this.listenFd);
        if (fd >= 0) this.onFd(fd);
      } catch (e) {
        this.log('error', `accept: ${(e as Error).message}`);
      }
    });
  }

  /** The link on the device failed: open it again after a pause (sockets just wait for a new peer). */
  linkLost(): void {
    if (!this.isDevice || this.closed || this.reopenTimer) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      try {
        this.open();
      } catch (e) {
        this.log('error', `reopen ${this.path}: ${(e as Error).message}`);
        this.linkLost();
      }
    }, REOPEN_MS);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.listenPoll?.close();
    if (this.listenFd >= 0) closeFd(this.listenFd);
    this.listenFd = -1;
    if (!this.isDevice) {
      try {
        fs.unlinkSync(this.path);
      } catch {
        /* already gone */
      }
    }
  }
}
