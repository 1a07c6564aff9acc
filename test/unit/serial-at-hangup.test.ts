// A serial line that hangs up (drivers/serial-at/hangup.ts): a read of 0 bytes — what a terminal answers once
// its far end is gone — ends the read with LineHungUp instead of reading again for ever, as serialport's own
// Linux read does (it held a core for 30 s in the suite when the simulator program's pty went away). The
// ports here are FIFOs, which behave as a terminal does for this: EAGAIN while the line is up and quiet, data,
// then end of file once the far end has closed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { LineHungUp, hangupAware } from '../../drivers/serial-at/hangup.js';

/** A FIFO opened at both ends (the reader non-blocking, as serialport opens a port), and a port over its reader. */
function line(t: { teardown(fn: () => void): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-hangup-'));
  const fifo = path.join(dir, 'tty');
  execFileSync('mkfifo', [fifo]);
  const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  let writer: number | undefined = fs.openSync(fifo, fs.constants.O_WRONLY);
  const waiting: ((err?: Error) => void)[] = [];
  const port = {
    isOpen: true,
    fd: reader as number | null,
    poller: { once: (_: 'readable', cb: (err?: Error) => void) => void waiting.push(cb) },
    read: (_b: Buffer, _o: number, _l: number): Promise<{ buffer: Buffer; bytesRead: number }> => Promise.reject(new Error('the binding’s own read was called')),
  };
  t.teardown(() => {
    if (writer !== undefined) fs.closeSync(writer);
    fs.closeSync(reader);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const binding = hangupAware({ list: async () => [], open: async (_options: unknown) => port });
  return {
    open: () => binding.open({ path: fifo }),
    send: (s: string) => fs.writeSync(writer!, s),
    writer: () => writer!,
    hangUp: () => {
      fs.closeSync(writer!);
      writer = undefined;
    },
    /** Wakes the reads waiting for the line to be readable (what the binding's poller does), with `err` if given. */
    wake: (err?: Error) => waiting.splice(0).forEach((cb) => cb(err)),
    get waiting() {
      return waiting.length;
    },
    port,
  };
}

t.test('data, then the far end hangs up: the read after the data fails with LineHungUp, a disconnect', async (t) => {
  const l = line(t);
  const port = await l.open();
  l.send('OK\r\n');
  const buf = Buffer.alloc(64);
  const first = await port.read(buf, 0, 64);
  t.equal(buf.toString('latin1', 0, first.bytesRead), 'OK\r\n');
  l.hangUp();
  const err = await port.read(buf, 0, 64).then(() => null, (e: unknown) => e);
  t.ok(err instanceof LineHungUp, 'end of file is a hang-up');
  t.match(err, { code: 'EHANGUP', disconnect: true });
  t.notOk((err as { canceled?: boolean }).canceled, 'not a cancellation: the stream closes the port as disconnected');
});

t.test('a quiet line waits for the poller, then reads what arrives; a hang-up while waiting ends the read', async (t) => {
  const l = line(t);
  const port = await l.open();
  const buf = Buffer.alloc(64);
  const pending = port.read(buf, 0, 64);
  await new Promise((r) => setTimeout(r, 20));
  t.equal(l.waiting, 1, 'nothing to read (EAGAIN): waiting for the line to be readable');
  l.send('RING\r\n');
  l.wake();
  const got = await pending;
  t.equal(buf.toString('latin1', 0, got.bytesRead), 'RING\r\n');
  const next = port.read(buf, 0, 64).then(() => null, (e: unknown) => e);
  await new Promise((r) => setTimeout(r, 20));
  l.hangUp();
  l.wake();
  t.ok((await next) instanceof LineHungUp);
});

t.test('a port closed while a read waits: the read is cancelled, not a hang-up', async (t) => {
  const l = line(t);
  const port = await l.open();
  const pending = port.read(Buffer.alloc(8), 0, 8).then(() => null, (e: unknown) => e);
  await new Promise((r) => setTimeout(r, 20));
  l.port.isOpen = false;
  l.wake(Object.assign(new Error('Canceled'), { canceled: true }));
  const err = await pending;
  t.match(err, { canceled: true });
  t.notOk(err instanceof LineHungUp);
  t.match(await port.read(Buffer.alloc(8), 0, 8).then(() => null, (e: unknown) => e), { canceled: true }, 'and so is a read after the close');
});

t.test('a port closed while its read is out does not wait on the poller it no longer has', async (t) => {
  const l = line(t);
  const port = await l.open();
  const pending = port.read(Buffer.alloc(8), 0, 8).then(() => null, (e: unknown) => e);
  l.port.isOpen = false; // closed before the read (EAGAIN: nothing sent) comes back
  t.match(await pending, { canceled: true });
  t.equal(l.waiting, 0, 'the poller was not asked (a destroyed one crashes the process: serial-at-voice-pty found it)');
});

t.test('whatever the line sends, in whatever pieces, the reads give it back in order and then the hang-up', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 12 }), fc.integer({ min: 1, max: 64 }), async (chunks, size) => {
      const cleanups: (() => void)[] = [];
      const l = line({ teardown: (fn) => void cleanups.push(fn) });
      try {
        const port = await l.open();
        for (const c of chunks) fs.writeSync(l.writer(), c);
        l.hangUp();
        const got: Buffer[] = [];
        const buf = Buffer.alloc(size);
        for (;;) {
          const r = await port.read(buf, 0, size).catch((e: unknown) => e);
          if (r instanceof LineHungUp) break;
          if (r instanceof Error) return false;
          const { bytesRead } = r as { bytesRead: number };
          if (bytesRead <= 0) return false; // never a read of nothing
          got.push(Buffer.from(buf.subarray(0, bytesRead)));
        }
        return Buffer.concat(got).equals(Buffer.concat(chunks));
      } finally {
        cleanups.forEach((fn) => fn());
      }
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 60) },
  );
});
