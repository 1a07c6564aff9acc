/**
 * The DAHDI user API (DAHDI's <dahdi/user.h>) through koffi: the generic channel device
 * `/dev/dahdi/channel`, its ioctls, and non-blocking read/write of audio blocks. Loaded only in the
 * span worker.
 *
 * The libc functions are resolved in the process's global symbol scope (`koffi.load(null)`), not from a
 * dlopen'ed libc.so.6 handle: that is the `open`/`ioctl`/`read` every C program linked to libc calls,
 * so an interposed library (LD_PRELOAD; the tests' DAHDI stand-in) sees the same calls as the kernel.
 * A lookup through the libc handle would bypass interposition.
 *
 * ioctl numbers are _IOW/_IOR/_IOWR(DAHDI_CODE 0xDA, nr, size) as user.h defines them; they and the
 * struct offsets are checked against the header with gcc in test/integration/e1-dahdi-binding.test.ts.
 */
import koffi from 'koffi';
import { E1Error } from '../errors.js';

const libc = koffi.load(null);

const c = {
  open: libc.func('int open(const char *path, int flags)'),
  ioctl: libc.func('int ioctl(int fd, unsigned long req, void *arg)'),
  read: libc.func('long read(int fd, void *buf, size_t n)'),
  write: libc.func('long write(int fd, const void *buf, size_t n)'),
  close: libc.func('int close(int fd)'),
  strerror: libc.func('const char *strerror(int errnum)'),
};

const O_RDWR = 2;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const EAGAIN = 11;
/** user.h: "#define ELAST 500" — read() fails with it while a DAHDI event waits for DAHDI_GETEVENT. */
export const ELAST = 500;

const IOC_WRITE = 1;
const IOC_READ = 2;
const DAHDI_CODE = 0xda;
const ioc = (dir: number, nr: number, size: number) => ((dir << 30) | (size << 16) | (DAHDI_CODE << 8) | nr) >>> 0;

/** sizeof(struct dahdi_spaninfo) (packed) and sizeof(struct dahdi_params) on Linux. */
export const SPANINFO_SIZE = 314;
export const PARAMS_SIZE = 136;

export const DAHDI = {
  GET_BLOCKSIZE: ioc(IOC_READ, 1, 4),
  SET_BLOCKSIZE: ioc(IOC_WRITE, 1, 4),
  FLUSH: ioc(IOC_WRITE, 3, 4),
  GET_PARAMS: ioc(IOC_READ | IOC_WRITE, 5, PARAMS_SIZE),
  GETEVENT: ioc(IOC_READ, 8, 4),
  SPANSTAT: ioc(IOC_READ | IOC_WRITE, 10, SPANINFO_SIZE),
  AUDIOMODE: ioc(IOC_WRITE, 32, 4),
  CHANNO: ioc(IOC_READ, 34, 4),
  SPECIFY: ioc(IOC_WRITE, 38, 4),
  SETLAW: ioc(IOC_WRITE, 39, 4),
} as const;

export const DAHDI_LAW_ALAW = 2;

/** DAHDI_EVENT_* (user.h) the span worker acts on. */
export const DAHDI_EVENT = {
  NONE: 0,
  ALARM: 4,
  NOALARM: 5,
  ABORT: 6,
  OVERRUN: 7,
  BADFCS: 8,
  REMOVED: 20,
  READ_OVERRUN: 29,
  WRITE_UNDERRUN: 30,
} as const;

/** DAHDI_ALARM_* bits of dahdi_spaninfo.alarms (user.h), with the names technicians know. */
export const DAHDI_ALARMS: readonly [number, string][] = [
  [1 << 0, 'RECOVER'],
  [1 << 1, 'LOOPBACK'],
  [1 << 2, 'YELLOW'],
  [1 << 3, 'RED'],
  [1 << 4, 'BLUE'],
  [1 << 5, 'NOTOPEN'],
  [1 << 8, 'LOS'],
  [1 << 9, 'LFA'],
  [1 << 10, 'LMFA'],
];

export function alarmNames(alarms: number): string {
  const names = DAHDI_ALARMS.filter(([bit]) => alarms & bit).map(([, n]) => n);
  return names.length ? names.join('+') : alarms ? `0x${alarms.toString(16)}` : 'none';
}

