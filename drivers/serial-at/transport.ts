// Transport layer: a factory of an opened duplex byte stream. Protocol code is handed a factory and
// never constructs a port itself (style.md, zwave-js ZWaveSerialStream/MockPort), so the same stack
// runs on a USB modem, one end of a socat pty pair, SerialPortMock, or an in-memory pair.
import { EventEmitter } from 'node:events';
// serialport (with its native binding and parsers) is loaded when a port is opened, not when the box
// starts: a box without a serial trunk never loads it, and one with it reaches ready sooner (issue 11).
import type { SerialPort, SerialPortMock } from 'serialport';
import { SerialAtError, SerialAtErrorCodes } from './errors.js';
import { hangupAware } from './hangup.js';

/**
 * An open byte stream. Contract (the in-memory pair enforces the same rules as the real port):
 *  - `data` delivers chunks in order, split anywhere (a line may arrive in several chunks);
 *  - `close` is emitted exactly once, with an Error when the device went away (unplug, pty closed),
 *    without one after `close()`; nothing is emitted after it;
 *  - `write` after close rejects with SerialAtError PortClosed.
 */
export interface ByteTransport {
  readonly path: string;
  write(data: Uint8Array | string): Promise<void>;
  close(): Promise<void>;
  readonly isOpen: boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'close', listener: (err?: Error) => void): this;
  off(event: 'data', listener: (chunk: Buffer) => void): this;
  off(event: 'close', listener: (err?: Error) => void): this;
}

export interface TransportFactory {
  /** For logs, e.g. "serial:/dev/ttyUSB0". */
  readonly describe: string;
  open(): Promise<ByteTransport>;
}

type AnyStream = SerialPort | SerialPortMock;

/** Wraps a serialport stream (real or mock) that has not been opened yet. */
class StreamTransport extends EventEmitter implements ByteTransport {
  #closed = false;
  constructor(private readonly port: AnyStream) {
    super();
    port.on('data', (chunk: Buffer) => {
      if (!this.#closed) this.emit('data', chunk);
    });
    // A disconnect shows up as `close` with an error whose `disconnected` is true; a failed read on
    // a pty whose far end vanished also ends here.
    port.on('close', (err?: Error | null) => this.#finish(err ?? undefined));
    port.on('error', (err: Error) => {
      if (!port.isOpen) this.#finish(err);
    });
  }
  get path(): string {
    return this.port.path;
  }
  get isOpen(): boolean {
    return !this.#closed && this.port.isOpen;
  }
  #finish(err?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close', err);
    this.removeAllListeners('data');
  }
  openPort(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.port.open((err) =>
        err
          ? reject(new SerialAtError(SerialAtErrorCodes.OpenFailed, `cannot open ${this.port.path}`, { path: this.port.path }, { cause: err }))
          : resolve(),
      ),
    );
  }
  write(data: Uint8Array | string): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new SerialAtError(SerialAtErrorCodes.PortClosed, 'write on a closed port', { path: this.path }));
    }
    return new Promise((resolve, reject) => {
      this.port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data), (err) => {
        if (err) reject(new SerialAtError(SerialAtErrorCodes.PortClosed, 'write failed', { path: this.path }, { cause: err }));
        else resolve();
      });
    });
  }
  close(): Promise<void> {
    if (this.#closed || !this.port.isOpen) {
      this.#finish();
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.port.close(() => {
        this.#finish();
        resolve();
      }),
    );
  }
}

export interface SerialOptions {
  path: string;
  /** Bits per second; GSM modules default to 115200 (autobaud on most). */
  baudRate?: number;
  /** Hardware flow control; needed by some modules at high rates. */
  rtscts?: boolean;
}

function validate(opts: SerialOptions): Required<SerialOptions> {
  if (typeof opts.path !== 'string' || opts.path === '') {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, 'serial: `path` must be a non-empty string', { param: 'path' });
  }
  const baudRate = opts.baudRate ?? 115200;
  if (!Number.isInteger(baudRate) || baudRate < 300 || baudRate > 4_000_000) {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, 'serial: `baudRate` must be an integer 300..4000000', { param: 'baudRate' });
  }
  return { path: opts.path, baudRate, rtscts: opts.rtscts ?? false };
}

