// Call control through the E1 driver against the telco simulator: the span worker runs libpri in
// a child process; the telco simulator runs libpri in NETWORK mode in this process.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { e1Harness } from '../rigs/e1-harness.js';
import { CAUSE } from '../../drivers/e1-pri/binding/constants.js';

// Each test builds its own rig and mostly waits on the wall clock: three at once.
t.jobs = 3;

t.test('an incoming SETUP becomes an offered call with caller, called number, presentation and B-channel', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800138000', called: '12328', channel: 5 });
  const o = await offered;
  t.equal(o.caller, '13800138000');
  t.equal(o.called, '12328');
  t.equal(o.presentation, 'allowed');
  t.equal(o.channel, 'span1/ch5');
  await line.waitFor('ringing');
  t.pass('the exchange saw CALL PROCEEDING and ALERTING');
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  t.equal(line.state, 'answered', 'CONNECT reached the exchange');
  const hangup = h.next('hangup');
  line.hangup(CAUSE.NORMAL_CLEARING);
  const e = await hangup;
  t.equal(e.callId, o.callId);
  t.equal(e.cause, 'normal');
  t.equal(e.party, 'caller');
  t.equal(e.q850, 16);
});

t.test('a withheld number is offered as null with presentation restricted', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13900000000', presentation: 0x20 });
  const o = await offered;
  t.equal(o.caller, null);
  t.equal(o.presentation, 'restricted');
  const gone = h.next('hangup');
  line.hangup(CAUSE.NORMAL_CLEARING);
  t.equal((await gone).cause, 'caller-abandoned', 'released before the box answered');
});

t.test('the box hangs up with a Q.850 cause the exchange receives', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000001' });
  const o = await offered;
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  const hangup = h.next('hangup');
  await h.driver.hangup(o.callId, 'rejected');
  const e = await hangup;
  t.equal(e.party, 'box');
  t.equal(e.q850, 21);
  const r = await line.released;
  t.equal(r.cause, 21, 'DISCONNECT carried cause 21 (call rejected)');
  t.equal(r.by, 'box');
  await t.resolves(h.driver.hangup(o.callId), 'hangup is idempotent');
  await t.rejects(h.driver.answer(o.callId), { code: 'unknown-call' });
});

t.test('the IVR plays a prompt paced in 20 ms frames and collects DTMF pressed in the B-channel', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const prompt = path.join(h.dir, 'menu.wav');
  // 0.5 s prompt made with sox: the "1" DTMF pair, so the exchange side can recognise what it heard.
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', prompt, 'synth', '0.5', 'sine', '697', 'sine', '1209', 'gain', '-n', '-6']);
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000002' });
  const o = await offered;
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  const started = Date.now();
  const played = await h.driver.play(o.callId, { id: 'menu.main', file: prompt });
  const took = Date.now() - started;
  t.same(played, { outcome: 'completed' });
  t.ok(took >= 450 && took < 1500, `0.5 s of audio took ${took} ms`);
  t.ok(line.received.length >= 20, `the exchange received ${line.received.length} frames of 160 bytes`);
  t.same(line.heard, ['1'], 'the exchange heard the prompt audio');
  const digits: string[] = [];
  h.driver.on('digits', (d) => digits.push(d.digits));
  line.pressDigits('12328#', { levelDbm0: -12, onMs: 60, offMs: 60 });
  const r = await h.driver.collectDigits(o.callId, { max: 10, firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 2000, terminators: '#' });
  t.same(r, { outcome: 'terminator', digits: '12328' });
  t.same(digits, ['1', '2', '3', '2', '8', '#']);
  await h.driver.hangup(o.callId);
});

t.test('an interruptible prompt stops at the first digit, which stays for the next collect', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const prompt = path.join(h.dir, 'long.al');
  fs.writeFileSync(prompt, Buffer.alloc(8000 * 10, 0xd5)); // 10 s of silence, A-law
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000003' });
  const o = await offered;
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  const playing = h.driver.play(o.callId, { id: 'menu.main', file: prompt }, { interruptible: true });
  line.pressDigits('3');
  const r = await playing;
  t.same(r, { outcome: 'interrupted', digit: '3' });
  const c = await h.driver.collectDigits(o.callId, { max: 1, firstDigitTimeoutMs: 1000 });
  t.same(c, { outcome: 'max', digits: '3' });
  await t.rejects(h.driver.play('no-such-call', { id: 'x' }), { code: 'unknown-call' });
  await h.driver.hangup(o.callId);
});

