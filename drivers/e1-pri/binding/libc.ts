/**
 * The few libc calls the D-channel transport needs. Node has no SOCK_SEQPACKET sockets, and
 * libpri wants a plain non-blocking fd where each read() is one frame, so the sockets are made
 * here through koffi. Loaded only in the span worker and the telco simulator.
 */
import koffi from 'koffi';
import { E1Error } from '../errors.js';

// The global symbol scope (not a libc.so.6 handle): the same functions a C program calls, so an
// interposed library (LD_PRELOAD; the tests' DAHDI stand-in) sees these calls too (see dahdi.ts).
const libc = koffi.load(null);

export const AF_UNIX = 1;
export const SOCK_SEQPACKET = 5;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
const O_RDWR = 2;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

/** struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; } */
// Registered by name for the prototypes below (koffi resolves 'e1_sockaddr_un' in them).
koffi.struct('e1_sockaddr_un', { sun_family: 'uint16', sun_path: koffi.array('char', 108, 'String') });

const c = {
  socket: libc.func('int socket(int domain, int type, int protocol)'),
  bind: libc.func('int bind(int fd, const e1_sockaddr_un *addr, uint32 len)'),
  connect: libc.func('int connect(int fd, const e1_sockaddr_un *addr, uint32 len)'),
  listen: libc.func('int listen(int fd, int backlog)'),
  accept4: libc.func('int accept4(int fd, void *addr, void *len, int flags)'),
  socketpair: libc.func('int socketpair(int domain, int type, int protocol, _Out_ int *sv)'),
  close: libc.func('int close(int fd)'),
  open: libc.func('int open(const char *path, int flags)'),
  read: libc.func('long read(int fd, _Out_ uint8_t *buf, size_t n)'),
  write: libc.func('long write(int fd, const uint8_t *buf, size_t n)'),
  shutdown: libc.func('int shutdown(int fd, int how)'),
  strerror: libc.func('const char *strerror(int errnum)'),
};

function fail(what: string): never {
  const errno = koffi.errno();
  throw new E1Error('E1_SYSCALL', `${what}: ${c.strerror(errno) as string} (errno ${errno})`);
}

function addr(path: string): { sun_family: number; sun_path: string } {
  if (Buffer.byteLength(path) >= 108) throw new E1Error('E1_BAD_CONFIG', `socket path longer than 107 bytes: ${path}`);
  return { sun_family: AF_UNIX, sun_path: path };
}

const SEQ = SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC;

/** A connected pair of non-blocking SEQPACKET sockets (tests, and the telco simulator in-process). */
export function seqpacketPair(): [number, number] {
  const sv = [0, 0];
  if ((c.socketpair(AF_UNIX, SEQ, 0, sv) as number) < 0) fail('socketpair');
  return [sv[0]!, sv[1]!];
}

/** Listen on a Unix SEQPACKET socket path (the box side). The caller removes a stale path first. */
export function seqpacketListen(path: string, backlog = 4): number {
  const fd = c.socket(AF_UNIX, SEQ, 0) as number;
  if (fd < 0) fail('socket');
  if ((c.bind(fd, addr(path), 110) as number) < 0) { const e = koffi.errno(); c.close(fd); koffi.errno(e); fail(`bind ${path}`); }
  if ((c.listen(fd, backlog) as number) < 0) { c.close(fd); fail('listen'); }
  return fd;
}

/** Accept one pending connection; returns -1 when none is pending (EAGAIN). */
export function seqpacketAccept(listenFd: number): number {
  const fd = c.accept4(listenFd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC) as number;
  if (fd < 0) {
    const errno = koffi.errno();
    if (errno === 11) return -1;
    fail('accept4');
  }
  return fd;
}

/** Connect to a listening SEQPACKET path (the telco/gateway side). */
export function seqpacketConnect(path: string): number {
  // A non-blocking connect on AF_UNIX completes at once unless the listener's backlog is full (EAGAIN).
  const fd = c.socket(AF_UNIX, SEQ, 0) as number;
  if (fd < 0) fail('socket');
  if ((c.connect(fd, addr(path), 110) as number) < 0) { const e = koffi.errno(); c.close(fd); koffi.errno(e); fail(`connect ${path}`); }
  return fd;
}

/** Open a DAHDI D-channel device (e.g. /dev/dahdi/chan/001/016) non-blocking. */
export function openDevice(path: string): number {
  const fd = c.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC) as number;
  if (fd < 0) fail(`open ${path}`);
  return fd;
}

export function closeFd(fd: number): void {
  if (fd >= 0) c.close(fd);
}

/** shutdown(SHUT_RDWR): the far end sees EOF at once (used to simulate a lost link). */
export function shutdownFd(fd: number): void {
  if (fd >= 0) c.shutdown(fd, 2);
}

/** Non-blocking read of one frame; null on EAGAIN, empty buffer on EOF. */
export function readFrame(fd: number, max = 512): Buffer | null {
  const buf = Buffer.alloc(max);
  const n = Number(c.read(fd, buf, max));
  if (n < 0) {
    if (koffi.errno() === 11) return null;
    fail('read');
  }
  return buf.subarray(0, n);
}

/** Non-blocking write of one frame (one packet on a SEQPACKET socket); false on EAGAIN. */
export function writeFrame(fd: number, frame: Uint8Array): boolean {
  const n = Number(c.write(fd, frame, frame.length));
  if (n < 0) {
    const errno = koffi.errno();
    if (errno === 11) return false;
    fail('write');
  }
  return true;
}
