// Under a Type=notify unit the box tells systemd it is ready, pings the watchdog and says when it stops:
// datagrams on $NOTIFY_SOCKET, received here by socat standing in for systemd.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { sockaddrUn, watchdogPingMs } from '../../firmware-agent/cli/sd-notify.js';
import { startBoxProcess } from '../helpers/process.js';

t.test('sockaddr_un: a path socket is NUL-terminated, an abstract one (@name) starts with NUL', async (t) => {
  const p = sockaddrUn('/run/systemd/notify');
  t.equal(p.readUInt16LE(0), 1, 'AF_UNIX');
  t.equal(p.subarray(2).toString(), '/run/systemd/notify\0');
  const a = sockaddrUn('@abc');
  t.same([...a.subarray(2)], [0, 0x61, 0x62, 0x63]);
  t.throws(() => sockaddrUn(`/${'x'.repeat(120)}`), /too long/);
});

t.test('the watchdog is pinged at half WATCHDOG_USEC, only by the process WATCHDOG_PID names', async (t) => {
  t.equal(watchdogPingMs({ WATCHDOG_USEC: '30000000' }, 7), 15000);
  t.equal(watchdogPingMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 7), 15000);
  t.equal(watchdogPingMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '8' }, 7), null);
  t.equal(watchdogPingMs({}, 7), null);
});

t.test('a box under systemd sends READY=1 once it listens, WATCHDOG=1 pings, and STOPPING=1 on SIGTERM', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-notify-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sock = path.join(dir, 'notify.sock');
  // socat prints each datagram it receives; it is the stand-in for systemd's notify socket.
  const socat = spawn('socat', ['-u', `UNIX-RECV:${sock}`, 'STDOUT'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => socat.kill());
  let received = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  socat.stdout.on('data', (d: Buffer) => {
    received += d.toString();
    for (const w of waiters.filter((w) => w.re.test(received))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const seen = (re: RegExp) => new Promise<void>((resolve) => (re.test(received) ? resolve() : waiters.push({ re, resolve })));
  // socat creates the socket as it starts; wait for the file.
  await new Promise<void>((resolve) => {
    const w = fs.watch(dir, () => fs.existsSync(sock) && (w.close(), resolve()));
    if (fs.existsSync(sock)) (w.close(), resolve());
  });
  const box = await startBoxProcess(['--data', path.join(dir, 'data')], { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '200000' });
  await seen(/READY=1/);
  t.match(received, /STATUS=listening on http:\/\/127\.0\.0\.1:\d+/);
  t.match(received, new RegExp(`MAINPID=${box.child.pid}`));
  await seen(/WATCHDOG=1/);
  box.child.kill('SIGTERM');
  await seen(/STOPPING=1/);
  const exit = await box.exited;
  t.equal(exit.code, 0, 'a clean stop on SIGTERM');
});