t.test('a missing prompt file is a short silent pause that completes', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  h.telco.placeCall({ caller: '13800000004' });
  const o = await offered;
  await t.rejects(h.driver.play(o.callId, { id: 'x' }), { code: 'not-answered' });
  await h.driver.answer(o.callId);
  t.same(await h.driver.play(o.callId, { id: 'distress', file: path.join(h.dir, 'missing.wav') }), { outcome: 'completed' });
  await h.driver.hangup(o.callId);
});

t.test('the caller hanging up during a prompt settles it as caller-gone', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const prompt = path.join(h.dir, 'long.al');
  fs.writeFileSync(prompt, Buffer.alloc(8000 * 10, 0xd5));
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000005' });
  const o = await offered;
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  const playing = h.driver.play(o.callId, { id: 'menu.main', file: prompt });
  const hangup = h.next('hangup');
  line.hangup();
  t.same(await playing, { outcome: 'caller-gone' });
  t.equal((await hangup).party, 'caller');
});

t.test('a recording stops at # and is a valid 8 kHz WAV file', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000006' });
  const o = await offered;
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  const file = path.join(h.dir, 'vm.wav');
  const rec = h.driver.record(o.callId, { file, maxMs: 10_000, stopDigits: '#' });
  line.play(Buffer.alloc(8000, 0x55)); // 1 s of audio
  await line.drained();
  line.pressDigits('#');
  const r = await rec;
  t.equal(r.outcome, 'digit');
  t.ok(r.durationMs >= 900, `recorded ${r.durationMs} ms`);
  const wav = fs.readFileSync(file);
  t.equal(wav.toString('ascii', 0, 4), 'RIFF');
  t.equal(wav.readUInt32LE(24), 8000);
  t.equal(wav.readUInt32LE(40), wav.length - 44, 'data size patched in the header');
  t.notOk(fs.existsSync(`${file}.part`), 'the temporary file was renamed');
  await h.driver.hangup(o.callId);
});

t.test('a transfer to 12395 places a second call, bridges it, and releases both when either hangs up', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const caller = h.telco.placeCall({ caller: '13800000007' });
  const o = await offered;
  await h.driver.answer(o.callId);
  await caller.waitFor('answered');
  const incoming = new Promise<import('../../drivers/e1-pri/telco-sim/telco.js').SimLine>((r) => h.telco.once('incoming', r));
  const hangup = h.next('hangup');
  const r = await h.driver.transfer(o.callId, '12395');
  t.equal(r.outcome, 'connected');
  const e = await hangup;
  t.equal(e.cause, 'transferred');
  t.equal(e.party, 'box');
  const rescue = await incoming;
  t.equal(rescue.called, '12395');
  t.equal(rescue.caller, '12328');
  // Audio flows both ways through the box's hairpin.
  caller.pressDigits('5');
  await new Promise<void>((res) => rescue.once('heardDigit', () => res()));
  t.same(rescue.heard, ['5'], 'the rescue centre hears the caller');
  rescue.pressDigits('9');
  await new Promise<void>((res) => caller.once('heardDigit', () => res()));
  t.same(caller.heard, ['9'], 'the caller hears the rescue centre');
  rescue.hangup();
  const rel = await caller.released;
  t.equal(rel.by, 'box', 'the box released the caller when 12395 hung up');
});

t.test('a transfer to a busy number leaves the caller with the box', async (t) => {
  const h = await e1Harness({ behaviour: (n) => (n === '12306' ? { kind: 'busy' } : n === '12326' ? { kind: 'no-answer' } : { kind: 'answer' }) });
  t.teardown(() => h.close());
  const offered = h.next('offered');
  h.telco.placeCall({ caller: '13800000008' });
  const o = await offered;
  await h.driver.answer(o.callId);
  t.same(await h.driver.transfer(o.callId, '12306'), { outcome: 'busy' });
  t.same(await h.driver.transfer(o.callId, '12326', { ringTimeoutMs: 300 }), { outcome: 'no-answer' });
  const ac = new AbortController();
  const pending = h.driver.transfer(o.callId, '12326', { ringTimeoutMs: 10_000, signal: ac.signal });
  ac.abort();
  t.same(await pending, { outcome: 'cancelled' });
  await h.driver.answer(o.callId);
  await h.driver.hangup(o.callId);
});

