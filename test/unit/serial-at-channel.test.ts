// Byte-exact tests of the command queue over SerialPortMock (the binding's recording holds what was
// written), in the style of zigbee-herdsman's mock-binding tests.
import t from 'tap';
import { SerialPortMock } from 'serialport';
import { AtChannel } from '../../drivers/serial-at/channel.js';
import { VirtualClock } from '../../common/clock.js';
import { recordingLogger } from '../../common/log.js';
import { mockPortTransport, type ByteTransport } from '../../drivers/serial-at/transport.js';
import type { Urc } from '../../drivers/serial-at/parsers/urc.js';
import { isSerialAtError, SerialAtErrorCodes } from '../../drivers/serial-at/errors.js';

let n = 0;
async function setup(t: { teardown(fn: () => unknown): void }) {
  const path = `/dev/MODEM${n++}`;
  SerialPortMock.binding.createPort(path, { record: true, echo: false });
  const factory = mockPortTransport({ path });
  const raw = await factory.open();
  const writes: Array<() => void> = [];
  // Wraps write so the test can wait until bytes reached the binding (no sleeps).
  let written = 0;
  const transport = {
    path: raw.path,
    get isOpen() {
      return raw.isOpen;
    },
    write: async (d: Uint8Array | string) => {
      await raw.write(d);
      written += 1;
      writes.splice(0).forEach((w) => w());
    },
    close: () => raw.close(),
    on(ev: 'data' | 'close', l: (x?: never) => void) {
      raw.on(ev as 'data', l as unknown as (c: Buffer) => void);
      return transport;
    },
    off(ev: 'data' | 'close', l: (x?: never) => void) {
      raw.off(ev as 'data', l as unknown as (c: Buffer) => void);
      return transport;
    },
  } as ByteTransport;
  const clock = new VirtualClock();
  const log = recordingLogger();
  const ch = new AtChannel({ transport, clock, logger: log });
  const binding = () => factory.last!.port!;
  const afterWrites = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => (written >= count ? resolve() : writes.push(check));
      check();
    });
  t.teardown(async () => {
    await ch.close();
  });
  return { ch, clock, log, binding, afterWrites, recording: () => binding().recording.toString('latin1') };
}


t.test('commands go out one at a time, byte for byte, each paired with its reply', async (t) => {
  const { ch, binding, afterWrites, recording } = await setup(t);
  const a = ch.run({ command: 'AT+CSQ', timeoutMs: 1000 });
  const b = ch.run({ command: 'AT+CPIN?', timeoutMs: 1000 });
  await afterWrites(1);
  t.equal(recording(), 'AT+CSQ\r', 'the second command waits for the first final result');
  binding().emitData('\r\n+CSQ: 21,99\r\n\r\nOK\r\n');
  t.same(await a, { ok: true, lines: ['+CSQ: 21,99'], final: 'OK' });
  await afterWrites(2);
  t.equal(recording(), 'AT+CSQ\rAT+CPIN?\r');
  binding().emitData('\r\n+CPIN: READY\r\n\r\nOK\r\n');
  t.same(await b, { ok: true, lines: ['+CPIN: READY'], final: 'OK' });
});

t.test('a URC in the middle of an exchange reaches listeners and is not taken as a reply', async (t) => {
  const { ch, binding, afterWrites } = await setup(t);
  const urcs: Urc[] = [];
  ch.onUrc((u) => urcs.push(u));
  const p = ch.run({ command: 'AT+CSQ', timeoutMs: 1000 });
  await afterWrites(1);
  binding().emitData('\r\n+CMTI: "SM",4\r\n\r\n+CSQ: 18,99\r\nRING\r\n\r\n+CDS: 3\r\n0006AB\r\nOK\r\n');
  t.same(await p, { ok: true, lines: ['+CSQ: 18,99'], final: 'OK' });
  t.same(urcs, [{ type: 'cmti', storage: 'SM', index: 4 }, { type: 'ring' }, { type: 'cds', length: 3, pdu: '0006AB' }]);
});

t.test('AT+CMGS: prompt without line ending, then PDU and Ctrl-Z', async (t) => {
  const { ch, binding, afterWrites, recording } = await setup(t);
  const p = ch.runOk({ command: 'AT+CMGS=23', body: '0011000B916407281553F80000AA0AE8329BFD4697D9EC37', timeoutMs: 1000 });
  await afterWrites(1);
  binding().emitData('\r\n> ');
  await afterWrites(2);
  t.equal(recording(), 'AT+CMGS=23\r0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1a');
  binding().emitData('\r\n+CMGS: 7\r\n\r\nOK\r\n');
  t.same(await p, ['+CMGS: 7']);
});

t.test('a timeout settles the exchange and the next one runs', async (t) => {
  const { ch, clock, binding, afterWrites } = await setup(t);
  const p = ch.runOk({ command: 'AT+CSQ', timeoutMs: 1000 });
  const q = ch.run({ command: 'AT', timeoutMs: 1000 });
  await afterWrites(1);
  const settled = p.then(() => undefined, (e: unknown) => e);
  await clock.advance(1000);
  const err = await settled;
  t.ok(isSerialAtError(err, SerialAtErrorCodes.CommandFailed));
  t.same((err as { detail: { failure: unknown } }).detail.failure, { kind: 'timeout', phase: 'final' });
  t.match((err as Error).stack, /serial-at-channel\.test/, 'the error points at the caller');
  await afterWrites(2);
  binding().emitData('OK\r\n');
  t.equal((await q).ok, true);
});

t.test('+CMS ERROR rejects with the code', async (t) => {
  const { ch, binding, afterWrites } = await setup(t);
  const p = ch.runOk({ command: 'AT+CMGD=1', timeoutMs: 1000 });
  await afterWrites(1);
  binding().emitData('\r\n+CMS ERROR: 321\r\n');
  const err = await p.catch((e: unknown) => e);
  t.same((err as { detail: { failure: unknown } }).detail.failure, { kind: 'cms', code: 321, text: '321' });
});

t.test('closing the port settles the running and queued exchanges as closed', async (t) => {
  const { ch, afterWrites } = await setup(t);
  const a = ch.run({ command: 'AT+CSQ', timeoutMs: 1000 });
  const b = ch.runOk({ command: 'AT', timeoutMs: 1000 });
  await afterWrites(1);
  await ch.close();
  t.same(await a, { ok: false, lines: [], failure: { kind: 'closed' } });
  const err = await b.catch((e: unknown) => e);
  t.ok(isSerialAtError(err, SerialAtErrorCodes.PortClosed));
  t.same(await ch.run({ command: 'AT', timeoutMs: 1 }), { ok: false, lines: [], failure: { kind: 'closed' } });
});

t.test('garbage outside an exchange is logged (numbers redacted) and skipped', async (t) => {
  const { ch, binding, log, afterWrites } = await setup(t);
  const got = new Promise<string>((resolve) => ch.onUnrecognised(resolve));
  binding().emitData('\x00\x13garbage 13800138000\r\n');
  t.equal(await got, '\x00\x13garbage 13800138000');
  const p = ch.run({ command: 'AT', timeoutMs: 1000 });
  await afterWrites(1);
  binding().emitData('OK\r\n');
  t.equal((await p).ok, true, 'the channel carries on');
  const warn = log.entries.find((e) => e.msg === 'unrecognised line skipped');
  t.ok(warn);
  t.notMatch(String(warn?.obj.line), /13800138000/);
});
