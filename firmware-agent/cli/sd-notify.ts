// sd_notify(3) for `Type=notify` units: READY=1 once the box listens, STOPPING=1 on shutdown, and WATCHDOG=1
// pings when the unit sets WatchdogSec (systemd passes WATCHDOG_USEC). The protocol is one unix datagram
// to $NOTIFY_SOCKET, which Node cannot send (node:dgram has no unix sockets), so libc's socket()/sendto()
// are called through koffi, already a dependency, on libc.so.6, present on every Debian system.
// Why not the `systemd-notify` binary: its datagram comes from a short-lived child, which the unit must
// allow with NotifyAccess=all, and systemd 252 (Debian 12) drops it when that child has exited before
// systemd reads the message (it cannot find the sender's unit). Sent from the main process, NotifyAccess=main
// holds and nothing races. Outside systemd (no NOTIFY_SOCKET) nothing here loads or runs.
import type { LibraryHandle } from 'koffi';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;

export interface Notifier {
  notify(state: string): boolean;
  close(): void;
}

interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  sendto: (fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrlen: number) => number | bigint;
  close: (fd: number) => number;
}

/** struct sockaddr_un for a socket path; '@name' is an abstract socket (leading NUL, no terminator). */
export function sockaddrUn(socketPath: string): Buffer {
  const abstract = socketPath.startsWith('@');
  const name = Buffer.from(abstract ? `\0${socketPath.slice(1)}` : `${socketPath}\0`, 'utf8');
  if (name.length > 108) throw new Error(`NOTIFY_SOCKET path too long: ${socketPath}`);
  const addr = Buffer.alloc(2 + name.length);
  addr.writeUInt16LE(AF_UNIX, 0);
  name.copy(addr, 2);
  return addr;
}

/** A notifier for $NOTIFY_SOCKET, or null when the process does not run under a notify unit. */
export async function systemdNotifier(env: NodeJS.ProcessEnv = process.env): Promise<Notifier | null> {
  const socketPath = env.NOTIFY_SOCKET;
  if (!socketPath) return null;
  const koffi = (await import('koffi')).default;
  const lib: LibraryHandle = koffi.load('libc.so.6');
  const c: Libc = {
    socket: lib.func('int socket(int, int, int)') as Libc['socket'],
    sendto: lib.func('intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)') as Libc['sendto'],
    close: lib.func('int close(int)') as Libc['close'],
  };
  const addr = sockaddrUn(socketPath);
  const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error('sd_notify: socket(AF_UNIX, SOCK_DGRAM) failed');
  let open = true;
  return {
    notify(state: string): boolean {
      if (!open) return false;
      const msg = Buffer.from(state, 'utf8');
      return Number(c.sendto(fd, msg, msg.length, 0, addr, addr.length)) === msg.length;
    },
    close() {
      if (open) c.close(fd);
      open = false;
    },
  };
}

/**
 * The watchdog interval systemd asks for (WATCHDOG_USEC, for this process when WATCHDOG_PID names it), as
 * the ping period in ms: half the timeout, as sd_watchdog_enabled(3) advises. Null when no watchdog is set.
 */
export function watchdogPingMs(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}
