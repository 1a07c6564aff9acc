// B-channel audio on DAHDI channel devices, without a card: the span worker (the real koffi FFI path:
// open, ioctl, read, write on /dev/dahdi/channel) runs with the DAHDI stand-in preloaded
// (test/fixtures/dahdi-shim), whose device fds are connected to a simulated card (DahdiCard) in this
// process; the telco simulator (libpri, NETWORK side) places the calls and carries their audio through
// that card. The D-channel is the usual SEQPACKET socket, or the device /dev/dahdi/16 on the card.
import t from 'tap';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { e1Harness, dchannelState, type E1Harness } from '../rigs/e1-harness.js';
import { E1PriDriver } from '../../drivers/e1-pri/driver.js';
import { CAUSE } from '../../drivers/e1-pri/binding/constants.js';
import type { DahdiCard } from '../../drivers/e1-pri/telco-sim/dahdi-card.js';

// Each test builds its own rig and mostly waits on the wall clock: three at once.
t.jobs = 3;

/** user.h: DAHDI_ALARM_RED, DAHDI_ALARM_LOS. */
const RED = 1 << 3;
const LOS = 1 << 8;

/** Resolve once every B-channel in service has been specified and set up on the card. */
async function allSetUp(card: DahdiCard, count = 30): Promise<void> {
  const done = () => [...card.channels.values()].filter((c) => c.kind === 'bchannel' && c.blocksize !== undefined && c.audioMode !== undefined && c.law !== undefined).length >= count;
  while (!done()) await once(card, 'config');
}

async function answeredCall(h: E1Harness, caller: string) {
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller });
  const o = await offered;
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  return { o, line };
}

t.test('at start the span worker opens every B-channel on /dev/dahdi/channel: DAHDI_SPECIFY, A-law, audio mode, 160-byte blocks', async (t) => {
  const h = await e1Harness({ dahdi: {} });
  t.teardown(() => h.close());
  const card = h.card!;
  await allSetUp(card);
  const b = [...card.channels.values()].filter((c) => c.kind === 'bchannel').sort((x, y) => x.timeslot - y.timeslot);
  t.same(b.map((c) => c.channo), h.driver.config.channels, 'one fd per B-channel in service, specified with its DAHDI channel number');
  t.ok(b.every((c) => c.law === 2), 'DAHDI_SETLAW DAHDI_LAW_ALAW on every channel');
  t.ok(b.every((c) => c.audioMode === 1), 'DAHDI_AUDIOMODE 1 (voice, not HDLC)');
  t.ok(b.every((c) => c.blocksize === 160), 'DAHDI_SET_BLOCKSIZE 160 (20 ms)');
  t.notOk(card.channels.has(16), 'timeslot 16 (the D-channel) is not opened as a B-channel');
  const p = await h.driver.probe();
  t.equal(p.bchannels, 'dahdi');
  t.equal(p.mediaConnected, true, 'the probe reports the channel devices open');
  t.equal(p.alarms, 'none');
});

for (const viaCard of [false, true]) {
  const dch = viaCard ? 'the D-channel on /dev/dahdi/16' : 'the D-channel on a socket';
  t.test(`with ${dch}, a prompt reaches the caller in 160-byte blocks and the caller's DTMF is detected`, async (t) => {
    const h = await e1Harness({ dahdi: { dchannelViaCard: viaCard } });
    t.teardown(() => h.close());
    const card = h.card!;
    await allSetUp(card);
    if (viaCard) t.equal(card.channels.get(16)?.kind, 'dchannel', 'libpri runs on the D-channel device the worker opened');
    const prompt = path.join(h.dir, 'menu.wav');
    // 0.5 s of the "1" DTMF pair (sox), so the exchange side can tell what it heard.
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', prompt, 'synth', '0.5', 'sine', '697', 'sine', '1209', 'gain', '-n', '-6']);
    const { o, line } = await answeredCall(h, '13800000021');
    const played = await h.driver.play(o.callId, { id: 'menu.main', file: prompt });
    t.same(played, { outcome: 'completed' });
    const ch = card.channels.get(line.channel)!;
    t.ok(ch.blocksWritten >= 25, `the box wrote ${ch.blocksWritten} blocks on B-channel ${line.channel}`);
    t.equal(ch.oddBlocks, 0, 'every block written was 160 bytes');
    t.same(line.heard, ['1'], 'the caller heard the prompt through the card');
    line.pressDigits('12328#', { levelDbm0: -12, onMs: 60, offMs: 60 });
    const r = await h.driver.collectDigits(o.callId, { max: 10, firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 2000, terminators: '#' });
    t.same(r, { outcome: 'terminator', digits: '12328' }, 'the DTMF detector heard the digits read from the channel device');
    await h.driver.hangup(o.callId);
    t.equal((await line.released).by, 'box');
  });

  t.test(`with ${dch}, a red alarm takes the link down and fails the call; when it clears the span is ready again`, async (t) => {
    const h = await e1Harness({ dahdi: { dchannelViaCard: viaCard } });
    t.teardown(() => h.close());
    const card = h.card!;
    await allSetUp(card);
    const { o, line } = await answeredCall(h, '13800000022');
    const failed = h.next('failed');
    card.setAlarms(RED | LOS);
    const f = await failed;
    t.same(f.callIds, [o.callId], 'the call in progress is reported failed');
    t.match(f.reason, /span alarm RED\+LOS/, 'the reason names the alarm (DAHDI_SPANSTAT)');
    t.equal(f.permanent, false);
    await dchannelState(h.driver, 'down');
    const p = await h.driver.probe();
    t.equal(p.dchannel, 'down');
    t.equal(p.alarms, 'RED+LOS');
    await t.rejects(h.driver.restartChannel(5), 'no Q.931 request (here RESTART) goes out while the span is in alarm');

    const ready = h.next('ready');
    card.setAlarms(0);
    await ready;
    t.equal(h.driver.dchannel, 'up', 'NOALARM and a clear DAHDI_SPANSTAT: the link is up again');
    const rel = await line.released;
    t.equal(rel.cause, CAUSE.NORMAL_TEMPORARY_FAILURE, 'the call lost in the alarm is cleared towards the exchange with cause 41');
    t.equal((await h.driver.probe()).alarms, 'none');
    const again = await answeredCall(h, '13800000023');
    const prompt = path.join(h.dir, 'beep.al');
    fs.writeFileSync(prompt, Buffer.alloc(1600, 0x55));
    t.same(await h.driver.play(again.o.callId, { id: 'x', file: prompt }), { outcome: 'completed' }, 'a new call plays audio after the alarm');
    t.ok(again.line.received.length >= 10, 'and the caller receives it');
    await h.driver.hangup(again.o.callId);
  });
}

