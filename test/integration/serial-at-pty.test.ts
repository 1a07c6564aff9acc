// The serial-AT driver on a real serial device: one end of a socat pty pair, with the simulated
// modem driving the other end. Real time, but every wait is on an event or a promise.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GsmModem, type IncomingSms } from '../../drivers/serial-at/modem.js';
import { ConcatAssembler, type AssembledMessage } from '../../drivers/serial-at/concat.js';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { serialPortTransport } from '../../drivers/serial-at/transport.js';
import { rigModemTimings } from '../rigs/serial-at-rig.js';
import { pluggedPty } from '../rigs/pty.js';
import { recordingLogger } from '../../common/log.js';
import { systemClock } from '../../common/clock.js';
import { SerialAtErrorCodes } from '../../drivers/serial-at/errors.js';

interface Rig {
  sim: SimulatedModem;
  modem: GsmModem;
  log: ReturnType<typeof recordingLogger>;
  disappear(): Promise<void>;
  comeBack(): Promise<void>;
}

async function rig(t: { teardown(fn: () => unknown): void }): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'edgebox-pty-'));
  const link = join(dir, 'ttyGSM0');
  const sim = new SimulatedModem({ restartMs: 20, ringIntervalMs: 400 });
  const { plug, unplug } = await pluggedPty(link, sim);
  const log = recordingLogger();
  const modem = new GsmModem({
    transport: serialPortTransport({ path: link }),
    clock: systemClock,
    logger: log,
    ...rigModemTimings,
  });
  t.teardown(async () => {
    await modem.stop();
    await unplug();
    rmSync(dir, { recursive: true, force: true });
  });
  return { sim, modem, log, disappear: unplug, comeBack: plug };
}

t.test('a Chinese SMS arrives and is decoded exactly', async (t) => {
  const { sim, modem } = await rig(t);
  await modem.start();
  const got = modem.once('sms');
  sim.deliverSms({ from: '+8613912345678', text: '高速公路服务区加油站乱收费，请尽快处理！' });
  const m = await got;
  t.equal(m.message.text, '高速公路服务区加油站乱收费，请尽快处理！');
  t.equal(m.message.originator.value, '+8613912345678');
  t.equal(m.message.timestamp.offsetMinutes, 480);
  await modem.delete(m.index, { stored: true });
  t.equal(sim.storage.size, 0);
});

t.test('a three-part Chinese SMS arriving out of order is reassembled', async (t) => {
  const { sim, modem } = await rig(t);
  await modem.start();
  const text = '投诉：本人于今天上午八点在市汽车客运站购买前往县城的车票，售票员多收了十元，且不给发票。'.repeat(4);
  const assembled = new Promise<AssembledMessage>((resolve) => {
    const concat = new ConcatAssembler({ clock: systemClock, timeoutMs: 60_000, onMessage: resolve });
    modem.on('sms', (m: IncomingSms) => concat.add(m));
  });
  sim.deliverSms({ from: '13800138000', text, order: [3, 1, 2] });
  const m = await assembled;
  t.equal(m.complete, true);
  t.equal(m.segments.length, 3);
  t.equal(m.text, text);
  t.same([...m.indexes].sort(), [1, 2, 3]);
});

t.test('messages stored while the box was down are picked up at start', async (t) => {
  const { sim, modem } = await rig(t);
  sim.deliverSms({ from: '+8613700000001', text: '昨晚的出租车投诉', silent: true });
  sim.deliverSms({ from: '+8613700000002', text: 'bus 12 never came', silent: true });
  const seen: string[] = [];
  const both = new Promise<void>((resolve) =>
    modem.on('sms', (m) => {
      seen.push(m.message.text);
      if (seen.length === 2) resolve();
    }),
  );
  await modem.start();
  await both;
  t.same(seen, ['昨晚的出租车投诉', 'bus 12 never came']);
});

