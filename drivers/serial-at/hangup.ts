// A serial line that hangs up ends its port (issue 14: the suite found a driver spinning a core).
//
// A terminal whose far end is gone — a USB modem pulled out, the other side of a pty closed — answers every
// read with end of file (0 bytes). serialport's Linux binding (@serialport/bindings-cpp 13, unixRead) reads
// again at once on 0 bytes, for ever: the port never closes, the driver does not hear that the modem is gone
// until a command times out, and meanwhile the read loop holds a core and a libuv thread (serialport/
// bindings-cpp#162; the fix, #164, was never merged). `hangupAware` wraps the detected binding so that a
// read of 0 bytes is what it means on a terminal: the line hung up. The stream then closes the port with a
// disconnect error, and the transport reports the device gone at once (its `close` with an error).
//
// Everything else is the binding's own: open, write, close, the poller a read waits on when there is nothing
// to read yet (EAGAIN), cancellation when the port is closed.
import fs from 'node:fs';
import { promisify } from 'node:util';

const fsRead = promisify(fs.read);

/** What this wrapper needs of an opened Linux port binding (LinuxPortBinding's public members). */
interface OpenedPort {
  readonly isOpen: boolean;
  fd?: number | null;
  readonly poller?: { once(event: 'readable', callback: (err?: Error) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
}

interface Binding {
  open(options: never): Promise<unknown>;
}

/** The error a hung-up line's read ends with: not `canceled`, so the stream closes the port as disconnected. */
export class LineHungUp extends Error {
  readonly code = 'EHANGUP';
  readonly disconnect = true;
  constructor(path: string) {
    super(`${path}: the line hung up (end of file on the serial device: unplugged, or the far end closed)`);
  }
}

/** Reads at least one byte, waits for the line to be readable, or fails: never returns 0 bytes. */
async function readSome(port: OpenedPort & { fd: number | null }, path: string, buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
  for (;;) {
    if (!port.isOpen || port.fd === null) throw Object.assign(new Error('Port is not open'), { canceled: true });
    try {
      const { bytesRead } = await fsRead(port.fd, buffer, offset, length, null);
      if (bytesRead > 0) return { buffer, bytesRead };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw err;
      // Closed while the read was out: its poller is gone (polling a destroyed one crashes the process).
      if (!port.isOpen) throw Object.assign(new Error('Port is not open'), { canceled: true });
      await new Promise<void>((resolve, reject) => port.poller!.once('readable', (e) => (e ? reject(e) : resolve())));
      continue;
    }
    throw new LineHungUp(path);
  }
}

/** `binding` (serialport's detected one), with ports whose reads end at a hang-up instead of spinning. */
export function hangupAware<B extends Binding>(binding: B): B {
  return {
    ...binding,
    async open(options: { path?: string }) {
      const port = (await binding.open(options as never)) as OpenedPort;
      // Only a port this wrapper understands (Linux and the other Unix bindings: a descriptor and a poller).
      if (typeof port.fd === 'number' && port.poller) {
        const p = port as OpenedPort & { fd: number | null };
        p.read = (buffer, offset, length) => readSome(p, options.path ?? 'serial port', buffer, offset, length);
      }
      return port;
    },
  } as B;
}