t.test('a span already in alarm at start is down (DAHDI_SPANSTAT), refuses SETUPs with cause 34, and comes up when the alarm clears', async (t) => {
  // No alarm event reaches a worker that opens a span already in alarm: only DAHDI_SPANSTAT at open tells.
  const h = await e1Harness({ dahdi: { alarms: 1 << 4 } }); // blue alarm (AIS)
  t.teardown(() => h.close());
  await allSetUp(h.card!);
  await dchannelState(h.driver, 'down');
  t.equal((await h.driver.probe()).alarms, 'BLUE');
  const line = h.telco.placeCall({ caller: '13800000024' });
  const rel = await line.released;
  t.equal(rel.cause, CAUSE.NORMAL_CIRCUIT_CONGESTION, 'no B-channel can carry a call in alarm: Q.850 #34');
  t.equal(h.offered.length, 0, 'nothing was offered to the call centre');
  const up = dchannelState(h.driver, 'up');
  h.card!.setAlarms(0);
  await up;
  const { o } = await answeredCall(h, '13800000025');
  t.ok(o.callId, 'a call is offered once the alarm cleared');
  await h.driver.hangup(o.callId);
});

t.test('with only the D-channel on a DAHDI device (audio on the socket), its alarm event alone takes the link down and back up', async (t) => {
  // No B-channel fd is open: the alarm reaches the box only as DAHDI_EVENT_ALARM on the D-channel device,
  // taken with DAHDI_GETEVENT around libpri's reads.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e1-dahdi-d-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const h = await e1Harness({ dahdi: { dchannelViaCard: true }, config: { bchannels: { kind: 'socket' }, media: path.join(dir, 'media') } });
  t.teardown(() => h.close());
  t.same([...h.card!.channels.values()].map((c) => c.kind), ['dchannel'], 'only the D-channel device is open on the card');
  const failed = h.next('failed');
  h.card!.setAlarms(1 << 2); // yellow alarm (RAI): the far end does not receive us
  t.match((await failed).reason, /span alarm YELLOW/);
  const ready = h.next('ready');
  h.card!.setAlarms(0);
  await ready;
  t.equal(h.driver.dchannel, 'up');
});

t.test('without DAHDI device files (no card, no stand-in) the start fails naming /dev/dahdi/channel', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e1-nodahdi-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const driver = new E1PriDriver({ config: { dchannel: path.join(dir, 'd'), bchannels: { kind: 'dahdi' }, maxRestarts: 0 } });
  await t.rejects(driver.start(), /\/dev\/dahdi\/channel/);
  await driver.stop().catch(() => {});
});

t.test('a B-channel the card does not have fails the start at DAHDI_SPECIFY, naming the channel', async (t) => {
  // firstChannel 2 puts timeslot 31 on DAHDI channel 32, which the one-span card does not have.
  await t.rejects(e1Harness({ dahdi: {}, config: { bchannels: { kind: 'dahdi', firstChannel: 2 }, maxRestarts: 0 } }), /B-channel 31 \(DAHDI channel 32\).*DAHDI_SPECIFY 32/);
});