t.test('the modem stops answering mid-send and the send still completes after recovery', async (t) => {
  const { sim, modem } = await rig(t);
  await modem.start();
  sim.freezeOnNextSend();
  const text = '您的工单6230002026112800042已办结，处理结果：已责令退还多收费用。';
  const r = await modem.sendSms('+8613800138000', text);
  t.equal(r.parts, 1);
  t.ok(r.retries >= 1, 'the first attempt was lost');
  t.equal(sim.resets, 1, 're-initialising was not enough; the module was reset');
  t.equal(sim.sent.length, 1);
  t.equal(sim.sent[0]!.text, text);
  t.equal(modem.status.state, 'ready');
});

t.test('the pty disappears and comes back; a send queued meanwhile goes out', async (t) => {
  const r = await rig(t);
  await r.modem.start();
  const lost = r.modem.once('lost');
  // The port closing is seen as `disconnected` (a command in flight may time out first: `recovering`).
  const gone = r.modem.once('status', (s) => s.state === 'disconnected');
  await r.disappear();
  await lost;
  await gone;
  const send = r.modem.sendSms('13800138000', '设备重新连接后发送');
  await r.comeBack();
  const res = await send;
  t.equal(res.parts, 1);
  t.equal(r.sim.sent.at(-1)?.text, '设备重新连接后发送');
  t.ok(r.modem.status.reopens >= 1);
});

t.test('garbage bytes and truncated PDUs are logged and skipped', async (t) => {
  const { sim, modem, log } = await rig(t);
  await modem.start();
  const bad = modem.once('undecodable');
  const good = modem.once('sms');
  let seed = 7;
  const noise = Buffer.from(Array.from({ length: 300 }, () => (seed = (seed * 75 + 74) % 65537) & 0xff));
  sim.garble(noise);
  sim.garble('\r\n');
  sim.storeRaw('0791683108200005F0240D91683118'); // cut inside TP-OA
  sim.deliverSms({ from: '+8613800138000', text: '正常的短信' });
  t.equal((await bad).code, SerialAtErrorCodes.PduTruncated);
  t.equal((await good).message.text, '正常的短信');
  t.ok(log.entries.some((e) => e.level === 'warn' && e.msg === 'undecodable message skipped'));
  const health = await modem.pollHealth();
  t.equal(health.state, 'ready', 'the driver carries on');
});

t.test('a ring with caller id becomes a call that can be answered and hung up', async (t) => {
  const { sim, modem } = await rig(t);
  await modem.start();
  const incoming = modem.once('call', (e) => e.type === 'incoming');
  sim.ring('+8613512345678');
  const call = await incoming;
  t.match(call, { number: '+8613512345678', presentation: 'allowed' });
  await modem.answer(call.callId);
  t.equal(sim.call?.state, 'active');
  await modem.hangup(call.callId);
  t.equal(sim.call, undefined);
});

t.test('the simulator program, run on its own, serves the driver through a pty it opens', async (t) => {
  const { spawn } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'edgebox-simprog-'));
  const link = join(dir, 'gsm0');
  const child = spawn(process.execPath, ['--import', 'tsx', 'drivers/serial-at/simulator/main.ts', '--pty', '--link', link], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let out = '';
  const waitOut = (re: RegExp) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (re.test(out)) {
          child.stdout!.off('data', onData);
          resolve();
        }
      };
      const onData = (c: Buffer) => {
        out += c.toString('utf8');
        check();
      };
      child.stdout!.on('data', onData);
      check();
    });
  const modem = new GsmModem({ transport: serialPortTransport({ path: link }), commandTimeoutMs: 1000, backoffMs: 50, maxBackoffMs: 200 });
  t.teardown(async () => {
    await modem.stop();
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  await waitOut(/simulated modem on/);
  await modem.start();
  const got = modem.once('sms');
  child.stdin!.write('sms +8613800138000 从模拟器程序发来的短信\n');
  t.equal((await got).message.text, '从模拟器程序发来的短信');
  const sent = waitOut(/sent to 13800138000: 收到/);
  await modem.sendSms('13800138000', '收到');
  await sent;
  // Its own unplug/replug behaviour: the pty vanishes and comes back at the same path.
  const lost = modem.once('lost');
  child.stdin!.write('unplug\n');
  await lost;
  const again = waitOut(/sent to 13800138000: 又连上了/);
  const send = modem.sendSms('13800138000', '又连上了');
  child.stdin!.write('replug\n');
  await send;
  await again;
});