t.test('an agent station is rung on the span and bridged; the agent hanging up ends the call', async (t) => {
  const h = await e1Harness({ config: { stations: { '801': '6001' } }, behaviour: () => ({ kind: 'answer', afterMs: 100 }) });
  t.teardown(() => h.close());
  const offered = h.next('offered');
  const caller = h.telco.placeCall({ caller: '13800000009' });
  const o = await offered;
  const incoming = new Promise<import('../../drivers/e1-pri/telco-sim/telco.js').SimLine>((r) => h.telco.once('incoming', r));
  const r = await h.driver.connectAgent(o.callId, '801', { ringTimeoutMs: 5000 });
  t.equal(r.outcome, 'answered', 'connectAgent answers the caller and rings the station');
  const agent = await incoming;
  t.equal(agent.called, '6001');
  await caller.waitFor('answered');
  const hangup = h.next('hangup');
  agent.hangup();
  const e = await hangup;
  t.equal(e.party, 'station');
  t.equal(e.cause, 'normal');
  await caller.released;
});

t.test('30 simultaneous calls on one span are offered on distinct B-channels and all clear', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  const ids = new Set<string>();
  const answered: Promise<void>[] = [];
  h.driver.on('offered', (o) => {
    ids.add(o.callId);
    answered.push(h.driver.answer(o.callId));
  });
  const lines = Array.from({ length: 30 }, (_, i) => h.telco.placeCall({ caller: `1380000${String(i).padStart(4, '0')}` }));
  await Promise.all(lines.map((l) => l.waitFor('answered')));
  await Promise.all(answered);
  t.equal(ids.size, 30);
  t.equal(new Set(h.offered.map((o) => o.channel)).size, 30, 'every call on its own B-channel');
  const probe = await h.driver.probe();
  t.equal(probe.channelsInUse.length, 30);
  t.notOk(probe.channelsInUse.includes(16), 'timeslot 16 is the D-channel');
  // A 31st call finds no channel: the exchange has none to offer either (all 30 taken).
  t.throws(() => h.telco.placeCall({ caller: '13900000000' }), /no free channel/);
  // The box itself refuses a 31st SETUP the exchange sends anyway (Q.931 §5.2.3.2): on a busy channel
  // given as preferred it finds no other free one, so congestion (34); on a busy channel given as
  // exclusive, requested channel not available (44). Neither disturbs the 30 calls.
  const preferred = h.telco.placeCall({ caller: '13900000001', channel: 1, exclusive: false });
  t.same(await preferred.released, { cause: CAUSE.NORMAL_CIRCUIT_CONGESTION, by: 'box' }, 'the 31st call on a full span is refused with cause 34');
  const exclusive = h.telco.placeCall({ caller: '13900000002', channel: 2 });
  t.same(await exclusive.released, { cause: CAUSE.REQUESTED_CHAN_UNAVAIL, by: 'box' }, 'a SETUP for a busy channel, exclusive, is refused with cause 44');
  t.equal(ids.size, 30, 'neither refused SETUP was offered');
  t.equal((await h.driver.probe()).channelsInUse.length, 30);
  const allGone = new Promise<void>((res) => {
    const l = () => {
      if (h.hangups.length >= 30) res();
    };
    h.driver.on('hangup', l);
  });
  for (const l of lines) l.hangup();
  await allGone;
  t.equal((await h.driver.probe()).channelsInUse.length, 0);
});

t.test('a SETUP for a channel out of service is refused with cause 82 when exclusive, and moved when preferred', async (t) => {
  const h = await e1Harness({ config: { channels: [1, 2, 3] } });
  t.teardown(() => h.close());
  const refused = h.telco.placeCall({ caller: '13900000003', channel: 20 });
  t.same(await refused.released, { cause: CAUSE.IDENTIFIED_CHANNEL_NOTEXIST, by: 'box' }, 'channel 20 is not in service: identified channel does not exist (82), sent at once as RELEASE COMPLETE');
  t.equal(h.offered.length, 0);
  const offered = h.next('offered');
  const moved = h.telco.placeCall({ caller: '13900000004', channel: 21, exclusive: false });
  const o = await offered;
  t.equal(o.channel, 'span1/ch3', 'a preferred channel out of service is replaced by a free one in service (hunted from the top)');
  await h.driver.answer(o.callId);
  await moved.waitFor('answered');
  await h.driver.hangup(o.callId);
  await moved.released;
});