function fail(what: string, errno = koffi.errno()): never {
  throw new E1Error('E1_SYSCALL', `${what}: ${c.strerror(errno) as string} (errno ${errno})`);
}

/** open(2) O_RDWR|O_NONBLOCK: the generic channel device or a fixed channel (a D-channel). */
export function dahdiOpen(path: string): number {
  const fd = c.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC) as number;
  if (fd < 0) fail(`open ${path}`);
  return fd;
}

export function dahdiClose(fd: number): void {
  if (fd >= 0) c.close(fd);
}

function ioctlInt(fd: number, req: number, value: number, what: string): number {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value, 0);
  if ((c.ioctl(fd, req, b) as number) < 0) fail(what);
  return b.readInt32LE(0);
}

/** DAHDI_SPECIFY: bind a /dev/dahdi/channel fd to channel `channo` (global DAHDI numbering). */
export const dahdiSpecify = (fd: number, channo: number) => void ioctlInt(fd, DAHDI.SPECIFY, channo, `DAHDI_SPECIFY ${channo}`);
/** DAHDI_SETLAW: the companding of read/write (DAHDI_LAW_ALAW on E1). */
export const dahdiSetLaw = (fd: number, law: number) => void ioctlInt(fd, DAHDI.SETLAW, law, `DAHDI_SETLAW ${law}`);
/** DAHDI_AUDIOMODE 1: a clear channel carries audio, not HDLC. */
export const dahdiAudioMode = (fd: number, on: boolean) => void ioctlInt(fd, DAHDI.AUDIOMODE, on ? 1 : 0, 'DAHDI_AUDIOMODE');
/** DAHDI_SET_BLOCKSIZE: bytes per read()/write() block (160 = 20 ms at 8 kHz). */
export const dahdiSetBlocksize = (fd: number, n: number) => void ioctlInt(fd, DAHDI.SET_BLOCKSIZE, n, `DAHDI_SET_BLOCKSIZE ${n}`);
export const dahdiGetBlocksize = (fd: number) => ioctlInt(fd, DAHDI.GET_BLOCKSIZE, 0, 'DAHDI_GET_BLOCKSIZE');
/** DAHDI_GETEVENT: the next queued event of this channel, DAHDI_EVENT_NONE when none. */
export const dahdiGetEvent = (fd: number) => ioctlInt(fd, DAHDI.GETEVENT, 0, 'DAHDI_GETEVENT');

export interface SpanStat { spanno: number; name: string; alarms: number; numchans: number }

/** DAHDI_SPANSTAT with spanno 0: the span of the channel open on `fd`. */
export function dahdiSpanStat(fd: number, spanno = 0): SpanStat {
  const b = Buffer.alloc(SPANINFO_SIZE);
  b.writeInt32LE(spanno, 0);
  if ((c.ioctl(fd, DAHDI.SPANSTAT, b) as number) < 0) fail('DAHDI_SPANSTAT');
  // struct dahdi_spaninfo (packed): spanno @0, name[20] @4, desc[40] @24, alarms @64, numchans @120.
  const name = b.subarray(4, 24);
  return { spanno: b.readInt32LE(0), name: name.subarray(0, Math.max(0, name.indexOf(0))).toString('latin1'), alarms: b.readInt32LE(64), numchans: b.readInt32LE(120) };
}

export type ReadResult = { kind: 'data'; data: Buffer } | { kind: 'again' } | { kind: 'event' } | { kind: 'eof' };

/** Non-blocking read of one block. `event`: read failed with ELAST, take it with dahdiGetEvent. */
export function dahdiRead(fd: number, buf: Buffer): ReadResult {
  const n = Number(c.read(fd, buf, buf.length));
  if (n > 0) return { kind: 'data', data: buf.subarray(0, n) };
  if (n === 0) return { kind: 'eof' };
  const errno = koffi.errno();
  if (errno === EAGAIN) return { kind: 'again' };
  if (errno === ELAST) return { kind: 'event' };
  fail('read', errno);
}

/** Non-blocking write of one block; false when DAHDI's write buffers are full (EAGAIN) or an event waits (ELAST). */
export function dahdiWrite(fd: number, data: Uint8Array): boolean {
  const n = Number(c.write(fd, data, data.length));
  if (n >= 0) return true;
  const errno = koffi.errno();
  if (errno === EAGAIN || errno === ELAST) return false;
  fail('write', errno);
}