/** A real serial device (or a pty). Each `open()` constructs a fresh port, so a re-plugged device works. */
export function serialPortTransport(options: SerialOptions): TransportFactory {
  const o = validate(options);
  return {
    describe: `serial:${o.path}`,
    async open() {
      const { SerialPort } = await import('serialport');
      // The detected binding, with reads that end when the line hangs up (hangup.ts): SerialPort takes a
      // binding given in its options over its own, though its type leaves the option out.
      const binding = hangupAware(SerialPort.binding);
      const options = { path: o.path, baudRate: o.baudRate, rtscts: o.rtscts, autoOpen: false, binding };
      const t = new StreamTransport(new SerialPort(options as ConstructorParameters<typeof SerialPort>[0]));
      await t.openPort();
      return t;
    },
  };
}

/**
 * SerialPortMock from `serialport` (never `@serialport/binding-mock` directly: in ESM that loads a
 * second copy, see platform notes). The caller creates the mock port with
 * `SerialPortMock.binding.createPort(path, { record: true })` and reads `binding.recording`.
 */
export function mockPortTransport(options: SerialOptions): TransportFactory & { last?: SerialPortMock } {
  const o = validate(options);
  const f: TransportFactory & { last?: SerialPortMock } = {
    describe: `mock:${o.path}`,
    async open() {
      const { SerialPortMock } = await import('serialport');
      const port = new SerialPortMock({ path: o.path, baudRate: o.baudRate, autoOpen: false });
      f.last = port;
      const t = new StreamTransport(port);
      await t.openPort();
      return t;
    },
  };
  return f;
}

/** One end of an in-memory pair. */
class MemoryEnd extends EventEmitter implements ByteTransport {
  peer: MemoryEnd | undefined;
  #closed = false;
  constructor(readonly path: string) {
    super();
  }
  get isOpen(): boolean {
    return !this.#closed;
  }
  deliver(chunk: Buffer): void {
    // Delivered on a microtask: asynchronous like a real port, but drained before timers run.
    queueMicrotask(() => {
      if (!this.#closed) this.emit('data', chunk);
    });
  }
  write(data: Uint8Array | string): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new SerialAtError(SerialAtErrorCodes.PortClosed, 'write on a closed port', { path: this.path }));
    }
    this.peer?.deliver(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
    return Promise.resolve();
  }
  end(err?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    queueMicrotask(() => {
      this.emit('close', err);
      this.removeAllListeners();
    });
  }
  close(): Promise<void> {
    this.end();
    // Closing one end of a link is, for the other end, the device going away.
    this.peer?.end(new Error('peer closed'));
    return Promise.resolve();
  }
}

/**
 * An in-memory link for unit tests: `host` is what the driver opens, `device` is what a simulator
 * drives. `unplug()` closes both ends the way a USB unplug does; `replug()` lets `open()` succeed again.
 */
export function memoryLink(path = 'mem0'): {
  factory: TransportFactory;
  /** Resolves with the device end each time the driver opens the link. */
  nextDevice(): Promise<ByteTransport>;
  unplug(): void;
  replug(): void;
  readonly opens: number;
} {
  let present = true;
  let current: { host: MemoryEnd; device: MemoryEnd } | undefined;
  let opens = 0;
  const waiting: Array<(d: ByteTransport) => void> = [];
  const backlog: ByteTransport[] = [];
  return {
    factory: {
      describe: `memory:${path}`,
      async open() {
        if (!present) throw new SerialAtError(SerialAtErrorCodes.OpenFailed, `cannot open ${path}`, { path });
        const host = new MemoryEnd(path);
        const device = new MemoryEnd(`${path}-device`);
        host.peer = device;
        device.peer = host;
        current = { host, device };
        opens += 1;
        const w = waiting.shift();
        if (w) w(device);
        else backlog.push(device);
        return host;
      },
    },
    nextDevice() {
      const d = backlog.shift();
      if (d) return Promise.resolve(d);
      return new Promise((resolve) => waiting.push(resolve));
    },
    unplug() {
      present = false;
      if (current) {
        current.host.end(new Error('device disconnected'));
        current.device.end(new Error('host gone'));
      }
    },
    replug() {
      present = true;
    },
    get opens() {
      return opens;
    },
  };
}
